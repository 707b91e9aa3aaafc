"""An ``httpx.AsyncClient`` without a cookie jar, and with a short way to send.

The engine sends exactly the cookies a request names: nothing a server sets is kept
for the next request. A jar whose policy refuses every cookie does that too, but httpx
still hands each response to it, building urllib request and ``email`` message
copies of every exchange only for the policy to refuse them (about 40 µs a request,
a good part of a collection run's own cost). Here the client's cookies are an empty
set that takes nothing in.

The engine follows redirects itself and passes its own timeout, so most of its sends
need none of ``send``'s layers (auth flow, redirect loop, event hooks, proxy routing,
the timer around the body): such a send goes straight to the transport, the exchange
otherwise the same (errors carry the request, a redirect's ``next_request`` is set).
Anything else (an auth, credentials in the URL, a proxy, hooks) takes ``send``'s
whole way.
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
        # The one transport every URL goes to, when no proxy (mount) routes any:
        # httpx's own attributes, looked at once; without them, ``send`` as usual.
        transport = getattr(self, "_transport", None)
        routed = getattr(self, "_mounts", None) != {}
        self._direct: httpx.AsyncBaseTransport | None = (
            transport if isinstance(transport, httpx.AsyncBaseTransport) and not routed
            and callable(getattr(self, "_build_redirect_request", None)) else None)

    async def send(self, request: httpx.Request, *, stream: bool = False,
                   auth: Any = httpx.USE_CLIENT_DEFAULT,
                   follow_redirects: Any = httpx.USE_CLIENT_DEFAULT) -> httpx.Response:
        transport = self._direct
        if follow_redirects is httpx.USE_CLIENT_DEFAULT:
            follow_redirects = self.follow_redirects
        if (transport is None or not stream or auth is not None or follow_redirects
                or self.is_closed
                or "timeout" not in request.extensions or request.url.userinfo
                or any(self.event_hooks.values())):
            return await super().send(request, stream=stream, auth=auth,
                                      follow_redirects=follow_redirects)
        try:
            response = await transport.handle_async_request(request)
        except httpx.RequestError as exc:
            exc.request = request  # as send's request_context does
            raise
        response.request = request
        if response.has_redirect_location:
            try:  # as send does when not following: the next request, or the error
                response.next_request = self._build_redirect_request(request, response)
            except BaseException:
                await response.aclose()
                raise
        return response

    @property
    def cookies(self) -> httpx.Cookies:
        return self._no_cookies

    @cookies.setter
    def cookies(self, cookies: Any) -> None:
        return None  # nothing is kept between requests, by design
