"""The sink of a large object: the disk is synced beside the writer, and the object arrives whole."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import pytest

from cagette.sync import sink as sink_module
from cagette.sync.sink import ObjectSink

PIECE = 16 * 1024


def test_a_large_object_is_made_durable_by_the_flusher_while_the_writer_goes_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced_by: list[str] = []
    first_sync = threading.Event()
    real = sink_module._datasync

    def recording(fd: int) -> None:
        synced_by.append(threading.current_thread().name)
        real(fd)
        first_sync.set()

    monkeypatch.setattr(sink_module, "_datasync", recording)
    monkeypatch.setattr(sink_module, "FLUSH_EVERY", 4 * PIECE)
    data = os.urandom(64 * PIECE)
    digest = hashlib.sha256(data).hexdigest()
    part = tmp_path / f"{digest}.part"
    sink = ObjectSink(None, digest, len(data), len(data), part, "peer")
    for start in range(0, 8 * PIECE, PIECE):
        sink.write(data[start:start + PIECE])
    assert first_sync.wait(60), "the flusher never synced what the writer asked it to"
    for start in range(8 * PIECE, len(data), PIECE):
        sink.write(data[start:start + PIECE])
    assert sink.verify()
    assert part.read_bytes() == data
    assert synced_by and set(synced_by) == {"cagette-sink-flush"}  # never the writer, never the receiver
    assert not sink.flusher.is_alive() and not sink.thread.is_alive()


def test_a_sink_aborted_early_stops_its_threads_and_keeps_what_came(tmp_path: Path) -> None:
    data = os.urandom(4 * PIECE)
    digest = hashlib.sha256(data).hexdigest()
    part = tmp_path / f"{digest}.part"
    sink = ObjectSink(None, digest, len(data), len(data), part, "peer")
    sink.write(data[:PIECE])
    sink.abort()
    assert part.read_bytes() == data[:PIECE]
    assert not sink.flusher.is_alive() and not sink.thread.is_alive()
    resumed = ObjectSink(None, digest, len(data), len(data), part, "peer")
    assert resumed.offset == PIECE
    resumed.write(data[PIECE:])
    assert resumed.verify()
    assert part.read_bytes() == data
