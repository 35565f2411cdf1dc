"""The figures drawn from real outputs: the sample's frames, its storyboard, the light and the lens card.

Every drawing here starts from something cagette made — frames taken from the rendered sample video
(with the video pillar's own frame grab), the kit's ``params.toml`` and ``lens-card.pdf``, the sample's
scripts and voice — and adds only what a reader needs: labels, a caption as a player shows it, a
pencil look for a storyboard, the light's rays.
"""

from __future__ import annotations

import math
import wave
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .pictures import INK, WHITE, caption_overlay, font, label, pdf_page_mm, pdf_picture, waveform, wrap_lines

SHAPES = {
    "fr": {"sun": "le soleil", "house": "la maison", "person": "un personnage", "bubble": "une bulle",
           "star": "une étoile"},
    "en": {"sun": "the sun", "house": "the house", "person": "a character", "bubble": "a speech bubble",
           "star": "a star"},
}
WORDS = {
    "fr": {"arrives": "Arrive : {what}.", "stays": "Reste : {what}.", "phone": "téléphone",
           "shelf": "étagère à {h:.0f} mm", "lights": "lumières à {h:.0f} mm, {a:.0f}°",
           "seen": "zone filmée : {w:.0f} mm", "stage": "plateau", "diffuser": "diffuseur",
           "card": "Lecture : lens_x_mm = {x:g}, lens_y_mm = {y:g}", "seconds": "{s:.0f}"},
    "en": {"arrives": "Comes in: {what}.", "stays": "Stays: {what}.", "phone": "phone",
           "shelf": "shelf at {h:.0f} mm", "lights": "lights at {h:.0f} mm, {a:.0f}°",
           "seen": "area filmed: {w:.0f} mm", "stage": "stage", "diffuser": "diffuser",
           "card": "Reading: lens_x_mm = {x:g}, lens_y_mm = {y:g}", "seconds": "{s:.0f}"},
}


# ------------------------------------------------------------------ frames of the sample


def _grab(video: Path, at_s: float, out: Path) -> Any:
    from PIL import Image

    from cagette.video.render import thumbnail

    out.parent.mkdir(parents=True, exist_ok=True)
    thumbnail(video, out, max(0.0, at_s))
    with Image.open(out) as img:
        return img.convert("RGB")


def sample_frames(video: Path, groups: Sequence[Any], work: Path) -> dict[str, Any]:
    """Frames of the rendered sample: each scene at rest, a hand bringing paper in, the cards."""
    scenes = [g for g in groups if g.slug not in ("title-card", "end-card")]
    cards = {g.slug: g for g in groups if g.slug in ("title-card", "end-card")}
    rest = [_grab(video, g.start_s + g.duration_s - 0.4, work / f"rest-{n}.jpg") for n, g in enumerate(scenes)]
    second = scenes[min(1, len(scenes) - 1)]
    out: dict[str, Any] = {"scenes": rest, "stage": rest[0], "voice": rest[min(2, len(rest) - 1)],
                           "captions": rest[-1],
                           "hand": _grab(video, second.start_s + 0.55, work / "hand.jpg")}
    for slug, key in (("title-card", "title"), ("end-card", "end")):
        g = cards.get(slug)
        out[key] = _grab(video, g.start_s + g.duration_s / 2, work / f"{key}.jpg") if g else rest[-1]
    thumb = video.with_suffix(".jpg")
    out["thumbnail"] = _open(thumb) if thumb.is_file() else rest[0]
    out["durations"] = [g.duration_s for g in scenes]
    return out


def _open(path: Path) -> Any:
    from PIL import Image

    with Image.open(path) as img:
        return img.convert("RGB")


def captioned(frame: Any, lang: str) -> Any:
    """The last scene's frame with its first caption, cut from its script as the render cuts it."""
    from cagette.video.script import caption_chunks

    from .sample import TEXTS

    chunks = caption_chunks(TEXTS[lang].scenes[-1].script)
    return caption_overlay(frame, chunks[0] if chunks else ())


def with_waveform(frame: Any, voice: Path | None) -> Any:
    """The frame above the waveform of the scene's recorded voice (its WAV file)."""
    from PIL import Image

    if voice is None or not voice.is_file():
        return frame
    import numpy as np

    with wave.open(str(voice)) as w:
        raw = w.readframes(min(w.getnframes(), 60 * w.getframerate()))
        width = w.getsampwidth()
    if width != 2:
        return frame
    samples = (np.frombuffer(raw, dtype="<i2") / 32768.0).tolist()
    band = waveform(samples, (frame.width, max(60, frame.height // 5)))
    out = Image.new("RGB", (frame.width, frame.height + band.height), WHITE)
    out.paste(frame, (0, 0))
    out.paste(band, (0, frame.height))
    return out


def pencil(frame: Any) -> Any:
    """A frame turned into a pencil sketch on paper (a storyboard drawing)."""
    from PIL import Image, ImageFilter, ImageOps

    grey = ImageOps.grayscale(frame).filter(ImageFilter.GaussianBlur(1))
    edges = ImageOps.invert(grey.filter(ImageFilter.FIND_EDGES)).point(lambda v: 255 if v > 215 else v * 0.6)
    paper = Image.new("L", frame.size, 250)
    return Image.blend(paper, edges, 0.85).convert("RGB")


def storyboard_sheet(frames: dict[str, Any], groups: Sequence[Any], lang: str) -> Any:
    """A 16:9 storyboard sheet filled in for the sample: a sketch, the words said, what moves, a duration."""
    from PIL import Image, ImageDraw

    from .sample import TEXTS
    from .sheets import SAFE
    from .sheets import TEXTS as SHEET

    t, sheet, words = TEXTS[lang], SHEET[lang], WORDS[lang]
    w, h = 1240, 1480
    img = Image.new("RGB", (w, h), WHITE)
    d = ImageDraw.Draw(img)
    d.text((50, 36), sheet["title16"], font=font(34, bold=True), fill=INK)
    d.text((50, 86), f"{sheet['project']} {t.title}", font=font(24), fill=INK)
    fw, fh = 480, 270
    small, hand = font(19, bold=True), font(21)
    previous: tuple[str, ...] = ()
    for n, scene in enumerate(t.scenes):
        top = 140 + n * 330
        d.text((50, top), f"{sheet['scene']} {n + 1} — {scene.title}", font=small, fill=INK)
        box = (50, top + 30, 50 + fw, top + 30 + fh)
        sketch = pencil(frames["scenes"][n]).resize((fw, fh))
        img.paste(sketch, box[:2])
        d.rectangle(box, outline=INK, width=3)
        sw, sh = fw * SAFE, fh * SAFE
        _dashed_rect(d, (box[0] + (fw - sw) / 2, box[1] + (fh - sh) / 2, box[0] + (fw + sw) / 2, box[1] + (fh + sh) / 2))
        x = 50 + fw + 30
        d.text((x, top + 30), sheet["voice"], font=small, fill=(70, 70, 70))
        y = top + 60
        for line in wrap_lines(scene.script, hand, w - x - 50)[:4]:
            d.text((x, y), line, font=hand, fill=(24, 60, 120))
            y += 32
        d.text((x, top + 196), sheet["seen"], font=small, fill=(70, 70, 70))
        new = [SHAPES[lang][s] for s in scene.shapes if s not in previous]
        what = words["arrives"].format(what=", ".join(new)) if new else words["stays"].format(
            what=", ".join(SHAPES[lang][s] for s in scene.shapes))
        d.text((x, top + 226), what, font=hand, fill=(24, 60, 120))
        seconds = frames["durations"][n] if n < len(frames["durations"]) else 0
        d.text((x, top + 270), sheet["duration"].replace("        s", f"  {seconds:.0f} s"), font=small, fill=INK)
        previous = scene.shapes
    return img


def _dashed_rect(d: Any, box: tuple[float, float, float, float], step: int = 10) -> None:
    x0, y0, x1, y1 = box
    for x in range(int(x0), int(x1), step * 2):
        d.line((x, y0, min(x + step, x1), y0), fill=(130, 130, 130), width=2)
        d.line((x, y1, min(x + step, x1), y1), fill=(130, 130, 130), width=2)
    for y in range(int(y0), int(y1), step * 2):
        d.line((x0, y, x0, min(y + step, y1)), fill=(130, 130, 130), width=2)
        d.line((x1, y, x1, min(y + step, y1)), fill=(130, 130, 130), width=2)


def morning_strip(frames: dict[str, Any], lang: str) -> Any:
    """One frame of the sample for each step of the morning, labelled with its time and step."""
    from PIL import Image

    from .morning import timetable

    steps = timetable(lang)
    pictures = [frames["title"], frames["stage"], frames["hand"], frames["voice"],
                captioned(frames["captions"], lang), frames["end"], frames["thumbnail"]]
    tw, th = 400, 225
    cols = 4
    rows = math.ceil(len(steps) / cols)
    img = Image.new("RGB", (cols * tw + (cols + 1) * 12, rows * th + (rows + 1) * 12), WHITE)
    for n, step in enumerate(steps):
        tile = pictures[min(n, len(pictures) - 1)].resize((tw, th))
        label(tile, f"{step.time} · {step.step}", (10, 8), size=22)
        img.paste(tile, (12 + (n % cols) * (tw + 12), 12 + (n // cols) * (th + 12)))
    return img


# ------------------------------------------------------------------ from the kit


def lens_card_in_use(card: Path, params: dict[str, Any]) -> Any:
    """The kit's lens card with the device laid on it, back up, and its lens read on the scales."""
    import numpy as np
    from PIL import Image, ImageDraw

    p = params.get("params", {})
    page = pdf_picture(card, width=1000, trim_margin=None)
    px_mm = page.width / 210.0
    dark = np.asarray(page.convert("L")) < 80
    # the thick corner: the longest dark row and column of the page's upper left quarter
    rows = dark[: page.height // 2, : page.width * 2 // 3].sum(axis=1)
    cols = dark[: page.height // 2, : page.width // 2].sum(axis=0)
    oy, ox = int(rows.argmax()), int(cols.argmax())
    dw, dl = float(p.get("device_width_mm", 72)), float(p.get("device_length_mm", 150))
    lx, ly = float(p.get("lens_x_mm", 18)), float(p.get("lens_y_mm", 18))
    layer = Image.new("RGBA", page.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    d.rounded_rectangle((ox, oy, ox + dw * px_mm, oy + dl * px_mm), radius=int(8 * px_mm),
                        fill=(40, 45, 55, 150), outline=(20, 20, 20, 255), width=4)
    cx, cy = ox + lx * px_mm, oy + ly * px_mm
    r = 4.5 * px_mm
    d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(15, 15, 15, 255), outline=(230, 230, 230, 255), width=3)
    for x0, y0, x1, y1 in ((cx, cy, cx, oy - 6 * px_mm), (cx, cy, ox - 6 * px_mm, cy)):
        d.line((x0, y0, x1, y1), fill=(200, 40, 40, 255), width=3)
    out = Image.alpha_composite(page.convert("RGBA"), layer).convert("RGB")
    # the scales and the device only: the card's words are in the kit's language
    crop = out.crop((max(0, int(ox - 18 * px_mm)), max(0, int(oy - 12 * px_mm)),
                     min(out.width, int(ox + 150 * px_mm)), min(out.height, int(oy + (dl + 8) * px_mm))))
    return crop


def camera_view_from_card(card: Path, params: dict[str, Any]) -> Any:
    """The kit's framing card cut to the area the camera sees (the card is centred on the stage)."""
    f = params.get("derived", {})
    page_w, page_h = pdf_page_mm(card)
    page = pdf_picture(card, width=2000, trim_margin=None)
    k = page.width / page_w
    vw, vh = float(f.get("visible_width_mm", page_w)), float(f.get("visible_height_mm", page_h))
    cx, cy = page.width / 2, page.height / 2
    box = (max(0, int(cx - (vw / 2 + 3) * k)), max(0, int(cy - (vh / 2 + 3) * k)),
           min(page.width, int(cx + (vw / 2 + 3) * k)), min(page.height, int(cy + (vh / 2 + 3) * k)))
    view = page.crop(box)
    return view.resize((1200, round(1200 * view.height / view.width)))


def light_setup(params: dict[str, Any], lang: str) -> Any:
    """The studio seen from the front, to scale from the kit's figures: shelf, camera, lights and rays.

    The lights hang on the wings (at the box's overall width when the kit gives it, else by the legs),
    ``light_height_mm`` above the stage, tilted ``light_angle_deg`` below the horizontal.
    """
    from PIL import Image, ImageDraw

    f = params.get("derived", {})
    words = WORDS[lang]
    base = float(f.get("base_width_mm", 440))
    overall = float(f.get("overall_width_mm", base))
    shelf = float(f.get("shelf_height_mm", 340))
    legs = float(f.get("leg_height_mm", shelf + 50))
    light_h = float(f.get("light_height_mm", 200))
    angle = math.radians(float(f.get("light_angle_deg", 45)))
    seen = float(f.get("visible_width_mm", 400))
    w, h = 1200, 760
    k = min((w - 120) / max(base, overall), (h - 140) / max(legs, light_h))
    ox, oy = w / 2, h - 70

    def at(x: float, z: float) -> tuple[float, float]:
        return ox + x * k, oy - z * k

    img = Image.new("RGB", (w, h), WHITE)
    d = ImageDraw.Draw(img)
    wood = (214, 196, 160)
    d.rectangle((*at(-base / 2, 0), *at(base / 2, -8)), fill=wood, outline=INK, width=2)
    d.line((*at(-seen / 2, 0), *at(seen / 2, 0)), fill=(29, 94, 140), width=6)
    for side in (-1, 1):
        d.rectangle((*at(side * base / 2 - 6, legs), *at(side * base / 2 + 6, 0)), fill=wood, outline=INK, width=2)
        lx = side * (overall / 2 - 15 if overall > base else base / 2 - 10)
        d.line((*at(side * base / 2, light_h + 20), *at(lx, light_h + 20)), fill=wood, width=10)  # the wing
        px, pz = math.sin(angle) * 45, side * math.cos(angle) * 45  # the diffuser faces the stage
        d.line((*at(lx - px, light_h - pz), *at(lx + px, light_h + pz)), fill=INK, width=8)
        for spread in (-10, -5, 0, 5, 10):
            a = angle + math.radians(spread)
            t = light_h / math.tan(a) if a > 0.01 else seen
            d.line((*at(lx, light_h), *at(lx - side * t, 0)), fill=(235, 170, 30), width=3)
        d.ellipse((*at(lx - 9, light_h + 9), *at(lx + 9, light_h - 9)), fill=(255, 210, 60), outline=INK, width=2)
    d.rectangle((*at(-base / 2, shelf + 6), *at(base / 2, shelf)), fill=wood, outline=INK, width=2)
    d.rectangle((*at(-40, shelf + 16), *at(40, shelf + 6)), fill=(50, 55, 65), outline=INK, width=2)
    for side in (-1, 1):
        for x0 in range(0, 100, 8):
            a, b = x0 / 100, min(1.0, (x0 + 4) / 100)
            d.line((*at(side * seen / 2 * a, shelf * (1 - a)), *at(side * seen / 2 * b, shelf * (1 - b))),
                   fill=(29, 94, 140), width=2)
    label(img, words["phone"], at(48, shelf + 30), size=24)
    label(img, words["shelf"].format(h=shelf), at(-base / 2 + 20, shelf + 52), size=24)
    text = words["lights"].format(h=light_h, a=math.degrees(angle))
    label(img, text, (w - 30 - font(24, bold=True).getlength(text), at(0, light_h + 70)[1]), size=24)
    label(img, words["seen"].format(w=seen), at(-seen / 4, -18), size=24, fill=(29, 94, 140))
    return img
