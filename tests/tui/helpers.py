"""Helpers for Pilot tests: wait for a condition instead of sleeping a fixed time."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


async def wait_for(pilot: Any, condition: Callable[[], Any], timeout: float = 60.0, what: str = "") -> Any:
    """Pause the pilot until *condition()* is truthy (the machine is shared: generous timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        errors = getattr(pilot.app, "errors_shown", None)
        if errors:
            raise AssertionError(f"the app showed an error while waiting for {what}: {errors}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        await pilot.pause(0.05)
