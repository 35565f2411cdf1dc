"""Command-line conventions: help in two languages, documented, clear errors."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from cagette import i18n
from cagette.cli import build_parser, split_global_options
from cagette.errors import UsageError
from tests.conftest import ROOT, run_cli


def walk(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], argparse.ArgumentParser]:
    """Every command path (('plans', 'build'), ...) and its parser."""
    found = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help for a in action._choices_actions}
            for name, sub in action.choices.items():
                sub._cagette_help = helps.get(name)  # type: ignore[attr-defined]
                found[(*prefix, name)] = sub
                found.update(walk(sub, (*prefix, name)))
    return found


def help_texts(lang: str) -> dict[tuple[str, ...], tuple[str, list[str]]]:
    i18n.set_language(lang)
    try:
        commands = walk(build_parser())
        out = {}
        for path, parser in commands.items():
            options = [a.help or "" for a in parser._actions if a.help != argparse.SUPPRESS]
            out[path] = (parser._cagette_help or "", options)  # type: ignore[attr-defined]
        return out
    finally:
        i18n.set_language(None)


def test_every_command_has_help_in_both_languages() -> None:
    en, fr = help_texts("en"), help_texts("fr")
    assert en.keys() == fr.keys()
    assert ("doctor",) in en and ("web",) in en
    for path in en:
        en_help, en_opts = en[path]
        fr_help, fr_opts = fr[path]
        assert en_help, f"cagette {' '.join(path)} has no help text"
        assert fr_help and fr_help != en_help, f"cagette {' '.join(path)}: French help missing or equal to English"
        for e, f in zip(en_opts, fr_opts, strict=True):
            assert e and f, f"cagette {' '.join(path)}: an option has no help"
            if any(c.isalpha() for c in e) and len(e) > 12:
                assert e != f, f"cagette {' '.join(path)}: option help untranslated: {e!r}"


def test_catalogues_are_complete() -> None:
    from cagette.i18n_extract import check

    assert check() == []


def test_every_command_is_in_both_readmes() -> None:
    commands = help_texts("en")
    leaves = [p for p in commands if not any(q[: len(p)] == p and q != p for q in commands)]
    for readme in ("README.md", "README.fr.md"):
        text = (ROOT / readme).read_text(encoding="utf-8")
        for path in leaves:
            assert f"cagette {' '.join(path)}" in text, f"{readme} does not mention cagette {' '.join(path)}"


def test_readme_starts_with_the_two_commands() -> None:
    for readme in ("README.md", "README.fr.md"):
        head = "\n".join((ROOT / readme).read_text(encoding="utf-8").splitlines()[:8])
        assert "make demo" in head and "make test" in head


@pytest.mark.parametrize("argv", [
    ["--lang", "en", "doctor", "--help"],
    ["doctor", "--help", "--lang", "en"],
    ["doctor", "--lang=en", "--help"],
])
def test_global_options_before_or_after(argv: list[str]) -> None:
    result = run_cli(*argv)
    assert result.returncode == 0
    assert "check what the work needs" in result.stdout


def test_french_is_the_default_without_locale() -> None:
    result = run_cli("--help", env={"CAGETTE_LANG": "", "LANG": "C", "LC_ALL": "", "LANGUAGE": "", "LC_MESSAGES": ""})
    assert result.returncode == 0
    assert "vérifier ce dont le travail a besoin" in result.stdout


def test_locale_picks_english() -> None:
    result = run_cli("--help", env={"CAGETTE_LANG": "", "LANG": "en_GB.UTF-8", "LC_ALL": ""})
    assert "check what the work needs" in result.stdout


def _one_line_error(result: object, needle: str) -> None:
    assert result.returncode == 2  # type: ignore[attr-defined]
    err = result.stderr.strip()  # type: ignore[attr-defined]
    assert len(err.splitlines()) == 1, err
    assert "Traceback" not in err
    assert needle in err
    assert "Hint:" in err or "Conseil :" in err


def test_unknown_lang_is_a_usage_error() -> None:
    _one_line_error(run_cli("--lang", "de", "doctor"), "'de'")


def test_unknown_lang_env_is_a_usage_error() -> None:
    _one_line_error(run_cli("doctor", env={"CAGETTE_LANG": "klingon"}), "klingon")


def test_unknown_command_is_a_usage_error() -> None:
    _one_line_error(run_cli("frobnicate"), "frobnicate")


def test_bad_settings_file_names_the_key(isolated_home: Path) -> None:
    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "settings.toml").write_text("[general]\ncolour = 'blue'\n", encoding="utf-8")
    _one_line_error(run_cli("doctor"), "colour")


def test_unparsable_settings_file(isolated_home: Path) -> None:
    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "settings.toml").write_text("[general\n", encoding="utf-8")
    _one_line_error(run_cli("doctor"), "settings.toml")


def test_debug_shows_the_traceback() -> None:
    result = run_cli("--debug", "--lang", "de", "doctor")
    assert result.returncode == 2
    assert "Traceback" in result.stderr


def test_no_arguments_without_terminal_does_not_hang() -> None:
    result = run_cli(timeout=30)
    assert result.returncode == 2
    assert "terminal" in result.stderr


def test_split_global_options_keeps_the_rest_in_order() -> None:
    opts = split_global_options(["plans", "--library", "/x", "build", "--debug", "--lang=fr", "--", "--lang"])
    assert opts.library == "/x" and opts.debug and opts.lang == "fr"
    assert opts.rest == ["plans", "build", "--", "--lang"]
    with pytest.raises(UsageError):
        split_global_options(["doctor", "--lang"])


def test_doctor_json_reports_checks() -> None:
    import json

    result = run_cli("doctor", "--json")
    data = json.loads(result.stdout)
    names = {c["name"] for c in data["checks"]}
    assert {"ffmpeg", "OCCT kernel", "OpenCV", "font", "free disk"} <= names
    assert result.returncode == (0 if data["ok"] else 1)
    ffmpeg = next(c for c in data["checks"] if c["name"] == "ffmpeg")
    assert ffmpeg["ok"], ffmpeg


# Options every command shares by convention: documented once, in the conventions of each README.
CONVENTIONS = ("--help", "--version", "--lang", "--library", "--debug", "--json", "--force", "--quiet")


def _spellings(action: argparse.Action) -> list[str]:
    """How a README may write an option: ``--x``; a ``--x``/``--no-x`` pair also as ``--[no-]x``."""
    longs = [o for o in action.option_strings if o.startswith("--")]
    if isinstance(action, argparse.BooleanOptionalAction):
        base = next(o for o in longs if not o.startswith("--no-"))
        return [base, "--no-" + base[2:], "--[no-]" + base[2:]]
    return longs


def _documented(text: str, path: tuple[str, ...]) -> str:
    """The README's bullets (with their continuation lines) that document ``cagette PATH``."""
    import re

    head = re.compile(r"cagette " + re.escape(" ".join(path)) + r"(?![\w-])")
    found, current = [], None
    for line in text.splitlines():
        bullet = re.match(r"^\s*[*-] ", line)
        if bullet or not line.strip():
            if current is not None:
                found.append("\n".join(current))
            current = [line] if bullet and head.search(line) else None
        elif current is not None:
            current.append(line)
    if current is not None:
        found.append("\n".join(current))
    return "\n".join(found)


def test_every_option_is_in_both_readmes() -> None:
    """Each long option of each command (read from the argparse parsers) is written in the README's entry for
    that command; the shared ones (--json, --force...) in the conventions."""
    leaves = {path: p for path, p in walk(build_parser()).items()
              if not any(isinstance(a, argparse._SubParsersAction) for a in p._actions)}
    assert len(leaves) > 40
    for readme in ("README.md", "README.fr.md"):
        text = (ROOT / readme).read_text(encoding="utf-8")
        missing = [o for o in CONVENTIONS if o not in text and o != "--help"]
        for path, parser in leaves.items():
            block = _documented(text, path)
            for action in parser._actions:
                if action.help == argparse.SUPPRESS or not any(o.startswith("--") for o in action.option_strings):
                    continue
                if not set(action.option_strings) & set(CONVENTIONS) and not any(s in block for s in _spellings(action)):
                    missing.append(f"cagette {' '.join(path)} {action.option_strings[-1]}")
        assert not missing, f"{readme} does not document: {missing}"


_CAUGHT_IN_EXEC = '''
import sys
import cagette.cli as cli

def interrupted_in_a_dataclass(argv=None):
    try:  # what a Ctrl-C does when it lands while a lazy import defines a @dataclass (an exec of a string)
        exec("raise KeyboardInterrupt")
    except KeyboardInterrupt:
        return cli.INTERRUPTED

cli.main = interrupted_in_a_dataclass
if sys.argv[1] == "plain":
    raise SystemExit(cli.main())
cli.run()
'''


def test_an_interrupt_handled_anywhere_exits_130_not_by_the_signal(tmp_path: Path) -> None:
    """CPython marks a ``python -m`` process as killed by SIGINT once a KeyboardInterrupt crossed an exec
    of a string, even when it was handled: the plain exit shows it, the program's own does not."""
    (tmp_path / "interrupted_main.py").write_text(_CAUGHT_IN_EXEC)
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    plain = subprocess.run([sys.executable, "-m", "interrupted_main", "plain"], cwd=tmp_path, env=env)
    ours = subprocess.run([sys.executable, "-m", "interrupted_main", "run"], cwd=tmp_path, env=env)
    assert plain.returncode == -signal.SIGINT  # the interpreter's quirk, still there
    assert ours.returncode == 130


def test_every_command_has_its_typed_namespace_as_the_parser_makes_it() -> None:
    """``cagette.commands.args`` is what the parser produces (regenerated and compared), and every
    handler reads its namespace through it: a new option, or a type changed, fails here until
    ``python -m cagette.commands.args_gen`` is run."""
    import inspect

    from cagette.commands import args, args_gen

    assert args_gen.TARGET.read_text(encoding="utf-8") == args_gen.render()
    leaves = list(args_gen._leaves(build_parser()))
    assert len(leaves) > 40
    for path, leaf in leaves:
        handler = leaf.get_default("handler")
        annotation = inspect.signature(handler).parameters["ns"].annotation
        assert annotation == args_gen.class_name(path) or (path[-1] == "redo" and annotation == "ProjectUndoArgs"), \
            (path, annotation)
        assert hasattr(args, str(annotation))
    fields = args.PlansBuildArgs.__annotations__
    assert fields["out"] == "Path" and fields["force"] == "bool" and fields["only"] == "str | None", fields
