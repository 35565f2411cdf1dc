"""A minimal RTSP server for tests (RTP over the RTSP TCP connection).

The ffmpeg binary encodes a test pattern to H.264 and sends RTP packets to a
local UDP port (``-f rtp``), writing the SDP; this server answers OPTIONS,
DESCRIBE (that SDP), SETUP (``RTP/AVP/TCP;interleaved=0-1`` only), PLAY,
GET_PARAMETER and TEARDOWN, and forwards each RTP packet to the playing
clients, interleaved (``$``, channel, length). Enough for ffmpeg's and
PyAV's RTSP clients with ``-rtsp_transport tcp``, which cagette uses.
"""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from pathlib import Path


class RtspTestServer:
    def __init__(self, tmp: Path, port: int, size: str = "320x240", fps: int = 15, source: str = "") -> None:
        """*source* is a lavfi graph to send instead of ``testsrc2`` (e.g. pictures carrying their numbers)."""
        import imageio_ffmpeg

        self.port = port
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.udp.settimeout(0.2)
        udp_port = self.udp.getsockname()[1]
        self.sdp_file = tmp / "stream.sdp"
        self.encoder = subprocess.Popen(
            [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-re", "-f", "lavfi", "-i",
             source or f"testsrc2=size={size}:rate={fps}", "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
             "-g", str(fps), "-pix_fmt", "yuv420p", "-f", "rtp", "-sdp_file", str(self.sdp_file),
             f"rtp://127.0.0.1:{udp_port}?pkt_size=1200"], stdin=subprocess.DEVNULL)
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", port))
        self.listener.listen(4)
        self.listener.settimeout(0.2)
        self._clients: list[socket.socket] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._accept, daemon=True),
                         threading.Thread(target=self._forward, daemon=True)]
        deadline = time.monotonic() + 10
        while not (self.sdp_file.exists() and self.sdp_file.stat().st_size):
            if time.monotonic() > deadline or self.encoder.poll() is not None:
                raise RuntimeError("the RTP encoder did not start")
            time.sleep(0.05)
        sdp = self.sdp_file.read_text()
        lines = []
        for line in sdp.splitlines():
            if line.startswith("m=video"):
                parts = line.split()
                parts[1] = "0"
                line = " ".join(parts)
                lines.append(line)
                lines.append("a=control:track0")
                continue
            if line.startswith("c=IN"):
                line = "c=IN IP4 0.0.0.0"
            lines.append(line)
        self.sdp = "\r\n".join(lines) + "\r\n"
        for t in self._threads:
            t.start()

    @property
    def url(self) -> str:
        return f"rtsp://127.0.0.1:{self.port}/live"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _addr = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        buf = b""
        conn.settimeout(0.5)
        try:
            while not self._stop.is_set():
                try:
                    data = conn.recv(4096)
                except TimeoutError:
                    continue
                if not data:
                    return
                buf += data
                while b"\r\n\r\n" in buf:
                    head, buf = buf.split(b"\r\n\r\n", 1)
                    lines = head.decode("latin-1").split("\r\n")
                    method = lines[0].split()[0]
                    headers = {k.strip().lower(): v.strip() for k, _s, v in (ln.partition(":") for ln in lines[1:])}
                    length = int(headers.get("content-length", "0"))
                    buf = buf[length:]
                    self._answer(conn, method, headers)
        except OSError:
            return
        finally:
            with self._lock:
                if conn in self._clients:
                    self._clients.remove(conn)
            conn.close()

    def _answer(self, conn: socket.socket, method: str, headers: dict[str, str]) -> None:
        cseq = headers.get("cseq", "0")
        extra = ""
        body = ""
        status = "200 OK"
        if method == "OPTIONS":
            extra = "Public: OPTIONS, DESCRIBE, SETUP, PLAY, GET_PARAMETER, TEARDOWN\r\n"
        elif method == "DESCRIBE":
            body = self.sdp
            extra = f"Content-Base: {self.url}/\r\nContent-Type: application/sdp\r\n"
        elif method == "SETUP":
            transport = headers.get("transport", "")
            if "TCP" not in transport.upper():
                status = "461 Unsupported Transport"
            else:
                extra = "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\nSession: 1234abcd;timeout=60\r\n"
        elif method == "PLAY":
            extra = "Session: 1234abcd\r\nRange: npt=0.000-\r\n"
        elif method in ("GET_PARAMETER", "TEARDOWN"):
            extra = "Session: 1234abcd\r\n"
        else:
            status = "405 Method Not Allowed"
        reply = f"RTSP/1.0 {status}\r\nCSeq: {cseq}\r\n{extra}"
        if body:
            reply += f"Content-Length: {len(body.encode())}\r\n"
        reply += "\r\n" + body
        with self._lock:
            conn.sendall(reply.encode())
            if method == "PLAY" and status.startswith("200"):
                self._clients.append(conn)
            if method == "TEARDOWN" and conn in self._clients:
                self._clients.remove(conn)

    def _forward(self) -> None:
        while not self._stop.is_set():
            try:
                packet = self.udp.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            frame = b"$\x00" + len(packet).to_bytes(2, "big") + packet
            with self._lock:
                for c in list(self._clients):
                    try:
                        c.sendall(frame)
                    except OSError:
                        self._clients.remove(c)

    def close(self) -> None:
        self._stop.set()
        self.encoder.kill()
        self.encoder.wait()
        self.listener.close()
        with self._lock:
            for c in self._clients:
                try:
                    c.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            self._clients.clear()
        for t in self._threads:
            t.join(timeout=5)
        self.udp.close()
