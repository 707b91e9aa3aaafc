"""A loopback HTTP/1.1 server that records each request exactly as it arrived.

The echo app of ``tests/servers.py`` answers with what it saw, but a HEAD request or a
command that writes the answer to a file never shows that answer; and an ASGI server
has already normalised header names. This one reads the raw bytes off the socket:
request line, header lines in order with their original case, and the body (decoded
from chunked framing when it was chunked). It answers ``200 ok`` and closes.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field

__all__ = ["RawRequest", "WireRecorder"]


@dataclass
class RawRequest:
    method: str
    target: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


def _read_until(conn: socket.socket, buf: bytearray, marker: bytes) -> int:
    while (end := buf.find(marker)) < 0:
        chunk = conn.recv(65536)
        if not chunk:
            raise ConnectionError("closed before the end of the request head")
        buf += chunk
    return end


def _read_exact(conn: socket.socket, buf: bytearray, size: int) -> bytes:
    while len(buf) < size:
        chunk = conn.recv(65536)
        if not chunk:
            raise ConnectionError("closed inside the body")
        buf += chunk
    data = bytes(buf[:size])
    del buf[:size]
    return data


def _read_chunked(conn: socket.socket, buf: bytearray) -> bytes:
    body = bytearray()
    while True:
        end = _read_until(conn, buf, b"\r\n")
        size = int(bytes(buf[:end]).split(b";")[0], 16)
        del buf[:end + 2]
        if size == 0:
            _read_until(conn, buf, b"\r\n")  # no trailers expected
            return bytes(body)
        body += _read_exact(conn, buf, size + 2)[:-2]


def read_request(conn: socket.socket) -> RawRequest:
    buf = bytearray()
    end = _read_until(conn, buf, b"\r\n\r\n")
    head = bytes(buf[:end]).decode("latin-1").split("\r\n")
    del buf[:end + 4]
    method, target, _version = head[0].split(" ", 2)
    headers = [(n, v.strip(" \t")) for n, _, v in (line.partition(":") for line in head[1:])]
    low = {n.lower(): v for n, v in headers}
    if low.get("expect", "").lower() == "100-continue":
        conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
    if "chunked" in low.get("transfer-encoding", "").lower():
        body = _read_chunked(conn, buf)
    else:
        body = _read_exact(conn, buf, int(low.get("content-length", "0")))
    return RawRequest(method, target, headers, body)


class WireRecorder:
    """``with WireRecorder() as rec: … rec.take()`` returns the requests seen so far."""

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.port: int = self._sock.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._seen: list[RawRequest] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> WireRecorder:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._sock.close()
        self._thread.join(timeout=5)

    def take(self) -> list[RawRequest]:
        with self._lock:
            seen, self._seen = self._seen, []
        return seen

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return  # closed by __exit__
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(10)
            try:
                request = read_request(conn)
            except (OSError, ValueError):
                return
            with self._lock:
                self._seen.append(request)
            body = b"" if request.method == "HEAD" else b"ok\n"
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n"
                         b"Content-Length: 3\r\n\r\n" + body)
