"""Regenerate the reference plans: ``python -m cagette.plans.reference [PRESET...]``.

Writes ``hardware/plans/<preset>/`` for every preset (or those named), as a
maker downloads them; ``tests/plans`` checks them against a fresh build.
"""

from __future__ import annotations

import sys
from pathlib import Path

from cagette.i18n import set_language
from cagette.plans.kit import write_reference
from cagette.plans.params import preset_names

REFERENCE_LANGUAGE = "fr"  # the reference kits are written in French, their users' language
ROOT = Path(__file__).resolve().parents[3] / "hardware" / "plans"


def main(argv: list[str]) -> int:
    set_language(REFERENCE_LANGUAGE)
    for name in argv or preset_names():
        files = write_reference(name, ROOT / name)
        print(f"{name}: {len(files)} files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
