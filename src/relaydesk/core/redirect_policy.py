"""The one rule for credentials and redirects, used by the engine and the Python API.

Credentials go only to the origin they were set up for: when a redirect leaves it,
every credential-bearing header (the auth's own, ``Authorization``,
``Proxy-Authorization`` and ``Cookie``) and every API-key query parameter is dropped.
An HTTPS-only connection refuses any plain http:// URL, first request or redirect hop.
"""

from __future__ import annotations

from collections.abc import Iterable

from .errors import HttpsOnlyError
from .urls import remove_query_params

__all__ = ["ALWAYS_SENSITIVE_HEADERS", "check_https_only", "strip_credentials"]

ALWAYS_SENSITIVE_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})


def check_https_only(url: str, https_only: bool, *, redirected: bool = False) -> None:
    if https_only and not url.lower().startswith("https://"):
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
