"""Servers built to hurt a client, on 127.0.0.1: raw sockets, so every byte is ours.

Each ``start_*`` returns a ``RunningServer`` (base URL, ``stop``). A server answers
every connection in its own daemon thread and stops writing when the client hangs up.
Used by tests/integration/test_hostile_*.py and benchmarks/hostile_cases/network.py.
"""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import threading
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.servers import RunningServer

__all__ = [
    "Handler",
    "Hostile",
    "chunked_forever",
    "drip",
    "echo_query",
    "gzip_body",
    "gzip_bomb",
    "http2_server",
    "raw_answer",
    "redirect_then_echo",
    "start_raw",
]

# Reads the request head and writes whatever it likes to the socket.
Handler = Callable[[socket.socket, str], None]


class Hostile:
    """Counts what a raw server did, for assertions (bytes written, connections)."""

    def __init__(self) -> None:
        self.sent = 0
        self.requests: list[str] = []


def _read_head(conn: socket.socket) -> str:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    return data.decode("latin-1")


def start_raw(handler: Handler) -> RunningServer:
    """Run ``handler`` for every connection (one request per connection)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    stopping = threading.Event()

    def serve_one(conn: socket.socket) -> None:
        # OSError: the client hung up, which is what these servers wait for.
        with conn, contextlib.suppress(OSError):
            handler(conn, _read_head(conn))

    def accept() -> None:
        while not stopping.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=serve_one, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()

    def stop() -> None:
        stopping.set()
        listener.close()

    return RunningServer(f"http://127.0.0.1:{listener.getsockname()[1]}", stop)


def chunked_forever(stats: Hostile, chunk: int = 64 * 1024, pause: float = 0.0) -> Handler:
    """200 with a chunked body that never ends (until the client hangs up)."""
    piece = f"{chunk:x}\r\n".encode() + b"x" * chunk + b"\r\n"

    def handle(conn: socket.socket, head: str) -> None:
        stats.requests.append(head)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n")
        while True:
            conn.sendall(piece)
            stats.sent += chunk
            if pause:
                time.sleep(pause)

    return handle


def gzip_body(decoded_mb: int, *, exact_trailer: bool = True) -> bytes:
    """A gzip body of ``decoded_mb`` MiB of zeros, about 1 KB per MiB, built in no time:
    after a full flush deflate's output for another MiB of zeros repeats exactly.
    Without ``exact_trailer`` the CRC is not computed (seconds per GiB): for clients
    that must stop long before the end."""
    mib = b"\0" * (1024 * 1024)
    deflate = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    first = deflate.compress(mib) + deflate.flush(zlib.Z_FULL_FLUSH)
    block = deflate.compress(mib) + deflate.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    if exact_trailer:
        for _ in range(decoded_mb):
            crc = zlib.crc32(mib, crc)
    final = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS).flush()  # empty last block
    size = (decoded_mb * len(mib)) & 0xFFFFFFFF
    return first + block * (decoded_mb - 1) + final + struct.pack("<II", crc, size)


def gzip_bomb(stats: Hostile, decoded_mb: int, *, exact_trailer: bool = True) -> Handler:
    """200 with ``Content-Encoding: gzip``: a small body that decodes to ``decoded_mb``."""
    body = gzip_body(decoded_mb, exact_trailer=exact_trailer)

    def handle(conn: socket.socket, head: str) -> None:
        stats.requests.append(head)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                     b"Content-Encoding: gzip\r\n"
                     + f"Content-Length: {len(body)}\r\n\r\n".encode())
        conn.sendall(body)
        stats.sent += len(body)

    return handle


def drip(stats: Hostile, every: float, length: int = 1000) -> Handler:
    """200 announcing ``length`` bytes, then one byte every ``every`` seconds."""

    def handle(conn: socket.socket, head: str) -> None:
        stats.requests.append(head)
        conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Length: {length}\r\n\r\n".encode())
        for _ in range(length):
            time.sleep(every)
            conn.sendall(b".")
            stats.sent += 1

    return handle


def raw_answer(status_line: str, body: bytes = b"", headers: dict[str, str] | None = None,
               stats: Hostile | None = None) -> Handler:
    """One fixed answer; ``status_line`` may carry any bytes (latin-1)."""
    lines = [status_line, f"Content-Length: {len(body)}", "Connection: close",
             *(f"{k}: {v}" for k, v in (headers or {}).items())]

    def handle(conn: socket.socket, head: str) -> None:
        if stats is not None:
            stats.requests.append(head)
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)

    return handle


def echo_query(stats: Hostile) -> Handler:
    """200 whose JSON body is the request target (path and query) it received."""

    def handle(conn: socket.socket, head: str) -> None:
        stats.requests.append(head)
        target = head.split(" ", 2)[1] if " " in head else ""
        body = json.dumps({"target": target}).encode()
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                     + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
                     + body)

    return handle


def redirect_then_echo(stats: Hostile, location: str = "/final") -> Handler:
    """``/start…`` answers 302 to ``location`` (a path: same origin, no query); any
    other target is echoed (see ``echo_query``)."""
    echo = echo_query(stats)

    def handle(conn: socket.socket, head: str) -> None:
        target = head.split(" ", 2)[1] if " " in head else ""
        if target.startswith("/start"):
            stats.requests.append(head)
            conn.sendall(f"HTTP/1.1 302 Found\r\nLocation: {location}\r\n"
                         "Content-Length: 0\r\nConnection: close\r\n\r\n".encode())
            return
        echo(conn, head)

    return handle


def http2_server(tmp: Path) -> tuple[RunningServer, Path]:
    """hypercorn over TLS (throwaway trustme certificates) offering h2 and http/1.1
    through ALPN; returns the server and the CA file a client must trust."""
    import asyncio

    import trustme
    from hypercorn.asyncio import serve
    from hypercorn.config import Config

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    ca_file, cert_file, key_file = tmp / "ca.pem", tmp / "cert.pem", tmp / "key.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    cert.cert_chain_pems[0].write_to_path(str(cert_file))
    cert.private_key_pem.write_to_path(str(key_file))

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = json.dumps({"http_version": scope["http_version"]}).encode()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    config = Config()
    config.bind = [f"127.0.0.1:{port}"]
    config.certfile, config.keyfile = str(cert_file), str(key_file)
    config.alpn_protocols = ["h2", "http/1.1"]
    config.loglevel = "WARNING"
    config.accesslog = None
    config.errorlog = None
    stop_event: list[asyncio.Event] = []
    loop = asyncio.new_event_loop()
    started = threading.Event()

    async def main() -> None:
        event = asyncio.Event()
        stop_event.append(event)
        started.set()
        await serve(app, config, shutdown_trigger=event.wait)  # type: ignore[arg-type]

    def run() -> None:
        try:
            loop.run_until_complete(main())
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    started.wait(10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # until it listens
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)

    def stop() -> None:
        loop.call_soon_threadsafe(stop_event[0].set)
        thread.join(timeout=5)

    return RunningServer(f"https://127.0.0.1:{port}", stop), ca_file
