"""The loopback redirect listener of native-app OAuth (RFC 8252 §7.3).

Decisions:
- Binds ``127.0.0.1`` (``[::1]`` if IPv4 loopback is unavailable) on an ephemeral
  port, or on ``redirect_port`` when the provider needs a registered one.
- The first GET on the redirect path is THE callback: it is answered, checked and
  the listener stops accepting. A wrong ``state`` (a stale tab or a forged redirect)
  or a wrong ``iss`` is an error result, not something to wait past: the login ends
  with a clear message and the user starts a new one. Other paths (``/favicon.ico``)
  get 404 and the listener keeps waiting.
- The user sees a short page telling them to return to Relaydesk; it never echoes the
  code, and asks the browser not to send a Referer or cache it.
- It closes on success, error, ``cancel()``, task cancellation or the timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
from collections.abc import Mapping
from types import TracebackType
from urllib.parse import parse_qsl, urlsplit

from ..errors import AuthError
from .wording import authorization_error

__all__ = [
    "DEFAULT_TIMEOUT",
    "LoginCancelled",
    "LoopbackListener",
    "check_callback",
    "parse_pasted_redirect",
]

DEFAULT_TIMEOUT = 300.0
_READ_TIMEOUT = 10.0
_MAX_HEAD = 32 * 1024


class LoginCancelled(AuthError):
    def __init__(self) -> None:
        super().__init__("The login was cancelled.")


def check_callback(params: Mapping[str, str], *, state: str, issuer: str | None = None,
                   require_iss: bool = False) -> str:
    """The authorization code of a redirect's parameters, or AuthError in plain words."""
    if params.get("state") != state:
        raise AuthError(
            "The login answer does not belong to the login Relaydesk started (its state "
            "does not match), so it was rejected. Start the login again and finish it in "
            "the browser tab it opens."
        )
    iss = params.get("iss")
    if iss is not None and issuer and iss.rstrip("/") != issuer.rstrip("/"):
        raise AuthError(
            f"The login answer came from the issuer '{iss}', not '{issuer}' (RFC 9207), so "
            "it was rejected as a possible mix-up attack."
        )
    if iss is None and require_iss:
        raise AuthError(
            "The login answer does not say which issuer sent it although the server "
            "promises to (RFC 9207), so it was rejected."
        )
    if params.get("error"):
        raise AuthError(authorization_error(params["error"], params.get("error_description")))
    code = params.get("code")
    if not code:
        raise AuthError("The login answer carries no authorization code.")
    return code


def parse_pasted_redirect(url: str, *, state: str, issuer: str | None = None,
                          require_iss: bool = False) -> str:
    """The code of a redirect URL the user copied from the browser's address bar."""
    text = url.strip()
    query = urlsplit(text).query if "://" in text or text.startswith("/") else text.lstrip("?")
    params = dict(parse_qsl(query, keep_blank_values=True))
    if not ({"code", "error"} & params.keys()) or "state" not in params:
        raise AuthError(
            "That does not look like the address the browser ended on after the login; "
            "paste the whole URL from the address bar (it contains code= and state=)."
        )
    return check_callback(params, state=state, issuer=issuer, require_iss=require_iss)


def _page(title: str, message: str) -> bytes:
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Relaydesk</title>"
        "<style>body{font-family:sans-serif;margin:4em auto;max-width:34em}</style>"
        f"</head><body><h1>{html.escape(title)}</h1><p>{html.escape(message)}</p>"
        "<p>You can return to Relaydesk and close this tab.</p></body></html>"
    ).encode()


class LoopbackListener:
    """Waits for the one authorization redirect. Use ``async with``, then ``wait()``."""

    def __init__(self, state: str, *, issuer: str | None = None, require_iss: bool = False,
                 port: int = 0, path: str = "/callback", host: str | None = None) -> None:
        self._state = state
        self._issuer = issuer
        self._require_iss = require_iss
        self._port = port
        self._path = "/" + path.strip().lstrip("/")
        self._host = host
        self._server: asyncio.Server | None = None
        self._result: asyncio.Future[str] | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._answered = False
        self.redirect_uri = ""

    async def start(self) -> str:
        self._result = asyncio.get_running_loop().create_future()
        hosts = [self._host] if self._host else ["127.0.0.1", "::1"]
        error: OSError | None = None
        for host in hosts:
            try:
                self._server = await asyncio.start_server(self._handle, host, self._port,
                                                          limit=_MAX_HEAD)
            except OSError as exc:
                error = exc
                continue
            port = self._server.sockets[0].getsockname()[1]
            shown = f"[{host}]" if ":" in host else host
            self.redirect_uri = f"http://{shown}:{port}{self._path}"
            return self.redirect_uri
        where = f"port {self._port}" if self._port else "a free port"
        reason = (error.strerror or str(error)) if error else "no loopback interface"
        raise AuthError(
            f"Cannot listen on the loopback interface ({where}) for the login redirect: "
            f"{reason}." + (" Another program may be using that port; close it or change "
                            "the connection's redirect_port." if self._port else "")
        )

    async def wait(self, timeout: float = DEFAULT_TIMEOUT) -> str:
        """The authorization code; AuthError on a refused/mismatched answer or timeout."""
        if self._result is None:
            await self.start()
        assert self._result is not None
        try:
            return await asyncio.wait_for(asyncio.shield(self._result), timeout)
        except TimeoutError:
            minutes = f"{timeout / 60:g} minutes" if timeout >= 60 else f"{timeout:g} s"
            raise AuthError(
                f"No login answer arrived from the browser within {minutes}; the login was "
                "abandoned. Start it again."
            ) from None
        finally:
            await self.close()

    def _settle(self, *, code: str | None = None, error: BaseException | None = None) -> bool:
        if self._result is None or self._result.done():
            return False
        if error is not None:
            self._result.set_exception(error)
        else:
            self._result.set_result(code or "")
        return True

    def cancel(self) -> None:
        self._settle(error=LoginCancelled())

    def submit(self, url: str) -> None:
        """Finish with a redirect URL pasted by the user (same checks as a callback)."""
        try:
            code = parse_pasted_redirect(url, state=self._state, issuer=self._issuer,
                                         require_iss=self._require_iss)
        except AuthError as exc:
            self._settle(error=exc)
        else:
            self._settle(code=code)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            writer.close()
        if self._result is not None and not self._result.done():
            self._result.cancel()

    async def __aenter__(self) -> LoopbackListener:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), _READ_TIMEOUT)
            status, body, outcome = self._answer(head)
            if outcome is not None:
                self._answered = True
                if self._server is not None:
                    self._server.close()  # exactly one callback: stop accepting now
            try:
                await self._respond(writer, status, body)
            finally:
                # Settled only once the page is written, so close() cannot cut it short.
                if outcome is not None:
                    code, error = outcome
                    self._settle(code=code, error=error)
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                ConnectionError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()

    def _answer(self, head: bytes) -> tuple[str, bytes, tuple[str | None, AuthError | None] | None]:
        line = head.split(b"\r\n", 1)[0].decode("latin-1")
        parts = line.split(" ")
        if len(parts) != 3:
            return "400 Bad Request", _page("Bad request", "This is not an HTTP request."), None
        method, target = parts[0], parts[1]
        url = urlsplit(target)
        if url.path != self._path:
            return "404 Not Found", _page("Not found", "This is Relaydesk's login listener."), None
        if method != "GET":
            return "405 Method Not Allowed", _page("Not allowed", "Only GET is answered."), None
        if self._result is None or self._result.done() or self._answered:
            return "410 Gone", _page("Login already finished", "This login has ended."), None
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        try:
            code = check_callback(params, state=self._state, issuer=self._issuer,
                                  require_iss=self._require_iss)
        except AuthError as exc:
            return "400 Bad Request", _page("Login failed", str(exc)), (None, exc)
        return "200 OK", _page("Logged in", "Relaydesk received the login."), (code, None)

    @staticmethod
    async def _respond(writer: asyncio.StreamWriter, status: str, body: bytes) -> None:
        head = (
            f"HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n"
            "Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\n\r\n"
        ).encode("latin-1")
        writer.write(head + body)
        await writer.drain()
