"""One piece of the timeline (a clip, a photo, stop-motion frames, a card) as an ffmpeg filter chain.

:func:`piece_chain` draws frames ``[pa, pb)`` of a piece (counted from its start) into a label: yuv420p,
BT.709, exactly ``pb - pa`` frames. A window that starts inside a piece shows exactly the frames the
whole piece shows there, at a cost that does not grow with where it starts:

* a card or a photo is one picture looped (a Ken Burns pan counts its frames from the window's start
  plus ``pa``);
* a clip is read from a seek point shortly before the window, with ``-itsoffset`` making up the seek:
  ffmpeg's input offset is then the very one of the whole clip (``-ss in_s``), so every frame keeps its
  timestamp, ``fps`` picks the same pictures, and timed texts (a lower third) appear at the same frames;
* stop-motion frames are read as an image sequence at their own rate (``-framerate``), only the images
  the window needs, their timestamps shifted back by a whole number of images, so the deflicker (which
  looks at the next five pictures) and ``fps`` see what they see in the whole piece.

ffmpeg runs inside the render's work folder, and everything a graph names lives there under plain
names (``t0001.txt``, ``font-bold.ttf``, links to the stop-motion frames), so no path or text ever needs
escaping inside the graph. Text is drawn from files with ``expansion=none`` (see
:mod:`cagette.video.text`).

Colour: every picture is converted once, in the ``scale`` that fits it to the frame, from its own matrix
(its tags; untagged clips below 720 lines are BT.601) to BT.709 limited range.
"""

from __future__ import annotations

import math
import os
import shutil
from pathlib import Path

from cagette.video import text as textmod
from cagette.video.ffaudio import num
from cagette.video.layout import TextBlock
from cagette.video.probe import is_heif
from cagette.video.timeline import CARD_RGB, KEN_BURNS_ZOOM, LOWER_THIRD_S, Timeline, Visual, blur_radius

OUT_MATRIX = "bt709"
TAGS = "setparams=colorspace=bt709:color_primaries=bt709:color_trc=bt709:range=tv"
DEFLICKER = "deflicker=size=5:mode=am"
DEFLICKER_AHEAD = 4  # the deflicker of a picture looks at the next four
SEEK_MARGIN_S = 0.5  # a windowed clip is read from this much before the window (at least one picture)


def us(seconds: float) -> int:
    """Seconds as the whole microseconds ffmpeg reads from a 6-decimal option."""
    return round(seconds * 1_000_000)


def us_text(micro: int) -> str:
    return f"{micro // 1_000_000}.{micro % 1_000_000:06d}"


class Workdir:
    """A render's work folder: text files, the fonts and links to frames, under plain names."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path).absolute()
        self.n = 0
        self.fonts: dict[bool, str] = {}

    def text(self, text: str) -> str:
        self.n += 1
        name = f"t{self.n:04d}.txt"
        (self.path / name).write_text(textmod.clean(text), encoding="utf-8")
        return name

    def font(self, bold: bool) -> str:
        if bold not in self.fonts:
            name = "font-bold.ttf" if bold else "font.ttf"
            self._link(textmod.font_file(bold), self.path / name)
            self.fonts[bold] = name
        return self.fonts[bold]

    def sequence(self, tag: str, files: tuple[Path, ...], first: int, last: int) -> str:
        """Images ``first..last`` of *files* linked as ``seq-<tag>/NNNNN.<ext>`` (numbered from their place in
        the whole sequence, one type for all: a sequence of mixed types is made PNG); the input pattern."""
        folder = self.path / f"seq-{tag}"
        folder.mkdir()
        suffixes = {f.suffix.lower() for f in files}
        same = len(suffixes) == 1 and not any(is_heif(f) for f in files[:1])
        ext = suffixes.pop() if same else ".png"
        for i in range(first, last + 1):
            dst = folder / f"{i:05d}{ext}"
            if same:
                self._link(files[i], dst)
            else:
                _to_png(files[i], dst)
        return f"{folder.name}/%05d{ext}"

    def still(self, source: Path) -> Path:
        """A still ffmpeg can read: HEIC/HEIF photos become PNG once (libheif, rotation applied)."""
        if not is_heif(source):
            return source
        self.n += 1
        out = self.path / f"still-{self.n:04d}.png"
        _to_png(source, out)
        return out

    @staticmethod
    def _link(src: Path, dst: Path) -> None:
        try:
            os.symlink(src, dst)
        except OSError:
            shutil.copyfile(src, dst)


def _to_png(src: Path, dst: Path) -> None:
    from PIL import Image

    if is_heif(src):
        from pillow_heif import register_heif_opener

        register_heif_opener()
    with Image.open(src) as img:
        img.convert("RGB").save(dst)


def _rotate(rotation: int) -> str:
    return {90: "transpose=clock,", 180: "hflip,vflip,", 270: "transpose=cclock,"}.get(rotation, "")


def _convert(v: Visual) -> str:
    """scale options converting the source's colours to BT.709 limited range."""
    opts = ""
    if v.matrix:
        opts += f":in_color_matrix={v.matrix}:in_range={'pc' if v.full_range else 'tv'}"
    return opts + f":out_color_matrix={OUT_MATRIX}:out_range=tv"


def _fit(v: Visual, w: int, h: int, tag: str) -> str:
    """Scale a picture into w×h: letterbox ("bars"/"none") or over a blurred copy of itself ("blur")."""
    conv = _convert(v)
    if v.fill == "blur":
        bw, bh = max(2, w // 8 // 2 * 2), max(2, h // 8 // 2 * 2)
        r = blur_radius(bw, bh)
        return (f"split[{tag}a][{tag}b];"
                f"[{tag}a]scale={bw}:{bh}:force_original_aspect_ratio=increase{conv},format=yuv420p,"
                f"crop={bw}:{bh},boxblur={r}:2:{r // 2}:2,scale={w}:{h}:flags=bilinear[{tag}bg];"
                f"[{tag}b]scale={w}:{h}:force_original_aspect_ratio=decrease:flags=bicubic{conv},"
                f"format=yuv420p[{tag}fg];"
                f"[{tag}bg][{tag}fg]overlay=(W-w)/2:(H-h)/2,setsar=1")
    return (f"scale={w}:{h}:force_original_aspect_ratio=decrease:flags=bicubic{conv},format=yuv420p,"
            f"pad={w}:{h}:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1")


def ken_burns_size(w: int, h: int) -> tuple[int, int]:
    return int(math.ceil(w * KEN_BURNS_ZOOM / 2) * 2), int(math.ceil(h * KEN_BURNS_ZOOM / 2) * 2)


def _ken_burns(v: Visual, w: int, h: int, fps: int, pa: int) -> tuple[str, str]:
    """Cover a (1.12 w)×(1.12 h) frame once, then pan a w×h window across it (before, after the loop)."""
    cw, ch = ken_burns_size(w, h)
    n = max(1, round(v.duration_s * fps) - 1)
    k = f"(n+{pa})" if pa else "n"
    before = (f"scale={cw}:{ch}:force_original_aspect_ratio=increase:flags=bicubic{_convert(v)},"
              f"format=yuv420p,crop={cw}:{ch},setsar=1")
    after = f"crop={w}:{h}:x='floor({cw - w}*min({k}/{n}\\,1))':y='floor({ch - h}*min({k}/{n}\\,1)/2)'"
    return before, after


def _hex(rgb: tuple[int, int, int]) -> str:
    return "0x" + "".join(f"{c:02x}" for c in rgb)


def draw_block(b: TextBlock | None, work: Workdir, enable: str = "") -> str:
    """Filters drawing a laid-out text: its box, then each line at its place (``,f1,f2...`` or "")."""
    if b is None:
        return ""
    when = f":enable='{enable}'" if enable else ""
    out = ""
    if b.box_rgb is not None:
        a = b.area
        out += f",drawbox=x={a.x}:y={a.y}:w={a.w}:h={a.h}:color={_hex(b.box_rgb)}@{num(b.box_alpha)}:t=fill{when}"
    font = work.font(b.bold)
    for line in b.lines:
        if not line.text:
            continue
        out += (f",drawtext=fontfile={font}:textfile={work.text(line.text)}:expansion=none:fontsize={b.size}:"
                f"fontcolor=white:x={line.x}:y={line.baseline}:y_align=baseline{when}")
    return out


def _lower_third(v: Visual, work: Workdir, pa: int, fps: int) -> str:
    """The lower third, shown for the piece's first seconds (nothing when the window starts after)."""
    if pa / fps >= LOWER_THIRD_S:
        return ""
    return draw_block(v.lower_block, work, f"lt(t,{num(LOWER_THIRD_S)})")


def _loop(n: int, pa: int, fps: int) -> str:
    start = f"(N+{pa})" if pa else "N"
    return f"loop=loop={n - 1}:size=1:start=0,setpts={start}/{fps}/TB"


def _clip_input(v: Visual, tl: Timeline, from_frame: int) -> list[str]:
    """A clip's input, read from shortly before frame *from_frame* of the piece; ``-itsoffset`` makes up the
    seek so that ffmpeg's offset of every timestamp is the one of ``-ss in_s`` (the same frames, at the
    same times)."""
    span = (v.duration_s - v.hold_s) * v.speed
    length = ["-t", num(span + 2 / tl.fps), "-i", str(v.source)]
    ahead = us(max(0.0, from_frame / tl.fps * v.speed - SEEK_MARGIN_S))
    if not ahead:
        return ["-noautorotate", "-ss", num(v.in_s), *length]
    start = us(v.in_s)
    return ["-noautorotate", "-ss", us_text(start + ahead), "-itsoffset", us_text(ahead), *length]


def _from(first: int, fps: int) -> str:
    """``fps`` from the timeline's frame 0 (what picture each frame shows does not depend on where the
    input starts), then only frames from *first* on: ``fps``'s own ``start_time`` would instead drop the
    picture that covers the first frame when it starts before it, and show the next one."""
    return f"fps={fps}:start_time=0," + (f"trim=start_frame={first}," if first else "")


def _played(v: Visual, fps: int) -> int:
    """Frames of a piece that show new pictures (the rest holds the last one under a long voice-over)."""
    return max(1, round((v.duration_s - v.hold_s) * fps))


def piece_chain(v: Visual, k: int, tag: str, tl: Timeline, work: Workdir, pa: int = 0,
                pb: int | None = None) -> tuple[list[str], str]:
    """The inputs and the chain drawing frames [pa, pb) of one piece into ``[tag]`` (input number *k*)."""
    w, h, fps = tl.width, tl.height, tl.fps
    total = max(1, round(v.duration_s * fps))
    pb = total if pb is None else pb
    n = pb - pa
    first = pa  # the piece's frame the chain's first output shows; the tail trims up to pa
    if v.kind == "card":
        inputs = ["-f", "lavfi", "-i", f"color=c={_hex(CARD_RGB)}:s={w}x{h}:r={fps}:d={num(1 / fps)}"]
        chain = (f"[{k}:v]format=rgb24,scale=flags=accurate_rnd:out_color_matrix={OUT_MATRIX}:out_range=tv,"
                 f"format=yuv420p{draw_block(v.text_block, work)},{_loop(n, pa, fps)}{_lower_third(v, work, pa, fps)}")
    elif v.kind == "still":
        inputs = ["-noautorotate", "-i", str(work.still(v.source or Path()))]
        if v.ken_burns:
            before, after = _ken_burns(v, w, h, fps, pa)
            chain = (f"[{k}:v]{_rotate(v.rotation)}{before},{_loop(n, pa, fps)},{after},format=yuv420p"
                     f"{draw_block(v.text_block, work)}{_lower_third(v, work, pa, fps)}")
        else:
            chain = (f"[{k}:v]{_rotate(v.rotation)}{_fit(v, w, h, tag)},format=yuv420p"
                     f"{draw_block(v.text_block, work)},{_loop(n, pa, fps)}{_lower_third(v, work, pa, fps)}")
    elif v.kind == "frames":
        first = min(pa, max(0, _played(v, fps) - 2))
        inputs, chain = _frames(v, k, tag, tl, work, first, pb)
    else:  # clip
        first = min(pa, max(0, _played(v, fps) - 2))
        inputs = _clip_input(v, tl, first)
        tonemap = ("zscale=t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,tonemap=tonemap=hable:desat=0,"
                   "zscale=t=bt709:m=bt709:r=tv,format=yuv420p," if v.hdr else "")
        chain = (f"[{k}:v]{tonemap}setpts=PTS/{num(v.speed)},{_from(first, fps)}"
                 f"{_rotate(v.rotation)}{_fit(v, w, h, tag)},format=yuv420p{draw_block(v.text_block, work)}"
                 f"{_lower_third(v, work, first, fps)}")
    skip = f"start_frame={pa - first}:" if pa > first else ""
    tail = (f"tpad=stop_mode=clone:stop_duration={num(v.duration_s + 1)},trim={skip}end_frame={pb - first},"
            f"settb=1/{fps},setpts=N,fps={fps},format=yuv420p,{TAGS}")
    return inputs, f"{chain},{tail}[{tag}]"


def _frames(v: Visual, k: int, tag: str, tl: Timeline, work: Workdir, first: int,
            pb: int) -> tuple[list[str], str]:
    """Stop-motion frames [first, pb) of a piece: the images they show (and the next four, for the
    deflicker), read at the sequence's own rate, their timestamps those of the whole sequence."""
    fps = tl.fps
    count = len(v.frames)
    flicker = v.deflicker and count > 2
    i0 = min(count - 1, math.floor(first * v.fps / fps) - 1)
    if flicker:  # the deflicker's last pictures are evened with fewer neighbours: give it what the whole had
        i0 = min(i0, count - 1 - DEFLICKER_AHEAD)
    i0 = max(0, i0)
    i1 = min(count - 1, math.ceil(pb * v.fps / fps) + 1 + (DEFLICKER_AHEAD if flicker else 0))
    pattern = work.sequence(tag, v.frames, i0, i1)
    inputs = ["-noautorotate", "-framerate", num(v.fps), "-start_number", str(i0), "-i", pattern]
    shift = f"setpts=PTS+{i0}," if i0 else ""  # the image2 time base is one image: whole images back
    deflicker = f",{DEFLICKER}" if flicker else ""
    chain = (f"[{k}:v]{shift}{_rotate(v.rotation)}{_fit(v, tl.width, tl.height, tag)},format=yuv420p{deflicker},"
             f"{_from(first, fps)[:-1]}{draw_block(v.text_block, work)}"
             f"{_lower_third(v, work, first, fps)}")
    return inputs, chain
