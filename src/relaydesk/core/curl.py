"""Curl commands in and out: ``parse_curl`` (paste into the URL bar, ``send --curl``)
and ``to_curl`` ("Copy as curl")."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import unquote, urlsplit, urlunsplit

from .credentials import API_KEY_HEADERS, lift_auth_header
from .curl_export import shell_quote, to_curl
from .curl_parse import CurlImport, parse_curl
from .model import AuthSettings, KeyValue, Request

__all__ = ["QUERY_CREDENTIALS", "CurlImport", "lift_credentials", "parse_curl", "shell_quote",
           "to_curl"]

# Query parameters that carry a credential in the wild (?api_key=…, ?access_token=…).
QUERY_CREDENTIALS = frozenset({"api_key", "apikey", "api-key", "access_token", "token",
                               "auth_token", "client_secret", "password"})


def lift_credentials(imported: CurlImport) -> CurlImport:
    """Take every credential out of what a saved request would write to its file.

    An ``Authorization``/API-key header, or a credential query parameter, becomes the
    request's auth with its value in ``secrets`` (for the keyring); sending is unchanged
    but for where the auth puts it. What cannot become the one auth of the request
    (a second credential, cookies, which are a login session) is dropped with a note.
    """
    req, secrets, notes = imported.request, dict(imported.secrets), list(imported.notes)
    if req.auth is not None and any(h.name.lower() == "authorization" for h in req.headers):
        # curl sends a -H Authorization instead of the one -u/--oauth2-bearer would make
        headers, auth, lifted = lift_auth_header(req.headers)
        if auth is not None:
            notes.append("The Authorization header replaces the command's -u/--oauth2-bearer, "
                         "as curl sends only the header.")
            req, secrets = replace(req, headers=headers, auth=auth), lifted
    if req.auth is None:
        headers, auth, lifted = lift_auth_header(req.headers)
        req, secrets = replace(req, headers=headers, auth=auth), {**secrets, **lifted}
    req = _lift_query(req, secrets, notes)
    req = _drop_leftovers(req, notes)
    return replace(imported, request=req, secrets=secrets, notes=notes)


def _is_secret_value(value: str) -> bool:
    return bool(value.strip()) and "{{" not in value


def _lift_query(req: Request, secrets: dict[str, str], notes: list[str]) -> Request:
    """``?api_key=…``: the first becomes API-key auth in the query, others are dropped."""
    params = list(req.params)
    parts = urlsplit(req.url)
    raw = parts.query.split("&") if parts.query else []
    kept_raw: list[str] = []
    found: list[tuple[str, str]] = []
    for piece in raw:
        key, _, value = piece.partition("=")
        if unquote(key).lower() in QUERY_CREDENTIALS and _is_secret_value(value):
            found.append((unquote(key), unquote(value)))
        else:
            kept_raw.append(piece)
    kept_params: list[KeyValue] = []
    for p in params:
        if p.name.lower() in QUERY_CREDENTIALS and _is_secret_value(p.value):
            found.append((p.name, p.value))
        else:
            kept_params.append(p)
    if not found:
        return req
    url = urlunsplit(parts._replace(query="&".join(kept_raw))) if raw else req.url
    req = replace(req, url=url, params=kept_params)
    for name, value in found:
        if req.auth is None:
            req = replace(req, auth=AuthSettings("apikey", {"name": name, "in": "query"}))
            secrets["value"] = value
            notes.append(f"The query parameter {name} became the request's API-key auth; "
                         "its value goes to the keyring and is sent after the other "
                         "parameters.")
        else:
            notes.append(f"The query parameter {name} was not saved: it holds a credential "
                         "and the request already has its auth; add it where it belongs "
                         "(the connection's auth) by hand.")
    return req


def _drop_leftovers(req: Request, notes: list[str]) -> Request:
    """Credentials the request's one auth could not take: not written to a file."""
    headers: list[KeyValue] = []
    cookies = [c.name for c in req.cookies]
    for h in req.headers:
        low = h.name.lower()
        if low == "cookie":
            cookies += [c.split("=", 1)[0].strip() for c in h.value.split(";") if c.strip()]
        elif low in API_KEY_HEADERS | {"authorization"} and _is_secret_value(h.value):
            notes.append(f"The {h.name} header was not saved: it holds a credential the "
                         "request's auth cannot take; set it on the connection (auth, or a "
                         "header with a {{variable}}) by hand.")
        else:
            headers.append(h)
    if cookies:
        names = ", ".join(cookies)
        notes.append(f"The cookies ({names}) were not saved: cookie values are usually a "
                     "login session; the server sets them again when you sign in.")
    return replace(req, headers=headers, cookies=[])
