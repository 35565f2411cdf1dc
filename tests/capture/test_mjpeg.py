"""The multipart parser: split anywhere, with or without lengths, hostile input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cagette.capture.mjpeg import MultipartError, MultipartParser, boundary_from_content_type
from cagette.capture.recorder import jpeg_size

JPEGS = st.lists(st.binary(min_size=0, max_size=300).map(lambda b: b"\xff\xd8" + b + b"\xff\xd9"), min_size=1,
                 max_size=8)


def stream(parts: list[bytes], boundary: str = "frame", lengths: bool = True) -> bytes:
    out = b""
    for p in parts:
        head = f"--{boundary}\r\nContent-Type: image/jpeg\r\n"
        if lengths:
            head += f"Content-Length: {len(p)}\r\n"
        out += head.encode() + b"\r\n" + p + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


@settings(max_examples=60, deadline=None)
@given(parts=JPEGS, cuts=st.lists(st.integers(min_value=1, max_value=50), max_size=30))
def test_any_split_gives_the_same_parts(parts: list[bytes], cuts: list[int]) -> None:
    data = stream(parts)
    parser = MultipartParser(b"frame")
    got: list[bytes] = []
    i = 0
    for c in cuts:
        got += parser.feed(data[i: i + c])
        i += c
    got += parser.feed(data[i:])
    assert got == parts


def test_without_content_length_boundary_search() -> None:
    parts = [b"\xff\xd8one\xff\xd9", b"\xff\xd8two\xff\xd9"]
    parser = MultipartParser(b"frame")
    assert parser.feed(stream(parts, lengths=False)) == parts


def test_boundary_learnt_and_non_jpeg_skipped() -> None:
    data = b"--xyz\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello\r\n" + stream([b"\xff\xd8a"], "xyz")
    parser = MultipartParser(None)
    assert parser.feed(data) == [b"\xff\xd8a"]
    assert parser.skipped == 1


def test_content_type_boundary() -> None:
    assert boundary_from_content_type('multipart/x-mixed-replace; boundary="--myboundary"') == b"myboundary"
    assert boundary_from_content_type("multipart/x-mixed-replace;boundary=frame") == b"frame"
    assert boundary_from_content_type("image/jpeg") is None


def test_absurd_length_is_refused() -> None:
    with pytest.raises(MultipartError):
        MultipartParser(b"f").feed(b"--f\r\nContent-Length: 999999999999\r\n\r\n")


def test_jpeg_size_from_sof() -> None:
    import cv2
    import numpy as np

    data = cv2.imencode(".jpg", np.zeros((48, 64, 3), np.uint8))[1].tobytes()
    assert jpeg_size(data) == (64, 48)
    assert jpeg_size(b"\xff\xd8garbage") is None


def test_drops_and_duplicates_are_counted() -> None:
    import time
    from collections.abc import Iterator

    from cagette.capture.sources import Frame, Source

    class Paced(Source):
        kind = "test"
        reconnect = False

        def _connect_and_read(self) -> Iterator[Frame]:
            start = time.monotonic()
            for k in list(range(30)) + list(range(40, 70)):  # frames 30..39 never arrive
                due = start + k / 30
                time.sleep(max(0.0, due - time.monotonic()))
                data = b"\xff\xd8" + (b"same" if k in (5, 6) else bytes(str(k), "ascii"))
                yield self._make(data, "jpeg")

    src = Paced("test://", fps_hint=30)
    frames = list(src.frames())
    assert len(frames) == 60
    assert src.stats.duplicates == 1
    assert 8 <= src.stats.dropped <= 12, src.stats.dropped
