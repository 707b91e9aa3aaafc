"""The one rule for credentials and redirects, used by the engine and the Python API.

Credentials go only to the origin they were set up for: when a redirect leaves it,
every credential-bearing header (the auth's own, ``Authorization``,
``Proxy-Authorization`` and ``Cookie``) and every API-key query parameter is dropped.
An HTTPS-only connection refuses any plain http:// URL, first request or redirect hop.
Within the origin they stay: an API key sent in the query is carried to a same-origin
redirect target whose Location left it out. Refusals name the URL without its query or
user info, either of which may hold a credential.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from .errors import HttpsOnlyError
from .urls import encode_query, remove_query_params

__all__ = ["ALWAYS_SENSITIVE_HEADERS", "carry_credential_params", "check_https_only",
           "display_url", "strip_credentials"]

ALWAYS_SENSITIVE_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})


def display_url(url: str) -> str:
    """``url`` as a message may show it: no user info; a query shown as ``?…``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(an invalid URL)"
    netloc = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=netloc, query="…" if parts.query else "",
                                     fragment=""))


def check_https_only(url: str, https_only: bool, *, redirected: bool = False) -> None:
    full, url = url, display_url(url)
    if https_only and not full.lower().startswith("https://"):
        if redirected:
            raise HttpsOnlyError(
                f"The server redirected to '{url}', which uses plain http://, but the "
                "connection is HTTPS-only.", url=url)
        raise HttpsOnlyError(f"'{url}' uses plain http://, but the connection is HTTPS-only.",
                             url=url)


def strip_credentials(url: str, headers: list[tuple[str, str]],
                      sensitive_headers: Iterable[str], sensitive_params: Iterable[str]
                      ) -> tuple[str, list[tuple[str, str]]]:
    """``url`` and ``headers`` without credentials, for a hop to another origin."""
    drop = ALWAYS_SENSITIVE_HEADERS | {h.lower() for h in sensitive_headers}
    params = frozenset(sensitive_params)
    kept = [(k, v) for k, v in headers if k.lower() not in drop]
    return (remove_query_params(url, params) if params else url), kept


def carry_credential_params(previous: str, target: str, sensitive_params: Iterable[str]
                            ) -> str:
    """``target`` plus the credential query parameters of ``previous`` it lacks (call
    only for a same-origin hop): a Location such as ``/v2/items`` would drop the key."""
    names = frozenset(sensitive_params)
    if not names:
        return target
    sent = [(k, v) for k, v in parse_qsl(urlsplit(previous).query, keep_blank_values=True)
            if k in names]
    parts = urlsplit(target)
    have = {k for k, _ in parse_qsl(parts.query, keep_blank_values=True)}
    missing = [(k, v) for k, v in sent if k not in have]
    if not missing:
        return target
    query = "&".join(q for q in (parts.query, encode_query(missing)) if q)
    return urlunsplit(parts._replace(query=query))
