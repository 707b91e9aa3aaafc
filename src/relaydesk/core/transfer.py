"""One exchange on the wire: redirects followed by hand, timings traced, body streamed.

Redirects are followed here rather than by httpx so that credentials never travel to
another origin: when a redirect leaves the scheme/host/port of the previous hop, the
Authorization, API-key, Cookie and Proxy-Authorization headers, an API-key query
parameter and header-less auth (Digest) are all dropped for the rest of the chain.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from anyio.lowlevel import checkpoint

from .errors import RequestTimeout, ResponseTooLarge, TooManyRedirects
from .multipart import encode_multipart
from .prepare import PreparedRequest
from .redirect_policy import carry_credential_params, check_https_only, strip_credentials
from .response import Timings
from .spool import new_spool_file, release
from .timeline import TraceLog
from .units import human_size
from .urls import same_origin

__all__ = ["MAX_REDIRECTS", "Exchange", "ProgressCallback", "Received", "fetch",
           "open_exchange", "read_body", "request_body", "too_large"]

MAX_REDIRECTS = 20
# The longest a body read keeps the event loop before letting other work run (s).
_MAX_TURN = 0.010
ProgressCallback = Callable[[int, int | None], None]
_REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
_BODY_HEADERS = frozenset({"content-type", "content-length", "content-encoding"})


class _Trace:
    """Collects httpcore trace events into a ``Timings`` (per request, all hops).
    A plain class: one is made per request, events or not."""

    __slots__ = ("log", "marks", "start")

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.marks: dict[str, float] = {}
        self.log = TraceLog()  # every event, for the timeline

    async def __call__(self, name: str, info: dict[str, Any]) -> None:
        # e.g. "connection.connect_tcp.started", "http11.receive_response_headers.complete"
        self.marks[name] = time.perf_counter()
        self.log.add(name)

    def span(self, prefix: str) -> float | None:
        a, b = self.marks.get(f"{prefix}.started"), self.marks.get(f"{prefix}.complete")
        return b - a if a is not None and b is not None else None

    def timings(self) -> Timings:
        if not self.marks:  # traced nothing (a collection run): the total is all there is
            return Timings(total=time.perf_counter() - self.start)
        sent = self.marks.get("http11.send_request_body.complete") or self.marks.get(
            "http2.send_request_body.complete") or self.marks.get(
            "http2.send_request_headers.complete")
        got = self.marks.get("http11.receive_response_headers.complete") or self.marks.get(
            "http2.receive_response_headers.complete")
        return Timings(
            connect=self.span("connection.connect_tcp"),
            tls=self.span("connection.start_tls"),
            first_byte=(got - sent) if sent is not None and got is not None else None,
            total=time.perf_counter() - self.start,
        )


@functools.lru_cache(maxsize=16)
def _timeout(seconds: float) -> dict[str, float | None]:
    """httpx's per-request timeout extension (one per distinct value, not per send)."""
    return httpx.Timeout(seconds).as_dict()


@functools.lru_cache(maxsize=256)
def _parsed_url(url: str) -> httpx.URL:
    """The parsed URL (immutable), one per distinct text: a collection run sends the
    same URLs over and over, and parsing is a good part of building a request."""
    return httpx.URL(url)


@functools.lru_cache(maxsize=256)
def _url_text(url: str) -> str:
    """``str()`` of the parsed URL (httpx's normal form), also one per distinct text."""
    return str(_parsed_url(url))


def request_body(prepared: PreparedRequest) -> tuple[bytes | None, str | None]:
    """The body bytes and, for multipart, the Content-Type carrying the boundary."""
    if not prepared.is_multipart:
        return prepared.content, None
    ctype = prepared.header("content-type") or ""
    boundary = ctype.partition("boundary=")[2].strip('"') or None
    content, generated = encode_multipart(prepared.files or [], boundary=boundary)
    return content, (None if boundary else generated)


@dataclass
class Exchange:
    response: httpx.Response  # open, body not read yet
    trace: _Trace
    redirects: list[str]
    # (method, url, status, location) of every hop, the final answer last
    answers: list[tuple[str, str, int, str]] = field(default_factory=list)


async def open_exchange(
    client: httpx.AsyncClient,
    prepared: PreparedRequest,
    headers: list[tuple[str, str]],
    content: bytes | None,
    *,
    max_redirects: int = MAX_REDIRECTS,
    trace_events: bool = True,
) -> Exchange:
    """Send ``prepared`` and follow redirects; the caller reads and closes the body.
    Without ``trace_events`` httpcore reports no events: only the total time is known
    (no timeline; what a collection run wants, at less cost per request)."""
    trace = _Trace()
    timeout = _timeout(prepared.timeout)
    extensions: dict[str, Any] = {"timeout": timeout}
    if trace_events:
        extensions["trace"] = trace
    method, url, auth = prepared.method, prepared.url, prepared.auth
    redirects: list[str] = []
    answers: list[tuple[str, str, int, str]] = []
    while True:
        request = httpx.Request(method, _parsed_url(url), headers=headers, content=content,
                                extensions=extensions)
        response = await client.send(request, stream=True, auth=auth)
        status = response.status_code
        # Only a redirect's Location matters (a header lookup scans them all).
        location = response.headers.get("location") if status in _REDIRECT_CODES else None
        answers.append((method, _url_text(url), status, location or ""))
        if not prepared.follow_redirects or not location:
            return Exchange(response, trace, redirects, answers)
        await response.aclose()
        if len(redirects) >= max_redirects:
            raise TooManyRedirects(
                f"Too many redirects (more than {max_redirects}); the last one pointed to "
                f"'{location}'. The server may be redirecting in a loop.",
                location=location, url=url)
        next_url = str(response.url.join(location))
        redirects.append(url)
        check_https_only(next_url, prepared.https_only, redirected=True)
        if (status == 303 and method != "HEAD") or (status in (301, 302) and method == "POST"):
            # As browsers do: the follow-up is a GET without the body.
            method, content = "GET", None
            headers = [(k, v) for k, v in headers if k.lower() not in _BODY_HEADERS]
        if not same_origin(url, next_url):
            next_url, headers = strip_credentials(next_url, headers, prepared.sensitive_headers,
                                                  prepared.sensitive_params)
            auth = None
        else:
            next_url = carry_credential_params(url, next_url, prepared.sensitive_params)
        url = next_url


@dataclass
class Received:
    """An exchange read whole: the open-then-closed response, its body and size."""

    exchange: Exchange
    body: bytes
    body_file: Path | None
    size: int


async def fetch(
    client: httpx.AsyncClient,
    prepared: PreparedRequest,
    headers: list[tuple[str, str]],
    content: bytes | None,
    *,
    max_redirects: int = MAX_REDIRECTS,
    spool_threshold: int,
    on_progress: ProgressCallback | None = None,
    trace_events: bool = True,
) -> Received:
    """``open_exchange`` then ``read_body``, all within ``prepared.max_time`` seconds
    and ``prepared.max_size`` body bytes (``RequestTimeout`` with phase ``total`` /
    ``ResponseTooLarge`` past them)."""
    received = [0]

    def progress(size: int, total: int | None) -> None:
        received[0] = size
        if on_progress is not None:
            on_progress(size, total)

    deadline = asyncio.timeout(prepared.max_time)
    try:
        async with deadline:
            opened = await open_exchange(client, prepared, headers, content,
                                         max_redirects=max_redirects,
                                         trace_events=trace_events)
            body, body_file, size = await read_body(
                opened.response, spool_threshold=spool_threshold, on_progress=progress,
                max_size=prepared.max_size)
    except TimeoutError:
        if not deadline.expired():
            raise
        raise _past_deadline(prepared, received[0]) from None
    return Received(opened, body, body_file, size)


def _past_deadline(prepared: PreparedRequest, received: int) -> RequestTimeout:
    parts = urlsplit(prepared.url)
    where = parts.netloc.rpartition("@")[2]
    got = f"{human_size(received)} of the body received" if received else "no body yet"
    return RequestTimeout(
        f"The exchange with '{where}' did not finish within the total time limit of "
        f"{prepared.max_time:g} second{'' if prepared.max_time == 1 else 's'} ({got}; the "
        "server may be sending very slowly). "
        "Raise it with --max-time or the connection's max_time setting.",
        phase="total", limit=prepared.max_time, url=prepared.url, host=parts.hostname or "")


async def read_body(
    response: httpx.Response,
    *,
    spool_threshold: int,
    on_progress: ProgressCallback | None = None,
    max_size: int | None = None,
) -> tuple[bytes, Path | None, int]:
    """Read the body: in memory up to ``spool_threshold`` bytes, then into a temporary
    file. Returns ``(in-memory bytes, spooled file or None, size)``; a failure or a
    cancellation removes the partial file and closes the response. Past ``max_size``
    decoded bytes, reading stops with ``ResponseTooLarge``."""
    encoded, length = False, b""
    for name, value in response.headers.raw:  # one pass, not a scan per header asked
        name = name.lower()
        if name == b"content-encoding":
            encoded = True
        elif name == b"content-length":
            length = value
    total = int(length) if length.isdigit() and not encoded else None
    buffer = bytearray()
    spool: Any = None
    size = 0
    turn_started = time.perf_counter()
    try:
        if max_size is not None and total is not None and total > max_size:
            raise too_large(response, max_size, announced=total)
        # Undecoded bytes are the body itself: read as they come, past no decoder
        # (unless already read, as a mock transport's answer is).
        raw = not encoded and not response.is_stream_consumed
        async for chunk in (response.aiter_raw() if raw else response.aiter_bytes()):
            # On a fast link the socket is never empty, so the reads complete without
            # ever giving the event loop back; in the app that loop is the GUI's.
            if time.perf_counter() - turn_started > _MAX_TURN:
                await checkpoint()
                turn_started = time.perf_counter()
            size += len(chunk)
            if max_size is not None and size > max_size:
                # Counted after decoding: a small gzip body cannot fill the disk.
                raise too_large(response, max_size)
            if spool is not None:
                spool.write(chunk)
            else:
                buffer += chunk
                if len(buffer) > spool_threshold:
                    spool = new_spool_file()
                    spool.write(buffer)
                    buffer = bytearray()
            if on_progress is not None:
                on_progress(size, total)
    except BaseException:
        if spool is not None:
            spool.close()
            release(spool.name)
        raise
    finally:
        await response.aclose()
    if spool is not None:
        spool.close()
        return b"", Path(spool.name), size
    return bytes(buffer), None, size


def too_large(response: httpx.Response, limit: int, *, announced: int | None = None
              ) -> ResponseTooLarge:
    """The one line for a body past the size limit (announced, or counted so far)."""
    url = response.request.url
    where = f"{url.host}:{url.port}" if url.port else url.host
    if announced is not None:
        seen = f"it announces {human_size(announced)}"
    elif "content-encoding" in response.headers:
        seen = (f"it decompressed past that from {human_size(response.num_bytes_downloaded)}"
                " received")
    else:
        seen = "reading stopped there"
    return ResponseTooLarge(
        f"The response from '{where}' is larger than the size limit of {human_size(limit)} "
        f"({seen}). If you expect that much, raise the limit with --max-size or the "
        "connection's max_size setting.", limit=limit, url=str(url), host=url.host)
