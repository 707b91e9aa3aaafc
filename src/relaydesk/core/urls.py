"""Joining a connection's base URL with a request's path the way people mean it.

``https://h/api/v2`` + ``/issues`` and ``https://h/api/v2/`` + ``issues`` both give
``https://h/api/v2/issues`` (unlike RFC 3986 resolution, which would drop ``v2`` or
the whole path). A full URL in the request replaces the base. A query string typed
in the path is kept as typed, and the parameter table is appended after it, so
repeated keys stay in order.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote, urlsplit, urlunsplit

__all__ = [
    "Origin",
    "build_url",
    "encode_query",
    "is_absolute",
    "join_url",
    "origin_of",
    "remove_query_params",
    "same_origin",
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


def build_url(base: str, path: str, params: Iterable[tuple[str, str]] = ()) -> str:
    """Join ``base`` and ``path``, then append the encoded ``params``."""
    url = join_url(base, path)
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
