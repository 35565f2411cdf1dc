"""The host side of the studio controller's protocol (lights, shutter).

Modules: :mod:`~cagette.device.protocol` (the JSON lines, version 1),
:mod:`~cagette.device.finder` (USB ids, then hello), :mod:`~cagette.device.controller`
(the link, reconnection, events into capture's trigger), :mod:`~cagette.device.flash`
(mpremote), :mod:`~cagette.device.simulator` (the firmware on a stand-in board, behind a
pseudo-terminal). Nothing heavy is imported here.
"""

from __future__ import annotations

from typing import Any


def shutter_trigger(port: str | None = None, timeout: float = 5.0) -> Any:
    """A started :class:`~cagette.device.controller.DeviceTrigger` on the board
    (*port*, else ``CAGETTE_DEVICE_PORT``, else ``[device] port`` in the settings, else found by
    USB id and hello): short press → take a frame, long press → the second action. Raises
    :class:`~cagette.errors.DeviceError` when no board answers."""
    from cagette.device.controller import DeviceTrigger
    from cagette.device.finder import configured_port, find_board, port_lister

    found, _info = find_board(configured_port(port))
    return DeviceTrigger(port_lister(found)).start(timeout)
