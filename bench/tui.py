"""Time to the app's first screen, against a bare Textual app in the same run.

Each app runs in a private tmux server (RECIPES §7) in a 120×40 pane; the clock
runs from the spawn until the pane shows the screen's text. The reference is a
minimal Textual app showing one line. Without tmux, both run headless
(``App.run(headless=True)``) and exit at their first screen.

Target: the first screen in ≤ 1.5 s.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REFERENCE = textwrap.dedent(
    """
    from textual.app import App
    from textual.widgets import Static

    class Bare(App):
        def compose(self):
            yield Static("BARE-READY")
        def on_mount(self):
            if HEADLESS:
                self.call_after_refresh(self.exit)

    Bare().run(headless=HEADLESS)
    """
)

CAGETTE = textwrap.dedent(
    """
    from cagette_tui.app import CagetteApp

    class Timed(CagetteApp):
        def after_home(self):
            if HEADLESS:
                self.set_interval(0.01, self._check)
        def _check(self):
            if type(self.screen).__name__ == "HomeScreen":
                self.exit()

    Timed(lang="fr").run(headless=HEADLESS)
    """
)


_RUN = 0


def _tmux_time(script: Path, marker: str, env: dict[str, str]) -> float:
    global _RUN
    _RUN += 1
    sock = f"cagette-bench-{os.getpid()}-{_RUN}"
    tmux = ["tmux", "-L", sock]
    start = time.perf_counter()
    subprocess.run([*tmux, "new-session", "-d", "-s", "b", "-x", "120", "-y", "40",
                    "-e", "COLORTERM=truecolor", "-e", f"CAGETTE_HOME={env['CAGETTE_HOME']}",
                    f"{sys.executable} {script}"], check=True, env=env)
    try:
        deadline = start + 30
        while time.perf_counter() < deadline:
            pane = subprocess.run([*tmux, "capture-pane", "-p", "-t", "b"], capture_output=True, text=True).stdout
            if marker in pane:
                return time.perf_counter() - start
            time.sleep(0.02)
        raise RuntimeError(f"{marker!r} never appeared")
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)


def _headless_time(script: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, str(script)], check=True, env=env, capture_output=True, timeout=60)
    return time.perf_counter() - start


def main(runs: int = 7) -> None:
    use_tmux = shutil.which("tmux") is not None and "--headless" not in sys.argv
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, CAGETTE_HOME=str(Path(tmp) / "home"))
        ref = Path(tmp) / "bare.py"
        app = Path(tmp) / "cagette_app.py"
        ref.write_text(f"HEADLESS = {not use_tmux}\n" + REFERENCE)
        app.write_text(f"HEADLESS = {not use_tmux}\n" + CAGETTE)
        ref_times, app_times = [], []
        for _ in range(runs):
            if use_tmux:
                ref_times.append(_tmux_time(ref, "BARE-READY", env))
                app_times.append(_tmux_time(app, "Bienvenue", env))
            else:
                ref_times.append(_headless_time(ref, env))
                app_times.append(_headless_time(app, env))
    how = "tmux 120x40" if use_tmux else "headless"
    r, a = statistics.median(ref_times), statistics.median(app_times)
    print(f"first screen ({how}, median of {runs})")
    print(f"bare Textual app     {r * 1000:7.0f} ms (reference)")
    print(f"cagette home screen  {a * 1000:7.0f} ms  ratio {a / r:5.2f}x  target <= 1500 ms: "
          f"{'ok' if a <= 1.5 else 'MISSED'}")


if __name__ == "__main__":
    main()
