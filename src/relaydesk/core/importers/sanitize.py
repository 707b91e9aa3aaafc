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
* every other occurrence of such a value, in any item of the import, is scrubbed
  (``scrub``);
* a request that still fails validation is left out with a note naming it and why.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from ..credentials import API_KEY_HEADERS, ONE_OFF_SCHEMES
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
from .scrub import Credential, scrub_plan, variable_name

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
_CREDENTIAL_HEADERS = API_KEY_HEADERS | {"authorization", "proxy-authorization"}
_SHOWN = 3


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
    # credential values left out: value -> (variable name, weak: only a cookie)
    dropped: dict[str, Credential] = field(default_factory=dict)

    def drop(self, value: str, where: str, weak: bool = False) -> None:
        if is_literal_secret(value) and value.strip() not in self.dropped:
            self.dropped[value.strip()] = (variable_name(where), weak)

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
            for part in value.split(";"):
                st.drop(part.partition("=")[2], part.partition("=")[0], weak=True)
            st.notes.add("Left out Cookie headers (session cookies are credentials; "
                         "Relaydesk keeps no cookie values in files)", req.path)
            continue
        if low in _CREDENTIAL_HEADERS and is_literal_secret(value) and "{{" not in value:
            scheme = value.split(" ", 1)[0].split(",", 1)[0].lower()
            st.drop(value, name)
            st.drop(value.partition(" ")[2], name)
            if low == "authorization" and scheme in ONE_OFF_SCHEMES:
                st.notes.add(f"Left out a one-off {ONE_OFF_SCHEMES[scheme]} signature (it is "
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
        st.drop(value, kv_name)
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
                st.drop(kv.value, kv.name)
                kv.value = ""
                st.notes.add(f"Emptied the form field '{kv.name}' (a credential; fill it in "
                             "from a secret variable before sending)", req.path)

    blank(req.body.form)
    for part in req.body.multipart:
        if part.name.strip().lower() in SECRET_FIELD_NAMES and is_literal_secret(part.value):
            st.drop(part.value, part.name)
            part.value = ""
            st.notes.add(f"Emptied the form field '{part.name}' (a credential)", req.path)
    if req.body.kind == "raw" and "x-www-form-urlencoded" in req.body.content_type.lower():
        pairs = parse_qsl(req.body.text.strip(), keep_blank_values=True)
        if any(k.lower() in SECRET_FIELD_NAMES and is_literal_secret(v) for k, v in pairs):
            fields = [KeyValue(k, v) for k, v in pairs]
            blank(fields)
            req.body.text = urlencode([(f.name, f.value) for f in fields], safe="{}$")


def _clean_cookies(st: _Pass, req: Request) -> None:
    for cookie in req.cookies:
        st.drop(cookie.value, cookie.name, weak=True)
    if any(is_literal_secret(c.value) for c in req.cookies):
        st.notes.add("Left out recorded cookies (session cookies are credentials)", req.path)
        req.cookies = [c for c in req.cookies if not is_literal_secret(c.value)]


def _clean_url(st: _Pass, req: Request, conn: Connection | None) -> None:
    found = _userinfo(req.url)
    if found is None:
        return
    req.url, user, password = found
    st.drop(password, "password")
    if password and not st.take(req, conn, AuthSettings("basic", {"username": user}),
                                {"password": password}):
        st.notes.add("Left out the user:password in the URL (the request already has its "
                     "auth)", req.path)


def _clean_connection(st: _Pass, conn: Connection) -> None:
    found = _userinfo(conn.base_url)
    if found is not None:
        conn.base_url, user, password = found
        st.drop(password, "password")
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
    for connection in plan.connections:
        _clean_connection(st, connection)
    for req in plan.requests:
        conn = _connection_of(plan, req.path)
        _clean_url(st, req, conn)
        _clean_headers(st, req, conn)
        _clean_query(st, req, conn)
        _clean_cookies(st, req)
        _clean_body(st, req)
        req.method = req.method.strip().upper() or "GET"
    # After every request is cleaned: a value found in the last one may recur in the first.
    scrub_plan(plan, _credentials(st), st.notes.add)
    kept: list[Request] = []
    for req in plan.requests:
        try:
            validate_request(req)
        except RelaydeskError as exc:
            st.notes.add(f"Left out a request that cannot be saved ({exc})", req.path)
            plan.secrets = [s for s in plan.secrets if s.owner != req.path]
            continue
        kept.append(req)
    plan.requests = kept
    plan.notes.extend(st.notes.lines())
    return plan


def _credentials(st: _Pass) -> dict[str, Credential]:
    """Every credential value of the import, with the variable name to refer to it by:
    those left out, those bound for the keyring, and Basic pairs as sent (base64)."""
    found = dict(st.dropped)
    items: dict[str, Connection | Request] = {c.path: c for c in st.plan.connections}
    items.update((r.path, r) for r in st.plan.requests)
    for secret in st.plan.secrets:
        auth = items[secret.owner].auth if secret.owner in items else None
        hint = auth.get("name") if auth is not None and auth.kind == "apikey" else ""
        found.setdefault(secret.value.strip(), (variable_name(hint or secret.field), False))
        if auth is not None and auth.kind == "basic" and secret.field == "password":
            pair = f"{auth.get('username')}:{secret.value}".encode()
            found.setdefault(base64.b64encode(pair).decode(), ("basic_credentials", False))
    return {k: v for k, v in found.items() if k}
