"""What came back: status, headers, body (in memory or spooled to disk) and timings."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .timeline import Timeline

from .printable import printable

__all__ = ["Response", "Timings", "parse_set_cookies"]


@dataclass
class Timings:
    """Seconds per phase; ``None`` where the phase did not happen (a reused connection
    has no connect or TLS time) or cannot be measured (DNS is part of ``connect``).

    ``first_byte`` is the wait from the request being sent to the response headers
    arriving; ``total`` runs from the start until the body was read.
    """

    dns: float | None = None
    connect: float | None = None
    tls: float | None = None
    first_byte: float | None = None
    total: float = 0.0


@dataclass
class Response:
    status: int
    reason: str
    http_version: str
    method: str
    url: str  # the final URL (after redirects), with secret values masked
    headers: list[tuple[str, str]]
    cookies: list[tuple[str, str]] = field(default_factory=list)
    size: int = 0  # body bytes after content decoding
    timings: Timings = field(default_factory=Timings)
    from_cache: bool = False
    cache_age: float = 0.0  # seconds since the cached answer arrived (when from_cache)
    body_file: Path | None = None  # set when the body was spooled to disk
    problem: str | None = None  # plain words about a 4xx/5xx
    body: bytes = b""  # the body when it is held in memory
    redirects: list[str] = field(default_factory=list)  # URLs that redirected here
    # Makes server text safe for a message (credentials, control characters): the
    # engine sets the request's own for a 4xx/5xx.
    scrub: Callable[[str], str] = field(default=printable, repr=False, compare=False)
    timeline: Timeline | None = None  # as sent, each hop, phase times (core/timeline.py)
    restored_at: float | None = None  # epoch: kept from an earlier session, not just sent

    def content(self) -> bytes:
        if self.body_file is not None:
            return self.body_file.read_bytes()
        return self.body

    @property
    def content_type(self) -> str:
        return self.header("content-type") or ""

    @property
    def charset(self) -> str | None:
        for piece in self.content_type.split(";")[1:]:
            key, _, value = piece.strip().partition("=")
            if key.lower() == "charset" and value:
                return value.strip('"')
        return None

    def text(self) -> str:
        encoding = self.charset or "utf-8"
        try:
            return self.content().decode(encoding, errors="replace")
        except LookupError:  # an unknown charset name from the server
            return self.content().decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.content())

    @property
    def elapsed(self) -> float:
        return self.timings.total

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def header(self, name: str) -> str | None:
        lname = name.lower()
        return next((v for k, v in self.headers if k.lower() == lname), None)

    def header_values(self, name: str) -> list[str]:
        lname = name.lower()
        return [v for k, v in self.headers if k.lower() == lname]

    def discard(self) -> None:
        """Delete the spooled body file, if any (call when done with a big response)."""
        if self.body_file is not None:
            from .spool import release

            release(self.body_file)


def parse_set_cookies(values: list[str]) -> list[tuple[str, str]]:
    """``(name, value)`` of each ``Set-Cookie`` header, attributes left out."""
    cookies: list[tuple[str, str]] = []
    for value in values:
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(value)
        except CookieError:
            name, _, rest = value.partition("=")
            if name.strip():
                cookies.append((name.strip(), rest.split(";", 1)[0].strip()))
            continue
        cookies.extend((m.key, m.value) for m in jar.values())
    return cookies
