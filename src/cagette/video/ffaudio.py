"""The sound of a render: mixed in one short audio-only ffmpeg run, then brought to the loudness target.

Voice-overs are cleaned (a high-pass and a light denoise, unless the project
turns it off), clips keep their own sound at their volume (lower under a
voice), and the music bed loops under everything, fades in and out, and is
*ducked*: its gain follows the speech segments, ``duck_db`` lower while a
voice speaks (short ramps around each phrase), which a compressor keyed on
the voice cannot promise. Two loudness measurements (ITU-R BS.1770, ffmpeg's
``ebur128``) then set the gain so the result is at the target integrated
loudness, with a limiter keeping the true peak under −1 dBTP.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

from cagette.errors import RenderError
from cagette.i18n import _
from cagette.progress import Progress, silent
from cagette.video import audio
from cagette.video.ffrun import capture, ffmpeg_exe, run
from cagette.video.timeline import Timeline

LIMIT_DB = -2.0  # sample-peak ceiling of the limiter: leaves room for AAC and inter-sample peaks
FORMAT = "aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo"


def num(x: float) -> str:
    return f"{x:.6f}".rstrip("0").rstrip(".") or "0"


def atempo(speed: float) -> str:
    parts = []
    s = speed
    while s > 2.0:
        parts.append("atempo=2.0")
        s /= 2.0
    while s < 0.5:
        parts.append("atempo=0.5")
        s /= 0.5
    if abs(s - 1.0) > 1e-6:
        parts.append(f"atempo={num(s)}")
    return ",".join(parts) + "," if parts else ""


def compile_audio(tl: Timeline) -> tuple[list[str], str]:
    """Inputs and graph mixing the timeline's sound into ``[aout]`` (48 kHz stereo, not yet normalised)."""
    inputs: list[str] = []
    chains: list[str] = []
    voice: list[str] = []
    others: list[str] = []
    for k, item in enumerate(tl.audio):
        span = item.duration_s * item.speed
        inputs += ["-ss", num(item.in_s), "-t", num(span), "-i", str(item.source)]
        delay = round(item.start_s * 1000)
        clean = audio.cleanup(item.noise_db) + "," if item.role == "voice" and tl.voice_cleanup else ""
        chains.append(f"[{k}:a]{clean}{FORMAT},asetpts=PTS-STARTPTS,{atempo(item.speed)}"
                      f"atrim=0:{num(item.duration_s)},volume={num(item.gain_db)}dB,"
                      f"adelay={delay}|{delay}[a{k}]")
        (voice if item.role == "voice" else others).append(f"[a{k}]")
    k = len(tl.audio)
    dur = num(tl.duration_s)
    inputs += ["-f", "lavfi", "-t", dur, "-i", "anullsrc=r=48000:cl=stereo"]
    parts = [f"[{k}:a]", *others]
    k += 1
    if voice:
        if len(voice) > 1:
            chains.append(f"{''.join(voice)}amix=inputs={len(voice)}:normalize=0:duration=longest[voicebus]")
            parts.append("[voicebus]")
        else:
            parts.append(voice[0])
    if tl.music is not None:
        m = tl.music
        inputs += ["-stream_loop", "-1", "-i", str(m.source)]
        gain = audio.duck_gain(tl.voice_spans, m.duck_db)
        chain = f"[{k}:a]{FORMAT},atrim=0:{dur},asetpts=PTS-STARTPTS,volume={num(m.volume_db)}dB"
        if gain != "1":
            chain += f",volume=eval=frame:volume='{gain}'"
        if fades := audio.fades(tl.duration_s, m.fade_in_s, m.fade_out_s):
            chain += "," + fades
        chains.append(chain + "[music]")
        parts.append("[music]")
    chains.append(f"{''.join(parts)}amix=inputs={len(parts)}:normalize=0:duration=first,"
                  f"apad=whole_dur={dur},atrim=0:{dur}[aout]")
    return inputs, ";\n".join(chains)


def measure_loudness(path: Path) -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) of an audio file, per ITU-R BS.1770.

    ffmpeg's ``ebur128`` meter (true peak by oversampling) reads a minute of sound in
    about 0.4 s, where loudnorm's scan, which resamples to 192 kHz, takes 2.6 s."""
    cmd = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-nostats", "-i", str(path),
           "-af", "ebur128=peak=true:framelog=verbose", "-f", "null", "-"]
    res = capture(cmd)
    summary = res.stderr.rpartition("Summary:")[2]
    loud = re.search(r"\bI:\s+(-?inf|-?[0-9.]+)\s+LUFS", summary)
    peak = re.search(r"\bPeak:\s+(-?inf|-?[0-9.]+)\s+dBFS", summary)
    if res.returncode or not loud or not peak:
        raise RenderError(_("Could not measure the loudness of {file}.").format(file=path),
                          _("Run `cagette doctor` to check ffmpeg."))
    return float(loud.group(1)), float(peak.group(1))


def render_audio(tl: Timeline, workdir: Path, progress: Progress | None = None) -> Path:
    """Mix the sound, then bring it to the timeline's loudness target; returns a WAV file."""
    progress = progress or silent()
    raw = workdir / "mix-raw.wav"
    inputs, graph = compile_audio(tl)
    (workdir / "audio-graph.txt").write_text(graph, encoding="utf-8")
    run([ffmpeg_exe(), "-nostdin", "-y", "-hide_banner", "-v", "error", *inputs,
         "-/filter_complex", "audio-graph.txt", "-map", "[aout]", "-c:a", "pcm_f32le", "-ar", "48000",
         str(raw)], progress, cwd=workdir)
    loud, _peak = measure_loudness(raw)
    out = workdir / "mix.wav"
    if not math.isfinite(loud) or loud < -69:
        os.replace(raw, out)  # silence: nothing to normalise
        return out
    gain = tl.loudness_lufs - loud
    limit = 10 ** (LIMIT_DB / 20)
    for _attempt in range(3):
        progress.check()
        run([ffmpeg_exe(), "-nostdin", "-y", "-hide_banner", "-v", "error", "-i", str(raw), "-af",
             f"volume={num(gain)}dB,alimiter=limit={num(limit)}:level=false:attack=5:release=60:latency=true",
             "-c:a", "pcm_f32le", str(out)], progress)
        now, _peak = measure_loudness(out)
        if abs(now - tl.loudness_lufs) <= 0.3:
            break
        gain += tl.loudness_lufs - now
    return out
