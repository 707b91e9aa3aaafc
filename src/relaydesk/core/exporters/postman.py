"""A connection or folder → a Postman v2.1 collection (JSON text).

The base URL becomes the ``baseUrl`` collection variable; connection variables become
collection variables; auth keeps Postman's inheritance (connection auth on the
collection, request auth on the request). Secrets appear as ``{{password}}``-style
variables unless ``include_secrets`` asks for the real values from the keyring.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from ..model import AuthSettings, Body, Request
from ..secrets import SecretStore
from ..urls import is_absolute
from ..workspace import Workspace
from .common import SECRET_VARIABLES, scope_of, secret_values

__all__ = ["export_postman"]

SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
_LANGUAGES = {"application/json": "json", "application/xml": "xml", "text/xml": "xml",
              "text/html": "html", "application/javascript": "javascript",
              "text/plain": "text"}


def _kv(key: str, value: str, **extra: Any) -> dict[str, Any]:
    return {"key": key, "value": value, "type": "string", **extra}


def _auth(auth: AuthSettings, secrets: dict[str, str]) -> dict[str, Any]:
    kind = auth.kind
    if kind == "none":
        return {"type": "noauth"}
    if kind in ("basic", "digest"):
        return {"type": kind, kind: [_kv("username", auth.get("username")),
                                     _kv("password", secrets["password"])]}
    if kind == "bearer":
        return {"type": "bearer", "bearer": [_kv("token", secrets["token"])]}
    if kind == "token":  # Postman has no custom scheme: an apikey header does it
        return {"type": "apikey", "apikey": [
            _kv("key", "Authorization"),
            _kv("value", f"{auth.get('scheme') or 'Token'} {secrets['token']}"),
            _kv("in", "header")]}
    if kind == "apikey":
        return {"type": "apikey", "apikey": [_kv("key", auth.get("name") or "X-API-Key"),
                                             _kv("value", secrets["value"]),
                                             _kv("in", auth.get("in") or "header")]}
    if kind == "aws_sigv4":
        return {"type": "awsv4", "awsv4": [
            _kv("accessKey", auth.get("access_key_id")),
            _kv("secretKey", secrets["secret_access_key"]),
            _kv("region", auth.get("region")), _kv("service", auth.get("service")),
            _kv("sessionToken", secrets["session_token"])]}
    grant = "client_credentials" if auth.get("grant") == "client_credentials" else (
        "authorization_code_with_pkce")
    return {"type": "oauth2", "oauth2": [
        _kv("grant_type", grant), _kv("accessTokenUrl", auth.get("token_url")),
        _kv("authUrl", auth.get("auth_url")), _kv("clientId", auth.get("client_id")),
        _kv("clientSecret", secrets["client_secret"]), _kv("scope", auth.get("scope"))]}


def _body(body: Body, headers: list[dict[str, Any]]) -> dict[str, Any] | None:
    if body.kind == "json":
        return {"mode": "raw", "raw": body.text, "options": {"raw": {"language": "json"}}}
    if body.kind == "raw":
        lang = _LANGUAGES.get(body.content_type.split(";")[0].strip().lower())
        if body.content_type and lang is None and not any(
                h["key"].lower() == "content-type" for h in headers):
            headers.append(_kv("Content-Type", body.content_type))
        return {"mode": "raw", "raw": body.text,
                "options": {"raw": {"language": lang or "text"}}}
    if body.kind == "form":
        return {"mode": "urlencoded", "urlencoded": [
            _kv(f.name, f.value, **({} if f.enabled else {"disabled": True}))
            for f in body.form]}
    if body.kind == "multipart":
        parts = []
        for p in body.multipart:
            entry: dict[str, Any] = {"key": p.name}
            if p.file:
                entry.update(type="file", src=p.file)
            else:
                entry.update(type="text", value=p.value)
            if p.content_type:
                entry["contentType"] = p.content_type
            if not p.enabled:
                entry["disabled"] = True
            parts.append(entry)
        return {"mode": "formdata", "formdata": parts}
    if body.kind == "binary":
        return {"mode": "file", "file": {"src": body.file}}
    return None


def _url(req: Request) -> dict[str, Any]:
    base = req.url if is_absolute(req.url) else "{{baseUrl}}" + (
        req.url if not req.url or req.url.startswith(("/", "?")) else "/" + req.url)
    query = [{"key": p.name, "value": p.value, **({} if p.enabled else {"disabled": True})}
             for p in req.params]
    enabled = "&".join(f"{p.name}={p.value}" for p in req.params if p.enabled)
    raw = base + (("&" if "?" in base else "?") + enabled if enabled else "")
    url: dict[str, Any] = {"raw": raw}
    if query:
        url["query"] = query
    return url


def _request(req: Request, store: SecretStore | None, include: bool) -> dict[str, Any]:
    headers = [_kv(h.name, h.value, **({} if h.enabled else {"disabled": True}))
               for h in req.headers]
    cookies = "; ".join(f"{c.name}={c.value}" for c in req.cookies if c.enabled)
    if cookies:
        headers.append(_kv("Cookie", cookies))
    doc: dict[str, Any] = {"method": req.method, "header": headers, "url": _url(req)}
    body = _body(req.body, headers)
    if body is not None:
        doc["body"] = body
    if req.auth is not None:
        doc["auth"] = _auth(req.auth, secret_values(req.auth, req.path, store, include))
    if req.description:
        doc["description"] = req.description
    return {"name": req.name, "request": doc}


def export_postman(ws: Workspace, path: str, secrets: SecretStore | None = None, *,
                   include_secrets: bool = False) -> str:
    scope = scope_of(ws, path)
    conn = scope.connection
    root: dict[str, Any] = {"item": []}
    groups: dict[str, dict[str, Any]] = {scope.root: root}
    for folder in scope.folders:
        group = {"name": folder.rsplit("/", 1)[-1], "item": []}
        groups[folder.rsplit("/", 1)[0]]["item"].append(group)
        groups[folder] = group
    for req in scope.requests:
        groups[req.path.rsplit("/", 1)[0]]["item"].append(_request(req, secrets,
                                                                   include_secrets))
    variables = [_kv("baseUrl", conn.base_url)] + [
        _kv(k, v) for k, v in sorted(conn.variables.items()) if k != "baseUrl"]
    if not include_secrets:
        names = {v for v in SECRET_VARIABLES.values()} - {v["key"] for v in variables}
        used = json.dumps(root)
        conn_auth = _auth(conn.auth, secret_values(conn.auth, conn.path, secrets, False))
        used += json.dumps(conn_auth)
        variables += [{"key": n, "value": "", "type": "secret"} for n in sorted(names)
                      if "{{" + n + "}}" in used]
    doc = {
        "info": {"_postman_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"relaydesk:{scope.root}")),
                 "name": scope.name, "description": conn.description, "schema": SCHEMA},
        "item": root["item"],
        "auth": _auth(conn.auth, secret_values(conn.auth, conn.path, secrets,
                                               include_secrets)),
        "variable": variables,
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
