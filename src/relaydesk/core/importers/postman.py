"""Postman collections (v2.0 and v2.1) and Postman environments.

A collection becomes one connection: its base URL is the value of the variable most
request URLs start with (``{{baseUrl}}/users`` → ``/users``), else their most common
origin; collection and folder variables become connection variables. Folders stay
folders. Auth is inherited as in Postman: the collection's auth is the connection's,
a folder's or request's own auth becomes request-level auth. Secrets (passwords,
tokens, API keys, client secrets — also when given as ``{{variable}}``) go to the plan's
secrets, not into the model.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..errors import FileFormatError
from ..model import AuthSettings, Body, Connection, KeyValue, MultipartField, Request
from ..templating import render
from .common import (
    as_dict,
    as_list,
    as_str,
    is_secret_name,
    relative_to,
    text_of,
    whole_variable,
)
from .loader import load_json
from .plan import FALLBACK_BASE_URL, ImportPlan, Namer, PlannedSecret, fail, lift_auth_header

__all__ = ["plan_postman", "postman_auth"]

_LANG_TYPES = {"text": "text/plain", "xml": "application/xml", "html": "text/html",
               "javascript": "application/javascript", "json": "application/json"}
Secrets = dict[str, str]
_SIGNATURES = {"awsv4": "AWS Signature v4", "oauth1": "OAuth 1.0", "hawk": "Hawk",
               "akamai": "Akamai EdgeGrid", "edgegrid": "Akamai EdgeGrid", "ntlm": "NTLM"}


def _params(raw: Any, v20: bool, source: str) -> dict[str, Any]:
    """Auth parameters: v2.1 lists of {key, value}; v2.0 plain objects."""
    if isinstance(raw, dict):
        return raw
    out: dict[str, Any] = {}
    for entry in as_list(raw, source, "an auth parameter list"):
        if isinstance(entry, dict) and isinstance(entry.get("key"), str):
            out[entry["key"]] = entry.get("value")
    return out


def postman_auth(raw: Any, source: str, notes: list[str]
                 ) -> tuple[AuthSettings, Secrets] | None:
    """Postman auth → settings + secrets; None means "inherit from the parent"."""
    if raw is None:
        return None
    auth = as_dict(raw, source, "an auth block")
    kind = as_str(auth.get("type"), source, "the auth type")
    p = _params(auth.get(kind), False, source)

    def s(name: str) -> str:
        return as_str(p.get(name), source, f"the auth field '{name}'")

    if kind in ("", "inherit"):
        return None
    if kind == "noauth":
        return AuthSettings("none"), {}
    if kind in ("basic", "digest"):
        return AuthSettings(kind, {"username": s("username")}), {"password": s("password")}
    if kind == "bearer":
        return AuthSettings("bearer"), {"token": s("token")}
    if kind == "apikey":
        where = "query" if s("in") == "query" else "header"
        return (AuthSettings("apikey", {"name": s("key") or "X-API-Key", "in": where}),
                {"value": s("value")})
    if kind == "oauth2" and s("accessToken") and "{{" not in s("accessToken"):
        # A token Postman already fetched: usable as it is (until it expires).
        notes.append("An OAuth 2.0 access token saved in the collection was imported as a "
                     "bearer token (stored in the keyring); when it expires, set up the "
                     "OAuth flow on the connection.")
        if s("addTokenTo") == "queryParams":
            return AuthSettings("apikey", {"name": "access_token", "in": "query"}), {
                "value": s("accessToken")}
        return AuthSettings("bearer"), {"token": s("accessToken")}
    if kind == "oauth2":
        grant = s("grant_type") or "authorization_code"
        params = {"grant": "client_credentials" if grant == "client_credentials"
                  else "authorization_code",
                  "token_url": s("accessTokenUrl"), "auth_url": s("authUrl"),
                  "client_id": s("clientId"), "scope": s("scope")}
        if s("client_authentication") == "body":
            params["client_auth"] = "post"
        return (AuthSettings("oauth2", {k: v for k, v in params.items() if v}),
                {"client_secret": s("clientSecret")})
    if kind == "awsv4":  # signed at each send by the aws_sigv4 auth kind
        params = {"access_key_id": s("accessKey"), "region": s("region"),
                  "service": s("service")}
        return (AuthSettings("aws_sigv4", {k: v for k, v in params.items() if v}),
                {"secret_access_key": s("secretKey"), "session_token": s("sessionToken")})
    if kind in _SIGNATURES:
        notes.append(f"{_SIGNATURES[kind]} signs each request once; Relaydesk does not "
                     "compute it, so it was left out (no key was stored).")
        return AuthSettings("none"), {}
    notes.append(f"'{kind}' authentication is not supported by Relaydesk; it was left out.")
    return AuthSettings("none"), {}


@dataclass
class _State:
    source: str
    plan: ImportPlan
    namer: Namer = field(default_factory=Namer)
    variables: dict[str, str] = field(default_factory=dict)
    secret_vars: set[str] = field(default_factory=set)
    scripts: int = 0
    examples: int = 0
    pending: list[tuple[Request, str]] = field(default_factory=list)  # request, raw URL


def _variables(raw: Any, st: _State) -> None:
    for entry in as_list(raw, st.source, "\"variable\""):
        if not isinstance(entry, dict) or entry.get("disabled") is True:
            continue
        key = as_str(entry.get("key", entry.get("id")), st.source, "a variable name")
        if not key:
            continue
        st.variables[key] = as_str(entry.get("value"), st.source, f"the variable '{key}'")
        if entry.get("type") == "secret" or is_secret_name(key):
            st.secret_vars.add(key)


def _resolve_secret(value: str, st: _State, owner: str, field_name: str) -> str | None:
    """A secret given as ``{{variable}}`` is looked up (and the variable kept out of files)."""
    name = whole_variable(value)
    if name is None:
        return value or None
    st.secret_vars.add(name)
    if st.variables.get(name):
        return st.variables[name]
    st.plan.notes.append(f"The {field_name} of '{owner}' refers to {{{{{name}}}}}, which the "
                         f"collection does not define; store it with `relaydesk secret set "
                         f"{owner} {field_name}`.")
    return None


def _add_secrets(owner: str, secrets: Secrets, st: _State) -> None:
    for field_name, value in secrets.items():
        resolved = _resolve_secret(value, st, owner, field_name)
        if resolved:
            st.plan.secrets.append(PlannedSecret(owner, field_name, resolved))


def _url(raw: Any, st: _State) -> tuple[str, list[KeyValue]]:
    if isinstance(raw, str):
        return raw.strip(), []
    url = as_dict(raw, st.source, "a request URL")
    query = []
    for q in as_list(url.get("query"), st.source, "a URL query"):
        if isinstance(q, dict) and q.get("key") is not None:
            query.append(KeyValue(as_str(q.get("key")), as_str(q.get("value")),
                                  q.get("disabled") is not True))
    raw_text = as_str(url.get("raw"), st.source, "the raw URL")
    if raw_text:
        base = raw_text.split("?", 1)[0] if query else raw_text
    else:
        host = url.get("host")
        host_text = ".".join(as_str(h) for h in host) if isinstance(host, list) else as_str(host)
        path = url.get("path")
        path_text = "/".join(as_str(p) if not isinstance(p, dict) else as_str(p.get("value"))
                             for p in path) if isinstance(path, list) else as_str(path)
        proto = as_str(url.get("protocol"))
        port = f":{as_str(url.get('port'))}" if url.get("port") else ""
        # A host that is one variable ("{{baseUrl}}") holds its own scheme.
        scheme = f"{proto}://" if proto or not host_text.startswith("{{") else ""
        base = f"{scheme or 'https://'}{host_text}{port}/{path_text.lstrip('/')}" if (
            scheme or not host_text) else f"{host_text}{port}/{path_text.lstrip('/')}"
    for var in as_list(url.get("variable"), st.source, "URL path variables"):
        if isinstance(var, dict) and var.get("key"):
            key, value = as_str(var.get("key")), as_str(var.get("value"))
            base = base.replace(f"/:{key}/", f"/{value}/")
            if base.endswith(f"/:{key}"):
                base = base[: -len(key) - 1] + value
    return base.strip(), query


def _body(raw: Any, st: _State, name: str) -> Body:
    body = as_dict(raw, st.source, f"the body of '{name}'")
    mode = as_str(body.get("mode"))
    if body.get("disabled") is True or not mode:
        return Body()
    if mode == "raw":
        text = as_str(body.get("raw"), st.source, "a raw body")
        options = as_dict(body.get("options"), st.source, "body options")
        lang = as_str(as_dict(options.get("raw"), st.source, "raw options").get("language"))
        if lang == "json":
            try:
                json.loads(text)
                return Body(kind="json", text=text)
            except ValueError:
                pass
        return Body(kind="raw", text=text, content_type=_LANG_TYPES.get(lang or "text", ""))
    if mode == "urlencoded":
        return Body(kind="form", form=[
            KeyValue(as_str(f.get("key")), as_str(f.get("value")), f.get("disabled") is not True)
            for f in as_list(body.get("urlencoded"), st.source, "form fields")
            if isinstance(f, dict)])
    if mode == "formdata":
        parts = []
        for f in as_list(body.get("formdata"), st.source, "form-data fields"):
            if not isinstance(f, dict):
                continue
            src = f.get("src")
            src = src[0] if isinstance(src, list) and src else src
            is_file = f.get("type") == "file"
            parts.append(MultipartField(
                name=as_str(f.get("key")), value="" if is_file else as_str(f.get("value")),
                file=as_str(src) if is_file else "", content_type=as_str(f.get("contentType")),
                enabled=f.get("disabled") is not True))
        return Body(kind="multipart", multipart=parts)
    if mode == "file":
        src = as_dict(body.get("file"), st.source, "a file body").get("src")
        return Body(kind="binary", file=as_str(src))
    if mode == "graphql":
        gql = as_dict(body.get("graphql"), st.source, "a GraphQL body")
        raw_vars = gql.get("variables")
        variables = json.dumps(raw_vars, ensure_ascii=False) if isinstance(
            raw_vars, dict) else as_str(raw_vars).strip() or "{}"
        try:
            json.loads(variables)
        except ValueError:
            st.plan.notes.append(f"The GraphQL variables of '{name}' are not JSON; "
                                 "they were left out.")
            variables = "{}"
        # As Postman sends it: the variables text is embedded as written.
        query = json.dumps(as_str(gql.get("query")), ensure_ascii=False)
        return Body(kind="json", text=f'{{"query":{query},"variables":{variables}}}')
    st.plan.notes.append(f"The '{mode}' body of '{name}' is not supported; it was left out.")
    return Body()


def _walk(items: Any, parent: str, inherited: tuple[AuthSettings, Secrets, str] | None,
          st: _State, depth: int = 0) -> None:
    """``inherited``: the auth in force above and the path owning it (connection path:
    the connection's own auth, nothing to copy)."""
    if depth > 64:
        raise fail(st.source, "has folders nested more than 64 levels deep")
    for item in as_list(items, st.source, "\"item\""):
        if not isinstance(item, dict):
            st.plan.notes.append(f"Left out an entry of '{parent}' that is not an object.")
            continue
        responses = item.get("response")
        st.examples += len(responses) if isinstance(responses, list) else 0
        st.scripts += len(item.get("event") or []) if isinstance(item.get("event"), list) else 0
        own = postman_auth(item.get("auth"), st.source, st.plan.notes)
        here = (own[0], own[1], "") if own is not None else inherited
        if "item" in item and "request" not in item:
            _variables(item.get("variable"), st)
            path = st.namer.child(parent, item.get("name"), "Folder")
            st.plan.folders.append(path)
            _walk(item.get("item"), path, here, st, depth + 1)
            continue
        path = st.namer.child(parent, item.get("name"), "Request")
        try:
            _request(item, path, here, st)
        except FileFormatError as exc:  # one odd request never costs the whole file
            st.plan.notes.append(f"Left out '{path}': {exc.reason}.")


def _request(item: dict[str, Any], path: str,
             auth: tuple[AuthSettings, Secrets, str] | None, st: _State) -> None:
    raw = item.get("request")
    req_doc = {"url": raw} if isinstance(raw, str) else as_dict(raw, st.source,
                                                                "a \"request\"")
    url, params = _url(req_doc.get("url"), st)
    headers_raw = req_doc.get("header")
    headers: list[KeyValue] = []
    for h in headers_raw if isinstance(headers_raw, list) else []:
        if isinstance(h, dict) and h.get("key"):
            headers.append(KeyValue(as_str(h.get("key")), as_str(h.get("value")),
                                    h.get("disabled") is not True))
    request = Request(path=path, method=as_str(req_doc.get("method")).upper() or "GET",
                      url=url, params=params,
                      body=_body(req_doc.get("body"), st, path),
                      description=text_of(req_doc.get("description") or item.get(
                          "description")))
    own = postman_auth(req_doc.get("auth"), st.source, st.plan.notes)
    effective = (own[0], own[1], "") if own is not None else auth
    if effective is not None and effective[2] != "collection":
        request.auth = effective[0]
        _add_secrets(path, effective[1], st)
    if request.auth is None or request.auth.kind == "none":
        headers, lifted, secrets = lift_auth_header(headers)
        if lifted is not None:
            request.auth = lifted
            _add_secrets(path, secrets, st)
    request.headers = headers
    st.pending.append((request, url))


def plan_postman(text: str, source: str = "") -> ImportPlan:
    doc = load_json(text, source)
    if not isinstance(doc, dict):
        raise fail(source, "is not a Postman collection (expected a JSON object)")
    if "info" not in doc and isinstance(doc.get("values"), list):
        from .postman_env import plan_postman_environment

        return plan_postman_environment(doc, source)
    if "info" not in doc and isinstance(doc.get("requests"), list):
        from .postman_v1 import v1_to_v2

        doc = v1_to_v2(doc, source)
    info = doc.get("info")
    if info is None and isinstance(doc.get("item"), list):  # newman runs these too
        info = {"name": doc.get("name")}
    if not isinstance(info, dict):
        raise fail(source, "is not a Postman collection (no \"info\" object)")
    if not isinstance(doc.get("item"), list):
        raise fail(source, "is not a Postman collection (no \"item\" list)")
    st = _State(source=source, plan=ImportPlan(kind="postman", source=source))
    events = doc.get("event")
    st.scripts = len(events) if isinstance(events, list) else 0
    conn_path = st.namer.child("", info.get("name"), "Postman collection")
    _variables(doc.get("variable"), st)
    coll_auth = postman_auth(doc.get("auth"), source, st.plan.notes)
    top = (coll_auth[0], coll_auth[1], "collection") if coll_auth else None
    st.namer = Namer()
    _walk(doc["item"], conn_path, top, st)
    left_out = [n for n in st.plan.notes if n.startswith("Left out")]
    if not st.pending and left_out:  # every entry was unusable: say why, write nothing
        raise fail(source, "holds no request that can be imported ("
                   + left_out[0].removeprefix("Left out ").rstrip(".") + ")")
    _finish(st, conn_path, coll_auth, text_of(info.get("description")))
    return st.plan


def _finish(st: _State, conn_path: str, coll_auth: tuple[AuthSettings, Secrets] | None,
            description: str) -> None:
    base, lead = _base_url(st)
    conn = Connection(path=conn_path, base_url=base or FALLBACK_BASE_URL,
                      description=description,
                      auth=coll_auth[0] if coll_auth else AuthSettings())
    if coll_auth:
        _add_secrets(conn_path, coll_auth[1], st)
    for req, url in st.pending:
        if lead and url.startswith("{{" + lead + "}}"):
            req.url = url[len(lead) + 4:]
        else:
            req.url = relative_to(url, base) if base else url
        st.plan.requests.append(req)
    conn.variables = {k: v for k, v in st.variables.items() if k not in st.secret_vars}
    if not base:
        st.plan.notes.append(f"No base URL was found; '{conn_path}' uses {FALLBACK_BASE_URL} "
                             "until you set it.")
    hidden = sorted(st.secret_vars & set(st.variables))
    if hidden:
        st.plan.notes.append("Secret variables were not written to the connection: "
                             + ", ".join(hidden) + ".")
    if st.examples:
        st.plan.notes.append(f"{st.examples} saved example response(s) were not imported "
                             "(Relaydesk keeps the requests, not their examples).")
    if st.scripts:
        st.plan.notes.append(f"{st.scripts} Postman script(s) were not imported "
                             "(Relaydesk runs no scripts).")
    st.plan.connections.append(conn)


def _base_url(st: _State) -> tuple[str, str]:
    """(base URL, the variable it came from or "")."""
    from collections import Counter

    from .plan import guess_base_url

    leads: Counter[str] = Counter()
    for _, url in st.pending:
        if url.startswith("{{") and "}}" in url:
            leads[url[2:url.index("}}")].strip()] += 1
    for name, _count in leads.most_common():
        value = st.variables.get(name, "")
        if value.startswith(("http://", "https://")) and "{{" not in value:
            return value.rstrip("/"), name
    rendered = []
    for _, url in st.pending:
        try:
            rendered.append(render(url, st.variables))
        except Exception:  # an unknown {{variable}}: that URL cannot vote
            continue
    return guess_base_url(rendered), ""
