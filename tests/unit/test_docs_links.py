"""The docs point only inside the repository: a fresh clone has nothing beside it."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import ROOT

LINK = re.compile(r"\]\(([^)\s]+)\)")


def _docs() -> list[Path]:
    found = [*ROOT.glob("*.md"), *ROOT.glob("docs/**/*.md"), *ROOT.glob("firmware/*.md"),
             *ROOT.glob("hardware/*.md")]
    assert found, "no Markdown documents found"
    return sorted(found)


def test_no_document_points_outside_the_repository() -> None:
    offenders = []
    for doc in _docs():
        text = doc.read_text(encoding="utf-8")
        if "../shared" in text:
            offenders.append(f"{doc.relative_to(ROOT)}: names ../shared")
        for target in LINK.findall(text):
            if re.match(r"^[a-z]+:", target) or target.startswith("#"):
                continue  # a URL or an anchor
            path = (doc.parent / target.split("#")[0]).resolve()
            if not path.is_relative_to(ROOT):
                offenders.append(f"{doc.relative_to(ROOT)}: {target} is outside the repository")
            elif not path.exists():
                offenders.append(f"{doc.relative_to(ROOT)}: {target} does not exist")
    assert not offenders, offenders
