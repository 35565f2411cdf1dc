"""A private PulseAudio daemon with a null sink: a microphone the tests can speak into (espeak-ng, paplay)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

SINK = "cagette_null"
MICROPHONE = f"{SINK}.monitor"  # what `capture voice --device` takes: what is played into the sink


@contextlib.contextmanager
def private_pulse() -> Iterator[dict[str, str]]:
    """Start pulseaudio (as root here) in a fresh runtime folder; yields the environment that reaches it."""
    run = Path(f"/tmp/cagette-pa-{os.getpid()}-{time.monotonic_ns()}")
    run.mkdir()
    env = {"XDG_RUNTIME_DIR": str(run), "HOME": str(run), "PULSE_RUNTIME_PATH": str(run / "pulse"),
           "PULSE_SERVER": f"unix:{run}/pulse/native"}
    full = {**os.environ, **env}
    proc = subprocess.Popen(["pulseaudio", "--daemonize=no", "--exit-idle-time=-1", "--system=false", "-n",
                             "--load=module-native-protocol-unix", f"--load=module-null-sink sink_name={SINK}",
                             "--log-target=stderr"], env=full, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 30  # a start-up guard, not a measure
        while subprocess.run(["pactl", "info"], env=full, capture_output=True).returncode != 0:
            assert proc.poll() is None, "pulseaudio exited"
            assert time.monotonic() < deadline, "pulseaudio did not answer"
            time.sleep(0.1)
        yield env
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        shutil.rmtree(run, ignore_errors=True)


def play(env: dict[str, str], wav: Path) -> None:
    """Play *wav* into the null sink (heard by :data:`MICROPHONE`)."""
    subprocess.run(["paplay", "-d", SINK, str(wav)], env={**os.environ, **env}, check=True)
