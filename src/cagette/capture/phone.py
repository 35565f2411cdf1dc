"""The phone upload page: film with the phone's own camera app, upload over Wi-Fi.

``cagette capture phone PROJECT`` serves one small page. The phone opens its
URL (printed with a QR code), picks or films a clip, a photo or a sound
through ``<input type=file capture>``, chooses the scene and uploads. The
server:

* requires the random token the URL carries (403 without it);
* streams the body to a temporary file (never whole in memory), stopping at
  the size cap;
* probes the real media type from the bytes (magic numbers, then PyAV for
  containers), whatever the file's name says;
* hands the file to the project API: clips and photos become shots of the
  scene in ``rushes/``, a sound becomes the scene's voice-over.

A refused upload leaves nothing on disk.
"""

from __future__ import annotations

import asyncio
import html
import json
import os
import re
import secrets
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cagette.errors import CagetteError, CaptureError
from cagette.i18n import _

if TYPE_CHECKING:
    from cagette.video.project import Project

CHUNK = 256 * 1024


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
    from cagette.i18n import current_language, set_language

    keep = current_language()
    set_language(lang)
    try:
        return {
            "title": _("Send to cagette"),
            "intro": _("Film or choose a clip, a photo or a sound, pick its scene, then send it."),
            "file": _("File"),
            "scene": _("Scene"),
            "send": _("Send"),
            "sending": _("Sending… {pct} %"),
            "done": _("Received: {name}"),
            "choose": _("Choose a file first."),
            "toobig": _("This file is too big: the limit is {mb} MB."),
            "failed": _("The upload failed: {error}"),
            "network": _("The connection was lost. Check the Wi-Fi and try again."),
        }
    finally:
        set_language(keep)


def _lang_of(request: Any) -> str:
    wanted = request.query_params.get("lang", "")
    if wanted in ("fr", "en"):
        return wanted
    accept = request.headers.get("accept-language", "").lower()
    return "en" if accept.startswith("en") else "fr"


PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body{{font-family:system-ui,sans-serif;margin:0;padding:1rem;max-width:32rem;margin:auto;background:#fafaf7;color:#222}}
h1{{font-size:1.4rem}} label{{display:block;margin:1rem 0 .3rem;font-weight:600}}
select,input,button{{font-size:1.1rem;width:100%;box-sizing:border-box;padding:.6rem}}
button{{margin-top:1.2rem;background:#1d5fa8;color:#fff;border:0;border-radius:.4rem}}
progress{{width:100%;height:1.4rem;margin-top:1rem}}
#msg{{margin-top:1rem;font-size:1.05rem;min-height:1.5rem}} .err{{color:#b00020}} .ok{{color:#1b7a2d}}
nav{{text-align:right}}
</style></head><body>
<nav><a href="?k={token}&lang=fr">FR</a> · <a href="?k={token}&lang=en">EN</a></nav>
<h1>{title}</h1><p>{intro}</p>
<form id="form" onsubmit="return false">
<label for="file">{file}</label>
<input id="file" name="file" type="file" accept="video/*,image/*,audio/*" capture="environment">
<label for="scene">{scene}</label>
<select id="scene" name="scene">{options}</select>
<button id="send" type="submit">{send}</button>
</form>
<progress id="bar" max="100" value="0" hidden></progress>
<div id="msg" role="status" aria-live="polite"></div>
<script>
const T = {texts};
const MAX = {max_bytes};
const token = {token_js};
const msg = document.getElementById("msg"), bar = document.getElementById("bar");
function say(text, cls) {{ msg.textContent = text; msg.className = cls || ""; }}
document.getElementById("send").addEventListener("click", () => {{
  const f = document.getElementById("file").files[0];
  if (!f) {{ say(T.choose, "err"); return; }}
  if (f.size > MAX) {{ say(T.toobig, "err"); return; }}
  const scene = document.getElementById("scene").value;
  const xhr = new XMLHttpRequest();
  xhr.open("POST", "upload?k=" + encodeURIComponent(token) + "&scene=" + encodeURIComponent(scene)
           + "&name=" + encodeURIComponent(f.name) + "&lang={lang}");
  xhr.setRequestHeader("Content-Type", "application/octet-stream");
  bar.hidden = false; bar.value = 0;
  xhr.upload.onprogress = (e) => {{ if (e.lengthComputable) {{
    const pct = Math.round(100 * e.loaded / e.total); bar.value = pct;
    say(T.sending.replace("{{pct}}", pct)); }} }};
  xhr.onload = () => {{
    let r = {{}}; try {{ r = JSON.parse(xhr.responseText); }} catch (e) {{}}
    if (xhr.status === 200) {{ bar.value = 100; say(T.done.replace("{{name}}", r.name || f.name), "ok"); }}
    else {{ say(r.message || T.failed.replace("{{error}}", xhr.status), "err"); }}
  }};
  xhr.onerror = () => say(T.network, "err");
  xhr.send(f);
}});
</script></body></html>
"""


def build_app(project: Project, config: PhoneConfig) -> Any:
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
    from starlette.routing import Route

    staging = project.root / ".cagette" / "uploads"
    upload_lock = threading.Lock()

    def allowed(request: Request) -> bool:
        return secrets.compare_digest(request.query_params.get("k", ""), config.token)

    async def page(request: Request) -> Response:
        if not allowed(request):
            return PlainTextResponse("403 Forbidden", status_code=403)
        lang = _lang_of(request)
        texts = _texts(lang)
        texts["toobig"] = texts["toobig"].format(mb=config.max_bytes // (1024 * 1024))
        scenes = project.reload().scenes
        options = "".join(f'<option value="{html.escape(s.slug)}">{i}. {html.escape(s.title or s.slug)}</option>'
                          for i, s in enumerate(scenes, 1))
        body = PAGE.format(lang=lang, title=html.escape(texts["title"]), intro=html.escape(texts["intro"]),
                           file=html.escape(texts["file"]), scene=html.escape(texts["scene"]),
                           send=html.escape(texts["send"]), options=options, token=html.escape(config.token),
                           token_js=json.dumps(config.token), max_bytes=config.max_bytes,
                           texts=json.dumps(texts, ensure_ascii=False).replace("</", "<\\/"))
        return HTMLResponse(body, headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})

    def refuse(status: int, message: str) -> JSONResponse:
        return JSONResponse({"ok": False, "message": message}, status_code=status)

    async def upload(request: Request) -> Response:
        if not allowed(request):
            return PlainTextResponse("403 Forbidden", status_code=403)
        from cagette.i18n import current_language, set_language

        lang = _lang_of(request)
        keep = current_language()
        set_language(lang)
        try:
            return await _upload(request)
        finally:
            set_language(keep)

    async def _upload(request: Request) -> Response:
        mb = config.max_bytes // (1024 * 1024)
        scene = request.query_params.get("scene", "")
        name = request.query_params.get("name", "upload")
        try:
            project.reload().scene(scene)
        except CagetteError:
            return refuse(400, _("Unknown scene {scene!r}.").format(scene=scene))
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > config.max_bytes:
            return refuse(413, _("This file is too big: the limit is {mb} MB.").format(mb=mb))
        staging.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix="up-", dir=staging))
        tmp = work / "body"
        size = 0
        try:
            with open(tmp, "wb") as fh:
                async for chunk in request.stream():
                    size += len(chunk)
                    if size > config.max_bytes:
                        return refuse(413, _("This file is too big: the limit is {mb} MB.").format(mb=mb))
                    await run_in_threadpool(fh.write, chunk)
            if size == 0:
                return refuse(400, _("The file is empty."))
            with open(tmp, "rb") as rfh:
                head = rfh.read(512)
            kind = sniff(head)
            if kind is None or not await run_in_threadpool(probe_ok, tmp, kind.kind):
                return refuse(415, _("{name} is not a video, a photo or a sound that cagette can read.").format(
                    name=name))
            final = work / (safe_stem(name) + kind.ext)
            os.replace(tmp, final)

            def store() -> str:
                with upload_lock:
                    if kind.kind == "audio":
                        project.set_voiceover(scene, final)
                        return f"audio/voice-{project.data.scene(scene).slug}.wav"
                    shot = project.add_shot(scene, final)
                    return shot.source

            try:
                stored = await run_in_threadpool(store)
            except CagetteError as exc:
                return refuse(422, exc.message)
            return JSONResponse({"ok": True, "name": Path(stored).name, "path": stored, "size": size,
                                 "kind": kind.kind})
        finally:
            shutil.rmtree(work, ignore_errors=True)

    return Starlette(routes=[Route("/", page), Route("/upload", upload, methods=["POST"])])


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
