"""The one place exceptions and bad statuses become words a person can act on.

``user_message`` turns any exception into one line (never a traceback);
``to_request_error`` maps transport failures onto the ``RequestError`` tree;
``explain_status`` reads a 4xx/5xx response for the reason behind it.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import ssl
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import httpx

from .errors import (
    ConnectError,
    DnsError,
    HttpStatusError,
    InvalidValuesError,
    MissingScopesError,
    ProtocolError,
    RelaydeskError,
    RequestError,
    RequestTimeout,
    TlsError,
)

__all__ = ["explain_status", "status_error", "to_request_error", "user_message"]

_DNS_WORDS = ("name or service not known", "nodename nor servname", "getaddrinfo failed",
              "temporary failure in name resolution", "no address associated",
              "name does not resolve", "no such host")


def user_message(exc: BaseException) -> str:
    if isinstance(exc, RelaydeskError):
        return str(exc)
    if isinstance(exc, httpx.HTTPError):
        return str(to_request_error(exc))
    if isinstance(exc, asyncio.CancelledError):
        return "The request was cancelled."
    if isinstance(exc, OSError) and exc.strerror:
        where = f" ({exc.filename})" if exc.filename else ""
        return f"{exc.strerror}{where}."
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"Unexpected error ({type(exc).__name__})" + (f": {detail}" if detail else ".")


def _detail(exc: BaseException) -> str:
    """The exception's own words without a trailing full stop (we add our own)."""
    return (str(exc).strip() or type(exc).__name__).rstrip(".")


def _chain(exc: BaseException) -> Iterable[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _host_of(exc: httpx.HTTPError) -> tuple[str, str]:
    try:
        url = str(exc.request.url)
    except RuntimeError:
        return "", ""
    parts = urlsplit(url)
    host = parts.hostname or ""
    return host, parts.netloc or host


def to_request_error(exc: httpx.HTTPError, *, timeout: float | None = None) -> RequestError:
    """A ``RequestError`` subclass whose message says what happened in plain words."""
    host, netloc = _host_of(exc)
    chain = list(_chain(exc))
    text = " ".join(str(e) for e in chain).lower()
    if isinstance(exc, httpx.TimeoutException):
        phase = {httpx.ConnectTimeout: "connecting", httpx.ReadTimeout: "waiting for the response",
                 httpx.WriteTimeout: "sending the request",
                 httpx.PoolTimeout: "waiting for a free connection"}.get(type(exc), "the request")
        limit = f"within {timeout:g} seconds " if timeout else ""
        return RequestTimeout(
            f"The server '{netloc}' did not answer {limit}(timed out while {phase}). "
            "Try again, or raise the timeout of the request or connection."
        )
    if isinstance(exc, httpx.ProxyError):
        return ConnectError(f"The proxy refused or failed the request: {_detail(exc)}. "
                            "Check the connection's proxy setting.")
    if any(isinstance(e, socket.gaierror) for e in chain) or any(w in text for w in _DNS_WORDS):
        return DnsError(
            f"Could not find the server '{host}' (DNS lookup failed). Check the host name "
            "in the URL and your network connection."
        )
    if any(isinstance(e, ssl.SSLCertVerificationError) for e in chain) or (
            "certificate_verify_failed" in text):
        reason = next((e.verify_message for e in chain
                       if isinstance(e, ssl.SSLCertVerificationError) and e.verify_message),
                      "certificate verify failed")
        return TlsError(
            f"The TLS certificate of '{host}' could not be verified ({reason}). If the "
            "server uses a private certificate authority, set the connection's CA bundle; "
            "turn off verification for this connection only if you trust it."
        )
    if any(isinstance(e, ssl.SSLError) for e in chain) or "ssl" in text or "tls" in text:
        return TlsError(f"The secure (TLS) connection to '{netloc}' failed: {_detail(exc)}.")
    if any(isinstance(e, ConnectionRefusedError) for e in chain) or "refused" in text:
        return ConnectError(
            f"The server at '{netloc}' refused the connection. Is it running, and are the "
            "host and port right?"
        )
    if isinstance(exc, httpx.ConnectError):
        return ConnectError(f"Could not connect to '{netloc}': {_detail(exc)}.")
    if isinstance(exc, httpx.RemoteProtocolError | httpx.LocalProtocolError):
        return ProtocolError(f"The server '{netloc}' broke the HTTP protocol: {_detail(exc)}.")
    if isinstance(exc, httpx.UnsupportedProtocol):
        return RequestError(f"Unsupported URL scheme: {_detail(exc)}. Use https:// or http://.")
    if isinstance(exc, httpx.ReadError | httpx.WriteError | httpx.NetworkError):
        return ConnectError(f"The connection to '{netloc}' broke: {_detail(exc)}.")
    return RequestError(f"The request failed ({type(exc).__name__}): {_detail(exc)}.")


# -- statuses ----------------------------------------------------------------------------

_SHORT = {
    401: "The server rejected the credentials (401 Unauthorized). Check the saved secret "
         "and the authentication type of the connection.",
    403: "Access denied (403 Forbidden): the credentials are valid but not allowed to do "
         "this.",
    404: "Not found (404): check the path and any IDs in it.",
    405: "Method not allowed (405): this endpoint does not accept that HTTP method.",
    408: "The server timed out waiting for the request (408).",
    409: "Conflict (409): the request clashes with the current state of the resource.",
    413: "The body is too large for the server (413).",
    415: "Unsupported media type (415): check the Content-Type of the body.",
}


def _headers_get(headers: Any, name: str) -> str:
    if hasattr(headers, "get") and not isinstance(headers, list):
        return str(headers.get(name) or "")
    lname = name.lower()
    return ", ".join(v for k, v in headers or [] if k.lower() == lname)


def _field_messages(data: Any) -> list[str]:
    """Field errors in the shapes APIs commonly use."""
    found: list[str] = []
    if not isinstance(data, dict):
        return found
    errors = data.get("errors")
    if isinstance(errors, list):  # [{field, message}] / [{source: {pointer}, detail}] / [str]
        for item in errors:
            if isinstance(item, dict):
                field = item.get("field") or item.get("param") or item.get("name") or (
                    (item.get("source") or {}).get("pointer", "") if isinstance(
                        item.get("source"), dict) else "")
                msg = item.get("message") or item.get("detail") or item.get("msg") or ""
                if msg or field:
                    found.append(f"{field}: {msg}" if field else str(msg))
            elif isinstance(item, str):
                found.append(item)
    elif isinstance(errors, dict):  # {"field": ["msg", ...]} (Rails, Jira)
        for field, msgs in errors.items():
            for msg in msgs if isinstance(msgs, list) else [msgs]:
                found.append(f"{field}: {msg}")
    detail = data.get("detail")
    if isinstance(detail, list):  # FastAPI / pydantic
        for item in detail:
            if isinstance(item, dict):
                loc = ".".join(str(p) for p in item.get("loc", []) if p != "body")
                found.append(f"{loc}: {item.get('msg', '')}" if loc else str(item.get("msg")))
    for msg in data.get("errorMessages") or []:  # Jira
        found.append(str(msg))
    return found


def _json(body: bytes | str | None) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None


def explain_status(status: int, headers: Any, body: bytes | str | None) -> str | None:
    """Plain words about why a 4xx/5xx happened; ``None`` for other statuses."""
    if status < 400:
        return None
    auth_header = _headers_get(headers, "www-authenticate")
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else (body or "")
    if status == 403 and ("insufficient_scope" in auth_header or "insufficient_scope" in text):
        match = re.search(r'scope="([^"]*)"', auth_header)
        scopes = match.group(1).split() if match else []
        needed = f" It needs: {', '.join(scopes)}." if scopes else ""
        return ("Missing scopes: the token is valid but was not granted the scopes this "
                f"call requires.{needed} Re-authorise with those scopes.")
    if status in (400, 422):
        fields = _field_messages(_json(text))
        head = f"Invalid values ({status}): the server refused the request's data"
        return head + (": " + "; ".join(fields) if fields else ".")
    if status == 429:
        retry = _headers_get(headers, "retry-after")
        after = f" Retry after {retry} seconds." if retry.strip().isdigit() else (
            f" Retry after {retry}." if retry else "")
        return f"Too many requests (429): the server is rate-limiting.{after}"
    if status in _SHORT:
        return _SHORT[status]
    if status >= 500:
        return (f"The server failed ({status}); this is a problem on the server's side. "
                "Try again later.")
    return f"The server refused the request ({status})."


def status_error(status: int, headers: Any, body: bytes | str | None,
                 url: str = "") -> HttpStatusError:
    """The ``HttpStatusError`` to raise for ``raise on 4xx/5xx``."""
    message = explain_status(status, headers, body) or f"HTTP {status}"
    where = f" [{url}]" if url else ""
    if message.startswith("Missing scopes"):
        return MissingScopesError(message + where, status)
    if status in (400, 422):
        return InvalidValuesError(message + where, status, _field_messages(_json(body)))
    return HttpStatusError(message + where, status)
