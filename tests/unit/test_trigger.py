from __future__ import annotations

import threading

import pytest

from cagette.capture.trigger import Press, QueueTrigger, TimerTrigger


def test_queue_trigger_orders_events_across_threads() -> None:
    trig = QueueTrigger()
    threading.Thread(target=lambda: [trig.push(Press.SHORT if i % 2 else Press.LONG, "test", i) for i in range(5)]).start()
    got = [trig.get(timeout=2) for _ in range(5)]
    assert [e.board_ms for e in got if e] == [0, 1, 2, 3, 4]
    assert got[0] is not None and got[0].press is Press.LONG
    assert trig.get(timeout=0.05) is None
    trig.close()
    assert list(trig) == []


class FakeTime:
    """A clock that moves only when slept on."""

    def __init__(self, now: float = 100.0) -> None:
        self.now = now
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_timer_trigger_fires_on_time() -> None:
    t = FakeTime()
    trig = TimerTrigger(0.05, clock=t.clock, sleep=t.sleep)
    events = [trig.get() for _ in range(3)]
    assert all(e is not None and e.source == "timer" and e.press is Press.SHORT for e in events)
    assert [e.time_s for e in events if e] == pytest.approx([100.05, 100.10, 100.15])
    assert t.slept == pytest.approx([0.05, 0.05, 0.05])


def test_timer_trigger_waits_no_longer_than_asked_and_keeps_its_pace() -> None:
    t = FakeTime()
    trig = TimerTrigger(1.0, clock=t.clock, sleep=t.sleep)
    assert trig.get(timeout=0.3) is None and t.now == pytest.approx(100.3)  # not due yet: back after 0.3 s
    event = trig.get(timeout=5)
    assert event is not None and event.time_s == pytest.approx(101.0)  # on the beat, not 1 s after the poll
    t.now += 0.4  # a slow consumer: the next beat is still 102.0
    assert trig.get() is not None and t.now == pytest.approx(102.0)
    trig.close()
    assert trig.get() is None
