"""The floors of DESIGN.md where import-linter cannot look.

``lint-imports`` (run by ``make test``) checks the contracts in ``pyproject.toml``
over ``src/cagette`` and ``tui/``. It cannot see:

* an import made by name at run time (``importlib.import_module("cagette.x")``,
  ``__import__``): below the front ends there is none of our own packages;
* the shipped content outside ``src/`` — the starter's builder (``library/``,
  the ``cagette.starter`` package) may import floors 1–2 and itself only; the
  firmware (``firmware/``) and the presets (``hardware/presets``) nothing of ours.

And the contracts themselves are proven to bite: a copy of the code with one
forbidden import added fails ``lint-imports``, naming it.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "cagette"
OURS = ("cagette", "cagette_tui")
FRONT_END_FILES = {"cli.py", "launcher.py", "__main__.py"}
FLOORS_1_2 = ("errors", "locations", "settings", "progress", "i18n", "fsutil", "documents", "plans", "video", "library")
DYNAMIC = {"import_module", "__import__", "exec_module", "load_module"}


def _py_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def imports_of(path: Path, package: str = "") -> list[tuple[int, str]]:
    """Every module *path* imports (at any depth of the file), with relative imports made absolute."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            out.append((node.lineno, module))
    return out


def dynamic_imports(path: Path) -> list[str]:
    """Calls that import by name: flagged when the name is ours, or not a literal (nobody can tell)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if name not in DYNAMIC:
            continue
        arg = node.args[0] if node.args else None
        literal = arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None
        if name in ("exec_module", "load_module") or literal is None or literal.split(".")[0] in OURS:
            where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
            found.append(f"{where}:{node.lineno}: {name}({literal or '…'})")
    return found


def _below_front_ends() -> list[Path]:
    return [p for p in _py_files(SRC)
            if p.relative_to(SRC).parts[0] != "commands" and p.name not in FRONT_END_FILES]


def test_the_scan_sees_a_dynamic_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import importlib\nimportlib.import_module('cagette.starter')\n"
                      "__import__(name)\nimportlib.import_module('json')\n", encoding="utf-8")
    found = dynamic_imports(sample)
    assert len(found) == 2 and "cagette.starter" in found[0] and "…" in found[1]


def test_no_code_below_the_front_ends_imports_our_packages_by_name() -> None:
    found = [hit for path in _below_front_ends() for hit in dynamic_imports(path)]
    assert found == [], "import these normally, so the contracts see them: " + "; ".join(found)


def _ours(module: str) -> bool:
    return module.split(".")[0] in OURS


def test_the_starters_builder_imports_floors_1_and_2_and_itself_only() -> None:
    allowed = (*(f"cagette.{m}" for m in FLOORS_1_2), "cagette.starter")
    bad = []
    for path in _py_files(ROOT / "library"):
        for line, module in imports_of(path, "cagette.starter"):
            if _ours(module) and not any(module == a or module.startswith(a + ".") for a in allowed):
                bad.append(f"library/{path.relative_to(ROOT / 'library')}:{line} imports {module}")
        bad += dynamic_imports(path)
    assert bad == []


@pytest.mark.parametrize("folder", ["firmware", "hardware/presets"])
def test_the_firmware_and_the_presets_import_nothing_of_ours(folder: str) -> None:
    bad = [f"{path.relative_to(ROOT)}:{line} imports {module}"
           for path in _py_files(ROOT / folder) for line, module in imports_of(path) if _ours(module)]
    bad += [hit for path in _py_files(ROOT / folder) for hit in dynamic_imports(path)]
    assert bad == []


def test_the_shipped_content_scan_sees_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "builder.py"
    sample.write_text("def f():\n    from cagette.sync import plan\n    from .sample import TEXTS\n", encoding="utf-8")
    assert [m for _line, m in imports_of(sample, "cagette.starter")] == ["cagette.sync", "cagette.starter.sample"]


# --- the contracts bite ---------------------------------------------------------------------

def _copy_for_lint(tmp: Path) -> Path:
    """``src/cagette`` and ``tui/`` (as ``cagette_tui``) copied, with the import-linter configuration."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "locale", "fonts")
    shutil.copytree(SRC, tmp / "cagette", ignore=ignore)
    shutil.copytree(ROOT / "tui", tmp / "cagette_tui", ignore=ignore)
    import tomli_w

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    (tmp / "pyproject.toml").write_text(tomli_w.dumps({"tool": {"importlinter": config}}), encoding="utf-8")
    return tmp


def _lint(copy: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(copy), os.environ.get("PYTHONPATH", "")])}
    exe = Path(sys.executable).with_name("lint-imports")
    return subprocess.run([str(exe), "--no-logo", "--no-cache", "--config", str(copy / "pyproject.toml")],
                          cwd=copy, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_lint_imports_fails_on_a_forbidden_import_and_names_it(tmp_path: Path) -> None:
    copy = _copy_for_lint(tmp_path / "code")
    probe = subprocess.run([sys.executable, "-c", "import cagette, cagette_tui; print(cagette.__file__); "
                            "print(cagette_tui.__file__)"], cwd=copy, capture_output=True, text=True,
                           env={**os.environ, "PYTHONPATH": str(copy)}, check=True)
    assert probe.stdout.split() == [str(copy / "cagette" / "__init__.py"), str(copy / "cagette_tui" / "__init__.py")]
    clean = _lint(copy)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    params = copy / "cagette" / "plans" / "params.py"
    params.write_text(params.read_text(encoding="utf-8") + "\nimport cagette.video  # a pillar importing a pillar\n",
                      encoding="utf-8")
    broken = _lint(copy)
    assert broken.returncode != 0
    assert "BROKEN" in broken.stdout and "cagette.plans.params -> cagette.video" in broken.stdout
