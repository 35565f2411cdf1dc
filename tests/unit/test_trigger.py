from __future__ import annotations

import threading
import time

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


def test_timer_trigger_fires_on_time() -> None:
    trig = TimerTrigger(0.05)
    start = time.monotonic()
    events = [trig.get() for _ in range(3)]
    assert all(e is not None and e.source == "timer" for e in events)
    assert 0.13 < time.monotonic() - start < 0.5
