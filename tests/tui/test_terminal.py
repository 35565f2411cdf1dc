"""The installed ``cagette`` in a real terminal (tmux on a private socket, RECIPES §7): the guided flow from the
home screen to a published video at 80 × 24, and a kill in the middle of typing that loses at most the key
being typed (120 × 40)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from cagette.flows import appstate
from cagette.video import synth
from tests.tui.fixtures import make_project

CAGETTE = Path(sys.executable).with_name("cagette")


class Terminal:
    """One tmux server of our own running the app in a pane of a given size."""

    def __init__(self, name: str, size: tuple[int, int], home: Path) -> None:
        self.tmux = ["tmux", "-L", f"cagette-test-{os.getpid()}-{name}"]
        self.size = size
        self.env = {**os.environ, "CAGETTE_HOME": str(home), "CAGETTE_LANG": "en", "COLORTERM": "truecolor",
                    "CAGETTE_PICTURES": "halfblocks"}
        self.env.pop("TMUX", None)

    def run(self, *args: str) -> str:
        return subprocess.run([*self.tmux, *args], env=self.env, capture_output=True, text=True, check=True).stdout

    def start(self, *command: str) -> None:
        width, height = self.size
        shell = "exec " + " ".join(str(c) for c in command)  # the pane's process is the app itself
        self.run("new-session", "-d", "-s", "app", "-x", str(width), "-y", str(height),
                 "-e", f"CAGETTE_HOME={self.env['CAGETTE_HOME']}", "-e", "CAGETTE_LANG=en",
                 "-e", "CAGETTE_PICTURES=halfblocks", shell)

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "app")

    def wait(self, text: str, timeout: float = 120) -> str:
        deadline = time.monotonic() + timeout
        while True:
            shown = self.screen()
            if text in shown:
                return shown
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never appeared; the screen shows:\n{shown}")
            time.sleep(0.1)

    def wait_focus(self, label: str, timeout: float = 120) -> None:
        """Wait until the field under *label* is drawn focused (a double frame): keys typed then reach it."""
        deadline = time.monotonic() + timeout
        while True:
            lines = self.screen().splitlines()
            at = [i for i, line in enumerate(lines) if label in line]
            if at and at[0] + 1 < len(lines) and "╔" in lines[at[0] + 1]:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"the field under {label!r} never took the focus:\n" + "\n".join(lines))
            time.sleep(0.1)

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", "app", *keys)

    def type(self, text: str) -> None:
        self.run("send-keys", "-t", "app", "-l", text)

    def pid(self) -> int:
        return int(self.run("display-message", "-p", "-t", "app", "#{pane_pid}").strip())

    def close(self) -> None:
        subprocess.run([*self.tmux, "kill-server"], env=self.env, capture_output=True)


@pytest.fixture
def terminal(request: pytest.FixtureRequest, isolated_home: Path) -> Iterator[Terminal]:
    assert shutil.which("tmux"), "tmux is needed (scripts/system-deps.sh installs it)"
    term = Terminal(request.node.name[:20], request.param, isolated_home)
    try:
        yield term
    finally:
        term.close()


@pytest.mark.slow
@pytest.mark.parametrize("terminal", [(80, 24)], indirect=True)
def test_the_guided_flow_in_a_real_terminal(terminal: Terminal, tmp_path: Path, isolated_home: Path) -> None:
    photo = synth.frame_image(tmp_path / "shots" / "desk.png", 3, (320, 180))
    terminal.start(CAGETTE)
    terminal.wait("Welcome to the")
    terminal.keys("1")
    terminal.wait("Title of the video")
    terminal.wait_focus("Title of the video")
    terminal.type("Desk")
    terminal.keys("Enter")
    terminal.wait("Step 2 of 7")
    terminal.wait_focus("Script of Scene 1")
    terminal.type("Welcome to the desk.")
    terminal.wait("Welcome to the desk.")
    terminal.keys("C-n")
    terminal.wait("Step 3 of 7")
    terminal.keys("i")
    terminal.wait("Import a clip or a photo")
    terminal.type(str(photo))
    terminal.keys("Enter")
    terminal.wait("1 shot ✓")
    terminal.keys("C-n", "C-n", "C-n")
    terminal.wait("Step 6 of 7")
    terminal.wait("finds 0 errors")  # a warning stays: the scene has no voice-over
    terminal.wait_focus("How the video will be used:")
    terminal.keys("Down", "Down", "Down", "Enter")  # the draft (the last preset): quick
    terminal.wait("▐●▌ draft")
    terminal.keys("g")
    terminal.wait("Last render:", timeout=300)
    terminal.keys("C-n")
    terminal.wait("Step 7 of 7")
    terminal.keys("C-p")
    terminal.wait("Publish to the library?")
    terminal.keys("y")
    terminal.wait("Published in the library as", timeout=120)
    root = isolated_home / "projects" / "desk"
    data = tomllib.loads((root / "project.toml").read_text(encoding="utf-8"))
    assert data["scenes"][0]["script"] == "Welcome to the desk." and data["export"]["preset"] == "draft"
    listed = subprocess.run([str(CAGETTE), "library", "list", "--json"], capture_output=True, text=True, check=True,
                            env={**os.environ, "CAGETTE_HOME": str(isolated_home)}).stdout
    found = [r for r in json.loads(listed) if r["kind"] == "video"]
    assert [r["title"] for r in found] == ["Desk"]
    # the guide heard of it (its own line, not only the notice), and forgets the finished flow
    terminal.wait("Well done!", timeout=120)
    for _i in range(600):
        if appstate.load().guided == "":
            break
        time.sleep(0.1)
    assert appstate.load().guided == ""


@pytest.mark.slow
@pytest.mark.parametrize("terminal", [(120, 40)], indirect=True)
def test_a_kill_while_typing_loses_at_most_the_key_being_typed(terminal: Terminal, tmp_path: Path) -> None:
    root = tmp_path / "demo"
    make_project(root, "Town hall")
    appstate.update(lambda s: s.with_recent(root, "Town hall"))
    terminal.start(CAGETTE)
    terminal.wait("Town hall — demo")
    terminal.keys("r", "Enter")
    terminal.wait("Scene 1: Welcome")
    terminal.keys("Tab", "Tab")  # the title, then the script
    terminal.wait_focus("Script: what the voice says")  # Textual moves the focus between key events
    typed = "Bonjour et bienvenue "
    for char in typed:  # as a person types, without waiting for the screen
        terminal.type(char)
    terminal.wait("Bonjour")
    shown = terminal.screen()
    pid = terminal.pid()
    os.kill(pid, signal.SIGKILL)
    seen = max(n for n in range(len(typed) + 1) if typed[:n] in shown)
    script = tomllib.loads((root / "project.toml").read_text(encoding="utf-8"))["scenes"][0]["script"]
    assert script.endswith("Hello and welcome to the town hall.")
    saved = script.removesuffix("Hello and welcome to the town hall.")
    assert typed.startswith(saved), saved  # what is saved is what was typed, in order
    assert len(saved) >= seen - 1  # at most the key being typed is lost: everything else shown was on disk
    assert len(saved) >= len("Bonjour")
