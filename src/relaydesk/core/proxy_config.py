"""Proxy auto-config (PAC) and the system proxy of a connection.

A connection's ``proxy`` is empty (direct), a proxy URL, ``env``/``system``, or
``pac:URL``. A PAC file (fetched over http(s), or read from a ``file:`` URL or path) is
evaluated by ``pypac``: ``FindProxyForURL`` decides per request, so a ``PacTransport``
sends each request directly or through the proxy the script names, keeping one pooled
transport per route. ``system`` uses the operating system's PAC address where there
is one (Windows registry, macOS preferences) and otherwise the ``*_PROXY`` variables.
"""

from __future__ import annotations

import threading
import time
from typing import Any
from urllib.parse import urlsplit

import httpx

from .errors import ProxyError

__all__ = ["PAC_PREFIX", "PacRouter", "PacTransport", "load_pac", "pac_url", "system_pac_url"]

PAC_PREFIX = "pac:"
_PAC_MAX_BYTES = 1024 * 1024
_PAC_TIMEOUT = 10.0
_PAC_REUSE = 300.0  # seconds a fetched PAC file is reused by new clients of this process
_fetched: dict[str, tuple[float, PacRouter]] = {}
_fetched_lock = threading.Lock()


def pac_url(proxy: str) -> str:
    """The PAC address of a ``pac:URL`` setting, or ""."""
    proxy = proxy.strip()
    return proxy[len(PAC_PREFIX):].strip() if proxy.lower().startswith(PAC_PREFIX) else ""


def system_pac_url() -> str:
    """The PAC address configured in the OS (Windows/macOS), or "" (then: variables)."""
    try:
        from pypac import collect_pac_urls

        urls = collect_pac_urls(from_os_settings=True, from_dns=False)
    except Exception:  # no OS settings to read (e.g. Linux): the variables apply
        return ""
    return str(urls[0]) if urls else ""


class PacRouter:
    """``FindProxyForURL`` of one PAC script, answers cached per scheme and host."""

    def __init__(self, script: str, source: str = "") -> None:
        from pypac.parser import PACFile

        self.source = source
        try:
            self._pac = PACFile(script)
        except Exception as exc:  # pypac raises its own errors for bad JavaScript
            raise ProxyError(f"The proxy auto-config {source or 'script'} is not a valid PAC "
                             f"file: {exc}.") from None
        self._routes: dict[tuple[str, str], str | None] = {}
        self._lock = threading.Lock()

    def proxy_for(self, url: str) -> str | None:
        """The proxy URL for ``url`` (``None``: direct), the first usable PAC choice."""
        from pypac.parser import parse_pac_value

        parts = urlsplit(url)
        host = parts.hostname or ""
        key = (parts.scheme, host)
        with self._lock:  # dukpy's interpreter is not shared across threads safely
            if key in self._routes:
                return self._routes[key]
            try:
                value = self._pac.find_proxy_for_url(url, host)
            except Exception as exc:
                raise ProxyError(f"The proxy auto-config {self.source} failed for '{host}': "
                                 f"{exc}.", url=url, host=host) from None
            choices = parse_pac_value(value or "DIRECT", socks_scheme="socks5")
            route = next((c for c in choices if c == "DIRECT" or "://" in c), "DIRECT")
            self._routes[key] = None if route == "DIRECT" else route
            return self._routes[key]


def load_pac(url: str, verify: Any = True) -> PacRouter:
    """Fetch (or read) and parse the PAC file at ``url``; reused for a few minutes."""
    now = time.monotonic()
    with _fetched_lock:
        hit = _fetched.get(url)
        if hit is not None and now - hit[0] < _PAC_REUSE:
            return hit[1]
    router = PacRouter(_read_pac(url, verify), f"'{url}'")
    with _fetched_lock:
        _fetched[url] = (now, router)
    return router


def _read_pac(url: str, verify: Any) -> str:
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        from pypac.os_settings import file_url_to_local_path

        path = file_url_to_local_path(url) if scheme == "file" else url
        try:
            with open(str(path), "rb") as fh:
                return fh.read(_PAC_MAX_BYTES).decode("utf-8", "replace")
        except OSError as exc:
            raise ProxyError(f"Cannot read the proxy auto-config file '{url}': "
                             f"{exc.strerror or exc}.") from None
    try:
        # The PAC file itself is fetched directly (never through a proxy it names).
        with httpx.Client(verify=verify, trust_env=False, timeout=_PAC_TIMEOUT) as client, \
                client.stream("GET", url) as resp:
            if resp.status_code != 200:
                raise ProxyError(f"Cannot load the proxy auto-config '{url}': the server "
                                 f"answered {resp.status_code}.", url=url)
            body = b""
            for chunk in resp.iter_bytes():
                body += chunk
                if len(body) > _PAC_MAX_BYTES:
                    raise ProxyError(f"The proxy auto-config '{url}' is larger than 1 MB; "
                                     "that is not a PAC file.", url=url)
    except httpx.HTTPError as exc:
        raise ProxyError(f"Cannot load the proxy auto-config '{url}': "
                         f"{exc or type(exc).__name__}.", url=url) from None
    return body.decode("utf-8", "replace")


class PacTransport(httpx.AsyncBaseTransport):
    """Sends each request the way the PAC script says: directly or through a proxy."""

    def __init__(self, router: PacRouter, **transport_kwargs: Any) -> None:
        self._router = router
        self._kwargs = transport_kwargs  # verify, http2 ... of every route's transport
        self._routes: dict[str | None, httpx.AsyncHTTPTransport] = {}

    def _transport(self, proxy: str | None) -> httpx.AsyncHTTPTransport:
        transport = self._routes.get(proxy)
        if transport is None:
            transport = httpx.AsyncHTTPTransport(proxy=proxy, **self._kwargs)
            self._routes[proxy] = transport
        return transport

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        proxy = self._router.proxy_for(str(request.url))
        return await self._transport(proxy).handle_async_request(request)

    async def aclose(self) -> None:
        routes, self._routes = list(self._routes.values()), {}
        for transport in routes:
            await transport.aclose()
