# SPDX-License-Identifier: EUPL-1.2
"""JSON lines in, JSON lines out (see firmware/PROTOCOL.md).

:class:`LineReader` cuts the byte stream into lines and never grows past
``MAX_LINE`` bytes; :func:`parse` turns one line into a request or an error
reply. Every malformed line gets an error reply, so a host always hears back.
"""

import json

MAX_LINE = 256  # bytes, newline excluded

BAD_JSON = "bad_json"
BAD_REQUEST = "bad_request"
LINE_TOO_LONG = "line_too_long"
UNKNOWN_COMMAND = "unknown_command"
BAD_VALUE = "bad_value"
UNSUPPORTED_VERSION = "unsupported_version"


class LineReader:
    def __init__(self, limit=MAX_LINE):
        self.limit = limit
        self._buf = b""
        self._overflow = False

    def feed(self, data):
        """Add bytes; return the complete lines, ``None`` standing for a line
        that was too long (its bytes are dropped)."""
        lines = []
        while data:
            cut = data.find(b"\n")
            if cut < 0:
                if not self._overflow:
                    self._buf += data
                    if len(self._buf) > self.limit:
                        self._buf = b""
                        self._overflow = True
                return lines
            part, data = data[:cut], data[cut + 1:]
            if self._overflow or len(self._buf) + len(part) > self.limit:
                lines.append(None)
            else:
                line = (self._buf + part).strip()
                if line:
                    lines.append(line)
            self._buf = b""
            self._overflow = False
        return lines


def error(code, message, req_id=None):
    return {"id": req_id, "ok": False, "error": code, "message": message}


def encode(obj):
    return (json.dumps(obj) + "\n").encode()


def parse(line):
    """``(request, None)`` or ``(None, error reply)`` for one line of bytes."""
    try:
        obj = json.loads(line.decode("utf-8"))
    except (ValueError, UnicodeError):
        return None, error(BAD_JSON, "not a JSON line")
    if not isinstance(obj, dict):
        return None, error(BAD_REQUEST, "a request is a JSON object")
    req_id = obj.get("id")
    if req_id is not None and (isinstance(req_id, bool) or not isinstance(req_id, (int, str))
                               or (isinstance(req_id, str) and len(req_id) > 32)):
        return None, error(BAD_REQUEST, "id must be a number or a short text")
    version = obj.get("v", 1)
    if version != 1 or isinstance(version, bool):
        return None, error(UNSUPPORTED_VERSION, "this firmware speaks protocol 1", req_id)
    cmd = obj.get("cmd")
    if not isinstance(cmd, str):
        return None, error(BAD_REQUEST, "missing cmd", req_id)
    return obj, None


def number(obj, name, low, high, default=None):
    """A number field of a request, checked; raises ValueError with a message."""
    value = obj.get(name, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be a number")
    if value != value or not low <= value <= high:  # NaN fails too
        raise ValueError(f"{name} must be between {low} and {high}")
    return value
