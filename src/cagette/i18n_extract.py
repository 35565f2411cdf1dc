"""Developer tool: find every translatable text and keep the catalogues whole.

``python -m cagette.i18n_extract update`` adds each new ``_("...")`` /
``N_("...")`` text of ``src/``, ``tui/`` and ``library/`` (the starter package) to its area's catalogue (French
entries empty, to translate; English entries equal to the source) and
``check`` lists what is untranslated (the tests run it too).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from cagette.i18n import LANGUAGES, LOCALE_DIR, parse_po

ROOT = Path(__file__).resolve().parents[2]
AREAS = ("plans", "capture", "video", "library", "sync", "device", "tui", "starter")

# argparse's own words, routed through our catalogue by the CLI.
ARGPARSE = [
    "usage: ", "positional arguments", "options", "show this help message and exit",
    "the following arguments are required: %s", "unrecognized arguments: %s",
    "invalid choice: %(value)r (choose from %(choices)s)", "expected one argument",
    "argument %(argument_name)s: %(message)s", "invalid %(type)s value: %(value)r",
    "not allowed with argument %s", "ambiguous option: %(option)s could match %(matches)s",
    "expected at least one argument", "expected at most one argument", "%(prog)s: error: %(message)s\n",
    "one of the arguments %s is required", "ignored explicit argument %r",
]


def area_of(path: Path) -> str:
    parts = path.relative_to(ROOT).parts
    if parts[0] == "tui":
        return "tui"
    if parts[0] == "library":
        return "starter"
    name = parts[-1].removesuffix(".py")
    if len(parts) > 3 and parts[2] in AREAS:
        return parts[2]
    if len(parts) > 3 and parts[2] == "commands" and name in AREAS:
        return name
    if name in ("render", "project"):
        return "video"
    if name == "serve":
        return "sync"
    return "cagette"


def sources() -> list[Path]:
    files = (sorted((ROOT / "src" / "cagette").rglob("*.py")) + sorted((ROOT / "tui").rglob("*.py"))
             + sorted((ROOT / "library").rglob("*.py")))
    return [f for f in files if "__pycache__" not in f.parts]


def extract() -> dict[str, list[str]]:
    """Area -> ordered translatable texts found in the code."""
    found: dict[str, list[str]] = {"cagette": list(ARGPARSE)}
    seen: set[str] = set(ARGPARSE)
    for path in sources():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "N_")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                text = node.args[0].value
                if text and text not in seen:
                    seen.add(text)
                    found.setdefault(area_of(path), []).append(text)
    return found


def _quote(text: str) -> str:
    body = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")
    return f'"{body}"'


def write_po(path: Path, lang: str, entries: dict[str, str]) -> None:
    lines = [
        f"# cagette — {path.stem} ({lang}): translations of the user interface.",
        'msgid ""',
        'msgstr ""',
        '"Content-Type: text/plain; charset=UTF-8\\n"',
        f'"Language: {lang}\\n"',
        "",
    ]
    for key, value in entries.items():
        lines += [f"msgid {_quote(key)}", f"msgstr {_quote(value)}", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")


def update() -> int:
    """Add missing texts to each area's catalogue; returns how many were added."""
    added = 0
    for area, texts in extract().items():
        for lang in LANGUAGES:
            path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{area}.po"
            existing = {k: v for k, v in parse_po(path.read_text(encoding="utf-8")).items()
                        if isinstance(v, str)} if path.exists() else {}
            raw_keys = _all_keys(path)
            entries = {k: existing.get(k, "") for k in raw_keys}
            for text in texts:
                if text not in entries:
                    entries[text] = text if lang == "en" else ""
                    added += 1
                elif lang == "en" and not entries[text]:
                    entries[text] = text
            write_po(path, lang, entries)
    return added


def _all_keys(path: Path) -> list[str]:
    """Every msgid of a .po file, translated or not, in file order."""
    if not path.exists():
        return []
    keys = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("msgid ") and line != 'msgid ""':
            keys.append(ast.literal_eval(line[6:]))
    return keys


def check() -> list[str]:
    """Problems: texts missing from a catalogue, or left untranslated."""
    problems = []
    catalogues = {lang: {} for lang in LANGUAGES}  # type: dict[str, dict[str, object]]
    for lang in LANGUAGES:
        for path in sorted((LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po")):
            catalogues[lang].update(parse_po(path.read_text(encoding="utf-8")))
            for key in _all_keys(path):
                if key not in catalogues[lang]:
                    problems.append(f"{lang}: untranslated in {path.name}: {key!r}")
    for texts in extract().values():
        for text in texts:
            for lang in LANGUAGES:
                if text not in catalogues[lang]:
                    problems.append(f"{lang}: missing from the catalogues: {text!r}")
    return problems


if __name__ == "__main__":
    if sys.argv[1:] == ["update"]:
        print(f"{update()} entries added; translate the empty French ones.")
        problems = check()
    elif sys.argv[1:] == ["check"]:
        problems = check()
    else:
        print("usage: python -m cagette.i18n_extract update|check", file=sys.stderr)
        raise SystemExit(2)
    for problem in problems:
        print(problem)
    raise SystemExit(1 if problems else 0)
