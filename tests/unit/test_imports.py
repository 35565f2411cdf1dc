"""Start-up stays light and the core never imports the front end."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("cv2", "moviepy", "cadquery", "OCP", "textual", "numpy", "av")
FRONT_ENDS = ("textual", "cagette_tui", "rich_pixels", "textual_image", "textual_serve")
# Front-end floor modules inside src/cagette: allowed to reach the app.
FRONT_END_FILES = {"cli.py", "launcher.py", "__main__.py"}


def _modules_after(code: str) -> set[str]:
    probe = code + "\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return set(json.loads(out.strip().splitlines()[-1]))


def test_help_imports_nothing_heavy() -> None:
    loaded = _modules_after(
        "import contextlib, io\nfrom cagette.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n    main(['--help'])"
    )
    assert "cagette.cli" in loaded
    for name in HEAVY:
        assert name not in loaded, f"cagette --help imported {name}"


def test_subcommand_help_imports_nothing_heavy() -> None:
    from cagette.commands import MODULES

    for command in MODULES:
        loaded = _modules_after(
            "import contextlib, io\nfrom cagette.cli import main\n"
            f"with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()), "
            "contextlib.suppress(SystemExit):\n"
            f"    main(['{command}', '--help'])"
        )
        for name in HEAVY:
            assert name not in loaded, f"cagette {command} --help imported {name}"


def core_modules() -> list[str]:
    names = []
    for path in sorted((ROOT / "src" / "cagette").rglob("*.py")):
        rel = path.relative_to(ROOT / "src")
        if rel.parts[1] == "commands" or rel.name in FRONT_END_FILES:
            continue
        mod = ".".join(rel.with_suffix("").parts)
        names.append(mod.removesuffix(".__init__"))
    return names


def test_core_source_never_names_the_front_end() -> None:
    offenders = []
    for path in sorted((ROOT / "src" / "cagette").rglob("*.py")):
        rel = path.relative_to(ROOT / "src")
        if rel.parts[1] == "commands" or rel.name in FRONT_END_FILES:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if name.split(".")[0] in FRONT_ENDS:
                    offenders.append(f"{rel}: imports {name}")
    assert not offenders, offenders


@pytest.mark.slow
def test_core_modules_do_not_load_the_front_end() -> None:
    mods = core_modules()
    code = "import importlib\n" + "".join(f"importlib.import_module({m!r})\n" for m in mods)
    loaded = _modules_after(code)
    assert set(mods) <= loaded
    for name in FRONT_ENDS:
        assert name not in loaded, f"a core module imported {name}"
