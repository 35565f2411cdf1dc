"""What commands print: JSON, tables, and a progress bar with an ETA."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from cagette.i18n import _
from cagette.progress import Progress, ProgressEvent, format_duration


def _default(obj: Any) -> Any:
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, (set, frozenset, tuple)):
        return list(obj)
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    if hasattr(obj, "value"):
        return obj.value
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def emit_json(data: Any, stream: TextIO | None = None) -> None:
    stream = stream or sys.stdout
    json.dump(data, stream, ensure_ascii=False, indent=2, default=_default, sort_keys=False)
    stream.write("\n")


def emit_json_list(texts: Sequence[str], stream: TextIO | None = None) -> None:
    """A JSON list of items already encoded (each a JSON text), one item a line: 10,000 print at once."""
    stream = stream or sys.stdout
    stream.write("[\n  " + ",\n  ".join(texts) + "\n]\n" if texts else "[]\n")


def add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help=_("print the result as JSON"))


def add_force(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--force", action="store_true", help=_("overwrite what already exists"))


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str] | None = None, stream: TextIO | None = None) -> None:
    stream = stream or sys.stdout
    cells = [[str(c) for c in row] for row in rows]
    if headers:
        cells.insert(0, list(headers))
    if not cells:
        return
    widths = [max(_width(row[i]) for row in cells if i < len(row)) for i in range(max(len(r) for r in cells))]
    for n, row in enumerate(cells):
        line = "  ".join(c + " " * (widths[i] - _width(c)) for i, c in enumerate(row)).rstrip()
        stream.write(line + "\n")
        if headers and n == 0:
            stream.write("  ".join("─" * w for w in widths) + "\n")


class ProgressBar:
    """Draws :class:`ProgressEvent` on stderr: a bar with ETA on a terminal,
    a line per task and per tenth elsewhere."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self._task = ""
        self._tenth = -1
        self._started = time.monotonic()

    def __call__(self, ev: ProgressEvent) -> None:
        if ev.task != self._task:
            if self.tty and self._task:
                self.stream.write("\n")
            self._task, self._tenth = ev.task, -1
        if self.tty:
            self._draw(ev)
        else:
            fraction = ev.fraction
            tenth = int(fraction * 10) if fraction is not None else 0
            if tenth != self._tenth or ev.finished:
                self._tenth = tenth
                pct = f"{fraction * 100:3.0f} %" if fraction is not None else ""
                self.stream.write(f"{ev.task} {pct} {ev.message}".rstrip() + "\n")
                self.stream.flush()

    def _draw(self, ev: ProgressEvent) -> None:
        cols = shutil.get_terminal_size((80, 20)).columns
        fraction = ev.fraction
        eta = _("ETA {time}").format(time=format_duration(ev.eta_s)) if not ev.finished else format_duration(ev.elapsed_s)
        label = ev.task[:24]
        if fraction is None:
            count = f"{ev.done:g} {ev.unit}".strip()
            line = f"{label} {count} {ev.message}"
        else:
            width = max(10, min(40, cols - len(label) - 30))
            filled = int(width * fraction)
            bar = "█" * filled + "░" * (width - filled)
            line = f"{label} {bar} {fraction * 100:3.0f} % {eta} {ev.message}"
        self.stream.write("\r" + line[: cols - 1].ljust(cols - 1))
        if ev.finished:
            self.stream.write("\n")
            self._task = ""
        self.stream.flush()

    def close(self) -> None:
        if self.tty and self._task:
            self.stream.write("\n")
            self.stream.flush()


@contextmanager
def cli_progress(quiet: bool = False) -> Iterator[Progress]:
    """A :class:`Progress` drawn on stderr for the duration of a command."""
    bar = None if quiet else ProgressBar()
    progress = Progress(bar)
    try:
        yield progress
    finally:
        if bar:
            bar.close()
