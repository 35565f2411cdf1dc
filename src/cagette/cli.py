"""The command line: a thin layer over the core.

Conventions shared by every command (see README):

* global options ``--lang fr|en``, ``--debug``, ``--library PATH`` are
  accepted before or after the subcommand;
* a project folder is always the first positional argument;
* lists are repeatable options (``--only a --only b``);
* every read command takes ``--json``;
* exit status 0 success, 1 the work failed, 2 the command line, a settings
  file or a parameter is invalid, 130 interrupted;
* nothing prompts without a terminal; overwriting needs ``--force``.

Running ``cagette`` with no arguments opens the app (imported only then).
This module and the command modules import nothing heavy at start-up:
``cagette --help`` must stay fast.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NoReturn

from cagette import __version__
from cagette.errors import CagetteError, UsageError, missing_system_library
from cagette.i18n import _, set_language

if TYPE_CHECKING:
    from cagette.locations import LibraryChoice
    from cagette.settings import Settings

GLOBAL_VALUE_OPTIONS = ("--lang", "--library")
GLOBAL_FLAGS = ("--debug",)


@dataclass
class GlobalOptions:
    lang: str | None = None
    library: str | None = None
    debug: bool = False
    rest: list[str] = field(default_factory=list)


def split_global_options(argv: Sequence[str]) -> GlobalOptions:
    """Take the global options out of *argv*, wherever they stand.

    Everything after a literal ``--`` is left untouched.
    """
    opts = GlobalOptions()
    args = list(argv)
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            opts.rest.extend(args[i:])
            break
        name, eq, value = arg.partition("=")
        if name in GLOBAL_VALUE_OPTIONS:
            if not eq:
                if i + 1 >= len(args):
                    raise UsageError(
                        _("The option {name} needs a value.").format(name=name),
                        _("For example: {example}.").format(
                            example="--lang en" if name == "--lang" else "--library ~/cagette-library"
                        ),
                    )
                value = args[i + 1]
                i += 1
            setattr(opts, name[2:], value)
        elif arg in GLOBAL_FLAGS:
            opts.debug = True
        else:
            opts.rest.append(arg)
        i += 1
    return opts


class Parser(argparse.ArgumentParser):
    """An argparse parser whose errors are :class:`UsageError` (exit 2)."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(
            message[:1].upper() + message[1:] + ".",
            _("See '{prog} --help'.").format(prog=self.prog),
        )


def _translate_argparse() -> None:
    """Route argparse's own words (usage, options...) through our catalogue."""
    argparse._ = _  # type: ignore[attr-defined]  # argparse looks its words up in its module global _


@dataclass
class Context:
    """What every command receives besides its parsed arguments."""

    debug: bool = False
    library_option: str | None = None

    def library(self) -> LibraryChoice:
        from cagette.locations import library_dir

        return library_dir(self.library_option)

    def settings(self) -> Settings:
        from cagette import settings

        return settings.current()


def build_parser() -> Parser:
    _translate_argparse()
    parser = Parser(
        prog="cagette",
        description=_(
            "cagette: plans of the Vidéocagette, video capture and assembly, "
            "and a library shared between sites. Without a command, opens the app."
        ),
        epilog=_("Global options may stand before or after the command. Details: cagette COMMAND --help."),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"cagette {__version__}",
                        help=_("show the version and exit"))
    group = parser.add_argument_group(_("global options"))
    group.add_argument("--lang", choices=["fr", "en"], help=_("language of messages (default: CAGETTE_LANG, then the locale)"))
    group.add_argument("--library", metavar="PATH", help=_("library to work on (default: CAGETTE_LIBRARY, then CAGETTE_HOME/library)"))
    group.add_argument("--debug", action="store_true", help=_("show tracebacks of errors"))
    sub = parser.add_subparsers(dest="command", metavar=_("COMMAND"), parser_class=Parser)
    from cagette.commands import register_all

    register_all(sub)
    return parser


def _print_error(exc: CagetteError, debug: bool) -> None:
    if debug:
        traceback.print_exc()
    exc = missing_system_library(exc) or exc
    line = _("Error: {message}").format(message=exc.message)
    if exc.hint:
        line += " " + _("Hint: {hint}").format(hint=exc.hint)
    print(" ".join(line.split("\n")), file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        opts = split_global_options(args)
        debug = opts.debug
        set_language(opts.lang)
        if opts.lang is None:
            from cagette import settings

            configured = settings.current().general.lang
            if configured and not os.environ.get("CAGETTE_LANG"):
                set_language(configured)
        from cagette.i18n import current_language

        current_language()  # a bad CAGETTE_LANG is a usage error
        ctx = Context(debug=opts.debug, library_option=opts.library)
        if not opts.rest:
            from cagette.launcher import run_app

            return run_app(ctx)
        parser = build_parser()
        ns = parser.parse_args(opts.rest)
        if ns.command is None:
            parser.print_help()
            return 0
        handler = getattr(ns, "handler", None)
        if handler is None:
            ns.parser_for_help.print_help()
            return 2
        result = handler(ns, ctx)
        return int(result or 0)
    except CagetteError as exc:
        _print_error(exc, debug)
        return exc.exit_code
    except KeyboardInterrupt:
        # a second Ctrl-C (or a signal that lands while the interpreter winds down) must not turn the
        # clean exit into a death by signal: what was half-made is already gone, the code says so
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if debug:
            traceback.print_exc()
        return _interrupted()
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - the last guard: a readable line, trace with --debug
        system = missing_system_library(exc)
        if system is not None:
            _print_error(system, debug)
            return system.exit_code
        if debug:
            traceback.print_exc()
        else:
            print(_("Unexpected error: {error!r}").format(error=exc) + " "
                  + _("Hint: {hint}").format(hint=_("run again with --debug and report the traceback.")),
                  file=sys.stderr)
        return 1


INTERRUPTED = 130


def _interrupted() -> int:
    print(_("Interrupted: nothing half-written was kept."), file=sys.stderr)
    return INTERRUPTED


def run() -> NoReturn:
    """The ``cagette`` program: :func:`main`, and its exit status as the process's, 130 when interrupted.

    An interrupted run ends with ``os._exit`` once the exit handlers have run and the streams are
    flushed: CPython marks a process as killed by SIGINT when a Ctrl-C lands inside any ``exec`` of a
    string (every ``@dataclass`` a lazy import defines runs one), however cleanly the interrupt was then
    handled; its status would be a death by signal instead of 130."""
    try:
        code = main()
    except KeyboardInterrupt:  # landed before main's own guard, or in its last lines
        code = _interrupted()
    if code == INTERRUPTED:
        import atexit

        signal.signal(signal.SIGINT, signal.SIG_IGN)
        atexit._run_exitfuncs()  # what a normal exit runs: temporary folders, logging, child processes
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(INTERRUPTED)
    raise SystemExit(code)


if __name__ == "__main__":
    run()
