"""The app for a newcomer, in two figures: keystrokes from home to a published video, and the first screen's time.

1. **Keystrokes**: the guided flow driven headless (Textual's Pilot) as a person would, from the home
   screen to a video published in the library: a new project, a typed script, an imported clip, the
   render (the default preset, not the draft), the publish form and its confirmation. Every key is
   counted except the characters of typed text and file paths; a key that changes nothing on screen
   (a dead end) is counted and named. Target: ≤ 30 keystrokes, no dead end.
2. **First screen**: each app runs in a private tmux server (RECIPES §7) in a 120×40 pane; the clock
   runs from the spawn until the pane shows the screen's text. The reference is a minimal Textual
   app showing one line. Without tmux, both run headless (``App.run(headless=True)``) and exit at
   their first screen. Target: ≤ 1.5 s.

``python bench/tui.py [--keys-only | --start-only] [--headless]``
"""

from __future__ import annotations

import json
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


KEYS_SCRIPT = textwrap.dedent(
    """
    import asyncio, json, sys, time
    from pathlib import Path

    from cagette.video import synth
    from cagette_tui.app import CagetteApp

    WORK = Path(sys.argv[1])
    CLIP = synth.clip(WORK / "clips" / "desk.mp4", 2.0, (320, 180), 25, number=1)
    keys, dead = [], []

    def picture(app):
        return app.screen, app.screen.focused, str(app.export_screenshot(simplify=True))

    async def wait(pilot, condition, what, timeout=900):
        deadline = time.monotonic() + timeout
        while not condition():
            if pilot.app.errors_shown:
                raise SystemExit(f"error while waiting for {what}: {pilot.app.errors_shown}")
            if time.monotonic() > deadline:
                raise SystemExit(f"timed out waiting for {what} on {type(pilot.app.screen).__name__} "
                                 f"after the keys {' '.join(keys)}")
            await pilot.pause(0.05)

    async def press(pilot, key):
        before = picture(pilot.app)
        await pilot.press(key)
        await pilot.pause()
        keys.append(key)
        if picture(pilot.app) == before:
            dead.append(key)

    async def type_text(pilot, text):  # typed text and paths: not counted
        await pilot.press(*text)

    async def main():
        app = CagetteApp(lang="en")
        async with app.run_test(size=(120, 40)) as pilot:
            await wait(pilot, lambda: type(app.screen).__name__ == "HomeScreen", "home")
            await press(pilot, "1")                                   # New video
            await wait(pilot, lambda: app.screen.query("#title"), "the template step")
            await type_text(pilot, "One-stop desk")
            await press(pilot, "enter")                               # create (a blank project)
            guided = app.screen
            await wait(pilot, lambda: guided.step == 1 and guided.focused.id == "script", "the script step")
            await type_text(pilot, "Welcome to the one-stop desk.")
            await press(pilot, "ctrl+n")                              # shoot
            await wait(pilot, lambda: guided.step == 2 and guided.query("#scenes"), "the shoot step")
            await press(pilot, "i")                                   # import a clip
            await wait(pilot, lambda: app.screen.query("#path"), "the file dialog")
            await type_text(pilot, str(CLIP))
            await press(pilot, "enter")
            root = guided.project.root
            await wait(pilot, lambda: any(s.shots for s in guided.project.data.scenes) and app.screen is guided,
                       "the clip imported")
            for _ in range(3):                                        # voice-over and captions skipped
                await press(pilot, "ctrl+n")
            await wait(pilot, lambda: guided.step == 5 and guided.query("#presets"), "the render step")
            await press(pilot, "g")                                   # render, with the default preset
            panel = guided.query_one("#panel")
            await wait(pilot, lambda: panel.output is not None, "the render")
            await press(pilot, "ctrl+n")                              # publish
            await wait(pilot, lambda: guided.step == 6 and guided.query("#pub-title"), "the publish form")
            await press(pilot, "ctrl+p")                              # the form as it is
            await wait(pilot, lambda: type(app.screen).__name__ == "ConfirmDialog" and app.screen.query("Button"),
                       "the confirmation")
            await pilot.pause()  # the dialog drawn, as a person sees it before answering
            await press(pilot, "y")
            await wait(pilot, lambda: guided.published, "the video published")
            print(json.dumps({"keys": keys, "dead": dead, "published": guided.published,
                              "preset": panel.output.parent.name, "project": str(root)}))

    asyncio.run(main())
    """
)


def keystrokes() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, CAGETTE_HOME=str(Path(tmp) / "home"), CAGETTE_LANG="en")
        script = Path(tmp) / "keys.py"
        script.write_text(KEYS_SCRIPT)
        out = subprocess.run([sys.executable, str(script), tmp], env=env, capture_output=True, text=True,
                             timeout=1800)
        if out.returncode != 0:
            raise SystemExit(f"the guided flow did not reach a published video:\n{out.stderr[-2000:]}{out.stdout}")
        result = json.loads(out.stdout.strip().splitlines()[-1])
    count, dead = len(result["keys"]), result["dead"]
    print("keystrokes from home to a published video (guided flow, a typed script, an imported clip)")
    print(f"  {count} keystrokes, {len(dead)} dead ends  target <= 30, none: "
          f"{'ok' if count <= 30 and not dead else 'MISSED'}")
    print(f"  keys: {' '.join(result['keys'])}")
    if dead:
        print(f"  dead ends: {' '.join(dead)}")
    print(f"  rendered with {result['preset']}, published as {result['published']}")


def main(runs: int = 7) -> None:
    if "--start-only" not in sys.argv:
        keystrokes()
    if "--keys-only" in sys.argv:
        return
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
