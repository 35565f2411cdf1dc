"""Plans benchmark: cold full kit, cold 2D-only kit, derived figures, against a bare OCCT STEP export.

Each "cold" figure is a fresh ``python -m cagette plans build`` process (imports included). The
reference is a fresh process that builds the same assembly's solids and writes them with OCCT's bare
``STEPControl_Writer`` (no colours, names, guide or sheets). Wall and CPU (user+sys) times are
printed: on a shared machine, CPU time is the steadier figure.

Targets (2-core machine): full kit ≤ 8 s, 2D only ≤ 1.5 s, derived figures < 50 ms.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

PRESET = "phone-a4"

BARE_STEP = """
import sys
from cagette.plans.params import load_preset
from cagette.plans.model3d import solids
from OCP.STEPControl import STEPControl_Writer, STEPControl_AsIs
from OCP.BRep import BRep_Builder
from OCP.TopoDS import TopoDS_Compound
comp = TopoDS_Compound(); b = BRep_Builder(); b.MakeCompound(comp)
for _pn, s in solids(load_preset(sys.argv[1])):
    b.Add(comp, s)
w = STEPControl_Writer(); w.Transfer(comp, STEPControl_AsIs); w.Write(sys.argv[2])
"""


def timed(cmd: list[str], runs: int) -> tuple[float, float]:
    """Median wall and CPU seconds of *runs* fresh processes."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env={**os.environ, "CAGETTE_LANG": "en"})
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def derived_ms(runs: int = 200) -> float:
    from cagette.plans.params import load_preset

    base = load_preset(PRESET)
    times = []
    for i in range(runs):
        start = time.perf_counter()
        p = base.replace(kerf_mm=0.1 + i * 1e-4)  # validation + framing maths
        p.framing.derived()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    runs = int(os.environ.get("BENCH_RUNS", "3"))
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        bare = timed([py, "-c", BARE_STEP, PRESET, os.path.join(tmp, "bare.step")], runs)
        full = timed([py, "-m", "cagette", "plans", "build", "--preset", PRESET, "--out", os.path.join(tmp, "full"),
                      "--force", "--quiet"], runs)
        two_d = timed([py, "-m", "cagette", "plans", "build", "--preset", PRESET, "--only", "2d",
                       "--out", os.path.join(tmp, "2d"), "--force", "--quiet"], runs)
    d = derived_ms()

    def verdict(ok: bool) -> str:
        return "ok" if ok else "MISSED"

    print(f"preset {PRESET}, median of {runs} fresh processes (wall / cpu)")
    print(f"bare OCCT STEP export   {bare[0]:6.2f} s / {bare[1]:6.2f} s   (reference)")
    print(f"full kit (cold)         {full[0]:6.2f} s / {full[1]:6.2f} s   ratio {full[0] / bare[0]:5.2f}x wall, "
          f"{full[1] / bare[1]:5.2f}x cpu   target <= 8 s: {verdict(full[0] <= 8)}")
    print(f"2D-only kit (cold)      {two_d[0]:6.2f} s / {two_d[1]:6.2f} s   ratio {two_d[0] / bare[0]:5.2f}x wall"
          f"   target <= 1.5 s: {verdict(two_d[0] <= 1.5)}")
    print(f"derived figures         {d:6.2f} ms                 target < 50 ms: {verdict(d < 50)}")


if __name__ == "__main__":
    main()
