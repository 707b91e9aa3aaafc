"""A connection or folder → a ``.http`` file (JetBrains HTTP Client / VS Code REST
Client syntax), templates kept: ``@baseUrl`` plus the connection's variables on top,
then one ``###`` block per request. Credentials are ``{{variables}}`` declared empty at
the top unless ``include_secrets`` fills them in."""

from __future__ import annotations

import base64

from ..model import AuthSettings, Request
from ..secrets import SecretStore
from ..urls import encode_query, is_absolute
from ..workspace import Workspace
from .common import SECRET_VARIABLES, scope_of, secret_values

__all__ = ["export_http"]


def _auth_lines(auth: AuthSettings, secrets: dict[str, str]) -> list[str]:
    kind = auth.kind
    if kind == "basic":
        password = secrets["password"]
        if "{{" in password:
            return ["Authorization: Basic {{basicCredentials}}"]
        token = base64.b64encode(f"{auth.get('username')}:{password}".encode()).decode()
        return [f"Authorization: Basic {token}"]
    if kind in ("bearer", "oauth2"):
        return [f"Authorization: Bearer {secrets.get('token', '{{accessToken}}')}"]
    if kind == "token":
        return [f"Authorization: {auth.get('scheme') or 'Token'} {secrets['token']}"]
    if kind == "apikey" and auth.get("in", "header") == "header":
        return [f"{auth.get('name') or 'X-API-Key'}: {secrets['value']}"]
    return []


def _block(req: Request, auth: AuthSettings, secrets: dict[str, str]) -> list[str]:
    url = req.url if is_absolute(req.url) else "{{baseUrl}}" + (
        req.url if not req.url or req.url.startswith(("/", "?")) else "/" + req.url)
    params = [(p.name, p.value) for p in req.params if p.enabled]
    if auth.kind == "apikey" and auth.get("in") == "query":
        params.append((auth.get("name") or "api_key", secrets["value"]))
    if params:
        url += ("&" if "?" in url else "?") + encode_query(params).replace(
            "%7B%7B", "{{").replace("%7D%7D", "}}")
    lines = [f"### {req.name}", f"# @name {req.name}"]
    if req.description:
        lines += [f"# {line}" for line in req.description.splitlines()]
    lines.append(f"{req.method} {url}")
    headers = [(h.name, h.value) for h in req.headers if h.enabled]
    headers += [(line.split(": ", 1)[0], line.split(": ", 1)[1])
                for line in _auth_lines(auth, secrets)]
    cookies = "; ".join(f"{c.name}={c.value}" for c in req.cookies if c.enabled)
    if cookies:
        headers.append(("Cookie", cookies))
    names = {n.lower() for n, _ in headers}
    body = req.body
    ctype = {"json": "application/json", "form": "application/x-www-form-urlencoded"}.get(
        body.kind, body.content_type)
    if body.kind in ("json", "form", "raw", "binary") and ctype and "content-type" not in names:
        headers.append(("Content-Type", ctype))
    lines += [f"{n}: {v}" for n, v in headers]
    if body.kind in ("json", "raw"):
        lines += ["", body.text]
    elif body.kind == "form":
        lines += ["", encode_query([(f.name, f.value) for f in body.form if f.enabled])]
    elif body.kind == "binary":
        lines += ["", f"< {body.file}"]
    elif body.kind == "multipart":
        lines.insert(1, "# multipart bodies are not exported; add the parts by hand")
    return [*lines, ""]


def export_http(ws: Workspace, path: str, secrets: SecretStore | None = None, *,
                include_secrets: bool = False) -> str:
    scope = scope_of(ws, path)
    conn = scope.connection
    head = [f"@baseUrl = {conn.base_url}"]
    head += [f"@{k} = {v}" for k, v in sorted(conn.variables.items()) if k != "baseUrl"]
    declared: set[str] = set()
    blocks: list[str] = []
    for req in scope.requests:
        auth, owner = (req.auth, req.path) if req.auth is not None else (conn.auth, conn.path)
        values = secret_values(auth, owner, secrets, include_secrets)
        blocks += _block(req, auth, values)
        if not include_secrets:
            declared |= {SECRET_VARIABLES[f] for f in values}
            if auth.kind == "basic":
                declared = (declared - {"password"}) | {"basicCredentials"}
    if declared:
        head.append("# secrets: fill these in (Relaydesk keeps them in the keyring)")
        head += [f"@{name} =" for name in sorted(declared)]
    return "\n".join([*head, "", *blocks]).rstrip("\n") + "\n"
