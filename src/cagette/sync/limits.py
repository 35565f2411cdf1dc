"""What a peer may cost us: sizes, time, rate and disk space, all bounded.

A peer is untrusted input. :class:`Limits` gathers the caps of one sync
(``[sync]`` settings, or the command line): the largest object taken, the
largest other answer once decompressed, a peer's silence, its minimum rate,
the whole sync's deadline, and the disk space left free. :class:`Pace` holds
a peer to the time limits: it is told how long each read or write waited on
the peer and how many bytes moved, and gives up on a peer that stays below
the minimum rate over ``timeout_s`` seconds of waiting, or on a sync past its
deadline. Its clock is injected, so the tests prove it without waiting.
:func:`check_free_space` refuses a plan the disk cannot hold, with the numbers.
"""

from __future__ import annotations

import math
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cagette.errors import SettingsError, SyncError
from cagette.i18n import _

MIB = 1024 * 1024


def human_size(n: float) -> str:
    """``1.2 MB``: a size for people (powers of 1000, like file managers)."""
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"  # pragma: no cover - the loop always returns


@dataclass(frozen=True)
class Limits:
    """The caps of one sync, in bytes and seconds (``[sync]`` settings give them in MB and kB/s)."""

    timeout_s: float = 30.0
    deadline_s: float = 86400.0
    min_rate_bytes_s: float = 1000.0
    max_object_bytes: int = 4096 * MIB
    max_response_bytes: int = 256 * MIB
    keep_free_bytes: int = 100 * MIB

    @classmethod
    def from_settings(cls, conf: Any = None, **overrides: float | None) -> Limits:
        """From ``[sync]`` (*conf*, default: the current settings); *overrides* in settings' units win."""
        if conf is None:
            from cagette import settings

            conf = settings.current().sync
        values: dict[str, float] = {}
        for key in ("timeout_s", "deadline_s", "min_rate_kb_s", "max_object_mb", "max_response_mb",
                    "keep_free_mb"):
            value = overrides.get(key)
            values[key] = float(getattr(conf, key) if value is None else value)
            if values[key] < 0 or (values[key] == 0 and key not in ("keep_free_mb", "min_rate_kb_s")) \
                    or not math.isfinite(values[key]):
                raise SettingsError(
                    _("[sync] {key} must be a positive number, not {value!r}.").format(key=key, value=values[key]),
                    _("Correct it in the settings, or on the command line."),
                )
        return cls(timeout_s=values["timeout_s"], deadline_s=values["deadline_s"],
                   min_rate_bytes_s=values["min_rate_kb_s"] * 1000,
                   max_object_bytes=int(values["max_object_mb"] * MIB),
                   max_response_bytes=int(values["max_response_mb"] * MIB),
                   keep_free_bytes=int(values["keep_free_mb"] * MIB))


class Pace:
    """A peer held to a deadline and a minimum rate, measured only while we wait on it.

    Call :meth:`timeout` for how long the next read or write may block, then
    :meth:`moved` with the seconds it took and the bytes it moved. Time spent
    here (hashing, writing, planning) is not the peer's and is not counted
    against its rate; it does count against the deadline. :meth:`settle` once
    an answer is complete: a peer that thought a while then answered in full
    is not slow, one that never finishes trickling is.
    """

    def __init__(self, limits: Limits, peer: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.peer = peer
        self.clock = clock
        self.deadline = clock() + limits.deadline_s
        self._waited = 0.0
        self._moved = 0

    def remaining(self) -> float:
        """Seconds left before the deadline (raises once it is past)."""
        left = self.deadline - self.clock()
        if left <= 0:
            raise SyncError(
                _("The sync with {peer} went past its deadline of {n:g} s: given up.").format(
                    peer=self.peer, n=self.limits.deadline_s),
                _("What arrived is kept; run the sync again, or raise [sync] deadline_s (--deadline)."),
            )
        return left

    def timeout(self, asked: float | None = None) -> float:
        """How long one read or write may wait: the silence allowed, never past the deadline."""
        return min(asked if asked is not None else math.inf, self.limits.timeout_s, self.remaining())

    def settle(self) -> None:
        """An answer is complete: the next one is measured afresh."""
        self._waited, self._moved = 0.0, 0

    def moved(self, waited_s: float, nbytes: int) -> None:
        """A read or write waited *waited_s* seconds on the peer and moved *nbytes*."""
        self._waited += max(0.0, waited_s)
        self._moved += nbytes
        self.remaining()
        window = self.limits.timeout_s
        if self._waited < window:
            return
        if self._moved < self.limits.min_rate_bytes_s * window:
            raise SyncError(
                _("{peer} moved {got} bytes in {n:.1f} s, below the minimum of {rate}/s: given up.").format(
                    peer=self.peer, got=self._moved, n=self._waited,
                    rate=human_size(self.limits.min_rate_bytes_s)),
                _("The peer or the network is too slow, or hostile; lower [sync] min_rate_kb_s (--min-rate) "
                  "if the link is really that slow."),
            )
        self._waited, self._moved = 0.0, 0


def free_bytes(path: Path) -> int:
    """Free space for a normal user on the file system holding *path* (or its nearest existing parent)."""
    path = Path(path)
    while not path.exists() and path != path.parent:
        path = path.parent
    return shutil.disk_usage(path).free


def check_free_space(free: int, need: int, keep_free: int, where: str) -> None:
    """Refuse, with the numbers, a transfer of *need* bytes that would leave less than *keep_free* of *free*."""
    if need <= 0:
        return
    if free - need < keep_free:
        raise SyncError(
            _("Not enough space on {where}: the sync needs {need}, {free} are free and {keep} must stay free.")
            .format(where=where, need=human_size(need), free=human_size(free), keep=human_size(keep_free)),
            _("Free some space, sync fewer files (--only TAG, --metadata-only), or lower [sync] keep_free_mb."),
        )


def check_object_sizes(sizes: dict[str, int], limits: Limits, peer: str) -> None:
    """Refuse a plan with an object larger than ``max_object_bytes``, naming it."""
    for digest, size in sizes.items():
        if size > limits.max_object_bytes:
            raise SyncError(
                _("An object of {peer} ({digest}) declares {size}, more than the {cap} allowed: refused.").format(
                    peer=peer, digest=digest[:12], size=human_size(size), cap=human_size(limits.max_object_bytes)),
                _("Raise [sync] max_object_mb (--max-object-mb) if that file is expected, or sync with "
                  "--metadata-only."),
            )
