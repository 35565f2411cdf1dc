"""Regenerate the reference plans: ``python -m cagette.plans.reference [PRESET...]``.

Writes ``hardware/plans/<preset>/`` for every preset (or those named), as a
maker downloads them; ``tests/plans`` checks them against a fresh build.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from cagette.i18n import set_language
from cagette.plans.kit import write_reference
from cagette.plans.params import preset_names

REFERENCE_LANGUAGE = "fr"  # the reference kits are written in French, their users' language
REPO = Path(__file__).resolve().parents[3]
ROOT = REPO / "hardware" / "plans"
FIRMWARE = REPO / "firmware"  # its wiring diagram goes into the guides


def main(argv: list[str]) -> int:
    set_language(REFERENCE_LANGUAGE)
    os.environ.pop("SOURCE_DATE_EPOCH", None)
    for name in argv or preset_names():
        shutil.rmtree(ROOT / name, ignore_errors=True)  # the folder is the repository's: rebuilt whole
        files = write_reference(name, ROOT / name, wiring=FIRMWARE)
        print(f"{name}: {len(files)} files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
