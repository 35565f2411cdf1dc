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
            assert page.locator("#scene option").all_inner_texts() == ["1. Intro", "2. Atelier", "Nouvelle scène"]
            assert page.is_hidden("#scene-name")  # asked only for a new scene

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


@pytest.fixture
def empty_server(tmp_path: Path) -> Iterator[PhoneServer]:
    from cagette.video.project import create

    srv = PhoneServer(create(tmp_path / "vide", "Vide"), "127.0.0.1", free_port(), max_bytes=CAP).start()
    yield srv
    srv.stop()


def test_an_empty_project_takes_files_into_new_scenes(empty_server: PhoneServer, tmp_path: Path) -> None:
    """Issue 12: a new project has no scene, and its page offered none to choose; now it offers a new scene
    (named or not), made by import's rule, and then offers the scene it made."""
    from playwright.sync_api import Route, sync_playwright

    project = empty_server.project
    clip = make_clip(tmp_path / "clip.mp4", 1.0, "320x240", 10)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        try:
            page = browser.new_context(**p.devices["Pixel 7"], locale="fr-FR").new_page()
            page.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda r: r.abort())
            page.goto(empty_server.url("127.0.0.1"))
            assert page.locator("#scene option").all_inner_texts() == ["Nouvelle scène"]
            assert page.locator("label[for=scene-name]").inner_text() == "Nom de la nouvelle scène (facultatif)"
            page.set_input_files("#file", str(clip))
            page.fill("#scene-name", "Le guichet")
            page.click("#send")
            page.wait_for_selector("#msg.ok", timeout=20000)
            assert [(s.slug, s.title) for s in project.reload().scenes] == [("le-guichet", "Le guichet")]
            assert [s.kind for s in project.data.scene("le-guichet").shots] == ["clip"]
            # the page now offers the scene it made, chosen for the next file, and still a new one
            assert page.locator("#scene option").all_inner_texts() == ["1. Le guichet", "Nouvelle scène"]
            assert page.input_value("#scene") == "le-guichet" and page.is_hidden("#scene-name")
            page.select_option("#scene", label="Nouvelle scène")
            assert page.is_visible("#scene-name") and page.input_value("#scene-name") == ""
            # while the next file is on its way, the page no longer says the last one was received
            held: list[Route] = []
            page.route("**/upload?*", lambda route: held.append(route))
            page.click("#send")
            for _ in range(400):
                if held:  # the upload is on its way, held at the route
                    break
                page.wait_for_timeout(50)
            assert held and not page.locator("#msg.ok").count(), page.inner_text("#msg")
            assert page.inner_text("#msg").startswith("Envoi")
            held[0].continue_()
            page.wait_for_selector("#msg.ok", timeout=20000)
            assert [s.title for s in project.reload().scenes] == ["Le guichet", "Scène 2"]
        finally:
            browser.close()


def test_new_scene_rules(empty_server: PhoneServer, tmp_path: Path) -> None:
    import cv2
    import numpy as np

    project = empty_server.project
    png = cv2.imencode(".png", np.zeros((20, 30, 3), np.uint8))[1].tobytes()
    base = f"http://127.0.0.1:{empty_server.port}/upload?k={empty_server.config.token}&name=a.png&lang=en&new=1"
    # a file that is not media makes no scene
    r = httpx.post(base + "&title=Accueil", content=b"not a picture at all" * 10)
    assert r.status_code == 415 and project.reload().scenes == ()
    # unnamed: the next position, titled as import titles it
    r = httpx.post(base, content=png)
    assert r.status_code == 200, r.text
    assert r.json()["scene"] == "scene-1" and r.json()["scenes"] == [["scene-1", "1. Scene 1"]]
    # named twice: the second finds the scene the first made (import's rule)
    for _ in range(2):
        r = httpx.post(base + "&title=" + "Accueil%0A%00du%20public", content=png)
        assert r.status_code == 200, r.text
    assert [(s.slug, s.title, len(s.shots)) for s in project.reload().scenes] == [
        ("scene-1", "Scene 1", 1), ("accueil-du-public", "Accueil du public", 2)]
    # refused before the body is read, nothing made: too long, no letter, a position too far
    for title in ("x" * 121, "%21%21%21", "9"):
        r = httpx.post(base + "&title=" + title, content=png)
        assert r.status_code == 400 and r.json()["message"], (title, r.text)
    # three shots of one picture: the same content is stored once (import's rule), nothing else was kept
    assert len(project.reload().scenes) == 2 and len(list(project.rushes_dir.iterdir())) == 1


def test_token_is_required(server: PhoneServer) -> None:
    base = f"http://127.0.0.1:{server.port}"
    assert httpx.get(base + "/").status_code == 403
    assert httpx.get(base + "/?k=wrong").status_code == 403
    assert httpx.post(base + "/upload?scene=intro", content=b"x").status_code == 403
    assert httpx.get(server.url("127.0.0.1")).status_code == 200


def test_a_scene_title_is_text_on_the_page(project) -> None:  # type: ignore[no-untyped-def]
    from html.parser import HTMLParser

    project.add_scene('<script>alert("x")</script> & co')
    srv = PhoneServer(project, "127.0.0.1", free_port(), max_bytes=CAP).start()
    try:
        page = httpx.get(srv.url("127.0.0.1")).text
    finally:
        srv.stop()

    class Options(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.scripts, self.labels, self.inside = 0, [], False

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.scripts += tag == "script"
            self.inside = tag == "option"

        def handle_data(self, data: str) -> None:
            if self.inside:
                self.labels.append(data)

    parsed = Options()
    parsed.convert_charrefs = True
    parsed.feed(page)
    assert parsed.scripts == 1  # the page's own script only: the title never became markup
    assert any(label.endswith('<script>alert("x")</script> & co') for label in parsed.labels), parsed.labels


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


def test_a_sound_in_an_mp4_becomes_the_voice_over(server: PhoneServer, project, tmp_path: Path) -> None:
    """What an Android sound recorder sends: AAC in an MP4 whose brand says nothing of sound."""
    import subprocess

    import imageio_ffmpeg

    m4a = tmp_path / "enregistrement.mp4"
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "sine=d=1", "-c:a", "aac",
                    "-brand", "isom", str(m4a)], check=True)
    assert sniff(m4a.read_bytes()[:512]).kind == "video"  # type: ignore[union-attr]  # the magic bytes alone
    base = f"http://127.0.0.1:{server.port}/upload?k={server.config.token}&scene=intro&name={m4a.name}"
    r = httpx.post(base, content=m4a.read_bytes())
    assert r.status_code == 200 and r.json()["kind"] == "audio", r.text
    assert project.reload().scene("intro").voice == "audio/voice-intro.wav"


def test_a_one_picture_video_is_stored_as_a_photo(server: PhoneServer, project, tmp_path: Path) -> None:
    import subprocess

    import imageio_ffmpeg

    one = tmp_path / "capture.mp4"
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=64x36",
                    "-frames:v", "1", "-pix_fmt", "yuv420p", str(one)], check=True)
    base = f"http://127.0.0.1:{server.port}/upload?k={server.config.token}&scene=intro&name={one.name}"
    r = httpx.post(base, content=one.read_bytes())
    assert r.status_code == 200 and r.json()["kind"] == "image", r.text
    assert [s.kind for s in project.reload().scene("intro").shots] == ["still"]


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
