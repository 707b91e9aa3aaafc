"""The one place exceptions and bad statuses become words a person can act on.

``user_message`` turns any exception into one line (never a traceback);
``to_request_error`` maps transport failures onto the ``RequestError`` tree by the
httpx exception's type and the types in its cause chain, never by its text;
``status_error`` reads a 4xx/5xx answer (status, ``WWW-Authenticate``, GitHub's scope
headers, the body) into an ``HttpStatusError`` subclass, and ``explain_status`` is its
message.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import ssl
from collections.abc import Iterator
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx

from .client_identity import REFUSAL_HINT, client_cert_refusal
from .errors import (
    CertificateError,
    ConnectError,
    ConnectionRefused,
    DnsError,
    HttpStatusError,
    InvalidValuesError,
    MissingScopesError,
    ProtocolError,
    ProxyError,
    RelaydeskError,
    RequestError,
    RequestTimeout,
    TlsError,
    UnsupportedScheme,
)
from .printable import printable

__all__ = ["exception_chain", "explain_status", "status_error", "to_request_error",
           "user_message"]

_E = TypeVar("_E", bound=BaseException)


def user_message(exc: BaseException) -> str:
    """One line for a person, never carrying a server's control characters."""
    return printable(_user_message(exc))


def _user_message(exc: BaseException) -> str:
    if isinstance(exc, RelaydeskError):
        return str(exc)
    if isinstance(exc, httpx.HTTPError):
        return str(to_request_error(exc))
    if isinstance(exc, asyncio.CancelledError):
        return "The request was cancelled."
    if isinstance(exc, ssl.SSLError) and (refusal := client_cert_refusal(exc)):
        # httpcore's anyio backend lets a TLS alert read mid-exchange out unwrapped.
        return f"The secure (TLS) connection failed: {exc.reason or exc}. {refusal}"
    if isinstance(exc, OSError) and exc.strerror:
        where = f" ({exc.filename})" if exc.filename else ""
        return f"{exc.strerror}{where}."
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"Unexpected error ({type(exc).__name__})" + (f": {detail}" if detail else ".")


def _detail(exc: BaseException) -> str:
    """The exception's own words without a trailing full stop (we add our own)."""
    return (str(exc).strip() or type(exc).__name__).rstrip(".")


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc``, its causes and contexts, and the members of exception groups among them
    (anyio reports every failed address of a host as one group)."""
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if isinstance(current, BaseExceptionGroup):
            stack.extend(reversed(current.exceptions))
        stack += [current.__context__, current.__cause__]


def exception_chain(exc: BaseException) -> Iterator[BaseException]:
    """Every exception behind ``exc`` (causes, contexts, exception group members)."""
    return _chain(exc)


def _find(exc: BaseException, kind: type[_E]) -> _E | None:
    return next((e for e in _chain(exc) if isinstance(e, kind)), None)


def _where(exc: httpx.HTTPError) -> tuple[str, str, str]:
    """The request's URL, host and host:port (empty when httpx has no request)."""
    try:
        url = str(exc.request.url)
    except RuntimeError:
        return "", "", ""
    parts = urlsplit(url)
    host = parts.hostname or ""
    return url, host, parts.netloc.rpartition("@")[2] or host


_PHASES = {httpx.ConnectTimeout: ("connect", "connecting"),
           httpx.ReadTimeout: ("read", "waiting for the response"),
           httpx.WriteTimeout: ("write", "sending the request"),
           httpx.PoolTimeout: ("pool", "waiting for a free connection")}


def to_request_error(exc: httpx.HTTPError, *, timeout: float | None = None) -> RequestError:
    """A ``RequestError`` subclass whose message says what happened in plain words."""
    url, host, netloc = _where(exc)
    if isinstance(exc, httpx.TimeoutException):
        phase, doing = _PHASES.get(type(exc), ("", "the request"))
        limit = f"within {timeout:g} seconds " if timeout else ""
        return RequestTimeout(
            f"The server '{netloc}' did not answer {limit}(timed out while {doing}). "
            "Try again, or raise the timeout of the request or connection.",
            phase=phase, limit=timeout, url=url, host=host)
    if isinstance(exc, httpx.ProxyError):
        return ProxyError(f"The proxy refused or failed the request: {_detail(exc)}. "
                          "Check the connection's proxy setting.", url=url, host=host)
    if _find(exc, socket.gaierror) is not None:
        return DnsError(
            f"Could not find the server '{host}' (DNS lookup failed). Check the host name "
            "in the URL and your network connection.", url=url, host=host)
    cert = _find(exc, ssl.SSLCertVerificationError)
    if cert is not None:
        reason = getattr(cert, "verify_message", None) or "certificate verify failed"
        return CertificateError(
            f"The TLS certificate of '{host}' could not be verified ({reason}). If the "
            "server uses a private certificate authority, set the connection's CA bundle; "
            "turn off verification for this connection only if you trust it.",
            reason=reason, url=url, host=host)
    if (refusal := client_cert_refusal(exc)) is not None:  # a TLS alert only
        return TlsError(f"The secure (TLS) connection to '{netloc}' failed: {_detail(exc)}. "
                        + refusal, url=url, host=host)
    if _find(exc, ssl.SSLError) is not None:
        # A server refusing a missing client certificate often just resets the connection.
        return TlsError(f"The secure (TLS) connection to '{netloc}' failed: {_detail(exc)}. "
                        + REFUSAL_HINT.replace("requires", "may require"), url=url, host=host)
    if _find(exc, ConnectionRefusedError) is not None:
        return ConnectionRefused(
            f"The server at '{netloc}' refused the connection. Is it running, and are the "
            "host and port right?", url=url, host=host)
    if isinstance(exc, httpx.ConnectError):
        return ConnectError(f"Could not connect to '{netloc}': {_detail(exc)}.",
                            url=url, host=host)
    if isinstance(exc, httpx.RemoteProtocolError | httpx.LocalProtocolError):
        return ProtocolError(f"The server '{netloc}' broke the HTTP protocol: {_detail(exc)}.",
                             url=url, host=host)
    if isinstance(exc, httpx.UnsupportedProtocol):
        return UnsupportedScheme(
            f"Unsupported URL scheme: {_detail(exc)}. Use https:// or http://.",
            url=url, host=host)
    if isinstance(exc, httpx.ReadError | httpx.WriteError | httpx.NetworkError):
        return ConnectError(f"The connection to '{netloc}' broke: {_detail(exc)}.",
                            url=url, host=host)
    return RequestError(f"The request failed ({type(exc).__name__}): {_detail(exc)}.",
                        url=url, host=host)


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


def _has_header(headers: Any, name: str) -> bool:
    if hasattr(headers, "get") and not isinstance(headers, list):
        return headers.get(name) is not None
    return any(k.lower() == name for k, _ in headers or [])


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


_AUTH_PARAM = re.compile(r'([A-Za-z_][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))')


def _bearer_params(header: str) -> dict[str, str]:
    """The auth-params of a ``WWW-Authenticate`` header (RFC 6750 ``error``, ``scope``…)."""
    return {m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3)
            for m in _AUTH_PARAM.finditer(header)}


def _scope_list(value: str) -> list[str]:
    """GitHub's ``X-OAuth-Scopes: repo, user`` (commas) or RFC 6750's spaces."""
    return [s for s in re.split(r"[\s,]+", value) if s]


def _missing_scopes(status: int, headers: Any, text: str
                    ) -> tuple[list[str], list[str]] | None:
    """``(needed, granted)`` when the answer says the token lacks scopes, else None."""
    if status not in (401, 403, 404):
        return None
    params = _bearer_params(_headers_get(headers, "www-authenticate"))
    if params.get("error") == "insufficient_scope":
        return _scope_list(params.get("scope", "")), []
    # GitHub: what the call accepts (any one will do) beside what the token has.
    accepted = _scope_list(_headers_get(headers, "x-accepted-oauth-scopes"))
    if accepted and _has_header(headers, "x-oauth-scopes"):
        granted = _scope_list(_headers_get(headers, "x-oauth-scopes"))
        if not set(accepted) & set(granted):
            return [s for s in accepted if s not in granted], granted
    if status == 403 and "insufficient_scope" in text:
        return [], []
    return None


def explain_status(status: int, headers: Any, body: bytes | str | None) -> str | None:
    """Plain words about why a 4xx/5xx happened; ``None`` for other statuses."""
    if status < 400:
        return None
    return str(_classify(status, headers, body))


def _scopes_message(status: int, needed: list[str], granted: list[str]) -> str:
    text = (f"Missing scopes ({status}): the token is valid but was not granted the scopes "
            "this call requires.")
    if needed:
        text += f" It needs: {', '.join(needed)}"
        text += f" (it has: {', '.join(granted)})." if granted else "."
    return text + " Re-authorise with those scopes."


def _classify(status: int, headers: Any, body: bytes | str | None,
              url: str = "") -> HttpStatusError:
    """The error for a 4xx/5xx; with ``url`` its message ends with ``[url]``."""
    where = f" [{url}]" if url else ""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else (body or "")
    scopes = _missing_scopes(status, headers, text)
    if scopes is not None:
        needed, granted = scopes
        return MissingScopesError(_scopes_message(status, needed, granted) + where, status,
                                  scopes=needed, granted=granted, url=url)
    if status in (400, 422):
        fields = _field_messages(_json(text))
        head = f"Invalid values ({status}): the server refused the request's data"
        return InvalidValuesError(head + (": " + "; ".join(fields) if fields else ".") + where,
                                  status, fields, url=url)
    if status == 429:
        retry = _headers_get(headers, "retry-after")
        after = f" Retry after {retry} seconds." if retry.strip().isdigit() else (
            f" Retry after {retry}." if retry else "")
        message = f"Too many requests (429): the server is rate-limiting.{after}"
    elif status in _SHORT:
        message = _SHORT[status]
    elif status >= 500:
        message = (f"The server failed ({status}); this is a problem on the server's side. "
                   "Try again later.")
    elif status >= 400:
        message = f"The server refused the request ({status})."
    else:
        message = f"HTTP {status}"
    return HttpStatusError(message + where, status, url=url)


def status_error(status: int, headers: Any, body: bytes | str | None,
                 url: str = "") -> HttpStatusError:
    """The ``HttpStatusError`` subclass to raise for ``raise on 4xx/5xx``."""
    return _classify(status, headers, body, url)
