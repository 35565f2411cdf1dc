"""``cagette.fsutil.FileLock``: one holder at a time, across threads as across processes."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from cagette.fsutil import FileLock, LockedError


def test_a_lock_held_by_one_thread_blocks_another_thread_of_the_same_object(tmp_path: Path) -> None:
    lock = FileLock(tmp_path / "lock", timeout=0.2, what="the project")
    held, release = threading.Event(), threading.Event()

    def holder() -> None:
        with lock:
            held.set()
            release.wait(30)

    t = threading.Thread(target=holder)
    t.start()
    try:
        assert held.wait(30)
        with pytest.raises(LockedError) as info:
            lock.acquire()  # the same object, from another thread: refused, not re-entered
        assert "the project" in info.value.message and info.value.hint
        assert lock.depth == 0  # this thread holds nothing
    finally:
        release.set()
        t.join(30)
    with lock:
        assert lock.depth == 1


def test_re_entrant_within_one_thread_only(tmp_path: Path) -> None:
    lock = FileLock(tmp_path / "lock", timeout=0.2)
    with lock:
        with lock:
            assert lock.depth == 2
        assert lock.depth == 1
        other = FileLock(tmp_path / "lock", timeout=0.2)
        with pytest.raises(LockedError):
            other.acquire()  # another lock object on the same file is another holder
    assert lock.depth == 0
    lock.release()  # releasing a lock not held is harmless
    with FileLock(tmp_path / "lock", timeout=0.2):
        pass


def test_threads_take_turns_and_every_increment_counts(tmp_path: Path) -> None:
    """A read-modify-write of a file under the lock, by 4 threads sharing one lock object."""
    lock = FileLock(tmp_path / "lock", timeout=120)
    counter = tmp_path / "counter"
    counter.write_text("0")
    inside: list[int] = []
    overlaps: list[int] = []

    def work() -> None:
        for _ in range(50):
            with lock:
                inside.append(1)
                if len(inside) > 1:
                    overlaps.append(len(inside))
                value = int(counter.read_text())
                counter.write_text(str(value + 1))
                inside.pop()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert overlaps == []
    assert int(counter.read_text()) == 200


def test_a_missing_folder_is_made_for_the_lock_file(tmp_path: Path) -> None:
    with FileLock(tmp_path / "a" / "b" / "lock"):
        assert (tmp_path / "a" / "b" / "lock").exists()
