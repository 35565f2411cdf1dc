"""Voice-over recorded from a PulseAudio null sink fed with espeak-ng speech."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from cagette.capture.voice import level_dbfs, meter
from tests.capture.pulse import MICROPHONE, play, private_pulse
from tests.conftest import run_cli


@pytest.fixture
def pulse() -> Iterator[dict[str, str]]:
    """A private PulseAudio daemon (runs as root here) with a null sink."""
    with private_pulse() as env:
        yield env


def loud_windows(path: Path, threshold_db: float = -35.0) -> list[int]:
    """The 50 ms windows of a WAV file louder than *threshold_db* (RMS), by number."""
    with wave.open(str(path)) as w:
        rate, data = w.getframerate(), w.readframes(w.getnframes())
    win = rate // 20 * 2
    return [i // win for i in range(0, len(data), win) if level_dbfs(data[i: i + win])[1] > threshold_db]


def loud_seconds(path: Path, threshold_db: float = -35.0) -> float:
    return len(loud_windows(path, threshold_db)) * 0.05


def test_voice_over_from_a_null_sink(pulse: dict[str, str], project, tmp_path: Path) -> None:
    speech = tmp_path / "speech.wav"
    subprocess.run(["espeak-ng", "-v", "fr", "-w", str(speech), "Bonjour, voici la voix off de la scène."],
                   check=True)

    proc = subprocess.Popen([sys.executable, "-m", "cagette", "capture", "voice", str(project.root), "--scene",
                             "intro", "--duration", "5", "--count-in", "1", "--backend", "pulse", "--device",
                             MICROPHONE, "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, **pulse, "CAGETTE_LANG": "en"})
    assert proc.stderr is not None
    seen = ""
    while "Recording in 1" not in seen:  # the count-in has started: recording begins one second later
        line = proc.stderr.readline()
        assert line, f"the command ended early: {seen}"
        seen += line
    time.sleep(1.2)
    play(pulse, speech)
    out_text, err_text = proc.communicate(timeout=30)
    res = subprocess.CompletedProcess(proc.args, proc.returncode, out_text, seen + err_text)
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    out = Path(data["path"])
    assert out == project.root / "audio" / "voice-intro.wav"
    assert project.reload().scene("intro").voice == "audio/voice-intro.wav"
    with wave.open(str(out)) as w:
        assert w.getnchannels() == 1 and w.getframerate() == 48000
        assert abs(w.getnframes() / 48000 - 5.0) < 0.1
    assert data["peak_dbfs"] > -20
    # all of it: spoken after "Recording in 1" and its second, nothing is cut (the microphone's start-up,
    # which takes seconds here, happens before the count-in)
    said, heard = loud_seconds(speech), loud_seconds(out)
    assert said > 1.0 and abs(heard - said) <= 0.25, (said, heard)
    assert loud_windows(out)[0] >= 2, "the recording starts in the middle of the speech"


def test_voice_without_microphone_fails_cleanly(project, tmp_path: Path) -> None:
    env = {"PULSE_SERVER": f"unix:{tmp_path}/none", "XDG_RUNTIME_DIR": str(tmp_path)}
    res = run_cli("capture", "voice", str(project.root), "--scene", "intro", "--duration", "1", "--count-in", "0",
                  "--backend", "pulse", env=env)
    assert res.returncode == 1 and "Traceback" not in res.stderr and "microphone" in res.stderr
    assert not list((project.root / "audio").iterdir())


def test_meter_and_levels() -> None:
    full = (np.ones(4800, "<i2") * 32767).tobytes()
    assert level_dbfs(full)[0] > -0.01
    assert level_dbfs(b"\0\0" * 100) == (-120.0, -120.0)
    assert meter(0.0, 10) == "█" * 10 and meter(-60.0, 10) == "░" * 10


def test_sources_lists_the_microphones(pulse: dict[str, str]) -> None:
    res = run_cli("capture", "sources", "--json", env=pulse)
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert {"backend": "pulse", "device": "cagette_null.monitor", "name": "cagette_null.monitor"} in data["microphones"]
    assert data["devices"] == [] or all(d["path"].startswith("/dev/video") for d in data["devices"])
    res = run_cli("capture", "sources", env=pulse)
    assert "cagette_null.monitor" in res.stdout and "IP Webcam" in res.stdout
