"""Loopback servers for the tests: an echo app of our own, httpbin, and a TLS echo.

Every server binds 127.0.0.1 on a free port, runs in a daemon thread and is stopped by
the fixture that started it. Nothing here ever talks to the internet.

The echo app answers ``ANY /echo`` and ``ANY /echo/{rest}`` with what it received::

    {"method": str, "path": str (raw, percent-encoding kept), "query": str (raw),
     "headers": [[lowercase-name, value], ...] (in order), "body_b64": str}

and offers ``/status/{code}``, ``/slow?delay=S``, ``/bytes?n=N``, ``/bigjson?mb=N``,
``/redirect?to=URL&code=302``, ``/loop`` (redirects to itself forever),
``/insufficient-scope`` (403), ``/invalid-values`` (422), ``/needs-token?token=T``
(401 unless ``Bearer T``), ``/drip?n=N&delay=S`` (a slow body), ``/counter?status=200``
(a number that grows on each call), ``/set-cookie?name=value`` and ``/json``.
"""

from __future__ import annotations

import asyncio
import base64
import json
import socket
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

__all__ = [
    "SLOW_ARRIVALS",
    "SLOW_HANGUPS",
    "SLOW_IN_FLIGHT",
    "RunningServer",
    "closed_port",
    "echo_app",
    "expected_bytes",
    "start_httpbin",
    "start_uvicorn",
    "start_wsgi",
]


def _qs(scope: dict[str, Any]) -> dict[str, str]:
    return dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))


async def _read_body(receive: Any) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _send(send: Any, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    headers = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _send_json(send: Any, status: int, value: Any,
                     headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps(value).encode()
    await _send(send, status, body, [(b"content-type", b"application/json"), *(headers or [])])


_COUNTER = [0]  # /counter: how many times it was really called (per process)
SLOW_HANGUPS = [0]  # /slow: how many clients closed the connection before the answer
SLOW_ARRIVALS = [0]  # /slow: how many requests reached the server
SLOW_IN_FLIGHT = [0, 0]  # /slow: requests being answered now, and the most at once


async def echo_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """A raw ASGI app (no framework) so the echo reports exactly what arrived."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    path: str = scope["path"]
    raw_path = scope.get("raw_path") or path.encode()
    query = _qs(scope)

    if path == "/echo" or path.startswith("/echo/"):
        body = await _read_body(receive)
        await _send_json(send, 200, {
            "method": scope["method"],
            "path": raw_path.decode("latin-1"),
            "query": scope.get("query_string", b"").decode("latin-1"),
            "headers": [[k.decode("latin-1").lower(), v.decode("latin-1")]
                        for k, v in scope["headers"]],
            "body_b64": base64.b64encode(body).decode("ascii"),
        })
    elif path.startswith("/status/"):
        await _read_body(receive)
        code = int(path.rsplit("/", 1)[1])
        extra = [(b"retry-after", b"7")] if code == 429 else []
        if code in (204, 304) or scope["method"] == "HEAD":
            await _send(send, code, b"", extra)
        else:
            await _send_json(send, code, {"status": code}, extra)
    elif path == "/slow":
        delay = float(query.get("delay", "1"))
        SLOW_ARRIVALS[0] += 1
        SLOW_IN_FLIGHT[0] += 1
        SLOW_IN_FLIGHT[1] = max(SLOW_IN_FLIGHT)
        try:
            if await _client_stayed(receive, delay):
                await _send_json(send, 200, {"slept": delay})
            else:
                SLOW_HANGUPS[0] += 1
        finally:
            SLOW_IN_FLIGHT[0] -= 1
    elif path == "/bytes":
        await _stream_bytes(send, int(query.get("n", "1024")))
    elif path == "/drip":
        await _drip(send, receive, int(query.get("n", "10")), float(query.get("delay", "0.1")))
    elif path == "/bigjson":
        await _send(send, 200, _big_json(float(query.get("mb", "1"))),
                    [(b"content-type", b"application/json")])
    elif path == "/redirect":
        code = int(query.get("code", "302"))
        await _send(send, code, b"", [(b"location", query.get("to", "/echo").encode())])
    elif path == "/counter":
        _COUNTER[0] += 1
        await _send_json(send, int(query.get("status", "200")), {"count": _COUNTER[0]})
    elif path == "/needs-token":
        auth = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
        ok = auth == "Bearer " + query.get("token", "")
        await _send_json(send, 200 if ok else 401, {"authorization": auth})
    elif path == "/loop":
        await _send(send, 302, b"", [(b"location", b"/loop")])
    elif path == "/insufficient-scope":
        await _send_json(send, 403, {"error": "insufficient_scope",
                                     "error_description": "The token lacks a scope."}, [
            (b"www-authenticate",
             b'Bearer error="insufficient_scope", scope="read:jira-work write:jira-work"'),
        ])
    elif path == "/invalid-values":
        await _read_body(receive)
        await _send_json(send, 422, {"errors": [
            {"field": "summary", "message": "Summary is required."},
            {"field": "priority", "message": "'Urgentest' is not a priority."},
        ]})
    elif path == "/set-cookie":
        cookies = [(b"set-cookie", f"{k}={v}; Path=/".encode()) for k, v in query.items()]
        await _send_json(send, 200, {"set": query}, cookies)
    elif path == "/json":
        await _send_json(send, 200, {"name": "relaydesk", "items": [1, 2, 3]})
    else:
        await _send_json(send, 404, {"error": f"no route {path}"})


async def _client_stayed(receive: Any, delay: float) -> bool:
    """Sleep ``delay`` seconds; False as soon as the client hangs up (a cancelled
    request), so the server never sits on a dead request at shutdown."""
    async def gone() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    try:
        await asyncio.wait_for(gone(), delay)
    except TimeoutError:
        return True
    return False


async def _stream_bytes(send: Any, n: int) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [
        (b"content-type", b"application/octet-stream"),
        (b"content-length", str(n).encode()),
    ]})
    chunk = bytes(range(256)) * 256  # 64 KiB, a known pattern
    async for piece in _pieces(n, chunk):
        await send({"type": "http.response.body", "body": piece, "more_body": True})
    await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _drip(send: Any, receive: Any, n: int, delay: float) -> None:
    """``n`` chunks of 1 KiB, one every ``delay`` seconds (a slow body)."""
    await send({"type": "http.response.start", "status": 200, "headers": [
        (b"content-type", b"application/octet-stream"),
        (b"content-length", str(n * 1024).encode()),
    ]})
    for _ in range(n):
        await send({"type": "http.response.body", "body": b"d" * 1024, "more_body": True})
        if not await _client_stayed(receive, delay):
            return
    await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _pieces(n: int, chunk: bytes) -> AsyncIterator[bytes]:
    left = n
    while left > 0:
        piece = chunk[: min(left, len(chunk))]
        left -= len(piece)
        yield piece


def _big_json(mb: float) -> bytes:
    item = {"id": 0, "name": "relaydesk item", "tags": ["a", "b", "c"], "ok": True}
    one = len(json.dumps(item)) + 2
    count = max(1, int(mb * 1024 * 1024 / one))
    return json.dumps([{**item, "id": i} for i in range(count)]).encode()


def expected_bytes(n: int) -> bytes:
    """What ``/bytes?n=N`` sends, for comparisons."""
    chunk = bytes(range(256)) * 256
    return (chunk * (n // len(chunk) + 1))[:n]


# -- runners -----------------------------------------------------------------------------


@dataclass
class RunningServer:
    base_url: str
    stop: Any  # Callable[[], None]


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def start_uvicorn(app: Any = echo_app, *, certfile: Path | None = None,
                  keyfile: Path | None = None, **config: Any) -> RunningServer:
    """Run ``app`` (extra ``config`` goes to ``uvicorn.Config``, e.g. ``ssl_ca_certs``)."""
    import uvicorn

    sock = _free_socket()
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, log_level="warning", lifespan="off", access_log=False,
        ssl_certfile=str(certfile) if certfile else None,
        ssl_keyfile=str(keyfile) if keyfile else None,
        timeout_graceful_shutdown=1, **config,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=5)
        sock.close()

    scheme = "https" if certfile else "http"
    return RunningServer(f"{scheme}://127.0.0.1:{port}", stop)


def start_httpbin() -> RunningServer:
    import httpbin

    return start_wsgi(httpbin.app)


def start_wsgi(app: Any) -> RunningServer:
    """A WSGI app on 127.0.0.1 (werkzeug, a thread per request), quiet."""
    from werkzeug.serving import WSGIRequestHandler, make_server

    class QuietHandler(WSGIRequestHandler):
        def log_request(self, *args: Any, **kwargs: Any) -> None:
            pass

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()

    return RunningServer(f"http://127.0.0.1:{server.server_port}", stop)


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound then released)."""
    sock = _free_socket()
    port: int = sock.getsockname()[1]
    sock.close()
    return port
