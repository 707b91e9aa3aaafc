"""A saved connection's credentials for a plain httpx client (``relaydesk.connect``).

The credentials come from the same ``apply_auth`` the engine's ``prepare`` uses, and
OAuth 2.0 tokens from the same token provider (fetched on demand, refreshed before
expiry, renewed once after a 401, rotated refresh tokens written back). The redirect
rule is the engine's too (``redirect_policy``): credentials only ever go to the
connection's own origin, and an HTTPS-only connection refuses plain http:// on the
first request and on every redirect hop.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from .auth import AppliedAuth
from .redirect_policy import check_https_only, strip_credentials
from .urls import same_origin

__all__ = ["AuthSource", "ConnectionAuth", "run_blocking"]

T = TypeVar("T")


def run_blocking(make: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to completion from synchronous code, even inside a running loop
    (a notebook): in a short-lived thread with a loop of its own."""
    result: list[T] = []
    error: list[BaseException] = []

    def target() -> None:
        async def main() -> T:
            return await make()

        try:
            result.append(asyncio.run(main()))
        except BaseException as exc:  # re-raised in the caller's thread
            error.append(exc)

    thread = threading.Thread(target=target, name="relaydesk-auth", daemon=True)
    thread.start()
    thread.join()
    if error:
        raise error[0]
    return result[0]


@dataclass
class AuthSource:
    """Where a client's credentials come from: ``applied()`` gives the current ones."""

    applied: Callable[[], Awaitable[AppliedAuth]]
    # For OAuth 2.0: forget the current token (the server answered 401); None otherwise.
    invalidate: Callable[[], None] | None = None
    # Credentials that need no network (all but OAuth): computed once, up front.
    fixed: AppliedAuth | None = None


def _single(request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
    yield request


class ConnectionAuth(httpx.Auth):
    """Applies a connection's credentials to requests for its own origin only."""

    def __init__(self, origin_url: str, source: AuthSource, *, https_only: bool = False
                 ) -> None:
        self.origin_url = origin_url
        self.source = source
        self.https_only = https_only
        self._last: AppliedAuth = source.fixed or AppliedAuth()

    @property
    def current(self) -> AppliedAuth:
        """The credentials applied last (what the redirect hook must strip)."""
        return self._last

    def _flow(self, request: httpx.Request, applied: AppliedAuth
              ) -> Generator[httpx.Request, httpx.Response, httpx.Response]:
        self._last = applied
        for name, value in applied.headers:
            request.headers[name] = value
        if applied.params:
            request.url = request.url.copy_merge_params(dict(applied.params))
        inner = applied.auth.auth_flow(request) if applied.auth is not None else _single(request)
        outgoing = next(inner)
        while True:
            response = yield outgoing
            try:
                outgoing = inner.send(response)
            except StopIteration:
                return response

    def sync_auth_flow(self, request: httpx.Request
                       ) -> Generator[httpx.Request, httpx.Response, None]:
        check_https_only(str(request.url), self.https_only)
        if not same_origin(str(request.url), self.origin_url):
            yield request
            return
        source = self.source
        applied = source.fixed or run_blocking(source.applied)
        response = yield from self._flow(request, applied)
        if response.status_code == 401 and source.invalidate is not None:
            source.invalidate()  # revoked or expired early: one retry with a fresh token
            yield from self._flow(request, run_blocking(source.applied))

    async def async_auth_flow(self, request: httpx.Request
                              ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        check_https_only(str(request.url), self.https_only)
        if not same_origin(str(request.url), self.origin_url):
            yield request
            return
        source = self.source
        for attempt in (1, 2):
            applied = source.fixed or await source.applied()
            flow = self._flow(request, applied)
            outgoing = next(flow)
            while True:
                response = yield outgoing
                try:
                    outgoing = flow.send(response)
                except StopIteration:
                    break
            if response.status_code != 401 or source.invalidate is None or attempt == 2:
                return
            source.invalidate()

    def strip_foreign(self, request: httpx.Request) -> None:
        """The request hook for every hop: HTTPS-only, and no credentials off-origin."""
        check_https_only(str(request.url), self.https_only)
        applied = self._last
        if same_origin(str(request.url), self.origin_url):
            # A same-origin redirect whose Location left out the API key gets it back.
            missing = [(k, v) for k, v in applied.params if k not in request.url.params]
            if missing:
                request.url = request.url.copy_merge_params(dict(missing))
            return
        kept_url, kept_headers = strip_credentials(
            str(request.url), list(request.headers.multi_items()),
            applied.sensitive_headers, applied.sensitive_params)
        if kept_url != str(request.url):
            request.url = httpx.URL(kept_url)
        for name in {k.lower() for k, _ in request.headers.multi_items()} - {
                k.lower() for k, _ in kept_headers}:
            del request.headers[name]


def hooks_with(extra: dict[str, list[Any]] | None, hook: Any) -> dict[str, list[Any]]:
    """httpx event hooks: the caller's, plus ours on every request."""
    hooks = {k: list(v) for k, v in (extra or {}).items()}
    hooks.setdefault("request", []).append(hook)
    return hooks
