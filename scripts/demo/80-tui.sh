#!/usr/bin/env bash
# Demo step: open the app headless in French and English and keep a picture of its home screen
# (out/tui/home-fr.svg, out/tui/home-en.svg); `cagette` alone opens it in a terminal, `cagette web` in a browser.
set -euo pipefail
mkdir -p out/tui
"$PY" - <<'PY'
import asyncio
from pathlib import Path

from cagette_tui.app import CagetteApp


async def shot(lang: str) -> None:
    app = CagetteApp(lang=lang)
    async with app.run_test(size=(110, 32)) as pilot:
        await pilot.pause()
        assert type(app.screen).__name__ == "HomeScreen"
        app.save_screenshot(f"home-{lang}.svg", path="out/tui")
    print(f"out/tui/home-{lang}.svg")


for lang in ("fr", "en"):
    asyncio.run(shot(lang))
PY
