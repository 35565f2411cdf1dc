"""``cagette web`` serves the app: headless Chromium sees the home screen and a key navigates."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import run_cli

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_http(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"cagette web exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} never answered")


@pytest.mark.slow
def test_web_serves_the_app_to_a_browser(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    port = free_port()
    env = dict(os.environ, CAGETTE_HOME=str(tmp_path / "home"), CAGETTE_LANG="en")
    proc = subprocess.Popen([sys.executable, "-m", "cagette", "web", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}/"
        _wait_http(url, proc)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1200, "height": 800})
                page.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())
                # xterm's DOM renderer: the screen's text is readable in .xterm-rows
                page.add_init_script("HTMLCanvasElement.prototype.getContext = function(){ return null; };")
                page.goto(url)
                page.wait_for_function(
                    "document.querySelector('.xterm-rows')?.innerText.includes('Welcome')", timeout=60_000)
                page.click(".xterm-screen")
                page.keyboard.press("F1")
                page.wait_for_function(
                    "document.querySelector('.xterm-rows')?.innerText.includes('Every action has a key')",
                    timeout=30_000)
                assert "Welcome to the" not in page.inner_text(".xterm-rows")
            finally:
                browser.close()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_web_refuses_a_port_in_use(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("web", "--port", str(port))
    assert result.returncode == 2
    assert "port" in result.stderr.lower()
    assert "Traceback" not in result.stderr
