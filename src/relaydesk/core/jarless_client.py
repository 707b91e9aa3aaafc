"""An ``httpx.AsyncClient`` without a cookie jar.

The engine sends exactly the cookies a request names: nothing a server sets is kept
for the next request. A jar whose policy refuses every cookie does that too, but httpx
still hands each response to it, building urllib request and ``email`` message
copies of every exchange only for the policy to refuse them (about 40 µs a request,
a good part of a collection run's own cost). Here the client's cookies are an empty
set that takes nothing in.
"""

from __future__ import annotations

from typing import Any

import httpx

__all__ = ["JarlessClient"]


class _NoCookies(httpx.Cookies):
    """Always empty: what a response sets is dropped unread."""

    def extract_cookies(self, response: httpx.Response) -> None:
        return None

    def set(self, name: str, value: str, domain: str = "", path: str = "/") -> None:
        return None

    def set_cookie_header(self, request: httpx.Request) -> None:
        return None


class JarlessClient(httpx.AsyncClient):
    """``httpx.AsyncClient`` whose ``cookies`` are always empty and keep nothing."""

    def __init__(self, **kwargs: Any) -> None:
        if "cookies" in kwargs:
            raise TypeError("a JarlessClient keeps no cookies: pass them per request")
        super().__init__(**kwargs)
        self._no_cookies = _NoCookies()

    @property
    def cookies(self) -> httpx.Cookies:
        return self._no_cookies

    @cookies.setter
    def cookies(self, cookies: Any) -> None:
        return None  # nothing is kept between requests, by design
