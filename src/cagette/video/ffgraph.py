"""The fast renderer: a timeline compiled into ONE ffmpeg filter graph.

The ffmpeg binary is the one imageio-ffmpeg ships (``get_ffmpeg_exe()``).
Sound is prepared first (a short audio-only run mixes voice, clip sound and
ducked music, then two loudness measurements set the gain so the result is at
the target integrated loudness, true peak under −1 dBTP); then one ffmpeg run
decodes every source, builds the picture in a single filter graph, and writes
H.264 (yuv420p) + AAC in MP4 with ``+faststart``. Progress is read from
``-progress pipe:1``; a cancel kills ffmpeg and the partial file is removed.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import signal
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

from cagette import locations
from cagette.errors import Cancelled, RenderError
from cagette.i18n import _
from cagette.progress import Progress, silent
from cagette.video.presets import Preset
from cagette.video.timeline import CARD_RGB, LOWER_THIRD_S, Timeline, Visual

LIMIT_DB = -2.0  # sample-peak ceiling of the limiter: leaves room for AAC and inter-sample peaks


def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def quote(value: str | Path) -> str:
    """Quote a value for a filter option (single quotes; a quote inside is closed, escaped, reopened)."""
    text = str(value).replace("\\", "/") if os.name == "nt" else str(value)
    return "'" + text.replace("'", r"'\''") + "'"


def _num(x: float) -> str:
    return f"{x:.6f}".rstrip("0").rstrip(".") or "0"


class _Texts:
    """drawtext reads its text from files: no escaping of what people typed."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.n = 0

    def file(self, text: str) -> str:
        self.n += 1
        path = self.workdir / f"text-{self.n:03d}.txt"
        path.write_text(text, encoding="utf-8")
        return quote(path)


def _font(bold: bool = False) -> str:
    return quote(locations.font_path(bold=bold))


def _rotate(rotation: int) -> str:
    return {90: "transpose=clock,", 180: "hflip,vflip,", 270: "transpose=cclock,"}.get(rotation, "")


def _fit(v: Visual, w: int, h: int, tag: str) -> str:
    """Scale a picture into w×h: letterbox ("bars"/"none") or over a blurred copy of itself ("blur")."""
    if v.fill == "blur":
        bw, bh = max(2, w // 8 // 2 * 2), max(2, h // 8 // 2 * 2)
        return (f"split[{tag}a][{tag}b];"
                f"[{tag}a]scale={bw}:{bh}:force_original_aspect_ratio=increase,crop={bw}:{bh},"
                f"boxblur=4:2,scale={w}:{h}:flags=bilinear:out_range=tv[{tag}bg];"
                f"[{tag}b]scale={w}:{h}:force_original_aspect_ratio=decrease:flags=bicubic:out_range=tv[{tag}fg];"
                f"[{tag}bg][{tag}fg]overlay=(W-w)/2:(H-h)/2,setsar=1")
    return (f"scale={w}:{h}:force_original_aspect_ratio=decrease:flags=bicubic:out_range=tv,"
            f"pad={w}:{h}:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1")


def _ken_burns(v: Visual, w: int, h: int, fps: int) -> tuple[str, str]:
    """Cover a (1.12 w)×(1.12 h) frame once, then pan a w×h window across it (before, after the loop)."""
    cw, ch = int(math.ceil(w * 1.12 / 2) * 2), int(math.ceil(h * 1.12 / 2) * 2)
    n = max(1, round(v.duration_s * fps) - 1)
    before = f"scale={cw}:{ch}:force_original_aspect_ratio=increase:flags=bicubic:out_range=tv,crop={cw}:{ch},setsar=1"
    after = f"crop={w}:{h}:x='floor({cw - w}*min(n/{n}\\,1))':y='floor({ch - h}*min(n/{n}\\,1)/2)'"
    return before, after


def _overlays(v: Visual, w: int, h: int, texts: _Texts) -> str:
    out = ""
    if v.text and v.kind != "card":
        out += (f",drawtext=fontfile={_font(True)}:textfile={texts.file(v.text)}:fontsize={max(8, h // 14)}:"
                f"fontcolor=white:box=1:boxcolor=black@0.55:boxborderw={max(2, h // 60)}:text_align=C:"
                f"x=(w-text_w)/2:y={h // 12}")
    if v.lower_third:
        out += (f",drawtext=fontfile={_font(True)}:textfile={texts.file(v.lower_third)}:fontsize={max(8, h // 20)}:"
                f"fontcolor=white:box=1:boxcolor=0x1f2a44@0.85:boxborderw={max(2, h // 50)}:"
                f"x={w // 20}:y={h * 3 // 5}:enable='lt(t,{_num(LOWER_THIRD_S)})'")
    return out


def card_drawtext(text: str, w: int, h: int, texts: _Texts) -> str:
    lines = text.splitlines() or [""]
    size = max(8, min(h // 11, int(w / max(8, max(len(x) for x in lines)) * 1.6)))
    return (f"drawtext=fontfile={_font(True)}:textfile={texts.file(text)}:fontsize={size}:fontcolor=white:"
            f"line_spacing={size // 3}:text_align=C:x=(w-text_w)/2:y=(h-text_h)/2")


def compile_graph(tl: Timeline, workdir: Path) -> tuple[list[str], str]:
    """The input arguments and the filter graph drawing *tl*'s picture into ``[vout]``."""
    w, h, fps = tl.width, tl.height, tl.fps
    texts = _Texts(workdir)
    inputs: list[str] = []
    chains: list[str] = []
    labels_by_group: list[list[str]] = []
    k = 0
    for gi, g in enumerate(tl.groups):
        labels = []
        for vi, v in enumerate(g.visuals):
            tag = f"g{gi}v{vi}"
            n_frames = max(1, round(v.duration_s * fps))
            _num(n_frames / fps)
            hold = _num(v.duration_s + 1)
            tail = f"tpad=stop_mode=clone:stop_duration={hold},trim=end_frame={n_frames},settb=1/{fps},setpts=N,fps={fps}"
            if v.kind == "card":
                inputs += ["-f", "lavfi", "-i", f"color=c=0x{''.join(f'{c:02x}' for c in CARD_RGB)}:s={w}x{h}:r={fps}:d={_num(1 / fps)}"]
                chain = (f"[{k}:v]{card_drawtext(v.text, w, h, texts)},"
                         f"loop=loop={n_frames - 1}:size=1:start=0,setpts=N/{fps}/TB{_overlays(v, w, h, texts)},{tail}")
            elif v.kind == "still":
                inputs += ["-noautorotate", "-i", str(v.source)]
                if v.ken_burns:
                    before, after = _ken_burns(v, w, h, fps)
                    chain = (f"[{k}:v]{_rotate(v.rotation)}{before},loop=loop={n_frames - 1}:size=1:start=0,"
                             f"setpts=N/{fps}/TB,{after}")
                else:
                    chain = (f"[{k}:v]{_rotate(v.rotation)}{_fit(v, w, h, tag)},"
                             f"loop=loop={n_frames - 1}:size=1:start=0,setpts=N/{fps}/TB")
                chain += f"{_overlays(v, w, h, texts)},{tail}"
            elif v.kind == "frames":
                listing = workdir / f"frames-{tag}.txt"
                step = 1 / v.fps
                body = "ffconcat version 1.0\n" + "".join(
                    f"file {quote(f)}\nduration {_num(step)}\n" for f in v.frames) + f"file {quote(v.frames[-1])}\n"
                listing.write_text(body, encoding="utf-8")
                inputs += ["-noautorotate", "-f", "concat", "-safe", "0", "-i", str(listing)]
                chain = (f"[{k}:v]{_rotate(v.rotation)}{_fit(v, w, h, tag)},"
                         f"fps={fps}:start_time=0{_overlays(v, w, h, texts)},{tail}")
            else:  # clip
                span = (v.duration_s - v.hold_s) * v.speed
                inputs += ["-noautorotate", "-ss", _num(v.in_s), "-t", _num(span + 2 / fps), "-i", str(v.source)]
                tonemap = ("zscale=t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,tonemap=tonemap=hable:desat=0,"
                           "zscale=t=bt709:m=bt709:r=tv,format=yuv420p," if v.hdr else "")
                chain = (f"[{k}:v]{tonemap}setpts=(PTS-STARTPTS)/{_num(v.speed)},fps={fps}:start_time=0,"
                         f"{_rotate(v.rotation)}{_fit(v, w, h, tag)}{_overlays(v, w, h, texts)},{tail}")
            chains.append(f"{chain},format=yuv420p[{tag}]")
            labels.append(f"[{tag}]")
            k += 1
        labels_by_group.append(labels)

    if tl.crossfade_s and len(tl.groups) > 1:
        for gi, labels in enumerate(labels_by_group):
            if len(labels) == 1:
                chains.append(f"{labels[0]}settb=1/{fps},fps={fps}[grp{gi}]")
            else:
                chains.append(f"{''.join(labels)}concat=n={len(labels)}:v=1:a=0,settb=1/{fps},setpts=N,fps={fps}[grp{gi}]")
        prev = "[grp0]"
        for gi in range(1, len(tl.groups)):
            out = f"[xf{gi}]"
            chains.append(f"{prev}[grp{gi}]xfade=transition=fade:duration={_num(tl.crossfade_s)}:"
                          f"offset={_num(tl.groups[gi].start_s)}{out}")
            prev = out
        base = prev
    else:
        all_labels = [x for labels in labels_by_group for x in labels]
        if len(all_labels) == 1:
            chains.append(f"{all_labels[0]}null[base]")
        else:
            chains.append(f"{''.join(all_labels)}concat=n={len(all_labels)}:v=1:a=0[base]")
        base = "[base]"

    post = []
    if tl.burn_captions:
        size = max(8, h // 18) if w >= h else max(8, w // 18)
        for c in tl.captions:
            post.append(f"drawtext=fontfile={_font(False)}:textfile={texts.file(c.text)}:fontsize={size}:"
                        f"fontcolor=white:box=1:boxcolor=black@0.6:boxborderw={max(2, size // 4)}:"
                        f"line_spacing={size // 5}:text_align=C:x=(w-text_w)/2:y=h-text_h-{h // 14}:"
                        f"enable='between(t,{_num(c.start_s)},{_num(c.end_s - 0.001)})'")
    if tl.fade_s > 0:
        post.append(f"fade=t=in:st=0:d={_num(tl.fade_s)}")
        post.append(f"fade=t=out:st={_num(tl.duration_s - tl.fade_s)}:d={_num(tl.fade_s)}")
    if tl.logo is not None:
        inputs += ["-i", str(tl.logo)]
        lh = max(8, h // 10 // 2 * 2)
        chains.append(f"[{k}:v]scale=-2:{lh},format=rgba[logo]")
        chains.append(f"{base}[logo]overlay=W-w-{h // 30}:{h // 30}:format=auto[withlogo]")
        base = "[withlogo]"
        k += 1
    post.append("format=yuv420p")
    chains.append(f"{base}{','.join(post)}[vout]")
    return inputs, ";\n".join(chains)


# --- sound -------------------------------------------------------------------


def _atempo(speed: float) -> str:
    parts = []
    s = speed
    while s > 2.0:
        parts.append("atempo=2.0")
        s /= 2.0
    while s < 0.5:
        parts.append("atempo=0.5")
        s /= 0.5
    if abs(s - 1.0) > 1e-6:
        parts.append(f"atempo={_num(s)}")
    return ",".join(parts) + "," if parts else ""


def compile_audio(tl: Timeline) -> tuple[list[str], str]:
    """Inputs and graph mixing the timeline's sound into ``[aout]`` (48 kHz stereo, not yet normalised)."""
    inputs: list[str] = []
    chains: list[str] = []
    voice: list[str] = []
    others: list[str] = []
    fmt = "aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo"
    for k, item in enumerate(tl.audio):
        span = item.duration_s * item.speed
        inputs += ["-ss", _num(item.in_s), "-t", _num(span), "-i", str(item.source)]
        delay = round(item.start_s * 1000)
        chains.append(f"[{k}:a]{fmt},asetpts=PTS-STARTPTS,{_atempo(item.speed)}"
                      f"atrim=0:{_num(item.duration_s)},volume={_num(item.gain_db)}dB,"
                      f"adelay={delay}|{delay}[a{k}]")
        (voice if item.role == "voice" else others).append(f"[a{k}]")
    k = len(tl.audio)
    dur = _num(tl.duration_s)
    inputs += ["-f", "lavfi", "-t", dur, "-i", "anullsrc=r=48000:cl=stereo"]
    silence = f"[{k}:a]"
    k += 1
    parts = [silence, *others]
    if voice:
        if len(voice) > 1:
            chains.append(f"{''.join(voice)}amix=inputs={len(voice)}:normalize=0:duration=longest[voicebus]")
        else:
            chains.append(f"{voice[0]}anull[voicebus]")
        if tl.music is not None:
            chains.append("[voicebus]asplit[voicemix][voicesc]")
            parts.append("[voicemix]")
        else:
            parts.append("[voicebus]")
    if tl.music is not None:
        inputs += ["-stream_loop", "-1", "-i", str(tl.music.source)]
        chains.append(f"[{k}:a]{fmt},atrim=0:{dur},volume={_num(tl.music.volume_db)}dB[music]")
        if voice:
            ratio = max(2.0, min(20.0, abs(tl.music.duck_db) / 1.5))
            chains.append("[voicesc]apad[voicekey]")  # the key must outlast the music, or the music stops with it
            chains.append(f"[music][voicekey]sidechaincompress=threshold=0.015:ratio={_num(ratio)}:"
                          f"attack=30:release=500[ducked]")
            parts.append("[ducked]")
        else:
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
    res = subprocess.run(cmd, capture_output=True, text=True)
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
    _run([ffmpeg_exe(), "-nostdin", "-y", "-hide_banner", "-v", "error", *inputs, "-filter_complex", graph,
          "-map", "[aout]", "-c:a", "pcm_f32le", "-ar", "48000", str(raw)], None, progress)
    loud, _peak = measure_loudness(raw)
    out = workdir / "mix.wav"
    if not math.isfinite(loud) or loud < -69:
        os.replace(raw, out)  # silence: nothing to normalise
        return out
    gain = tl.loudness_lufs - loud
    limit = 10 ** (LIMIT_DB / 20)
    for _attempt in range(3):
        progress.check()
        _run([ffmpeg_exe(), "-nostdin", "-y", "-hide_banner", "-v", "error", "-i", str(raw), "-af",
              f"volume={_num(gain)}dB,alimiter=limit={_num(limit)}:level=false:attack=5:release=60:latency=true",
              "-c:a", "pcm_f32le", str(out)], None, progress)
        now, _peak = measure_loudness(out)
        if abs(now - tl.loudness_lufs) <= 0.3:
            break
        gain += tl.loudness_lufs - now
    return out


# --- running ffmpeg -----------------------------------------------------------------


def _run(cmd: list[str], total_s: float | None, progress: Progress,
         on_time: Callable[[float], None] | None = None) -> None:
    """Run ffmpeg; follow ``-progress pipe:1`` when asked; kill it on cancel or Ctrl-C."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE if on_time else subprocess.DEVNULL,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                            start_new_session=True)
    err_lines: list[str] = []

    def drain() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            err_lines.append(line)
            del err_lines[:-40]

    t = threading.Thread(target=drain, daemon=True)
    t.start()
    try:
        if on_time and proc.stdout is not None:
            for line in proc.stdout:
                key, _sep, value = line.strip().partition("=")
                if key == "out_time_us" and value.lstrip("-").isdigit():
                    on_time(max(0, int(value)) / 1e6)
                progress.check()
        else:
            while proc.poll() is None:
                try:
                    proc.wait(0.1)
                except subprocess.TimeoutExpired:
                    progress.check()
        proc.wait()
    except BaseException:
        _kill(proc)
        raise
    finally:
        t.join(2)
    if proc.returncode:
        if proc.returncode < 0 and -proc.returncode in (signal.SIGINT, signal.SIGTERM):
            raise Cancelled(_("Rendering was interrupted."), _("Nothing was kept of the unfinished video."))
        tail = "".join(err_lines).strip()[-800:]
        raise RenderError(_("ffmpeg failed: {error}").format(error=tail or proc.returncode),
                          _("Run `cagette project check` on the project; if it passes, report this message."))


def _kill(proc: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError):
        proc.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(5)


def encode_args(preset: Preset) -> list[str]:
    return ["-c:v", "libx264", "-preset", preset.x264_preset, "-crf", str(preset.crf), "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-b:a", f"{preset.audio_bitrate_k}k", "-ar", "48000", "-movflags", "+faststart"]


def render(tl: Timeline, out: Path, preset: Preset, workdir: Path, progress: Progress | None = None) -> Path:
    """Render *tl* to *out* (MP4). The file appears under its name only once complete."""
    progress = progress or silent()
    out = Path(out)
    progress.start(_("Preparing the sound"), None)
    wav = render_audio(tl, workdir, progress)
    inputs, graph = compile_graph(tl, workdir)
    audio_index = sum(1 for a in inputs if a == "-i")
    (workdir / "graph.txt").write_text(graph, encoding="utf-8")
    part = out.with_name(f".{out.stem}.part{out.suffix}")
    cmd = [ffmpeg_exe(), "-nostdin", "-y", "-hide_banner", "-v", "error", "-nostats", "-progress", "pipe:1",
           *inputs, "-i", str(wav), "-filter_complex", graph, "-map", "[vout]", "-map", f"{audio_index}:a",
           *encode_args(preset), "-r", str(tl.fps), "-t", _num(tl.duration_s), "-f", "mp4", str(part)]
    progress.start(_("Rendering"), tl.duration_s, "s")
    try:
        _run(cmd, tl.duration_s, progress, lambda s: progress.update(min(s, tl.duration_s)))
        os.replace(part, out)
    finally:
        with contextlib.suppress(FileNotFoundError):
            part.unlink()
    progress.finish()
    return out
