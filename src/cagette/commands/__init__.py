"""The command-line commands, one module per area.

Each module has ``register(sub)`` that adds its parsers to the top-level
subparsers and sets ``handler=function(ns, ctx)`` on each leaf. Modules import
only the standard library and plumbing at top level; the work they call is
imported inside the handlers, so ``cagette --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeAlias

from cagette.i18n import _

if TYPE_CHECKING:
    from cagette.cli import Context, Parser

# The top-level subparsers (and each group's), the parsed arguments and what a leaf runs.
SubParsers: TypeAlias = "argparse._SubParsersAction[Parser]"
Handler: TypeAlias = "Callable[[argparse.Namespace, Context], int | None]"

# Order is the order of ``cagette --help``.
MODULES = (
    "plans",
    "project",
    "render",
    "capture",
    "device",
    "library",
    "sync",
    "serve",
    "web",
    "doctor",
)


def register_all(sub: SubParsers) -> None:
    for name in MODULES:
        try:
            module = importlib.import_module(f"cagette.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"cagette.commands.{name}":
                continue  # that area has not landed yet
            raise
        module.register(sub)


def group(sub: SubParsers, name: str, help_text: str, description: str | None = None) -> SubParsers:
    """Add a command that only holds subcommands; returns its subparsers."""
    parser = sub.add_parser(name, help=help_text, description=description or help_text)
    parser.set_defaults(parser_for_help=parser)
    inner = parser.add_subparsers(dest=f"{name}_command", metavar=_("COMMAND"), parser_class=type(parser),
                                  help=_("the command to run (each has its own --help)"))
    return inner


def command(sub: SubParsers, name: str, help_text: str, handler: Handler, description: str | None = None) -> argparse.ArgumentParser:
    """Add a leaf command handled by ``handler(ns, ctx)``."""
    parser = sub.add_parser(name, help=help_text, description=description or help_text)
    parser.set_defaults(handler=handler, parser_for_help=parser)
    return parser
