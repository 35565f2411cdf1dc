"""Developer tool: fill French entries from a Python file holding ``FR = {...}``.

``python -m cagette.i18n_fill translations.py`` sets ``msgstr`` for every
listed ``msgid`` found in the French catalogues, leaving the others alone.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from cagette.i18n import LOCALE_DIR, parse_po
from cagette.i18n_extract import _all_keys, write_po


def fill(table: dict[str, str], lang: str = "fr") -> int:
    count = 0
    for path in sorted((LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po")):
        current = parse_po(path.read_text(encoding="utf-8"))
        entries = {}
        for key in _all_keys(path):
            value = current.get(key, "")
            if key in table and table[key] != value:
                value = table[key]
                count += 1
            entries[key] = value if isinstance(value, str) else ""
        write_po(path, lang, entries)
    return count


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: python -m cagette.i18n_fill FILE.py", file=sys.stderr)
        raise SystemExit(2)
    table = runpy.run_path(str(Path(sys.argv[1])))["FR"]
    print(f"{fill(table)} entries filled")
