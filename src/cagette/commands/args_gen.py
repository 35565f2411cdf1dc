"""Developer tool: write :mod:`cagette.commands.args`, the typed namespace of every command.

``python -m cagette.commands.args_gen`` walks the command line's own parser and writes, for each
leaf command, a ``Protocol`` with one typed attribute per argument (``cagette plans build`` →
``PlansBuildArgs``), so that ``mypy --strict`` checks what every handler reads from its namespace.
The types come from the parser (its actions, ``type=``, ``nargs``, defaults), never by hand: a test
regenerates the file and compares (``tests/unit/test_cli.py``), as the key list of the app is.
"""

from __future__ import annotations

import argparse
import re
import sys
import typing
from pathlib import Path

from cagette.cli import build_parser

TARGET = Path(__file__).with_name("args.py")
SKIP = {"handler", "parser_for_help", "help", "version"}
GLOBAL = {"lang", "library", "debug", "command"}
HEADER = '''"""The typed namespace of every command: what each handler reads from the command line.

Written by ``python -m cagette.commands.args_gen`` from the parser itself; do not edit by hand.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol
'''


def _element(action: argparse.Action) -> str:
    kind = action.type
    if kind is None:
        return "str"
    if kind in (int, float, str):
        return str(getattr(kind, "__name__", "object"))
    if kind is Path:
        return "Path"
    hints = typing.get_type_hints(kind) if callable(kind) else {}
    back = hints.get("return")
    if back in (int, float, str):
        return str(getattr(back, "__name__", "object"))
    return "object"  # a parser of words and numbers: a handler narrows it


def _type(action: argparse.Action) -> str:
    if isinstance(action, (argparse._StoreTrueAction, argparse._StoreFalseAction)):
        return "bool"
    if isinstance(action, argparse.BooleanOptionalAction):
        return "bool" if isinstance(action.default, bool) else "bool | None"
    if isinstance(action, argparse._CountAction):
        return "int"
    if isinstance(action, argparse._StoreConstAction):
        const = type(action.const).__name__
        return const if action.default is not None else f"{const} | None"
    element = _element(action)
    if isinstance(action, (argparse._AppendAction, argparse._ExtendAction)):
        return f"list[{element}]" if action.default is not None else f"list[{element}] | None"
    if action.nargs in ("*", "+") or isinstance(action.nargs, int):
        return f"list[{element}]" if action.default is not None or action.nargs == "+" or not action.option_strings \
            else f"list[{element}] | None"
    positional = not action.option_strings
    if action.default is None and not (positional and action.nargs is None) and not action.required:
        return f"{element} | None"
    return element


def _leaves(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> typing.Iterator[
        tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every command that runs something, by its path (``("plans", "build")``), and its parser."""
    if path and parser.get_default("handler") is not None:
        yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            seen: set[int] = set()
            for name, child in action.choices.items():
                if id(child) not in seen:  # an alias names the same parser
                    seen.add(id(child))
                    yield from _leaves(child, (*path, name))


def class_name(path: tuple[str, ...]) -> str:
    return "".join(part.replace("-", " ").title().replace(" ", "") for part in path) + "Args"


def render() -> str:
    parser = build_parser()
    out = [HEADER]
    for path, leaf in sorted(_leaves(parser)):
        # the groups on the way set their own dest (``project_command``...): the handler may read it
        fields: dict[str, str] = {f"{group}_command": "str" for group in path[:-1]}
        for action in leaf._actions:
            if action.dest in SKIP or action.dest in GLOBAL or action.dest == argparse.SUPPRESS:
                continue
            if isinstance(action, (argparse._SubParsersAction, argparse._HelpAction, argparse._VersionAction)):
                continue
            fields[action.dest] = _type(action)
        out.append(f"\n\nclass {class_name(path)}(Protocol):  # cagette {' '.join(path)}")
        out += [f"    {dest}: {kind}" for dest, kind in fields.items()] or ["    pass"]
    return re.sub(r"\n{4,}", "\n\n\n", "\n".join(out)) + "\n"  # two blank lines between classes


def main(argv: list[str]) -> int:
    text = render()
    if argv == ["--check"]:
        return 0 if TARGET.read_text(encoding="utf-8") == text else 1
    TARGET.write_text(text, encoding="utf-8")
    print(f"{TARGET}: {text.count('(Protocol)')} commands")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
