"""Opening the app stays light: no cadquery, moviepy, cv2 on the first screen."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

HEAVY = ("cadquery", "OCP", "moviepy", "cv2", "numpy", "av")

PROBE = textwrap.dedent(
    """
    import asyncio, json, sys
    from cagette_tui.app import CagetteApp

    async def main():
        app = CagetteApp(lang="fr")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            name = type(app.screen).__name__
            text = str(app.screen.query_one("#welcome").render())
        print(json.dumps({"screen": name, "text": text, "modules": sorted(sys.modules)}))

    asyncio.run(main())
    """
)


def test_first_screen_imports_nothing_heavy(tmp_path: Path) -> None:
    env = dict(os.environ, CAGETTE_HOME=str(tmp_path / "home"))
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, timeout=120,
                         check=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    assert result["screen"] == "HomeScreen"
    assert "Bienvenue" in result["text"]
    loaded = set(result["modules"])
    assert "cagette_tui.screens.home" in loaded
    for name in HEAVY:
        assert name not in loaded, f"the first screen imported {name}"
