"""Every third-party package the shipped code imports is declared in pyproject.toml.

A package installed by hand in a developer's venv works there and fails on a fresh clone; this test
reads the imports of the shipped code (src/, tui/, library/) and maps each to its distribution.
"""

from __future__ import annotations

import ast
import importlib.metadata as md
import re
import sys
import tomllib

from tests.conftest import ROOT

# imported only through a declared package that requires it (cadquery brings OCP, boto3 botocore...)
THROUGH = {"OCP": "cadquery", "botocore": "boto3", "httpcore": "httpx", "rich": "textual", "yaml": "moviepy",
           "markdown_it": "textual", "multipart": "python-multipart", "tomli_w": "tomli-w"}


def _top_level_imports() -> set[str]:
    found: set[str] = set()
    for folder in ("src", "tui", "library"):
        for path in (ROOT / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    found.update(a.name.split(".")[0] for a in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    found.add(node.module.split(".")[0])
    return found


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_imported_package_is_declared() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {_norm(re.split(r"[<>=\[ ;!~]", d)[0]) for d in project["dependencies"]}
    distributions = md.packages_distributions()
    missing = []
    for module in sorted(_top_level_imports()):
        if module in sys.stdlib_module_names or module.startswith(("cagette", "_")) or module == "machine":
            continue  # ours, or the firmware's board module
        if module in THROUGH:
            assert _norm(THROUGH[module]) in declared, f"{module} comes through {THROUGH[module]}, not declared"
            continue
        dists = {_norm(d) for d in distributions.get(module, [])}
        if not dists & declared:
            missing.append(f"{module} ({', '.join(sorted(dists)) or 'not installed'})")
    assert not missing, "imported by the shipped code but not in pyproject.toml's dependencies: " + "; ".join(missing)
