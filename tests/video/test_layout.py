"""Where text goes, for any frame (240 px or more on its smaller side): inside EBU R 95's graphics-safe area,
each element clear of the others."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from cagette.video import layout, presets
from cagette.video.layout import Rect

WORDS = ["Réduction", "de", "50 %", "sur", "la", "cantine", "pour", "les", "familles", "Mairie", "Villeneuve-d'Ascq",
         "anticonstitutionnellement", "😀", "שלום", "a", "l'accueil", "«", "»", "x" * 40]
sentence = st.lists(st.sampled_from(WORDS), min_size=1, max_size=30).map(" ".join)


def safe_area(w: int, h: int) -> Rect:
    """90 % of the width and of the height, centred (computed here, not by cagette)."""
    return Rect(round(w * 0.05), round(h * 0.05), w - 2 * round(w * 0.05), h - 2 * round(h * 0.05))


@settings(max_examples=120, deadline=None)
@given(st.integers(240, 3840), st.floats(0.4, 2.5), st.one_of(st.none(), st.tuples(st.integers(8, 800),
                                                                                   st.integers(8, 800))),
       st.booleans(), sentence, sentence, sentence, sentence)
def test_every_block_is_inside_the_safe_area_and_clear_of_the_others(
        width: int, aspect: float, logo: tuple[int, int] | None, captions: bool,
        title: str, lower: str, caption: str, card: str) -> None:
    w, h = width // 2 * 2, max(240, round(width / aspect)) // 2 * 2
    f = layout.frame_layout(w, h, logo, captions)
    safe = safe_area(w, h)
    zones = {"title": f.title, "lower": f.lower_third}
    if f.logo is not None:
        zones["logo"] = f.logo
    if f.captions is not None:
        zones["captions"] = f.captions
    for name, z in zones.items():
        assert z.inside(safe), (name, z, safe)
    for (a, za), (b, zb) in itertools.combinations(zones.items(), 2):
        assert not za.overlaps(zb), (a, za, b, zb)
    blocks = {
        "title": layout.fit(title, layout.TITLE, f.title, f.unit, layout.title_lines_for(w, h)),
        "lower": layout.fit(lower, layout.LOWER_THIRD, f.lower_third, f.unit),
        "card": layout.fit(card, layout.CARD, f.card(lower_third=True), f.unit),
    }
    if f.captions is not None:
        blocks["captions"] = layout.fit(caption, layout.CAPTION, f.captions, f.unit,
                                        layout.caption_lines(w, h), keep_lines=True)
    for name, b in blocks.items():
        assert b is not None and b.area.inside(safe), (name, b)
        for line in b.lines:
            assert b.area.x <= line.x and line.x + line.width <= b.area.right
    card_area = blocks["card"].area  # type: ignore[union-attr]
    for name in ("lower", "captions", "logo"):
        other = blocks.get(name) or zones.get(name)
        if other is not None:
            area = other.area if isinstance(other, layout.TextBlock) else other
            assert not card_area.overlaps(area), (name, card_area, area)
    for a, b in itertools.combinations(["title", "lower", "captions"], 2):
        if a in blocks and b in blocks:
            assert not blocks[a].area.overlaps(blocks[b].area)  # type: ignore[union-attr]


def test_titles_wrap_instead_of_shrinking_in_a_story() -> None:
    """A title is set at the same size in 9:16 as in 16:9 (sizes follow the smaller side), on more lines."""
    title = "Réduction de 50 % sur la cantine pour toutes les familles"
    sizes = {}
    for name in ("web-16x9", "story-9x16", "square-1x1"):
        p = presets.get(name)
        f = layout.frame_layout(p.width, p.height, (128, 128), True)
        b = layout.fit(title, layout.TITLE, f.title, f.unit, layout.title_lines_for(p.width, p.height))
        assert b is not None and not b.shortened
        assert " ".join(line.text for line in b.lines) == title
        sizes[name] = (b.size, len(b.lines))
    assert sizes["story-9x16"][0] >= 0.75 * sizes["web-16x9"][0]
    assert sizes["story-9x16"][1] > sizes["web-16x9"][1]


def test_a_text_too_long_for_its_zone_is_shortened_and_says_so() -> None:
    f = layout.frame_layout(640, 360)
    b = layout.fit(" ".join(["mot"] * 400), layout.LOWER_THIRD, f.lower_third, f.unit)
    assert b is not None and b.shortened and b.lines[-1].text.endswith(layout.ELLIPSIS)
    assert len(b.lines) <= layout.LOWER_THIRD.max_lines and b.area.inside(f.safe)


def test_lines_break_after_a_phrase_not_after_an_article() -> None:
    articles = {"le", "la", "les", "un", "une", "des", "de", "du", "l'", "d'", "à", "au", "pour", "sur"}
    f = layout.frame_layout(1080, 1920)
    for text in ("Préparez un justificatif de domicile de moins de trois mois et votre pièce d'identité",
                 "Ouvrez le site de votre mairie, puis cherchez la rubrique « Mes démarches »",
                 "Réduction de 50 % sur la cantine pour toutes les familles de la commune"):
        b = layout.fit(text, layout.TITLE, f.title, f.unit, layout.title_lines_for(1080, 1920))
        assert b is not None and len(b.lines) > 1
        assert " ".join(line.text for line in b.lines) == text
        for line in b.lines[:-1]:
            assert line.text.split(" ")[-1].lower() not in articles, [x.text for x in b.lines]
        assert not any(line.text.startswith(("%", ":", "»", "!", "?")) for line in b.lines)
