"""Health check of a connection: call its test URL (or base URL) and expect a 2xx."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol

from .model import Connection, Request, RequestOptions
from .response import Response

__all__ = ["CheckResult", "check_connection", "check_request"]


@dataclass
class CheckResult:
    ok: bool
    status: int | None  # None when no answer came back: ``error`` says why
    elapsed: float  # seconds
    message: str
    error: Exception | None = None


class _Sender(Protocol):
    async def send(self, request: Request, connection: Connection | None) -> Response: ...


def check_request(connection: Connection) -> Request:
    """The request a check sends: GET the test URL (relative to the base, or absolute),
    else the base URL itself; never answered from the cache."""
    return Request(
        path=f"{connection.path}/(health check)",
        method="GET",
        url=connection.test_url.strip(),
        options=RequestOptions(bypass_cache=True, follow_redirects=True),
    )


async def check_connection(engine: _Sender, connection: Connection) -> CheckResult:
    from .messages import user_message

    start = time.perf_counter()
    try:
        response = await engine.send(check_request(connection), connection)
    except Exception as exc:
        return CheckResult(False, None, time.perf_counter() - start, user_message(exc), exc)
    response.discard()
    where = response.url
    millis = f"{response.elapsed * 1000:.0f} ms"
    if response.ok:
        return CheckResult(True, response.status, response.elapsed,
                           f"Healthy: {response.status} {response.reason} from {where} "
                           f"in {millis}.")
    detail = f" {response.problem}" if response.problem else ""
    return CheckResult(False, response.status, response.elapsed,
                       f"Unhealthy: {response.status} {response.reason} from {where}.{detail}")
