"""The phone upload page in headless Chromium (Pixel 7), and its guards."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from cagette.capture.phone import PhoneServer, sniff
from tests.capture.conftest import free_port, make_clip

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]
CAP = 2 * 1024 * 1024


@pytest.fixture
def server(project) -> Iterator[PhoneServer]:  # type: ignore[no-untyped-def]
    srv = PhoneServer(project, "127.0.0.1", free_port(), max_bytes=CAP).start()
    yield srv
    srv.stop()


def leftovers(project) -> list[Path]:  # type: ignore[no-untyped-def]
    up = project.root / ".cagette" / "uploads"
    return [*project.rushes_dir.iterdir(), *(up.iterdir() if up.exists() else [])]


def test_page_in_chromium_pixel7(server: PhoneServer, project, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    clip = make_clip(tmp_path / "Ma vidéo.mp4", 1.0, "320x240", 10)
    junk = tmp_path / "notes.mp4"
    junk.write_bytes(b"this is only text pretending to be a video\n" * 100)
    big = tmp_path / "big.mp4"
    big.write_bytes(clip.read_bytes() + os.urandom(CAP))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        try:
            ctx = browser.new_context(**p.devices["Pixel 7"], locale="fr-FR")
            page = ctx.new_page()
            page.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda r: r.abort())
            page.goto(server.url("127.0.0.1"))
            assert page.locator("h1").inner_text() == "Envoyer à cagette"
            assert page.get_attribute("#file", "accept") == "video/*,image/*,audio/*"
            assert page.get_attribute("#file", "capture") is not None
            assert page.evaluate("document.documentElement.scrollWidth") <= 412  # fits the phone
            assert page.locator("#scene option").all_inner_texts() == ["1. Intro", "2. Atelier"]

            # a real clip lands in rushes/, byte-identical, as a shot of the chosen scene
            page.set_input_files("#file", str(clip))
            page.select_option("#scene", "atelier")
            page.click("#send")
            page.wait_for_selector("#msg.ok", timeout=20000)
            assert "Reçu" in page.inner_text("#msg")
            assert page.evaluate("document.getElementById('bar').value") == 100
            files = list(project.rushes_dir.iterdir())
            assert len(files) == 1 and files[0].read_bytes() == clip.read_bytes()
            assert files[0].suffix == ".mp4"
            shots = project.reload().scene("atelier").shots
            assert [s.source for s in shots] == [f"rushes/{files[0].name}"]

            # not media: refused by the server, message on the page, nothing kept
            page.set_input_files("#file", str(junk))
            page.click("#send")
            page.wait_for_selector("#msg.err", timeout=20000)
            assert "notes.mp4" in page.inner_text("#msg")
            assert len(leftovers(project)) == 1

            # too big: refused with a message, nothing sent
            page.set_input_files("#file", str(big))
            page.click("#send")
            page.wait_for_function("document.getElementById('msg').textContent.includes('2 Mo')", timeout=10000)
            assert len(leftovers(project)) == 1

            # English on request
            page.goto(server.url("127.0.0.1") + "&lang=en")
            assert page.locator("h1").inner_text() == "Send to cagette"
        finally:
            browser.close()


def test_token_is_required(server: PhoneServer) -> None:
    base = f"http://127.0.0.1:{server.port}"
    assert httpx.get(base + "/").status_code == 403
    assert httpx.get(base + "/?k=wrong").status_code == 403
    assert httpx.post(base + "/upload?scene=intro", content=b"x").status_code == 403
    assert httpx.get(server.url("127.0.0.1")).status_code == 200


def test_server_side_cap_and_probe(server: PhoneServer, project, tmp_path: Path) -> None:
    base = f"http://127.0.0.1:{server.port}/upload?k={server.config.token}&scene=intro"

    def chunks() -> Iterator[bytes]:  # no Content-Length: the cap is enforced while streaming
        for _ in range(CAP // 65536 + 4):
            yield b"\xff\xd8\xff" + b"\0" * 65533

    r = httpx.post(base + "&name=big.jpg", content=chunks())
    assert r.status_code == 413
    assert leftovers(project) == []
    # right magic bytes but not decodable: refused
    r = httpx.post(base + "&name=fake.jpg", content=b"\xff\xd8\xff\xe0" + b"\0" * 2000)
    assert r.status_code == 415 and leftovers(project) == []
    # a photo whose name lies about its type keeps its real type
    import cv2
    import numpy as np

    png = cv2.imencode(".png", np.zeros((20, 30, 3), np.uint8))[1].tobytes()
    r = httpx.post(base + "&name=photo.mp4", content=png)
    assert r.status_code == 200, r.text
    assert r.json()["path"].endswith(".png")
    assert (project.root / r.json()["path"]).read_bytes() == png
    r = httpx.post(base.replace("scene=intro", "scene=nope") + "&name=a.png", content=png)
    assert r.status_code == 400


def test_sound_becomes_the_voice_over(server: PhoneServer, project, tmp_path: Path) -> None:
    import subprocess

    wav = tmp_path / "voix.wav"
    subprocess.run(["espeak-ng", "-v", "fr", "-w", str(wav), "Bonjour"], check=True)
    base = f"http://127.0.0.1:{server.port}/upload?k={server.config.token}&scene=intro&name=voix.wav"
    r = httpx.post(base, content=wav.read_bytes())
    assert r.status_code == 200, r.text
    assert project.reload().scene("intro").voice == "audio/voice-intro.wav"


def test_sniff_magic_bytes() -> None:
    assert sniff(b"\x00\x00\x00\x18ftypmp42" + b"\0" * 60).ext == ".mp4"  # type: ignore[union-attr]
    assert sniff(b"\x00\x00\x00\x18ftypqt  " + b"\0" * 60).ext == ".mov"  # type: ignore[union-attr]
    assert sniff(b"\x1a\x45\xdf\xa3" + b"webm" + b"\0" * 60).ext == ".webm"  # type: ignore[union-attr]
    assert sniff(b"RIFF\0\0\0\0WAVEfmt ").kind == "audio"  # type: ignore[union-attr]
    assert sniff(b"%PDF-1.7 ...") is None
    assert sniff(b"") is None


def test_cli_phone_prints_url_and_qr(project) -> None:
    import signal
    import subprocess
    import sys

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "cagette", "capture", "phone", str(project.root), "--local",
                             "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "CAGETTE_LANG": "en"})
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(2)]
        url = lines[1].strip()
        assert url.startswith(f"http://127.0.0.1:{port}/?k=") and len(url.split("k=")[1]) >= 16
        qr = "".join(proc.stdout.readline() for _ in range(5))
        assert "█" in qr or "▀" in qr
        from tests.capture.conftest import wait_port

        wait_port(port, None)
        assert httpx.get(url).status_code == 200
        assert httpx.get(url.split("?")[0]).status_code == 403
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=15)
    assert proc.returncode in (0, 130)
