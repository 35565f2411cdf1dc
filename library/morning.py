"""The morning's timetable, read from the director's guide: the single place its steps and durations live.

The guide's first section holds a table whose rows are the steps of the app's guided flow (template,
scripts, shoot, voice-over, captions, render, publish), each with its start time and duration; the
trainer's kit lists the same steps with the same durations (a test holds them together), and the
guide's pictures label the sample's frames with them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Step:
    time: str  # "9:00" / "9 h 00"
    step: str  # the guided flow's step, as the app names it
    minutes: int
    what: str


def table(path: Path) -> list[list[str]]:
    """The body rows of the first Markdown table of *path*, cells stripped of ``**``."""
    rows: list[list[str]] = []
    started = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("|"):
            cells = [c.strip().replace("**", "") for c in line.strip().strip("|").split("|")]
            if started and not all(re.fullmatch(r":?-+:?", c) for c in cells):
                rows.append(cells)
            started = True
        elif started:
            break
    return rows


def minutes(cell: str) -> int:
    match = re.search(r"(\d+)\s*min", cell)
    return int(match.group(1)) if match else 0


def timetable(lang: str) -> list[Step]:
    """The steps of the morning in the guide of *lang*: (time, step, minutes, what you do)."""
    first = sorted((HERE / "guide" / lang).glob("00-*.md"))[0]
    return [Step(r[0], r[1], minutes(r[2]), r[3]) for r in table(first) if len(r) >= 4]


def kit_order(lang: str) -> list[tuple[int, str, str]]:
    """The trainer's running order in *lang*: (minutes, guided step or "", sequence)."""
    first = sorted((HERE / "trainers" / lang).glob("01-*.md"))[0]
    return [(minutes(r[0]), "" if r[1] in ("—", "-", "") else r[1], r[2]) for r in table(first) if len(r) >= 3]
