"""Pictures of the app's main screens and the list of its keys, for the director's guide and the trainer's kit.

``python scripts/app_screens.py [screens|keys|memo|all] [--out library/screens] [--lang fr --lang en] [--only NAME]``

* ``screens``: each screen is opened by the real app (``CagetteApp``, headless, 100 × 30 cells) in a
  child process with its own ``CAGETTE_HOME`` holding the starter's sample project and a seeded library;
  the child prints the screen's cells (character, colours, bold, reverse...) as JSON, and this process
  draws them with Pillow and DejaVu Sans Mono (the shipped DejaVu Sans when the mono face is missing):
  no browser, no cairo. Written as ``<screen>-<lang>.png`` (a palette PNG: a few kB).
* ``keys``: ``keys.json``, the keys of every screen the app's help lists (``KEY_SOURCES``), their labels
  translated into each language: the key memo of the trainer's kit is drawn from it.
* ``memo``: ``keys.json``, then the one-page key memo in each language (``keys-memo-<lang>.pdf``), the
  same one the starter's builder puts in the trainer's kit.

The starter's builder only reads what this tool writes (committed in ``library/screens/``); run it
again when a screen or a key changes (a test fails when ``keys.json`` no longer matches the app).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "library" / "screens"
SIZE = (100, 30)  # terminal cells
SCREENS = ("home", "guided", "guided-scripts", "storyboard", "capture", "render", "library")
LANGUAGES = ("fr", "en")
MONO = (Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"),
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"))
FONT_PX = 15
DEFAULT_FG = (224, 224, 224)
DEFAULT_BG = (30, 35, 38)
SUBSTITUTES = {"⭘": "○"}  # glyphs DejaVu lacks: the header's icon

Cell = tuple[str, tuple[int, int, int], tuple[int, int, int], bool]  # char, fg, bg, bold


# ------------------------------------------------------------------ child: the app, headless


def _project(home: Path, lang: str) -> Path:
    return home / "projects" / f"sample-{lang}"


async def _open(app: Any, screen: str, home: Path, lang: str) -> None:
    """Bring the app to *screen* the way a person would, or as the app itself opens it."""
    project = _project(home, lang)
    if screen == "guided":
        app.open_section("new")
    elif screen == "guided-scripts":
        from cagette.video.project import open_project
        from cagette_tui.screens.guided import GuidedScreen

        guided = GuidedScreen(projects_dir=home / "projects")
        guided.project = open_project(project)
        guided.step = 1
        await app.push_screen(guided)
    elif screen == "capture":
        from cagette.video.project import open_project
        from cagette_tui.screens.capture import CaptureScreen

        await app.push_screen(CaptureScreen(open_project(project), devices=[], controller=False))
    elif screen in ("storyboard", "render"):
        app.open_project(project, screen)
    elif screen == "library":
        app.open_section("library")


def _cells(app: Any) -> list[list[Cell]]:
    """The screen as rows of cells, from the compositor (what ``export_screenshot`` prints)."""
    import io

    from rich.cells import cell_len
    from rich.console import Console
    from rich.segment import Segment

    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    rows: list[list[Cell]] = [[]]
    for text, style, control in Segment.simplify(console._record_buffer):
        if control:
            continue  # cursor moves, not cells
        fg, bg, bold = DEFAULT_FG, DEFAULT_BG, False
        if style is not None:
            if style.color is not None and not style.color.is_default:
                fg = tuple(style.color.get_truecolor())  # type: ignore[assignment]
            if style.bgcolor is not None and not style.bgcolor.is_default:
                bg = tuple(style.bgcolor.get_truecolor())  # type: ignore[assignment]
            if style.reverse:
                fg, bg = bg, fg
            if style.dim:
                fg = tuple((a + b) // 2 for a, b in zip(fg, bg, strict=True))  # type: ignore[assignment]
            bold = bool(style.bold)
        for char in text:
            if char == "\n":
                rows.append([])
                continue
            rows[-1].append((SUBSTITUTES.get(char, char), fg, bg, bold))
            rows[-1].extend(("", fg, bg, bold) for _ in range(cell_len(char) - 1))  # wide: a blank cell after
    return [r for r in rows if r][:height]


async def _child(screen: str, lang: str, home: Path) -> list[list[Cell]]:
    from cagette_tui.app import CagetteApp

    app = CagetteApp(lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await _open(app, screen, home, lang)
        for _ in range(3):  # let the workers that fill the screen (lists, estimates) finish
            await pilot.pause(0.2)
        await app.workers.wait_for_complete()
        await pilot.pause()
        return _cells(app)


# ------------------------------------------------------------------ parent: fixtures, drawing


def _prepare(home: Path, langs: list[str], screens: list[str]) -> None:
    """What the screens show: the sample project in each language, a library seeded with the starter."""
    env = {**os.environ, "CAGETTE_HOME": str(home)}
    home.mkdir(parents=True, exist_ok=True)
    if set(screens) - {"home", "guided", "library"}:
        for lang in langs:
            subprocess.run([sys.executable, "-m", "cagette.starter.sample", str(_project(home, lang)), "--lang",
                            lang], check=True, env=env, stdout=subprocess.DEVNULL)
    if "library" in screens:
        subprocess.run([sys.executable, "-m", "cagette", "library", "init", "--site-name", "Mairie de Cagette"],
                       check=True, env=env, stdout=subprocess.DEVNULL)


def _fonts() -> tuple[Any, Any, bool]:
    from PIL import ImageFont

    sys.path.insert(0, str(ROOT / "src"))
    from cagette.locations import font_path

    if all(p.is_file() for p in MONO):
        return ImageFont.truetype(str(MONO[0]), FONT_PX), ImageFont.truetype(str(MONO[1]), FONT_PX), True
    return (ImageFont.truetype(str(font_path()), FONT_PX - 2), ImageFont.truetype(str(font_path(bold=True)),
                                                                                   FONT_PX - 2), False)


def draw(rows: list[list[Cell]], out: Path) -> Path:
    """Draw the cells: background rectangles, then each character centred in its cell."""
    from PIL import Image, ImageDraw

    regular, bold, mono = _fonts()
    cw = round(regular.getlength("M")) if mono else 9
    ch = FONT_PX + 4
    width = max(len(r) for r in rows)
    img = Image.new("RGB", (width * cw, len(rows) * ch), DEFAULT_BG)
    d = ImageDraw.Draw(img)
    for y, row in enumerate(rows):
        for x, (_char, _fg, bg, _bold) in enumerate(row):
            d.rectangle((x * cw, y * ch, (x + 1) * cw - 1, (y + 1) * ch - 1), fill=bg)
    for y, row in enumerate(rows):
        for x, (char, fg, _bg, is_bold) in enumerate(row):
            if char.strip():
                font = bold if is_bold else regular
                d.text((x * cw + cw / 2, y * ch + ch / 2), char, fill=fg, font=font, anchor="mm")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.part")
    img.quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        tmp, format="PNG", optimize=True)
    os.replace(tmp, out)
    return out


def screens(out: Path, langs: list[str], only: list[str]) -> list[Path]:
    wanted = only or list(SCREENS)
    made = []
    with tempfile.TemporaryDirectory(prefix="cagette-screens-") as tmp:
        home = Path(tmp) / "home"
        _prepare(home, langs, wanted)
        env = {**os.environ, "CAGETTE_HOME": str(home), "COLUMNS": str(SIZE[0]), "LINES": str(SIZE[1])}
        for lang in langs:
            for screen in wanted:
                res = subprocess.run([sys.executable, __file__, "--child", screen, lang], env=env,
                                     capture_output=True, text=True, timeout=300)
                if res.returncode:
                    raise SystemExit(f"{screen} ({lang}): the app failed:\n{res.stderr[-2000:]}")
                rows = [[(c[0], tuple(c[1]), tuple(c[2]), c[3]) for c in row] for row in json.loads(res.stdout)]
                made.append(draw(rows, out / f"{screen}-{lang}.png"))  # type: ignore[arg-type]
    return made


def key_table(langs: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Every screen's keys as the help screen lists them, translated: {lang: [{title, keys: [[k, label]]}]}."""
    from cagette.i18n import _, set_language
    from cagette_tui.screens.help import KEY_SOURCES, _load

    table: dict[str, list[dict[str, Any]]] = {}
    for lang in langs:
        set_language(lang)
        table[lang] = [{"title": _(title), "keys": [[key, _(label)] for key, label in _load(source)]}
                       for source, title in KEY_SOURCES]
    set_language(None)
    return table


def write_keys(out: Path, langs: list[str]) -> Path:
    path = out / "keys.json"
    out.mkdir(parents=True, exist_ok=True)
    lines = ["{"]
    table = key_table(langs)
    for n, (lang, sections) in enumerate(table.items()):
        lines.append(f" {json.dumps(lang)}: [")
        for m, section in enumerate(sections):
            keys = ",\n".join(f"   {json.dumps(pair, ensure_ascii=False)}" for pair in section["keys"])
            end = "," if m < len(sections) - 1 else ""
            lines.append(f'  {{"title": {json.dumps(section["title"], ensure_ascii=False)}, "keys": [\n{keys}]}}{end}')
        lines.append(" ]" + ("," if n < len(table) - 1 else ""))
    text = "\n".join(lines) + "\n}\n"
    json.loads(text)  # the hand layout above is still JSON
    tmp = path.with_name(".keys.json.part")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--child"]:
        screen, lang = args[1], args[2]
        rows = asyncio.run(_child(screen, lang, Path(os.environ["CAGETTE_HOME"])))
        json.dump(rows, sys.stdout, ensure_ascii=False)
        return 0
    parser = argparse.ArgumentParser(prog="scripts/app_screens.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("what", nargs="?", choices=("screens", "keys", "memo", "all"), default="all")
    parser.add_argument("--out", type=Path, default=OUT, help="folder to write (default: library/screens)")
    parser.add_argument("--lang", action="append", choices=LANGUAGES, help="a language (default: both)")
    parser.add_argument("--only", action="append", choices=SCREENS, default=[], help="only this screen")
    ns = parser.parse_args(args)
    langs = ns.lang or list(LANGUAGES)
    if ns.what in ("keys", "memo", "all"):
        keys = write_keys(ns.out, list(LANGUAGES))
        print(keys)
    if ns.what == "memo":
        from cagette.fsutil import atomic_write_bytes
        from cagette.starter.memo import memo_pdf

        for lang in langs:
            atomic_write_bytes(ns.out / f"keys-memo-{lang}.pdf", memo_pdf(lang, keys))
            print(ns.out / f"keys-memo-{lang}.pdf")
    if ns.what in ("screens", "all"):
        for path in screens(ns.out, langs, ns.only):
            print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
