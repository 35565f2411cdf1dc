"""The running app as its own class, for screens and widgets that call its methods.

Textual types ``node.app`` as a plain ``App``; every screen and widget of cagette runs inside
:class:`cagette_tui.app.CagetteApp`, whose methods (``show_error``, ``open_project``…) they call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from cagette_tui.app import CagetteApp


def app_of(node: DOMNode) -> CagetteApp:
    """*node*'s app, typed (a cast: the app imports the screens, so no isinstance check here)."""
    return cast("CagetteApp", node.app)


def on_screen(node: DOMNode) -> bool:
    """Whether *node* is still in the app: not removed, not being removed with its screen, the app not
    closing. Textual says the last one (``is_attached``) but marks the middle one only privately."""
    return node.is_attached and not (node._closing or node._closed or node._pruning)


def from_worker(node: DOMNode, fn: Callable[..., Any], *args: Any) -> None:
    """From a worker thread, ``fn(*args)`` on the app's thread if *node* is still in the app by then.

    A worker's result (a thumbnail, a camera picture, a progress step) can arrive after the person left
    its screen, or as the app closes: it has nowhere to be shown, and looking up the widgets that are
    gone would stop the app. It is dropped instead."""

    def deliver() -> None:
        if on_screen(node):
            fn(*args)

    node.app.call_from_thread(deliver)
