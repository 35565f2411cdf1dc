"""Start-up time of ``cagette --help`` against a bare ``python -c pass``.

Target: ≤ 0.3 s median on the 2-core reference machine.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time


def median_time(cmd: list[str], runs: int = 15) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    python = median_time([sys.executable, "-c", "pass"])
    helps = median_time([sys.executable, "-m", "cagette", "--help"])
    sub = median_time([sys.executable, "-m", "cagette", "doctor", "--help"])
    print(f"python -c pass        median {python * 1000:7.1f} ms (reference)")
    print(f"cagette --help        median {helps * 1000:7.1f} ms  ratio {helps / python:5.2f}x  target <= 300 ms: "
          f"{'ok' if helps <= 0.3 else 'MISSED'}")
    print(f"cagette doctor --help median {sub * 1000:7.1f} ms  ratio {sub / python:5.2f}x")


if __name__ == "__main__":
    main()
