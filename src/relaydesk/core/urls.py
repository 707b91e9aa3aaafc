"""Joining a connection's base URL with a request's path the way people mean it.

``https://h/api/v2`` + ``/issues`` and ``https://h/api/v2/`` + ``issues`` both give
``https://h/api/v2/issues`` (unlike RFC 3986 resolution, which would drop ``v2`` or
the whole path). A full URL in the request replaces the base. A query string typed
in the path is kept as typed, and the parameter table is appended after it, so
repeated keys stay in order.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from urllib.parse import quote, urlsplit, urlunsplit

__all__ = [
    "Origin",
    "build_url",
    "encode_query",
    "header_name_problem",
    "header_value_problem",
    "is_absolute",
    "join_url",
    "origin_of",
    "remove_query_params",
    "same_origin",
    "url_problem",
]

Origin = tuple[str, str, int]

_DEFAULT_PORTS = {"http": 80, "https": 443}
# Characters left as they are inside a query name or value: RFC 3986 unreserved plus
# a few sub-delimiters that are harmless in a value and common in APIs (JQL, ranges).
_QUERY_SAFE = "-_.~!$'()*,;:@/?"


def is_absolute(url: str) -> bool:
    """True when ``url`` carries its own scheme and host (``https://…``)."""
    head, sep, _ = url.partition("://")
    return bool(sep) and head.isascii() and head.replace("+", "").replace(".", "").isalnum()


def join_url(base: str, path: str) -> str:
    """Append ``path`` to ``base`` with exactly one ``/`` between them.

    Query strings of both are kept (base first); a fragment is dropped because it is
    never sent to a server.
    """
    path = path.strip()
    if is_absolute(path) or not base:
        return path.split("#", 1)[0]
    base = base.strip().split("#", 1)[0]
    base_path, _, base_query = base.partition("?")
    rel_path, _, rel_query = path.split("#", 1)[0].partition("?")
    joined = base_path.rstrip("/") + "/" + rel_path.lstrip("/") if rel_path else base_path
    queries = [q for q in (base_query, rel_query) if q]
    return joined + "?" + "&".join(queries) if queries else joined


def encode_query(params: Iterable[tuple[str, str]]) -> str:
    """``name=value&…`` with names and values percent-encoded, order kept."""
    return "&".join(
        f"{quote(name, safe=_QUERY_SAFE)}={quote(value, safe=_QUERY_SAFE)}"
        for name, value in params
    )


@functools.lru_cache(maxsize=256)
def _joined(base: str, path: str) -> str:
    """``join_url``, once per distinct pair (a run joins the same ones again)."""
    return join_url(base, path)


def build_url(base: str, path: str, params: Iterable[tuple[str, str]] = ()) -> str:
    """Join ``base`` and ``path``, then append the encoded ``params``."""
    url = _joined(base, path)
    if params == []:  # (the usual case: no parameters, nothing to encode)
        return url
    extra = encode_query(params)
    if not extra:
        return url
    if "?" not in url:
        return f"{url}?{extra}"
    if url.endswith(("?", "&")):
        return url + extra
    return f"{url}&{extra}"


def origin_of(url: str) -> Origin:
    """``(scheme, host, port)`` with the default port filled in."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port or _DEFAULT_PORTS.get(scheme, 0)


def same_origin(a: str, b: str) -> bool:
    return origin_of(a) == origin_of(b)


def remove_query_params(url: str, names: Iterable[str]) -> str:
    """Drop every query parameter called one of ``names`` (compared as decoded text)."""
    from urllib.parse import unquote_plus

    drop = set(names)
    if not drop:
        return url
    parts = urlsplit(url)
    if not parts.query:
        return url
    kept = [
        piece for piece in parts.query.split("&")
        if unquote_plus(piece.partition("=")[0]) not in drop
    ]
    return urlunsplit(parts._replace(query="&".join(kept)))


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_HEADER_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")  # a tab is allowed
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")  # RFC 9110 field names
_HOST_BAD = re.compile(r"[\s<>\"{}|\\^`%/?#@]")


def _shown(char: str) -> str:
    return {"\r": "CR", "\n": "LF", "\t": "a tab", " ": "a space"}.get(
        char, repr(char)[1:-1] if not char.isprintable() else f"'{char}'")


def url_problem(url: str) -> str | None:
    """What would stop ``url`` from being sent, in words that finish "The URL '…' …",
    or ``None``. Checked before sending: otherwise a port of 99999 surfaces as a
    connection failure deep in the network stack and a line break as a protocol error."""
    bad = _CONTROL.search(url)
    if bad:
        return (f"contains {_shown(bad.group())} (a control character); remove it or "
                "percent-encode it")
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # "Invalid IPv6 URL" for an unclosed '['
        return f"is not a valid URL ({exc})"
    host = parts.hostname or ""
    if not host:
        return "has no host name"
    bad = _HOST_BAD.search(host)
    if bad:
        return f"has {_shown(bad.group())} in its host name '{host}'"
    raw_port = parts.netloc.rpartition("@")[2]
    raw_port = raw_port.rpartition("]")[2] if raw_port.startswith("[") else raw_port
    _, colon, port_text = raw_port.rpartition(":") if ":" in raw_port else ("", "", "")
    if colon and port_text:
        if not port_text.isdigit() or not port_text.isascii():
            return f"has the port '{port_text}', which is not a number"
        if not 0 < int(port_text) <= 65535:
            return f"has the port {int(port_text)}, outside 1-65535"
    return None


def header_value_problem(value: str) -> str | None:
    """What makes ``value`` impossible as an HTTP header value (RFC 9110: no CR, LF,
    NUL or other control characters; ASCII, as the HTTP client encodes it), or ``None``.
    The value itself is never repeated: it may be a credential."""
    bad = _HEADER_CONTROL.search(value)
    if bad:
        char = bad.group()
        if char in "\r\n":
            return ("has a line break (CR/LF) in its value, which would split the request "
                    "into another header or request; remove it")
        return f"has the control character {_shown(char)} in its value; remove it"
    if not value.isascii():
        return "has non-ASCII text in its value; HTTP header values are ASCII"
    return None


def header_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be an HTTP header name (after its variables were filled
    in), or ``None``."""
    if _TOKEN.match(name):
        return None
    if not name:
        return "is empty"
    bad = _HEADER_CONTROL.search(name) or re.search(r"[^!#$%&'*+\-.^_`|~0-9A-Za-z]", name)
    what = _shown(bad.group()) if bad else "nothing"
    return (f"holds {what}; header names are letters, digits and - (no spaces, colons "
            "or line breaks)")
