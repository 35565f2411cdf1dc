"""The running app as its own class, for screens and widgets that call its methods.

Textual types ``node.app`` as a plain ``App``; every screen and widget of cagette runs inside
:class:`cagette_tui.app.CagetteApp`, whose methods (``show_error``, ``open_project``…) they call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from cagette_tui.app import CagetteApp


def app_of(node: DOMNode) -> CagetteApp:
    """*node*'s app, typed (a cast: the app imports the screens, so no isinstance check here)."""
    return cast("CagetteApp", node.app)
