"""``python -m cagette_tui [--lang fr|en] [--library PATH]`` (used by ``cagette web``)."""

from __future__ import annotations

import argparse

from cagette.i18n import current_language, set_language
from cagette_tui.app import CagetteApp


def main() -> int:
    parser = argparse.ArgumentParser(prog="cagette_tui")
    parser.add_argument("--lang", choices=["fr", "en"])
    parser.add_argument("--library")
    ns = parser.parse_args()
    set_language(ns.lang)
    app = CagetteApp(lang=current_language(), library=ns.library)
    app.run()
    return int(app.return_code or 0)


raise SystemExit(main())
