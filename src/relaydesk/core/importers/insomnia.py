"""Insomnia exports: v4 (JSON or YAML, ``resources`` with ``_type``) and v5 (YAML,
``type: collection.insomnia.rest/5.0`` with nested ``collection`` items).

A workspace (v4) or the collection (v5) becomes a connection; request groups become
folders; the base environment's values become connection variables and each
sub-environment an environment. Insomnia's ``{{ _.name }}`` becomes ``{{name}}``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from ..model import AuthSettings, Body, Connection, Environment, KeyValue, MultipartField, Request
from ..templating import render
from .common import as_dict, as_list, as_str, is_secret_name, relative_to, whole_variable
from .loader import load_json_or_yaml
from .plan import (
    FALLBACK_BASE_URL,
    ImportPlan,
    Namer,
    PlannedSecret,
    fail,
    guess_base_url,
    lift_auth_header,
)

__all__ = ["plan_insomnia"]

_NUNJUCKS_VAR = re.compile(r"\{\{\s*_\.([A-Za-z_][\w.\-]*)\s*\}\}")


def _vars(text: str) -> str:
    return _NUNJUCKS_VAR.sub(lambda m: "{{" + m.group(1) + "}}", text)


@dataclass
class _State:
    source: str
    plan: ImportPlan
    namer: Namer = field(default_factory=Namer)
    variables: dict[str, str] = field(default_factory=dict)
    tags: int = 0
    other: dict[str, int] = field(default_factory=dict)  # websocket/grpc requests


def _scalars(data: Any, source: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in as_dict(data, source, "environment data").items():
        if isinstance(value, dict | list):
            continue
        out[str(key)] = _vars(as_str(value, source, f"the variable '{key}'"))
    return out


def _auth(raw: Any, st: _State) -> tuple[AuthSettings | None, dict[str, str]]:
    auth = as_dict(raw, st.source, "an authentication block")
    kind = as_str(auth.get("type") or auth.get("_type"))
    if not kind and (auth.get("username") or auth.get("password")):
        kind = "basic"  # format 1 writes only the pair
    if not kind or auth.get("disabled") is True or kind == "none":
        return None, {}

    def s(key: str) -> str:
        return _vars(as_str(auth.get(key), st.source, f"the auth field '{key}'"))

    if kind in ("basic", "digest"):
        return AuthSettings(kind, {"username": s("username")}), {"password": s("password")}
    if kind == "bearer":
        prefix = s("prefix").strip()
        if prefix and prefix.lower() != "bearer":
            return AuthSettings("token", {"scheme": prefix}), {"token": s("token")}
        return AuthSettings("bearer"), {"token": s("token")}
    if kind == "apikey":
        where = "query" if s("addTo") == "queryParams" else "header"
        return AuthSettings("apikey", {"name": s("key") or "X-API-Key", "in": where}), {
            "value": s("value")}
    if kind == "oauth2":
        grant = "client_credentials" if s("grantType") == "client_credentials" \
            else "authorization_code"
        params = {"grant": grant, "token_url": s("accessTokenUrl"), "auth_url":
                  s("authorizationUrl"), "client_id": s("clientId"), "scope": s("scope")}
        return AuthSettings("oauth2", {k: v for k, v in params.items() if v}), {
            "client_secret": s("clientSecret")}
    st.plan.notes.append(f"'{kind}' authentication is not supported; it was left out.")
    return None, {}


def _body(raw: Any, st: _State) -> Body:
    if isinstance(raw, str):  # exports of format 1-3 keep the body as text
        raw = {"text": raw, "mimeType": "application/json" if raw.lstrip().startswith(
            ("{", "[")) else ""}
    body = as_dict(raw, st.source, "a request body")
    mime = as_str(body.get("mimeType"))
    text = _vars(as_str(body.get("text"), st.source, "the body text"))
    params = as_list(body.get("params"), st.source, "body params")
    if mime == "application/x-www-form-urlencoded":
        return Body(kind="form", form=[
            KeyValue(_vars(as_str(p.get("name"))), _vars(as_str(p.get("value"))),
                     p.get("disabled") is not True) for p in params if isinstance(p, dict)])
    if mime == "multipart/form-data":
        return Body(kind="multipart", multipart=[
            MultipartField(name=_vars(as_str(p.get("name"))),
                           value="" if p.get("type") == "file" else _vars(as_str(p.get("value"))),
                           file=as_str(p.get("fileName")) if p.get("type") == "file" else "",
                           enabled=p.get("disabled") is not True)
            for p in params if isinstance(p, dict)])
    if mime == "application/octet-stream" and body.get("fileName"):
        return Body(kind="binary", file=as_str(body.get("fileName")))
    if not text:
        return Body()
    if "json" in mime:
        try:
            json.loads(text)
            return Body(kind="json", text=text)
        except ValueError:
            pass
    if mime == "application/graphql":
        return Body(kind="json", text=text)
    return Body(kind="raw", text=text, content_type=mime)


def _pairs(raw: Any, st: _State, what: str) -> list[KeyValue]:
    return [KeyValue(_vars(as_str(p.get("name"))), _vars(as_str(p.get("value"))),
                     p.get("disabled") is not True)
            for p in as_list(raw, st.source, what) if isinstance(p, dict) and p.get("name")]


def _request(doc: dict[str, Any], parent: str, st: _State, pending: list[Request]) -> None:
    path = st.namer.child(parent, doc.get("name"), "Request")
    req = Request(path=path, method=as_str(doc.get("method")).upper() or "GET",
                  url=_vars(as_str(doc.get("url"), st.source, "a request URL")).strip(),
                  params=_pairs(doc.get("parameters"), st, "parameters"),
                  body=_body(doc.get("body"), st),
                  description=as_str(doc.get("description")))
    headers = _pairs(doc.get("headers"), st, "headers")
    auth, secrets = _auth(doc.get("authentication"), st)
    if auth is None:
        headers, auth, secrets = lift_auth_header(headers)
    req.headers, req.auth = headers, auth
    for field_name, value in secrets.items():
        var = whole_variable(value)
        resolved = st.variables.get(var, "") if var else value
        if resolved:
            st.plan.secrets.append(PlannedSecret(path, field_name, resolved))
    if "{%" in req.url or any("{%" in h.value for h in req.headers):
        st.tags += 1
    pending.append(req)


def _v4(doc: dict[str, Any], st: _State) -> list[tuple[str, list[Request]]]:
    resources = [r for r in as_list(doc.get("resources"), st.source, "\"resources\"")
                 if isinstance(r, dict)]
    by_parent: dict[str, list[dict[str, Any]]] = {}
    ids = {as_str(r.get("_id")) for r in resources}
    workspaces = [r for r in resources if r.get("_type") == "workspace"]
    for r in resources:
        parent = as_str(r.get("parentId"))
        if not workspaces and parent not in ids:
            parent = ""  # format 2-3: "__WORKSPACE_ID__" names no resource
        by_parent.setdefault(parent, []).append(r)
    out = []
    for ws in workspaces or [{"_id": "", "name": "Insomnia"}]:
        conn_path = st.namer.child("", ws.get("name"), "Insomnia")
        pending: list[Request] = []
        stack = [(as_str(ws.get("_id")), conn_path, 0)]
        while stack:
            parent_id, parent_path, depth = stack.pop(0)
            if depth > 64:
                raise fail(st.source, "has folders nested more than 64 levels deep")
            for child in by_parent.get(parent_id, []):
                kind = child.get("_type")
                if kind == "request_group":
                    env = child.get("environment")  # format 2-3 keep variables here
                    if isinstance(env, dict):
                        st.variables.update(_scalars(env, st.source))
                    folder = st.namer.child(parent_path, child.get("name"), "Folder")
                    st.plan.folders.append(folder)
                    stack.append((as_str(child.get("_id")), folder, depth + 1))
                elif kind == "request":
                    _request(child, parent_path, st, pending)
                elif isinstance(kind, str) and kind.endswith("request"):
                    st.other[kind] = st.other.get(kind, 0) + 1
                elif kind == "environment" and parent_id == ws.get("_id"):
                    st.variables.update(_scalars(child.get("data"), st.source))
                    for sub in by_parent.get(as_str(child.get("_id")), []):
                        if sub.get("_type") == "environment":
                            st.plan.environments.append(Environment(
                                st.namer.child("@env", sub.get("name"), "env").split("/")[-1],
                                _scalars(sub.get("data"), st.source)))
        out.append((conn_path, pending))
    return out


def _v5(doc: dict[str, Any], st: _State) -> list[tuple[str, list[Request]]]:
    conn_path = st.namer.child("", doc.get("name"), "Insomnia")
    envs = as_dict(doc.get("environments"), st.source, "\"environments\"")
    st.variables.update(_scalars(envs.get("data"), st.source))
    for sub in as_list(envs.get("subEnvironments"), st.source, "sub-environments"):
        if isinstance(sub, dict):
            st.plan.environments.append(Environment(
                st.namer.child("@env", sub.get("name"), "env").split("/")[-1],
                _scalars(sub.get("data"), st.source)))
    pending: list[Request] = []
    stack = [(as_list(doc.get("collection"), st.source, "\"collection\""), conn_path, 0)]
    while stack:
        items, parent, depth = stack.pop(0)
        if depth > 64:
            raise fail(st.source, "has folders nested more than 64 levels deep")
        for item in items:
            if not isinstance(item, dict):
                continue
            if "children" in item:
                folder = st.namer.child(parent, item.get("name"), "Folder")
                st.plan.folders.append(folder)
                stack.append((as_list(item.get("children"), st.source, "children"), folder,
                              depth + 1))
            else:
                _request(item, parent, st, pending)
    return [(conn_path, pending)]


def _v1_resources(doc: dict[str, Any]) -> dict[str, Any]:
    """Format 1 (Insomnia 2's Chrome app): groups with their requests inside."""
    resources: list[dict[str, Any]] = []
    for n, group in enumerate(g for g in doc["items"] if isinstance(g, dict)):
        gid = as_str(group.get("_id")) or f"group-{n}"
        envs = group.get("environments")
        base = envs.get("base") if isinstance(envs, dict) else None
        resources.append({"_id": gid, "_type": "request_group", "parentId": "",
                          "name": group.get("name"), "environment": base})
        for req in group.get("requests") or []:
            if isinstance(req, dict):
                resources.append({**req, "_type": "request", "parentId": gid,
                                  "parameters": req.get("params")})
    return {"resources": resources}


def plan_insomnia(text: str, source: str = "") -> ImportPlan:
    doc = load_json_or_yaml(text, source)
    if not isinstance(doc, dict):
        raise fail(source, "is not an Insomnia export (expected an object at the top)")
    st = _State(source=source, plan=ImportPlan(kind="insomnia", source=source))
    kind = as_str(doc.get("type"))
    if kind.startswith("collection.insomnia.rest/5"):
        groups = _v5(doc, st)
    elif isinstance(doc.get("items"), list) and "resources" not in doc:
        groups = _v4(_v1_resources(doc), st)
    elif doc.get("_type") == "export" or "resources" in doc:
        groups = _v4(doc, st)
    else:
        raise fail(source, "is not an Insomnia export (no \"resources\" list and no "
                           "\"type: collection.insomnia.rest/5.0\")")
    secret_vars = {k for k in st.variables if is_secret_name(k)}
    for conn_path, pending in groups:
        urls = []
        for req in pending:
            try:
                urls.append(render(req.url, st.variables))
            except Exception:  # an unknown variable: that URL cannot vote
                continue
        base = guess_base_url(urls)
        for req in pending:
            lead = req.url[2:req.url.find("}}")].strip() if req.url.startswith("{{") else ""
            if lead and "}}" in req.url and st.variables.get(lead, "").startswith("http"):
                # only the leading {{baseUrl}} is filled in; later variables stay templates
                req.url = st.variables[lead] + req.url[req.url.index("}}") + 2:]
            if base:
                req.url = relative_to(req.url, base)
            st.plan.requests.append(req)
        st.plan.connections.append(Connection(
            path=conn_path, base_url=base or FALLBACK_BASE_URL,
            variables={k: v for k, v in st.variables.items() if k not in secret_vars}))
    if secret_vars:
        st.plan.notes.append("Secret variables were not written to the connection: "
                             + ", ".join(sorted(secret_vars)) + ".")
    if not st.plan.requests:
        held = ", ".join(f"{n} {k.replace('_', ' ')}(s)" for k, n in sorted(st.other.items()))
        st.plan.notes.append("The export holds no HTTP request to import" + (
            f" (it holds {held}, which Relaydesk does not send)." if held else
            " (only a workspace, folders or environments)."))
    elif st.other:
        st.plan.notes.append("Left out " + ", ".join(
            f"{n} {k.replace('_', ' ')}(s)" for k, n in sorted(st.other.items()))
            + ", which Relaydesk does not send.")
    if st.tags:
        st.plan.notes.append(f"{st.tags} request(s) use Insomnia template tags ({{% … %}}), "
                             "which Relaydesk does not evaluate.")
    return st.plan
