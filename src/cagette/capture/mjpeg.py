"""MJPEG over HTTP: an incremental ``multipart/x-mixed-replace`` parser.

IP Webcam, DroidCam and most network cameras serve ``http://IP:PORT/video``
as one endless HTTP response whose parts are JPEG images. We keep each
part's bytes exactly as received (no decoding, no re-encoding), so the
recording holds what the phone sent.

:class:`MultipartParser` is pure (bytes in, JPEG payloads out) so hostile or
split input is easy to test. It uses a part's ``Content-Length`` when given
and otherwise searches for the next boundary; parts that are not JPEG
images (no ``FF D8`` start) are skipped and counted.
"""

from __future__ import annotations

import re

_BOUNDARY_RE = re.compile(r'boundary="?([^";,\s]+)"?', re.IGNORECASE)
MAX_PART = 64 * 1024 * 1024  # a 64 MB "frame" is an error, not a picture
MAX_HEADERS = 16 * 1024


def boundary_from_content_type(content_type: str) -> bytes | None:
    """``multipart/x-mixed-replace; boundary=frame`` → ``b"frame"``."""
    match = _BOUNDARY_RE.search(content_type or "")
    if not match:
        return None
    value = match.group(1)
    if value.startswith("--"):
        # Some servers (and some of their clients) include the dashes.
        value = value[2:]
    return value.encode("latin-1")


class MultipartError(ValueError):
    pass


class MultipartParser:
    """Feed bytes with :meth:`feed`; it returns the complete JPEG parts."""

    def __init__(self, boundary: bytes | None) -> None:
        self.boundary = boundary
        self._buf = bytearray()
        self._state = "preamble"
        self._length: int | None = None
        self.skipped = 0  # parts that were not JPEG images

    def _delimiter(self) -> bytes:
        return b"--" + self.boundary if self.boundary else b"--"

    def feed(self, data: bytes) -> list[bytes]:
        self._buf += data
        out: list[bytes] = []
        while True:
            if self._state == "preamble":
                if not self._find_boundary():
                    break
            elif self._state == "headers":
                end = self._buf.find(b"\r\n\r\n")
                sep = 4
                if end < 0:
                    end = self._buf.find(b"\n\n")
                    sep = 2
                if end < 0:
                    if len(self._buf) > MAX_HEADERS:
                        raise MultipartError("part headers too long")
                    break
                headers = bytes(self._buf[:end]).decode("latin-1", "replace")
                del self._buf[: end + sep]
                self._length = None
                for line in headers.splitlines():
                    name, _, value = line.partition(":")
                    if name.strip().lower() == "content-length":
                        try:
                            self._length = int(value.strip())
                        except ValueError:
                            self._length = None
                        if self._length is not None and not 0 <= self._length <= MAX_PART:
                            raise MultipartError(f"part length {self._length} out of range")
                self._state = "body"
            else:  # body
                part = self._take_body()
                if part is None:
                    break
                if part[:2] == b"\xff\xd8":
                    out.append(part)
                else:
                    self.skipped += 1
                self._state = "preamble"
        return out

    def _find_boundary(self) -> bool:
        delim = self._delimiter()
        if self.boundary is None:
            # No boundary announced: learn it from the first "--xxx" line.
            start = self._buf.find(b"--")
            if start < 0:
                self._trim()
                return False
            eol = self._buf.find(b"\n", start)
            if eol < 0:
                return False
            self.boundary = bytes(self._buf[start + 2: eol]).strip()
            del self._buf[: eol + 1]
            self._state = "headers"
            return True
        idx = self._buf.find(delim)
        if idx < 0:
            self._trim(len(delim))
            return False
        eol = self._buf.find(b"\n", idx)
        if eol < 0:
            return False
        del self._buf[: eol + 1]
        self._state = "headers"
        return True

    def _trim(self, keep: int = 80) -> None:
        if len(self._buf) > keep:
            del self._buf[: len(self._buf) - keep]

    def _take_body(self) -> bytes | None:
        if self._length is not None:
            if len(self._buf) < self._length:
                return None
            part = bytes(self._buf[: self._length])
            del self._buf[: self._length]
            return part
        delim = self._delimiter()
        idx = self._buf.find(delim)
        if idx < 0:
            if len(self._buf) > MAX_PART:
                raise MultipartError("part too long without boundary")
            return None
        part = bytes(self._buf[:idx])
        del self._buf[:idx]
        # strip the CRLF that precedes the delimiter
        if part.endswith(b"\r\n"):
            part = part[:-2]
        elif part.endswith(b"\n"):
            part = part[:-1]
        return part
