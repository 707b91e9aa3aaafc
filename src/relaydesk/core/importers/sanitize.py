"""The last step of every import plan: what real files carry that a workspace must not.

Importers translate; this pass makes the result safe to write, item by item, so one
odd request never aborts a file:

* headers that cannot be set (``Host``, ``Content-Length``, a templated name such as
  ``{{$guid}}``, a HAR 1.1 request line recorded as a header) are dropped with a note;
* credentials left in plain fields (``Authorization`` and API-key headers, ``Cookie``
  headers and cookies, ``api_key=``/``token=`` query values, ``password``/
  ``client_secret`` form fields, ``user:pass@`` in URLs) become the request's auth with
  the value in the plan's secrets when the request has no auth yet, else are dropped
  with a note; one-off signatures (AWS SigV4, OAuth 1, Hawk) are always dropped;
* a request that still fails validation is left out with a note naming it and why.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from ..credentials import API_KEY_HEADERS
from ..errors import RelaydeskError
from ..model import (
    FORBIDDEN_HEADERS,
    AuthSettings,
    Connection,
    KeyValue,
    Request,
    validate_base_url,
    validate_request,
)
from .common import whole_variable
from .plan import FALLBACK_BASE_URL, ImportPlan, PlannedSecret

__all__ = ["SECRET_FIELD_NAMES", "SECRET_QUERY_NAMES", "is_literal_secret", "sanitize_plan"]

_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
# Query parameters whose values are credentials in the wild.
SECRET_QUERY_NAMES = frozenset({
    "api_key", "apikey", "api-key", "access_token", "accesstoken", "token", "key",
    "auth_token", "client_secret", "password", "private_token", "refresh_token", "id_token",
})
# Form fields whose values are credentials.
SECRET_FIELD_NAMES = frozenset({
    "password", "passwd", "client_secret", "secret", "access_token", "refresh_token",
    "api_key", "apikey", "token", "id_token", "private_token", "auth_token",
})
_SIGNATURES = {"aws4-hmac-sha256": "AWS Signature v4", "oauth": "OAuth 1.0",
               "hawk": "Hawk", "aws": "AWS Signature v2"}
_CREDENTIAL_HEADERS = API_KEY_HEADERS | {"authorization", "proxy-authorization"}
_SHOWN = 3
_MIN_SCRUB = 6  # shorter values would blank ordinary words


def is_literal_secret(value: str) -> bool:
    """A value worth protecting: not empty and not just a ``{{variable}}``."""
    text = value.strip()
    return bool(text) and whole_variable(text) is None


@dataclass
class _Notes:
    """Notes grouped by reason, each naming the first items it applies to."""
    by_reason: dict[str, list[str]] = field(default_factory=dict)

    def add(self, reason: str, item: str) -> None:
        items = self.by_reason.setdefault(reason, [])
        if item not in items:
            items.append(item)

    def lines(self) -> list[str]:
        out = []
        for reason, items in self.by_reason.items():
            named = ", ".join(f"'{i}'" for i in items[:_SHOWN])
            more = f" and {len(items) - _SHOWN} more" if len(items) > _SHOWN else ""
            out.append(f"{reason}: {named}{more}.")
        return out


@dataclass
class _Pass:
    plan: ImportPlan
    notes: _Notes = field(default_factory=_Notes)
    dropped: set[str] = field(default_factory=set)  # credential values left out

    def owned(self, path: str) -> bool:
        return any(s.owner == path for s in self.plan.secrets)

    def take(self, req: Request, conn: Connection | None, auth: AuthSettings,
             secrets: dict[str, str]) -> bool:
        """Give ``req`` this auth when it has none of its own (nor its connection)."""
        has_auth = req.auth is not None and req.auth.kind != "none"
        conn_auth = conn is not None and conn.auth.kind != "none" and req.auth is None
        if has_auth or conn_auth or self.owned(req.path):
            return False
        req.auth = auth
        self.plan.secrets += [PlannedSecret(req.path, k, v) for k, v in secrets.items()]
        return True


def _connection_of(plan: ImportPlan, path: str) -> Connection | None:
    return next((c for c in plan.connections if path.startswith(c.path + "/")), None)


def _userinfo(url: str) -> tuple[str, str, str] | None:
    """(url without user:pass@, user, password) when the URL carries a password."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if "@" not in parts.netloc or (parts.password is None and not parts.username):
        return None
    host = parts.netloc.rpartition("@")[2]
    return (urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment)),
            parts.username or "", parts.password or "")


def _clean_headers(st: _Pass, req: Request, conn: Connection | None) -> None:
    kept: list[KeyValue] = []
    for h in req.headers:
        name, low, value = h.name.strip(), h.name.strip().lower(), h.value.strip()
        if not _TOKEN.match(name):
            st.notes.add(f"Left out header '{name[:40]}' (not a valid header name)", req.path)
            continue
        if low in FORBIDDEN_HEADERS:
            st.notes.add(f"Left out the '{name}' header ({FORBIDDEN_HEADERS[low]})", req.path)
            continue
        if low == "cookie" and is_literal_secret(value):
            st.dropped.update(p.partition("=")[2].strip() for p in value.split(";"))
            st.notes.add("Left out Cookie headers (session cookies are credentials; "
                         "Relaydesk keeps no cookie values in files)", req.path)
            continue
        if low in _CREDENTIAL_HEADERS and is_literal_secret(value) and "{{" not in value:
            scheme = value.split(" ", 1)[0].split(",", 1)[0].lower()
            st.dropped.update({value, value.partition(" ")[2].strip()})
            if low == "authorization" and scheme in _SIGNATURES:
                st.notes.add(f"Left out a one-off {_SIGNATURES[scheme]} signature (it is "
                             "computed per request; set the auth up instead)", req.path)
                continue
            if low in API_KEY_HEADERS and st.take(req, conn, AuthSettings(
                    "apikey", {"name": name, "in": "header"}), {"value": value}):
                continue
            st.notes.add(f"Left out the '{name}' credential header (the request already has "
                         "its auth; no credential is written to workspace files)", req.path)
            continue
        kept.append(h)
    req.headers = kept


def _clean_query(st: _Pass, req: Request, conn: Connection | None) -> None:
    def secret(kv_name: str, value: str) -> bool:
        return kv_name.strip().lower() in SECRET_QUERY_NAMES and is_literal_secret(value)

    def handle(kv_name: str, value: str) -> None:
        st.dropped.add(value)
        if st.take(req, conn, AuthSettings("apikey", {"name": kv_name, "in": "query"}),
                   {"value": value}):
            return
        st.notes.add(f"Left out the '{kv_name}' query value (a credential; the request "
                     "already has its auth)", req.path)

    kept = []
    for kv in req.params:
        if secret(kv.name, kv.value):
            handle(kv.name, kv.value)
        else:
            kept.append(kv)
    req.params = kept
    head, sep, query = req.url.partition("?")
    if sep and "=" in query:
        frag = ""
        if "#" in query:
            query, _, frag = query.partition("#")
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(secret(k, v) for k, v in pairs):
            rest = []
            for k, v in pairs:
                if secret(k, v):
                    handle(k, v)
                else:
                    rest.append((k, v))
            new_query = urlencode(rest, safe="{}$:/,", quote_via=quote)
            req.url = head + (f"?{new_query}" if new_query else "") + (f"#{frag}" if frag else "")


def _clean_body(st: _Pass, req: Request) -> None:
    def blank(fields: Iterable[KeyValue]) -> None:
        for kv in fields:
            if kv.name.strip().lower() in SECRET_FIELD_NAMES and is_literal_secret(kv.value):
                st.dropped.add(kv.value)
                kv.value = ""
                st.notes.add(f"Emptied the form field '{kv.name}' (a credential; fill it in "
                             "from a secret variable before sending)", req.path)

    blank(req.body.form)
    for part in req.body.multipart:
        if part.name.strip().lower() in SECRET_FIELD_NAMES and is_literal_secret(part.value):
            st.dropped.add(part.value)
            part.value = ""
            st.notes.add(f"Emptied the form field '{part.name}' (a credential)", req.path)
    if req.body.kind == "raw" and "x-www-form-urlencoded" in req.body.content_type.lower():
        pairs = parse_qsl(req.body.text.strip(), keep_blank_values=True)
        if any(k.lower() in SECRET_FIELD_NAMES and is_literal_secret(v) for k, v in pairs):
            fields = [KeyValue(k, v) for k, v in pairs]
            blank(fields)
            req.body.text = urlencode([(f.name, f.value) for f in fields], safe="{}$")


def _clean_cookies(st: _Pass, req: Request) -> None:
    st.dropped.update(c.value for c in req.cookies if is_literal_secret(c.value))
    if any(is_literal_secret(c.value) for c in req.cookies):
        st.notes.add("Left out recorded cookies (session cookies are credentials)", req.path)
        req.cookies = [c for c in req.cookies if not is_literal_secret(c.value)]


def _clean_url(st: _Pass, req: Request, conn: Connection | None) -> None:
    found = _userinfo(req.url)
    if found is None:
        return
    req.url, user, password = found
    st.dropped.add(password)
    if password and not st.take(req, conn, AuthSettings("basic", {"username": user}),
                                {"password": password}):
        st.notes.add("Left out the user:password in the URL (the request already has its "
                     "auth)", req.path)


def _clean_connection(st: _Pass, conn: Connection) -> None:
    found = _userinfo(conn.base_url)
    if found is not None:
        conn.base_url, user, password = found
        if password and conn.auth.kind == "none":
            conn.auth = AuthSettings("basic", {"username": user})
            st.plan.secrets.append(PlannedSecret(conn.path, "password", password))
        elif password:
            st.notes.add("Left out the user:password in the base URL", conn.path)
    for key in [k for k, v in conn.variables.items() if _userinfo(v)]:
        found = _userinfo(conn.variables[key])
        if found is not None:
            conn.variables[key] = found[0]
            st.notes.add(f"Removed the user:password from the variable '{key}'", conn.path)
    try:
        validate_base_url(conn.base_url)
    except RelaydeskError as exc:
        st.notes.add(f"The base URL '{conn.base_url[:60]}' cannot be used ({exc}); it is "
                     f"{FALLBACK_BASE_URL} until you change it", conn.path)
        conn.base_url = FALLBACK_BASE_URL


def sanitize_plan(plan: ImportPlan) -> ImportPlan:
    st = _Pass(plan)
    for conn in plan.connections:
        _clean_connection(st, conn)
    kept: list[Request] = []
    for req in plan.requests:
        conn = _connection_of(plan, req.path)
        _clean_url(st, req, conn)
        _clean_headers(st, req, conn)
        _clean_query(st, req, conn)
        _clean_cookies(st, req)
        _clean_body(st, req)
        req.method = req.method.strip().upper() or "GET"
        try:
            validate_request(req)
        except RelaydeskError as exc:
            st.notes.add(f"Left out a request that cannot be saved ({exc})", req.path)
            plan.secrets = [s for s in plan.secrets if s.owner != req.path]
            continue
        kept.append(req)
    plan.requests = kept
    _scrub_descriptions(st)
    plan.notes.extend(st.notes.lines())
    return plan


def _scrub_descriptions(st: _Pass) -> None:
    """Descriptions that quote a credential of the file (demo collections do:
    "send Authorization: Basic cG9z…") lose the value: it never reaches a file."""
    values = set(st.dropped) | {s.value for s in st.plan.secrets}
    by_owner = {s.owner: s.value for s in st.plan.secrets if s.field == "password"}
    for item in [*st.plan.connections, *st.plan.requests]:
        auth = item.auth
        if auth is not None and auth.kind == "basic" and item.path in by_owner:
            pair = f"{auth.get('username')}:{by_owner[item.path]}".encode()
            values.add(base64.b64encode(pair).decode())
    values = {v for v in values if len(v.strip()) >= _MIN_SCRUB}
    if not values:
        return
    pattern = re.compile("|".join(re.escape(v) for v in sorted(values, key=len, reverse=True)))
    for item in [*st.plan.connections, *st.plan.requests]:
        if item.description and pattern.search(item.description):
            item.description = pattern.sub("[credential removed]", item.description)
            st.notes.add("Removed credential values quoted in descriptions", item.path)
