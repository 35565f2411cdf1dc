"""Media coming into a project: staged outside the lock, recognised when already there.

Copying a clip of a few gigabytes takes a while: it is done *before* the edit
takes the project lock, into ``.cagette/incoming/<id>/`` (on the project's own
filesystem, so the edit then only renames it into place), while the app's
autosave and the phone page's uploads carry on. The edit, under the lock,
adopts the staged file (:func:`adopt`: a rename into the trash area, from which
its journaled move into ``rushes/``, ``audio/`` or ``frames/`` starts, so undo
and redo can move it back and forth). A staged file that no edit adopted (the
edit failed, the process died) is removed by :meth:`Staged.discard` or, at the
latest, by :func:`tidy_incoming` once it has been left alone for a while.

Content identity: :class:`Digests` remembers the SHA-256 of files by their
size, modification time and inode (in ``.cagette/cache/digests.json``), so a
second import of the same content finds the rush already there
(:func:`same_content`) without reading the whole folder again, and the render
cache keys segments by the media's content.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import threading
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from cagette.errors import MediaError
from cagette.fsutil import atomic_write_text
from cagette.i18n import _
from cagette.video.history import META_DIR
from cagette.video.model import AUDIO_EXTS, IMAGE_EXTS, VIDEO_EXTS, new_id

BLOCK = 1 << 20
INCOMING_MAX_AGE_S = 6 * 3600.0  # a staged file nobody touched for this long was abandoned


@dataclass(frozen=True)
class Staged:
    """A file copied (or converted) into the staging area, waiting for an edit to adopt it."""

    path: Path
    digest: str = ""

    def discard(self) -> None:
        shutil.rmtree(self.path.parent, ignore_errors=True)


def incoming_dir(root: Path) -> Path:
    return root / META_DIR / "incoming"


def _slot(root: Path, name: str) -> Path:
    slot = incoming_dir(root) / new_id()
    slot.mkdir(parents=True, exist_ok=True)
    return slot / name


def stage_copy(root: Path, src: Path) -> Staged:
    """Copy *src* into the staging area, its digest computed on the way (one read)."""
    src = Path(src)
    if not src.is_file():
        raise MediaError(_("{file} does not exist or is not a file.").format(file=src),
                         _("Check the path of the file to add."))
    dst = _slot(root, src.name)
    h = hashlib.sha256()
    try:
        with open(src, "rb") as fin, open(dst, "wb") as fout:
            for block in iter(lambda: fin.read(BLOCK), b""):
                h.update(block)
                fout.write(block)
        shutil.copystat(src, dst)
    except OSError as exc:
        shutil.rmtree(dst.parent, ignore_errors=True)
        raise MediaError(_("Cannot copy {file}: {error}.").format(file=src, error=exc.strerror),
                         _("Check the file can be read and the disk is not full.")) from exc
    except BaseException:
        shutil.rmtree(dst.parent, ignore_errors=True)
        raise
    return Staged(dst, h.hexdigest())


def stage_bytes(root: Path, data: bytes, name: str) -> Staged:
    dst = _slot(root, name)
    try:
        dst.write_bytes(data)
    except BaseException:
        shutil.rmtree(dst.parent, ignore_errors=True)
        raise
    return Staged(dst, hashlib.sha256(data).hexdigest())


def stage_voice(root: Path, src: Path) -> Staged:
    """A voice-over in the voice format (WAV, 16-bit, 48 kHz, mono): copied as it is, else converted once."""
    from cagette.video import audio

    require_ext(src, AUDIO_EXTS)
    if audio.is_voice_format(src):
        return stage_copy(root, src)
    dst = _slot(root, "voice.wav")
    try:
        audio.convert_voice(src, dst)
    except BaseException:
        shutil.rmtree(dst.parent, ignore_errors=True)
        raise
    return Staged(dst)


def adopt(root: Path, staged: Staged) -> Path:
    """Under the lock: move a staged file into a trash slot (a rename), whence the edit journals its move."""
    slot = root / META_DIR / "trash" / new_id()
    slot.mkdir(parents=True, exist_ok=True)
    dst = slot / staged.path.name
    os.replace(staged.path, dst)
    with contextlib.suppress(OSError):
        staged.path.parent.rmdir()
    return dst


def tidy_incoming(root: Path, now: float | None = None, max_age_s: float = INCOMING_MAX_AGE_S) -> None:
    """Remove staged files no edit will adopt: those untouched for *max_age_s* (a copy in progress keeps
    its file's modification time fresh)."""
    folder = incoming_dir(root)
    if not folder.is_dir():
        return
    now = time.time() if now is None else now
    for slot in folder.iterdir():
        try:
            newest = max([slot.stat().st_mtime, *(p.stat().st_mtime for p in slot.iterdir())])
        except OSError:
            continue
        if now - newest > max_age_s:
            shutil.rmtree(slot, ignore_errors=True)


# ---------------------------------------------------------------------------
# Content digests
# ---------------------------------------------------------------------------


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(BLOCK), b""):
            h.update(block)
    return h.hexdigest()


def _stamp(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ino]


class Digests:
    """SHA-256 of files, remembered by (size, modification time, inode) in a JSON file."""

    _lock = threading.Lock()

    def __init__(self, store: Path | None) -> None:
        self.store = store
        self._known: dict[str, list[object]] = {}
        self._dirty = False
        if store is not None:
            with contextlib.suppress(OSError, ValueError):
                raw = json.loads(store.read_text(encoding="utf-8"))
                if isinstance(raw, dict):
                    self._known = {k: v for k, v in raw.items() if isinstance(v, list) and len(v) == 4}

    def of(self, path: Path) -> str:
        path = Path(path).absolute()
        stamp = _stamp(path)
        if stamp is None:
            raise MediaError(_("{file} cannot be read.").format(file=path), _("Check that the file is still there."))
        key = str(path)
        with self._lock:
            known = self._known.get(key)
        if known and known[:3] == stamp:
            return str(known[3])
        digest = file_digest(path)
        self.remember(path, digest)
        return digest

    def remember(self, path: Path, digest: str) -> None:
        stamp = _stamp(Path(path).absolute())
        if stamp is None or not digest:
            return
        with self._lock:
            self._known[str(Path(path).absolute())] = [*stamp, digest]
            self._dirty = True

    def save(self) -> None:
        """Write what was learnt (a cache: when two processes write at once, one's entries win)."""
        if self.store is None or not self._dirty:
            return
        with self._lock:
            known = {k: v for k, v in self._known.items() if Path(k).exists()}
            self._dirty = False
        with contextlib.suppress(OSError):
            atomic_write_text(self.store, json.dumps(known))


def project_digests(root: Path) -> Digests:
    return Digests(root / META_DIR / "cache" / "digests.json")


def same_content(folder: Path, file: Path, digests: Digests, digest: str = "") -> tuple[str, Path | None]:
    """The digest of *file* (computed only when a file of *folder* has its size) and the file of *folder*
    holding the same bytes, if any."""
    try:
        size = Path(file).stat().st_size
    except OSError:
        return digest, None
    if not folder.is_dir():
        return digest, None
    for other in sorted(folder.iterdir()):
        if not other.is_file() or other.name.startswith(".") or other.stat().st_size != size:
            continue
        digest = digest or file_digest(Path(file))
        if digests.of(other) == digest:
            return digest, other
    return digest, None


# ---------------------------------------------------------------------------
# Names and kinds
# ---------------------------------------------------------------------------

def safe_name(name: str) -> str:
    p = Path(name)
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", unicodedata.normalize("NFKD", p.stem).encode("ascii", "ignore").decode())
    return (stem.strip("-.") or "file") + p.suffix.lower()


def free_name(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / name
    stem, suffix = p.stem, p.suffix
    n = 2
    while p.exists():
        p = folder / f"{stem}-{n}{suffix}"
        n += 1
    return p


def kind_of(path: Path) -> str:
    """``clip`` or ``still``: the type of file is checked from its name, then the kind is decided by
    :func:`cagette.video.probe.shot_kind` from the pictures it really holds (a phone's MJPEG recording in
    Matroska is a clip, a one-frame MP4 a still). Refuses other files, naming them."""
    from cagette.video.probe import probe, shot_kind

    ext = Path(path).suffix.lower()
    if ext not in VIDEO_EXTS and ext not in IMAGE_EXTS:
        raise MediaError(
            _("{file} is neither a video nor a photo cagette reads.").format(file=path),
            _("Video: {video}. Photos: {image}.").format(video=" ".join(sorted(VIDEO_EXTS)),
                                                         image=" ".join(sorted(IMAGE_EXTS))),
        )
    return shot_kind(probe(Path(path)))


def require_ext(path: Path, exts: set[str]) -> None:
    if path.suffix.lower() not in exts:
        raise MediaError(_("{file} does not have a usable type ({exts}).").format(
            file=path, exts=" ".join(sorted(exts))), _("Convert it, or choose another file."))


def list_frames(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in IMAGE_EXTS)


def last_number(folder: Path) -> int:
    best = 0
    for p in list_frames(folder):
        m = re.match(r"(\d+)", p.stem)
        if m:
            best = max(best, int(m.group(1)))
    return best
