"""The director's guide's pictures, made by cagette itself: the plans kit, the sample video, the app.

``python -m cagette.starter.figures [--out DIR] [--kit KIT_DIR] [--sample SAMPLE_DIR]`` writes every
figure (PNG/JPEG) and ``figures.json`` into DIR (default: the cache folder, where ``library init``
looks for them):

* from a plans kit (``cagette plans build``; built with ``--only params,guide,cards`` into a temporary
  folder when ``--kit`` is not given): the assembled studio and the exploded view (the kit's
  drawings), the virtual camera's view (``view-from-lens.png`` when the kit has one, else the framing
  card), the lens card in use, the light set-up (drawn from the kit's ``params.toml``);
* from the sample project rendered by the real render (made and rendered as a draft when ``--sample``
  is not given): frames of the video at the steps of the morning, a filled-in storyboard sheet;
* the app's screens, drawn by ``scripts/app_screens.py`` into ``library/screens/``.

Which kit file stands for a picture is :data:`KIT_PICTURES`: a newer kit's own picture is taken by
adding its name in front of the list.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cagette.errors import CagetteError, UsageError
from cagette.fsutil import atomic_write_text, staged_dir
from cagette.i18n import _
from cagette.progress import Progress

from . import drawings
from .pictures import PictureError, kit_picture

HERE = Path(__file__).resolve().parent
SCREENS = HERE / "screens"
FIGURES_VERSION = 1
LANGUAGES = ("fr", "en")
PRESET = "phone-a4"

# kit pictures: the first candidate found in the kit wins ("guide.html#LABEL": a drawing of its guide)
KIT_PICTURES: dict[str, tuple[str, ...]] = {
    "studio": ("studio.png", "guide.html#iso"),
    "exploded": ("exploded.png", "guide.html#exploded"),
    "lens-view": ("view-from-lens.png", "framing-card.pdf"),
    "lens-card": ("lens-card.pdf",),
}
APP_SCREENS = ("home", "guided", "guided-scripts", "storyboard", "capture", "render", "library")
# every figure the guide may name, without its language suffix
NAMES = (*KIT_PICTURES, "light", "storyboard", "morning", "frame-stage", "frame-hand", "frame-voice",
         "frame-captions", "frame-end", *(f"screen-{s}" for s in APP_SCREENS))


@dataclass(frozen=True)
class FigureSet:
    """A folder of figures and what each one is (``figures.json``)."""

    folder: Path
    files: dict[str, str]  # name (with -fr/-en when it has words) → file name

    def path(self, name: str, lang: str) -> Path | None:
        """The file of figure *name* in *lang* (its own version, else the one without words)."""
        for key in (f"{name}-{lang}", name):
            if key in self.files:
                return self.folder / self.files[key]
        return None

    @classmethod
    def load(cls, folder: Path) -> FigureSet | None:
        """The figures of *folder*, or None when it holds no complete set of this version."""
        try:
            meta = json.loads((Path(folder) / "figures.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        files = meta.get("files") if isinstance(meta, dict) else None
        if meta.get("version") != FIGURES_VERSION or not isinstance(files, dict):
            return None
        found = cls(Path(folder), {str(k): str(v) for k, v in files.items()})
        complete = all(found.path(n, lang) is not None and found.path(n, lang).is_file()  # type: ignore[union-attr]
                       for n in NAMES for lang in LANGUAGES)
        return found if complete else None


def default_dir() -> Path:
    from cagette.locations import cache_dir

    return cache_dir() / "starter-figures"


def cached() -> FigureSet | None:
    """The figures made last in the cache folder (by ``make demo`` or this module), if complete."""
    return FigureSet.load(default_dir())


# ------------------------------------------------------------------ inputs


KIT_OUTPUTS = ("params", "guide", "cards", "view")  # "view": the virtual camera's view-from-lens.png


def build_kit(out: Path, preset: str = PRESET) -> Path:
    """``cagette plans build`` of the parts the figures use (params, guide, cards, and the camera's view
    when this version of the plans makes one) into *out*."""
    from cagette.plans.kit import OUTPUTS

    only = ",".join(o for o in KIT_OUTPUTS if o in OUTPUTS)
    cmd = [sys.executable, "-m", "cagette", "plans", "build", "--preset", preset, "--out", str(out),
           "--only", only, "--force", "--quiet"]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    if res.returncode:
        raise CagetteError(_("The plans kit for the guide's pictures could not be built: {error}").format(
            error=(res.stderr.strip() or res.stdout.strip())[-400:]), _("Run `cagette plans build` to see why."))
    return out


def render_sample(out: Path, lang: str = "fr", progress: Progress | None = None) -> Path:
    """The sample project made and rendered as a draft into *out* (its folder)."""
    from cagette.video.presets import get
    from cagette.video.project import Project
    from cagette.video.render import render_project

    from .sample import make_sample

    folder = make_sample(out, lang, force=True)
    render_project(Project.open(folder), preset=get("draft"), progress=progress)
    return folder


def _rendered(sample: Path) -> tuple[Path, str]:
    """The newest rendered video of *sample* and its preset (the export folder's name)."""
    videos = sorted((Path(sample) / "exports").glob("*/*.mp4"), key=lambda p: p.stat().st_mtime)
    if not videos:
        raise UsageError(_("The sample project {folder} has no rendered video.").format(folder=sample),
                         _("Render it first: `cagette render {folder} --preset draft`.").format(folder=sample))
    return videos[-1], videos[-1].parent.name


def _params(kit: Path) -> dict[str, Any]:
    try:
        with (kit / "params.toml").open("rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(_("The plans kit {kit} has no readable params.toml ({error}).").format(kit=kit, error=exc),
                         _("Build it with `cagette plans build --out {kit}`.").format(kit=kit)) from None


# ------------------------------------------------------------------ making them


def _save(img: Any, folder: Path, name: str, files: dict[str, str], photo: bool = False) -> None:
    from PIL import Image

    if photo:
        file = f"{name}.jpg"
        img.convert("RGB").save(folder / file, quality=86, optimize=True)
    else:
        file = f"{name}.png"
        img.convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
            folder / file, optimize=True)
    files[name] = file


def _kit_figures(kit: Path, stage: Path, files: dict[str, str]) -> None:
    params = _params(kit)
    for name, candidates in KIT_PICTURES.items():
        width = 1000 if name == "lens-card" else 1200
        found = kit_picture(kit, candidates, width=width)
        if found is None:
            raise PictureError(_("The plans kit {kit} has none of {files}.").format(kit=kit, files=", ".join(candidates)),
                               _("Build the whole kit with `cagette plans build --out {kit}`.").format(kit=kit))
        img, source = found
        if source == "lens-card.pdf":
            img = drawings.lens_card_in_use(kit / source, params)
        elif source == "framing-card.pdf":  # the stand-in for the virtual view: what the camera frames
            img = drawings.camera_view_from_card(kit / source, params)
        _save(img, stage, name, files)
    for lang in LANGUAGES:
        _save(drawings.light_setup(params, lang), stage, f"light-{lang}", files)


def _sample_figures(sample: Path, stage: Path, files: dict[str, str], progress: Progress) -> None:
    from cagette.video.presets import get
    from cagette.video.project import Project
    from cagette.video.render import make_timeline

    video, preset = _rendered(sample)
    project = Project.open(sample)
    groups = make_timeline(project, get(preset)).groups
    frames = drawings.sample_frames(video, groups, stage / ".frames")
    progress.check()
    _save(frames["stage"], stage, "frame-stage", files, photo=True)
    _save(frames["hand"], stage, "frame-hand", files, photo=True)
    _save(frames["end"], stage, "frame-end", files, photo=True)
    voice = project.root / project.data.scenes[2].voice if len(project.data.scenes) > 2 else None
    _save(drawings.with_waveform(frames["voice"], voice), stage, "frame-voice", files, photo=True)
    for lang in LANGUAGES:
        _save(drawings.captioned(frames["captions"], lang), stage, f"frame-captions-{lang}", files, photo=True)
        _save(drawings.storyboard_sheet(frames, groups, lang), stage, f"storyboard-{lang}", files)
        _save(drawings.morning_strip(frames, lang), stage, f"morning-{lang}", files, photo=True)
        progress.check()
    shutil.rmtree(stage / ".frames", ignore_errors=True)


def _screen_figures(stage: Path, files: dict[str, str], screens: Path) -> None:
    for screen in APP_SCREENS:
        for lang in LANGUAGES:
            src = screens / f"{screen}-{lang}.png"
            if not src.is_file():
                raise PictureError(_("The app's screen {file} is missing.").format(file=src),
                                   _("Draw the screens with `python scripts/app_screens.py screens`."))
            shutil.copyfile(src, stage / f"screen-{screen}-{lang}.png")
            files[f"screen-{screen}-{lang}"] = f"screen-{screen}-{lang}.png"


def _check_target(out: Path) -> None:
    """Refuse to replace a folder that is not a figure folder (it would be deleted)."""
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / "figures.json").is_file())):
        raise UsageError(_("{folder} exists and is not a folder of the guide's figures.").format(folder=out),
                         _("Choose an empty or new folder for --out."))


def make_figures(out: Path | None = None, *, kit: Path | None = None, sample: Path | None = None,
                 screens: Path = SCREENS, progress: Progress | None = None) -> FigureSet:
    """Make every figure into *out* (default: :func:`default_dir`), replacing the previous set at once."""
    progress = progress or Progress()
    out = Path(out) if out is not None else default_dir()
    _check_target(out)
    files: dict[str, str] = {}
    progress.start(_("Making the guide's pictures"), 4)
    with tempfile.TemporaryDirectory(prefix="cagette-figures-") as tmp, staged_dir(out, force=True) as stage:
        kit_dir = Path(kit) if kit is not None else build_kit(Path(tmp) / "kit")
        progress.advance()
        _kit_figures(kit_dir, stage, files)
        sample_dir = Path(sample) if sample is not None else render_sample(Path(tmp) / "sample")
        progress.advance()
        _sample_figures(sample_dir, stage, files, progress)
        progress.advance()
        _screen_figures(stage, files, screens)
        atomic_write_text(stage / "figures.json", json.dumps(
            {"version": FIGURES_VERSION, "files": dict(sorted(files.items()))}, indent=1) + "\n")
        progress.advance()
    progress.finish()
    found = FigureSet.load(out)
    assert found is not None, "an incomplete figure set was written"
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cagette.starter.figures",
                                     description="Make the director's guide's pictures.")
    parser.add_argument("--out", type=Path, help="folder to write (default: the cache folder)")
    parser.add_argument("--kit", type=Path, help="a plans kit (cagette plans build); default: built now")
    parser.add_argument("--sample", type=Path, help="the rendered sample project; default: made and rendered now")
    ns = parser.parse_args(argv)
    try:
        made = make_figures(ns.out, kit=ns.kit, sample=ns.sample)
    except CagetteError as exc:
        print(f"Error: {exc.message} Hint: {exc.hint}", file=sys.stderr)
        return 1
    print(made.folder)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
