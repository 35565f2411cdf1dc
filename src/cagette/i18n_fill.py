"""Developer tool: fill French entries from a Python file holding ``FR = {...}``.

``python -m cagette.i18n_fill translations.py`` sets ``msgstr`` for every
listed ``msgid`` found in the French catalogues, leaving the others alone
(read and written by Babel, as :mod:`cagette.i18n_extract` does).
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from cagette.i18n import LOCALE_DIR, key_of
from cagette.i18n_extract import add, load, save


def fill(table: dict[str, str | list[str]], lang: str = "fr") -> int:
    """Set the listed entries (a plural one: key ``"singular\0plural"``, value the list of forms)."""
    count = 0
    for path in sorted((LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po")):
        catalogue = load(path, lang)
        changed = False
        for m in list(catalogue):
            key = key_of(m)
            if not m.id or key not in table:
                continue
            value = table[key]
            current = list(m.string) if isinstance(m.string, (list, tuple)) else m.string
            if value != current:
                add(catalogue, key, value)
                catalogue[m.id].flags.discard("fuzzy")
                count += 1
                changed = True
        if changed:
            save(path, catalogue)
    return count


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: python -m cagette.i18n_fill FILE.py", file=sys.stderr)
        raise SystemExit(2)
    table = runpy.run_path(str(Path(sys.argv[1])))["FR"]
    print(f"{fill(table)} entries filled")
