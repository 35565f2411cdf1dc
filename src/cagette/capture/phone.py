"""The phone upload page: film with the phone's own camera app, upload over Wi-Fi.

``cagette capture phone PROJECT`` serves one small page. The phone opens its
URL (printed with a QR code), picks or films a clip, a photo or a sound
through ``<input type=file capture>``, chooses the scene — or a new one, named
or not, made by import's rule — and uploads. The server:

* requires the random token the URL carries (403 without it);
* streams the body to a temporary file (never whole in memory), stopping at
  the size cap;
* probes the real media type from the bytes (magic numbers, then PyAV for
  containers), whatever the file's name says;
* hands the file to the project API: clips and photos become shots of the
  scene in ``rushes/``, a sound becomes the scene's voice-over; a new scene is
  made only for a file that was kept.

A refused upload leaves nothing on disk.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cagette.documents import templates
from cagette.errors import CagetteError, CaptureError
from cagette.fsutil import scratch_dir
from cagette.i18n import _

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response

    from cagette.video.project import Project

CHUNK = 256 * 1024
NEW_SCENE = "+new"  # the page's choice "a new scene" (a slug never holds '+')
MAX_SCENE_NAME = 120  # characters of a new scene's name typed on the phone


# -- media type from the bytes -------------------------------------------------------

@dataclass(frozen=True)
class Sniffed:
    kind: str  # "video" | "image" | "audio"
    ext: str  # ".mp4", ".jpg"...


_FTYP_VIDEO = {b"qt  ": ".mov", b"3gp4": ".3gp", b"3gp5": ".3gp", b"3gp6": ".3gp", b"3g2a": ".3gp",
               b"M4V ": ".m4v"}
_FTYP_AUDIO = {b"M4A ": ".m4a", b"M4B ": ".m4a"}
_FTYP_IMAGE = {b"heic": ".heic", b"heix": ".heic", b"mif1": ".heic", b"msf1": ".heic", b"avif": ".heic"}


def sniff(head: bytes) -> Sniffed | None:
    """The media type of a file from its first bytes (at least 64), or None."""
    if head[:3] == b"\xff\xd8\xff":
        return Sniffed("image", ".jpg")
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return Sniffed("image", ".png")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Sniffed("image", ".webp")
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return Sniffed("audio", ".wav")
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return Sniffed("video", ".avi")
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _FTYP_IMAGE:
            return Sniffed("image", _FTYP_IMAGE[brand])
        if brand in _FTYP_AUDIO:
            return Sniffed("audio", _FTYP_AUDIO[brand])
        return Sniffed("video", _FTYP_VIDEO.get(brand, ".mp4"))
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return Sniffed("video", ".webm" if b"webm" in head[:64] else ".mkv")
    if head[:4] == b"OggS":
        return Sniffed("audio", ".opus" if b"OpusHead" in head[:64] else ".ogg")
    if head[:4] == b"fLaC":
        return Sniffed("audio", ".flac")
    if head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06):
        return Sniffed("audio", ".mp3")
    if head[:1] == b"\x47" and len(head) > 188 and head[188:189] == b"\x47":
        return Sniffed("video", ".mts")
    return None


def probe_ok(path: Path, kind: str) -> bool:
    """The file really decodes: a photo as an image, a clip or a sound as
    a container with a stream of that kind whose first frame decodes."""
    import av

    if kind == "image" and path.stat().st_size < 64 * 1024 * 1024:
        import cv2
        import numpy as np

        img = cv2.imdecode(np.fromfile(str(path), np.uint8), cv2.IMREAD_REDUCED_GRAYSCALE_8)
        if img is not None:
            return True
        # HEIC and friends: OpenCV cannot read them; let ffmpeg try below
    try:
        with av.open(str(path)) as c:
            streams = c.streams.audio if kind == "audio" else c.streams.video
            if not streams:
                return False
            for _frame in c.decode(streams[0]):
                return True
            return False
    except (av.FFmpegError, OSError, ValueError):
        return False


def sniff_file(path: Path, head: bytes) -> Sniffed | None:
    """The type of an uploaded file from its bytes, checked by decoding it; None when it is not usable media.

    A phone's sound recorder often writes an MP4 container (brand ``isom`` or ``mp42``, not ``M4A``): an
    MP4-family file with no picture but a sound is a sound."""
    kind = sniff(head)
    if kind is None:
        return None
    if probe_ok(path, kind.kind):
        return kind
    if kind.kind == "video" and kind.ext in (".mp4", ".m4v", ".mov", ".3gp") and probe_ok(path, "audio"):
        return Sniffed("audio", ".m4a")
    return None


def safe_stem(name: str) -> str:
    stem = Path(name.replace("\\", "/")).name
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    stem = re.sub(r"[^\w\-]+", "-", stem, flags=re.UNICODE).strip("-.")[:60]
    return stem or "upload"


# -- the app ---------------------------------------------------------------------------

class UploadRefused(CaptureError):
    status = 415


@dataclass
class PhoneConfig:
    token: str
    max_bytes: int
    lang: str = ""


def new_token() -> str:
    return secrets.token_urlsafe(16)


def _texts(lang: str) -> dict[str, str]:
    from cagette.i18n import language

    with language(lang):
        return {
            "title": _("Send to cagette"),
            "intro": _("Film or choose a clip, a photo or a sound, pick its scene, then send it."),
            "file": _("File"),
            "scene": _("Scene"),
            "new_scene": _("New scene"),
            "scene_name": _("Name of the new scene (optional)"),
            "send": _("Send"),
            "sending": _("Sending… {pct} %"),
            "done": _("Received: {name}"),
            "choose": _("Choose a file first."),
            "toobig": _("This file is too big: the limit is {mb} MB."),
            "failed": _("The upload failed: {error}"),
            "network": _("The connection was lost. Check the Wi-Fi and try again."),
        }


def scene_choices(scenes: Any) -> list[tuple[str, str]]:
    """The page's scene choices: (slug, "2. Title") for each scene, in order."""
    return [(s.slug, f"{i}. {s.title or s.slug}") for i, s in enumerate(scenes, 1)]


def new_scene_name(typed: str) -> str:
    """A new scene's name as typed on the phone, on one line, without control characters; refused when long."""
    name = " ".join(re.sub(r"[\x00-\x1f\x7f]", " ", typed).split())
    if len(name) > MAX_SCENE_NAME:
        raise UploadRefused(_("The scene's name is too long: {n} characters at most.").format(n=MAX_SCENE_NAME),
                            _("Give it a shorter name."))
    return name


def _lang_of(request: Request) -> str:
    wanted = request.query_params.get("lang", "")
    if wanted in ("fr", "en"):
        return wanted
    accept = request.headers.get("accept-language", "").lower()
    return "en" if accept.startswith("en") else "fr"




class _Routes:
    """The page and the upload of one project: what :func:`build_app` routes to."""

    def __init__(self, project: Project, config: PhoneConfig) -> None:
        self.project, self.config = project, config
        self.staging = project.meta_dir / "uploads"
        self.upload_lock = threading.Lock()

    def allowed(self, request: Request) -> bool:
        return secrets.compare_digest(request.query_params.get("k", ""), self.config.token)

    async def page(self, request: Request) -> Response:
        from starlette.responses import HTMLResponse, PlainTextResponse

        if not self.allowed(request):
            return PlainTextResponse("403 Forbidden", status_code=403)
        lang = _lang_of(request)
        texts = _texts(lang)
        texts["toobig"] = texts["toobig"].format(mb=self.config.max_bytes // (1024 * 1024))
        choices = [*scene_choices(self.project.reload().scenes), (NEW_SCENE, texts["new_scene"])]
        body = templates("cagette.capture").get_template("phone.html").render(
            lang=lang, texts=texts, choices=choices, token=self.config.token, new_scene=NEW_SCENE,
            max_name=MAX_SCENE_NAME, max_bytes=self.config.max_bytes)
        return HTMLResponse(body, headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})

    def refuse(self, status: int, message: str) -> JSONResponse:
        from starlette.responses import JSONResponse

        return JSONResponse({"ok": False, "message": message}, status_code=status)

    async def upload(self, request: Request) -> Response:
        from starlette.responses import PlainTextResponse

        if not self.allowed(request):
            return PlainTextResponse("403 Forbidden", status_code=403)
        from cagette.i18n import language

        with language(_lang_of(request)):
            return await self._upload(request)

    def destination(self, request: Request) -> tuple[bool, str]:
        """Where an upload goes, checked before its body is read: (False, an existing scene), or (True, the
        name typed for a new scene, maybe empty). A new scene follows import's rule
        (:meth:`~cagette.video.self.project.ProjectData.scene_target`): a name already given finds its scene."""
        if request.query_params.get("new") == "1":
            typed = new_scene_name(request.query_params.get("title", ""))
            if typed:
                self.project.reload().scene_target(typed)  # a name with no letter, a position too far: refused
            return True, typed
        scene = request.query_params.get("scene", "")
        try:
            self.project.reload().scene(scene)
        except CagetteError:
            raise UploadRefused(_("Unknown scene {scene!r}.").format(scene=scene),
                                _("Reload the page to see the project's scenes.")) from None
        return False, scene

    async def _upload(self, request: Request) -> Response:
        from starlette.concurrency import run_in_threadpool
        from starlette.responses import JSONResponse

        mb = self.config.max_bytes // (1024 * 1024)
        name = request.query_params.get("name", "upload")
        try:
            new, scene = self.destination(request)
        except CagetteError as exc:
            return self.refuse(400, exc.message)
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.config.max_bytes:
            return self.refuse(413, _("This file is too big: the limit is {mb} MB.").format(mb=mb))
        self.staging.mkdir(parents=True, exist_ok=True)
        with scratch_dir("up-", self.staging) as work:
            tmp = work / "body"
            size = 0
            with open(tmp, "wb") as fh:
                async for chunk in request.stream():
                    size += len(chunk)
                    if size > self.config.max_bytes:
                        return self.refuse(413, _("This file is too big: the limit is {mb} MB.").format(mb=mb))
                    await run_in_threadpool(fh.write, chunk)
            if size == 0:
                return self.refuse(400, _("The file is empty."))
            with open(tmp, "rb") as rfh:
                head = rfh.read(512)
            kind = await run_in_threadpool(sniff_file, tmp, head)
            if kind is None:
                return self.refuse(415, _("{name} is not a video, a photo or a sound that cagette can read.").format(
                    name=name))
            final = work / (safe_stem(name) + kind.ext)
            os.replace(tmp, final)

            def store() -> tuple[str, str, str]:
                with self.upload_lock:
                    # a new scene is made once the file is known to be usable media (none for a refused one)
                    slug = self.project.ensure_scene(scene or str(len(self.project.reload().scenes) + 1)) if new else scene
                    if kind.kind == "audio":
                        self.project.set_voiceover(slug, final)
                        return slug, f"audio/voice-{self.project.data.scene(slug).slug}.wav", "audio"
                    shot = self.project.add_shot(slug, final)  # clip or still: decided from its pictures
                    return slug, shot.source, "video" if shot.kind == "clip" else "image"

            try:
                slug, stored, stored_kind = await run_in_threadpool(store)
            except CagetteError as exc:
                return self.refuse(422, exc.message)
            return JSONResponse({"ok": True, "name": Path(stored).name, "path": stored, "size": size,
                                 "kind": stored_kind, "scene": slug,
                                 "scenes": scene_choices(self.project.reload().scenes)})



def build_app(project: Project, config: PhoneConfig) -> Any:
    from starlette.applications import Starlette
    from starlette.routing import Route

    routes = _Routes(project, config)
    return Starlette(routes=[Route("/", routes.page), Route("/upload", routes.upload, methods=["POST"])])


class PhoneServer:
    """The upload page served by uvicorn in a thread (:meth:`start`/:meth:`stop`)
    or in the foreground (:meth:`serve`)."""

    def __init__(self, project: Project, host: str = "0.0.0.0", port: int = 8471,
                 max_bytes: int = 4096 * 1024 * 1024, token: str | None = None) -> None:
        import uvicorn

        self.project = project
        self.host, self.port = host, port
        self.config = PhoneConfig(token or new_token(), max_bytes)
        self.app = build_app(project, self.config)
        self.server = uvicorn.Server(uvicorn.Config(self.app, host=host, port=port, log_level="warning",
                                                    lifespan="off", access_log=False))
        self._thread: threading.Thread | None = None

    def url(self, host: str | None = None) -> str:
        return f"http://{host or self.host}:{self.port}/?k={self.config.token}"

    def start(self, timeout: float = 10.0) -> PhoneServer:
        import time

        self._thread = threading.Thread(target=self.server.run, name="cagette-phone", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise CaptureError(_("The upload page could not start on port {port}.").format(port=self.port),
                                   _("Another program may use that port: try --port with another number."))
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    def serve(self) -> None:
        try:
            asyncio.run(self.server.serve())
        except OSError as exc:
            raise CaptureError(_("The upload page could not start on port {port}: {error}").format(
                port=self.port, error=exc), _("Try --port with another number.")) from exc


def qr_text(url: str) -> str:
    """The URL as a QR code drawn with terminal characters."""
    import io

    import segno

    buf = io.StringIO()
    segno.make(url, error="l").terminal(out=buf, compact=True)
    return buf.getvalue()
