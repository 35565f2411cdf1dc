"""A site's log on disk: immutable segments ``log/<site>/<first>-<last>.jsonl``.

A segment holds lines *first*…*last* of one site's log (both numbers written with 12
digits). Its name fixes its content — a site's line *n* is the same wherever it is copied —
so a segment is written once (a temporary file, fsync, rename) and never changed, and two
copies that write the same name write the same bytes. The same names are used in a
library folder, on a USB stick and in an S3 bucket, so a bucket stays a copy of a library.

Segments may overlap (two pushers extending one copy at once each write theirs); a reader
takes the union from line 1 up to the first gap, and checks that overlapping lines agree.
A library compacts its own folder's segments (one segment replaces many, then they are
deleted); a shared copy (a bucket) is never compacted. ``log/<site>.jsonl`` is the format-1
(legacy) log file: read as lines 1…N, and converted by :func:`migrate_legacy`.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cagette.fsutil import fsync_dir, read_regular
from cagette.i18n import _
from cagette.library.log import LogError, LogRead, parse_log_bytes, site_of_log

SEGMENT_RE = re.compile(r"^(\d{12})-(\d{12})\.jsonl$")
COMPACT_AT = 48  # a folder holding more segments than this for one site is compacted
LEGACY = "legacy"


def segment_name(first: int, last: int) -> str:
    return f"{first:012d}-{last:012d}.jsonl"


def parse_segment_name(name: str) -> tuple[int, int] | None:
    """``(first, last)`` of a segment file name, or None."""
    m = SEGMENT_RE.match(name)
    if not m:
        return None
    first, last = int(m.group(1)), int(m.group(2))
    return (first, last) if 1 <= first <= last else None


@dataclass(frozen=True)
class Segment:
    first: int
    last: int
    name: str  # the file (or key) name; LEGACY for a format-1 log file

    @property
    def lines(self) -> int:
        return self.last - self.first + 1


def cover(segments: Iterable[Segment], start: int = 0) -> list[Segment]:
    """The segments to read to go from line *start* as far as possible without a gap."""
    pending = sorted(segments, key=lambda s: (s.first, -s.last))
    chosen: list[Segment] = []
    cur = start
    i = 0
    while True:
        best: Segment | None = None
        while i < len(pending) and pending[i].first <= cur + 1:
            if pending[i].last > cur and (best is None or pending[i].last > best.last):
                best = pending[i]
            i += 1
        if best is None:
            # a later segment may still start at or before cur + 1 (sorted by first): none does
            return chosen
        chosen.append(best)
        cur = best.last


def high_water(segments: Iterable[Segment]) -> int:
    """The number of lines held from line 1 without a gap."""
    chosen = cover(segments)
    return chosen[-1].last if chosen else 0


def join_lines(chosen: Sequence[tuple[Segment, list[bytes]]], start: int, where: str) -> list[bytes]:
    """The lines after *start* from segments read in *chosen* order (overlaps must agree)."""
    out: list[bytes] = []
    cur = start
    for seg, lines in chosen:
        if len(lines) != seg.lines:
            raise LogError(_("{where}/{name}: holds {n} lines, its name says {m}.").format(
                where=where, name=seg.name, n=len(lines), m=seg.lines),
                _("The copy is damaged or hostile; run `cagette library fsck`."))
        for n in range(max(seg.first, start + 1), min(cur, seg.last) + 1):
            if out[n - start - 1] != lines[n - seg.first]:  # an overlap: the same number, the same bytes
                raise LogError(_("{where}: two segments disagree on line {n}.").format(where=where, n=n),
                               _("Someone wrote two different lines under one number; the copy is refused."))
        out.extend(lines[cur + 1 - seg.first:])
        cur = seg.last
    return out


def split_lines(data: bytes) -> list[bytes]:
    """Newline-terminated lines (a torn tail is dropped)."""
    end = data.rfind(b"\n") + 1
    return [line + b"\n" for line in data[:end].split(b"\n")[:-1]]


class SiteLog:
    """``log/<site>/`` in one folder (a library, a stick): list, read, write, compact."""

    def __init__(self, log_dir: Path, site: str, name: str | None = None, max_bytes: int | None = None) -> None:
        self.log_dir = Path(log_dir)
        self.site = site
        self.dir = self.log_dir / (name or site)
        self.legacy = self.log_dir / f"{name or site}.jsonl"
        self.max_bytes = max_bytes  # a segment larger than this is refused (a copy from elsewhere: a stick)

    def segments(self) -> list[Segment]:
        out: list[Segment] = []
        try:
            entries = list(os.scandir(self.dir))
        except FileNotFoundError:
            entries = []
        except NotADirectoryError:
            raise LogError(_("{path} is not a folder.").format(path=self.dir),
                           _("Logs are folders of segments; move that file away.")) from None
        for e in entries:
            span = parse_segment_name(e.name)
            if span is None:
                continue
            if e.is_symlink() or not e.is_file(follow_symlinks=False):
                raise LogError(_("{path} is not a plain file.").format(path=e.path),
                               _("A library holds only plain files; remove it, then try again."))
            out.append(Segment(span[0], span[1], e.name))
        if self.legacy.exists() or self.legacy.is_symlink():
            if self.legacy.is_symlink():
                raise LogError(_("{path} is a symbolic link.").format(path=self.legacy),
                               _("Logs must be plain files; replace the link by the file."))
            n = len(split_lines(read_regular(self.legacy, self.max_bytes)))
            if n:
                out.append(Segment(1, n, LEGACY))
        return out

    def _read_segment(self, seg: Segment) -> list[bytes]:
        """A segment's lines; a FIFO, device or link named like one is refused without waiting on it."""
        path = self.legacy if seg.name == LEGACY else self.dir / seg.name
        return split_lines(read_regular(path, self.max_bytes))

    def read(self, cached: LogRead | None = None) -> LogRead:
        """Every line from 1 up to the first gap, validated; *cached* (an earlier read) is extended."""
        for attempt in range(3):
            try:
                return self._read(cached)
            except FileNotFoundError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _read(self, cached: LogRead | None) -> LogRead:
        start = len(cached.events) if cached else 0
        chosen = cover(self.segments(), start)
        if not chosen:
            return cached or LogRead(self.site, [], 0)
        got = [(seg, self._read_segment(seg)) for seg in chosen]
        new = join_lines(got, start, f"log/{self.site[:8]}")
        data = b"".join(new)
        more = parse_log_bytes(data, self.site, f"log/{self.site[:8]}", start + 1)
        if cached is None:
            return more
        return LogRead(self.site, cached.events + more.events, cached.valid_bytes + more.valid_bytes, 0,
                       cached.lines + more.lines)

    def line(self, n: int) -> bytes | None:
        """Line *n* (1-based) as held without a gap, reading one segment only; None if not held."""
        for seg in cover(self.segments()):
            if seg.first <= n <= seg.last:
                lines = self._read_segment(seg)
                return lines[n - seg.first] if len(lines) == seg.lines else None
        return None

    def tail(self) -> tuple[int, bytes | None, int]:
        """``(lines held without a gap, the last of them, their bytes)``, reading the last segment only
        (the bytes are the segments' sizes: exact unless segments overlap)."""
        chosen = cover(self.segments())
        if not chosen:
            return 0, None, 0
        last = chosen[-1]
        lines = self._read_segment(last)
        size = 0
        for seg in chosen:
            path = self.legacy if seg.name == LEGACY else self.dir / seg.name
            size += path.stat().st_size
        return last.last, (lines[-1] if lines else None), size

    def write(self, first: int, data: bytes) -> Path:
        """Write lines *first*… (complete lines) as a new segment, durably. Same name, same bytes."""
        n = data.count(b"\n")
        if n == 0 or not data.endswith(b"\n"):
            raise LogError(_("Nothing to write to the log of {site}.").format(site=self.site[:8]), None)
        name = segment_name(first, first + n - 1)
        path = self.dir / name
        if path.is_file():
            if path.read_bytes() != data:
                raise LogError(_("{path} already holds other lines.").format(path=path),
                               _("Run `cagette library fsck`."))
            return path
        created = not self.dir.is_dir()
        self.dir.mkdir(parents=True, exist_ok=True)
        tmp = self.dir / f".{name}.{secrets.token_hex(4)}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        except BaseException:
            os.close(fd)
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            raise
        os.close(fd)
        os.replace(tmp, path)
        fsync_dir(self.dir)
        if created:
            fsync_dir(self.log_dir)
        return path

    def clean_tmp(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            for e in os.scandir(self.dir):
                if e.name.startswith(".") and e.name.endswith(".tmp"):
                    with contextlib.suppress(OSError):
                        os.unlink(e.path)

    def compact(self, read: LogRead, at: int = COMPACT_AT) -> bool:
        """One segment for all the lines of *read* when there are too many (under the lock)."""
        segs = [s for s in self.segments() if s.name != LEGACY]
        if len(segs) <= at or not read.lines:
            return False
        whole = segment_name(1, len(read.lines))
        self.write(1, b"".join(read.lines))
        for s in segs:
            if s.name != whole and s.last <= len(read.lines):
                with contextlib.suppress(FileNotFoundError):
                    (self.dir / s.name).unlink()
        fsync_dir(self.dir)
        return True

    def cut(self, keep: int, read: LogRead) -> None:
        """Keep only lines 1…*keep* (a restored library handing its lost lines back; under the lock)."""
        if keep:
            self.write(1, b"".join(read.lines[:keep]))
        for s in self.segments():
            if s.name == LEGACY:
                self.legacy.unlink()
            elif s.last > keep or (s.first, s.last) != (1, keep):
                with contextlib.suppress(FileNotFoundError):
                    (self.dir / s.name).unlink()
        fsync_dir(self.dir)


def list_sites(log_dir: Path) -> list[str]:
    """The site ids with a log in *log_dir* (folders of segments, or format-1 files)."""
    from cagette.library.log import is_site_id

    out: set[str] = set()
    try:
        entries = list(os.scandir(log_dir))
    except FileNotFoundError:
        return []
    for e in entries:
        if is_site_id(e.name):
            if e.is_symlink():
                raise LogError(_("{path} is a symbolic link.").format(path=e.path),
                               _("A library holds only plain files; remove the link, then try again."))
            out.add(e.name)
        else:
            site = site_of_log(e.name)
            if site:
                out.add(site)
    return sorted(out)


def migrate_legacy(log_dir: Path) -> int:
    """Turn every format-1 ``log/<site>.jsonl`` into a segment (its torn tail dropped). Under the lock."""
    n = 0
    for site in list_sites(log_dir):
        log = SiteLog(log_dir, site)
        if not log.legacy.is_file():
            continue
        data = log.legacy.read_bytes()
        lines = split_lines(data)
        parse_log_bytes(b"".join(lines), site, log.legacy.name)  # refuse to convert a malformed log
        if lines:
            log.write(1, b"".join(lines))
        log.legacy.unlink()
        fsync_dir(log_dir)
        n += 1
    return n
