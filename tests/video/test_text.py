"""Burned text reaches ffmpeg as it was typed, whatever its characters; the font's gaps are found."""

from __future__ import annotations

import subprocess
import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cagette.video import ffgraph, layout
from cagette.video import text as textmod

HOSTILE = ["50 %", "%{pts}", "%{localtime}", "%%", "'", '"', "’", ":", ";", ",", "=", "\\", "\\\\", "{", "}",
           "[", "]", "\n", "\r\n", "\t", "😀", "👩‍👩‍👧", "🇫🇷", "שלום", "مرحبا", "漢字", "$(x)", "`x`", "é", "e\u0301",
           "\u200f", "\x00", "\x1b[31m", "\u2028"]

texts = st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12)), max_size=8).map("".join)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_clean_keeps_every_visible_character_and_no_control(text: str) -> None:
    out = textmod.clean(text)
    assert textmod.clean(out) == out  # idempotent
    assert all(ch == "\n" or unicodedata.category(ch) != "Cc" for ch in out)
    out.encode("utf-8")  # always writable to the text file
    visible = [ch for ch in unicodedata.normalize("NFC", text) if not ch.isspace()
               and unicodedata.category(ch) not in ("Cc", "Cs")]
    assert [ch for ch in out if not ch.isspace()] == visible[: len([c for c in out if not c.isspace()])]
    if len(text) < textmod.MAX_TEXT:
        assert [ch for ch in out if not ch.isspace()] == visible


def _draw(blocks: list[layout.TextBlock], work: Path, frames: int = 1) -> subprocess.CompletedProcess[bytes]:
    """Run the real ffmpeg on a small frame with the filters cagette writes for *blocks*."""
    w = ffgraph.Workdir(work)
    chain = "".join(ffgraph.draw_block(b, w) for b in blocks)
    (work / "g.txt").write_text(f"[0:v]format=yuv420p{chain},format=rgb24[o]", encoding="utf-8")
    return subprocess.run([ffgraph.ffmpeg_exe(), "-nostdin", "-v", "error", "-f", "lavfi", "-i",
                           f"color=c=0x336699:s=320x180:r=25:d={frames / 25}", "-/filter_complex", "g.txt",
                           "-map", "[o]", "-f", "rawvideo", "-"], capture_output=True, cwd=work)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(texts, min_size=1, max_size=4))
def test_any_text_reaches_ffmpeg(tmp_path_factory, given_texts: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Hypothesis draws arbitrary Unicode (quotes, %, :, \\, braces, newlines, emoji, right-to-left) through
    the real ffmpeg, every style at once: it never fails."""
    frame = layout.frame_layout(320, 180, (32, 32), captions=True)
    styles = [(layout.TITLE, frame.title), (layout.LOWER_THIRD, frame.lower_third),
              (layout.CAPTION, frame.captions), (layout.CARD, frame.card())]
    blocks = []
    for i, t in enumerate(given_texts):
        style, zone = styles[i % len(styles)]
        block = layout.fit(t, style, zone, frame.unit)
        if block is not None:
            blocks.append(block)
    work = tmp_path_factory.mktemp("draw")
    res = _draw(blocks, work)
    assert res.returncode == 0, res.stderr.decode(errors="replace")[-600:]
    assert len(res.stdout) == 320 * 180 * 3


def test_percent_sequences_are_drawn_not_expanded(tmp_path: Path) -> None:
    """'%{pts}' would print the frame's time, different on every frame: the pixels must stay the same."""
    import numpy as np

    frame = layout.frame_layout(320, 180)
    block = layout.fit("%{pts} %{n} %{localtime}", layout.CARD, frame.card(), frame.unit)
    assert block is not None
    res = _draw([block], tmp_path, frames=20)
    assert res.returncode == 0, res.stderr.decode()[-400:]
    frames = np.frombuffer(res.stdout, "uint8").reshape(-1, 180, 320, 3)
    assert len(frames) == 20
    assert (frames[0] != frames[0, 0, 0]).any()  # something is drawn
    assert np.array_equal(frames[0], frames[-1])  # and it does not change with time


def test_missing_glyphs_are_those_the_font_draws_as_its_box() -> None:
    """The oracle is Pillow drawing each character with the same font: a character without a glyph is
    drawn exactly like a private-use character (the font's .notdef box)."""
    import numpy as np
    from PIL import Image, ImageDraw

    font = textmod.font(40, True)

    def drawn(ch: str) -> bytes:
        img = Image.new("L", (80, 80))
        ImageDraw.Draw(img).text((10, 60), ch, font=font, fill=255, anchor="ls")
        return np.asarray(img).tobytes()

    notdef = drawn("\ue000")
    corpus = "Aéß€%œ«»שمع漢字🦩😀☺♥ﬁ₿𝄞"
    reported = set(textmod.missing_glyphs(corpus))
    assert {"漢", "字", "🦩"} <= reported and not {"A", "é", "%", "€"} & reported
    for ch in corpus:
        assert (ch in reported) == (drawn(ch) == notdef), ch
