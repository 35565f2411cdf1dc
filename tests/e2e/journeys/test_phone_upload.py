"""Journey 4: the phone upload page in Chromium (a Pixel 7) → a clip and a photo chosen in the page, each sent
to a new scene of an empty project → `render --preset draft` → the export, decoded by Debian's ffmpeg, plays
the clip (its numbered pictures in order, for as long as the clip lasts) and then shows the photo (its own
number, for as long as the project holds a photo)."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.capture.conftest import free_port
from tests.e2e.journeys import camera
from tests.e2e.journeys.background import listening, running
from tests.e2e.journeys.browser import chromium
from tests.e2e.journeys.harness import Journey

FPS, CLIP_S = 25, 2
PHOTO_NUMBER = 4000  # the clip's pictures carry 0 … FPS * CLIP_S - 1


def make_media(tmp: Path) -> tuple[Path, Path]:
    """A phone's clip (H.264 in MP4, numbered pictures, with sound) and a phone's photo (a JPEG carrying
    PHOTO_NUMBER at 4× the layout's size), made with Debian's ffmpeg and Pillow."""
    from PIL import Image

    clip = tmp / "VID_20250101_101010.mp4"
    subprocess.run([camera.DEBIAN_FFMPEG, "-nostdin", "-v", "error", "-f", "lavfi", "-i", camera.lavfi_numbered(FPS),
                    "-f", "lavfi", "-i", "sine=f=440:sample_rate=48000", "-t", str(CLIP_S), "-c:v", "libx264",
                    "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(clip)], check=True)
    photo = tmp / "IMG_20250101_101500.jpg"
    big = Image.fromarray(camera.draw_number(PHOTO_NUMBER)).resize((4 * camera.WIDTH, 4 * camera.HEIGHT),
                                                                   Image.Resampling.NEAREST)
    big.convert("RGB").save(photo, "JPEG", quality=90)
    return clip, photo


@contextmanager
def phone_page(j: Journey, project: Path) -> Iterator[str]:
    """`cagette capture phone PROJECT --local --port FREE`, the real command; yields the URL it prints."""
    port = free_port()
    with running(j, "serve the phone upload page", "capture", "phone", str(project), "--local", "--port", str(port),
                 given=project) as proc:
        with j.step("read the page's address", given=project):
            assert proc.stdout is not None
            printed = [proc.stdout.readline() for _ in range(2)]
            url = next((line.strip() for line in printed if line.startswith("http://")), "")
            assert url.startswith(f"http://127.0.0.1:{port}/?k="), f"no URL printed: {printed}"
            listening(proc, port)
        yield url


def send(j: Journey, page: object, step: str, file: Path, scene: str, name: str = "") -> None:
    """In the page: choose *file*, choose the scene (*scene* is the option's visible text) and, for a new
    scene, type its *name*; send; wait for the page to say it was received."""
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    with j.step(step, given=file):
        page.set_input_files("#file", str(file))
        page.select_option("#scene", label=scene)
        if name:
            page.fill("#scene-name", name)
        page.click("#send")
        page.wait_for_selector("#msg.ok, #msg.err", timeout=60000)
        assert page.locator("#msg.ok").count() == 1, f"the page says: {page.inner_text('#msg')}"


def upload_in_chromium(j: Journey, url: str, clip: Path, photo: Path) -> None:
    with chromium() as (p, browser):
        page = browser.new_context(**p.devices["Pixel 7"], locale="fr-FR").new_page()
        page.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda r: r.abort())
        with j.step("open the page on the phone", given=url):
            page.goto(url)
            offered = page.locator("#scene option").all_inner_texts()
            assert offered == ["Nouvelle scène"], f"an empty project's page offers {offered}"
        send(j, page, "send the clip to a new scene", clip, "Nouvelle scène", "Accueil")
        with j.step("the new scene is offered", given=url):
            offered = page.locator("#scene option").all_inner_texts()
            assert offered == ["1. Accueil", "Nouvelle scène"], offered
        send(j, page, "send the photo to another new scene", photo, "Nouvelle scène")


def spans(found: list[int | None], keep: object) -> list[int]:
    """Indices of the pictures whose number passes *keep*; they must follow each other."""
    where = [i for i, n in enumerate(found) if n is not None and keep(n)]  # type: ignore[operator]
    assert where, "none in the export"
    assert where == list(range(where[0], where[-1] + 1)), f"interrupted: pictures {where[0]}–{where[-1]}"
    return where


@pytest.mark.slow
def test_phone_upload(journey: Journey) -> None:
    j = journey
    project = j.tmp / "mairie"
    with j.step("make the phone's clip and photo"):
        clip, photo = make_media(j.tmp)
    j.cli("create an empty project", "project", "new", str(project), "--title", "Accueil", given=project)
    with phone_page(j, project) as url:
        upload_in_chromium(j, url, clip, photo)
    shown = j.cli("show the project", "project", "show", str(project), "--json", given=project)
    with j.step("each file is a shot of its new scene", given=project / "project.toml"):
        shown_project = json.loads(shown.stdout)
        scenes = shown_project["scenes"]
        assert [(s["slug"], s["title"]) for s in scenes] == [("accueil", "Accueil"), ("scene-2", "Scène 2")], scenes
        kinds = [[sh["kind"] for sh in s["shots"]] for s in scenes]
        assert kinds == [["clip"], ["still"]], kinds
    j.cli("check the project", "project", "check", str(project), given=project)
    out = j.cli("render a draft", "render", str(project), "--preset", "draft", "--json", given=project)
    export = Path(json.loads(out.stdout)["video"])
    with j.step("the clip plays in the export", given=export):
        fps = camera.frame_rate(camera.probe(export))
        found = camera.numbers(export)
        clip_at = spans(found, lambda n: n < FPS * CLIP_S)
        shown_numbers = [found[i] for i in clip_at]
        assert shown_numbers == sorted(shown_numbers), f"the clip's pictures go back: {shown_numbers}"
        assert len(set(shown_numbers)) >= 0.6 * FPS * CLIP_S, f"{len(set(shown_numbers))} pictures: it does not play"
        assert shown_numbers[0] <= 2 and shown_numbers[-1] >= FPS * CLIP_S - 3, shown_numbers
        assert abs(len(clip_at) / fps - CLIP_S) <= 2 / fps + 1e-6, f"the clip lasts {len(clip_at) / fps:.2f} s"
    with j.step("the photo is shown after the clip", given=export):
        photo_at = spans(found, lambda n: n == PHOTO_NUMBER)
        assert photo_at[0] > clip_at[-1], "the photo comes before the clip"
        still_s = float(scenes[1]["shots"][0].get("duration_s") or shown_project["export"]["still_s"])
        assert abs(len(photo_at) / fps - still_s) <= 2 / fps + 1e-6, f"the photo lasts {len(photo_at) / fps:.2f} s"
        assert all(n is None or n == PHOTO_NUMBER or n < FPS * CLIP_S for n in found), "pictures of neither"
