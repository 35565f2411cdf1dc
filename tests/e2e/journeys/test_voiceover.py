"""Journey 5: a voice-over recorded from a microphone (a PulseAudio null sink fed espeak-ng's speech) → render
with burned captions → while the voice speaks in the export (found by Debian's ffmpeg ``silencedetect``), a
caption cue of the sidecar WebVTT is active and caption pixels are in the picture; where no cue is, none are."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from tests.capture.pulse import MICROPHONE, play, private_pulse
from tests.e2e.journeys import camera
from tests.e2e.journeys.harness import Journey

SCRIPT = "Bonjour et bienvenue à la mairie. Voici comment refaire votre carte d'identité, pas à pas."
GREY = 96  # the photo of the scene: captions are the only white pixels in its lower band


def speech_spans(export: Path) -> list[tuple[float, float]]:
    """Where a file's sound is not silent, as Debian's ffmpeg's silencedetect finds it."""
    res = subprocess.run([camera.DEBIAN_FFMPEG, "-nostdin", "-hide_banner", "-nostats", "-i", str(export), "-map",
                          "0:a", "-af", "silencedetect=noise=-40dB:duration=0.3", "-f", "null", "-"],
                         capture_output=True, text=True, check=True).stderr
    starts = [float(x) for x in re.findall(r"silence_start: (-?[\d.]+)", res)]
    ends = [float(x) for x in re.findall(r"silence_end: ([\d.]+)", res)]
    total = float(camera.probe(export)["format"]["duration"])
    spans, t = [], 0.0
    for a, b in zip(starts, [*ends, total][: len(starts)], strict=True):
        if a > t + 0.05:
            spans.append((t, a))
        t = b
    if total > t + 0.05:
        spans.append((t, total))
    return spans


def vtt_cues(path: Path) -> list[tuple[float, float, str]]:
    def sec(ts: str) -> float:
        h, m, s = ts.split(":")
        return int(h) * 3600 + int(m) * 60 + float(s)

    cues = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        m = re.search(r"(\d+:\d\d:\d\d\.\d+) --> (\d+:\d\d:\d\d\.\d+)\n(.+)", block, re.S)
        if m:
            cues.append((sec(m.group(1)), sec(m.group(2)), m.group(3).strip()))
    return cues


def overlap(a: tuple[float, float], b: tuple[float, float]) -> float:
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0]))


def caption_pixels(gray: np.ndarray) -> int:
    """White pixels in the lower band of a picture of the grey scene (burned caption text)."""
    h = gray.shape[0]
    return int((gray[int(0.6 * h):] > 200).sum())


def record_voice(j: Journey, project: Path, speech: Path) -> dict[str, object]:
    """`capture voice` listening to the null sink's monitor, while the test speaks into the sink."""
    with j.step("record the voice-over from the microphone", given=speech), private_pulse() as pulse:
        proc = subprocess.Popen([sys.executable, "-m", "cagette", "capture", "voice", str(project), "--scene", "1",
                                 "--duration", "7", "--count-in", "1", "--backend", "pulse", "--device", MICROPHONE,
                                 "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env={**j.env, **pulse})
        try:
            assert proc.stderr is not None
            seen = ""
            while "Recording in 1" not in seen:  # the count-in's last second: the recording starts after it
                line = proc.stderr.readline()
                assert line, f"`capture voice` ended before its count-in: {seen}"
                seen += line
            time.sleep(1.5)  # past the count-in (what it hears is dropped); the speech then fits in the 7 s
            play(pulse, speech)
            out, err = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        assert proc.returncode == 0, err
        return dict(json.loads(out))


@pytest.mark.slow
def test_voiceover(journey: Journey) -> None:
    j = journey
    project = j.tmp / "accueil"
    j.cli("create a new project", "project", "new", str(project), "--title", "Accueil", given=project)
    j.cli("write the scene's script", "project", "scene", str(project), "1", "--title", "Bienvenue", "--script",
          SCRIPT, given=project)
    with j.step("make the photo and the speech"):
        from PIL import Image

        photo = j.tmp / "photo.png"
        Image.new("RGB", (320, 180), (GREY, GREY, GREY)).save(photo)
        speech = j.tmp / "speech.wav"
        subprocess.run(["espeak-ng", "-v", "fr", "-w", str(speech), SCRIPT], check=True)
    j.cli("import the photo", "project", "import", str(project), str(photo), "--scene", "1", given=photo)
    voice = record_voice(j, project, speech)
    with j.step("the voice-over is the scene's", given=voice["path"]):
        assert Path(str(voice["path"])) == project / "audio" / "voice-scene-1.wav"
        assert float(str(voice["peak_dbfs"])) > -20, "the microphone heard nothing"
    out = j.cli("render with burned captions", "render", str(project), "--preset", "draft", "--burn-captions",
                "--json", given=project)
    export = Path(json.loads(out.stdout)["video"])
    vtt = export.with_suffix(".vtt")

    with j.step("find the speech in the export", given=export):
        spans = speech_spans(export)
        said = speech_spans(speech)
        assert spans and said, (spans, said)
        # all that was said is there: from its first word to its last (nothing cut at the start)
        assert abs((spans[-1][1] - spans[0][0]) - (said[-1][1] - said[0][0])) <= 0.25, (spans, said)
    with j.step("the caption cues are active while the voice speaks", given=vtt):
        cues = vtt_cues(vtt)
        assert len(cues) >= 2, cues
        for span in spans:
            covered = sum(overlap(span, (a, b)) for a, b, _t in cues)
            assert covered >= 0.8 * (span[1] - span[0]), f"speech {span} has captions for {covered:.2f} s only"
        for a, b, text in cues:
            assert any(overlap((a, b), s) > 0 for s in spans), f"the cue {text!r} ({a}–{b} s) is shown in silence"
    with j.step("burned captions are on screen while the voice speaks", given=export):
        fps = camera.frame_rate(camera.probe(export))
        frames = camera.decode_gray(export)
        scene = [i for i, f in enumerate(frames) if abs(float(f[: f.shape[0] // 2].mean()) - GREY) < 12]
        assert scene, "the scene's photo is not in the export"
        for a, b in spans:
            mid = round((a + b) / 2 * fps)
            assert mid in scene, f"speech at {a:.2f}–{b:.2f} s outside the scene (frames {scene[0]}–{scene[-1]})"
            assert caption_pixels(frames[mid]) > 100, f"no caption on screen at {mid / fps:.2f} s"
        silent = [i for i in scene if not any(a <= i / fps < b for a, b, _t in cues)]
        assert all(caption_pixels(frames[i]) == 0 for i in silent), "caption pixels where no cue is active"
        assert all(caption_pixels(frames[i]) == 0 for i in range(round(cues[0][0] * fps) - 1) if i not in scene)
