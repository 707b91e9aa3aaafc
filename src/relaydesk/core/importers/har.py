"""HAR 1.2 (a browser's or proxy's recording) → one connection per origin.

Each entry's request becomes a request named "METHOD /path". Pseudo-headers (HTTP/2
``:authority``…) and headers the HTTP layer owns are dropped; ``Cookie`` headers
become the request's cookies; credentials in ``Authorization`` or API-key headers
become auth settings with their values in the keyring.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ..model import FORBIDDEN_HEADERS, Body, Connection, KeyValue, MultipartField, Request
from .common import as_dict, as_list, as_str
from .loader import load_json
from .plan import (
    ImportPlan,
    Namer,
    PlannedSecret,
    fail,
    hoist_common_auth,
    lift_auth_header,
    safe_name,
)

__all__ = ["plan_har", "request_from_har"]


def _pairs(raw: Any, source: str, what: str) -> list[tuple[str, str]]:
    out = []
    for entry in as_list(raw, source, what):
        if isinstance(entry, dict) and entry.get("name") is not None:
            out.append((as_str(entry.get("name"), source, what),
                        as_str(entry.get("value"), source, what)))
    return out


def _body(post: dict[str, Any], source: str) -> Body:
    mime = as_str(post.get("mimeType"), source, "postData.mimeType")
    text = as_str(post.get("text"), source, "postData.text")
    params = as_list(post.get("params"), source, "postData.params")
    base = mime.split(";")[0].strip().lower()
    if base == "application/x-www-form-urlencoded":
        pairs = _pairs(params, source, "postData.params") if params else parse_qsl(
            text, keep_blank_values=True)
        return Body(kind="form", form=[KeyValue(n, v) for n, v in pairs])
    if base == "multipart/form-data" and params:
        parts = []
        for p in params:
            if isinstance(p, dict):
                parts.append(MultipartField(
                    name=as_str(p.get("name")), value=as_str(p.get("value")),
                    file=as_str(p.get("fileName")), content_type=as_str(p.get("contentType"))))
        return Body(kind="multipart", multipart=parts)
    if "json" in base:
        try:
            json.loads(text)
            return Body(kind="json", text=text)
        except ValueError:
            pass
    if not text and not mime:
        return Body()
    return Body(kind="raw", text=text, content_type=mime)


def request_from_har(req_doc: dict[str, Any], source: str
                     ) -> tuple[str, Request, dict[str, str]]:
    """(origin, request with a path-only URL, secrets) for one HAR request object."""
    url = as_str(req_doc.get("url"), source, "request.url")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise fail(source, f"has a request URL that is not http(s): '{url[:80]}'")
    origin = f"{parts.scheme}://{parts.netloc}"
    headers: list[KeyValue] = []
    cookies: list[KeyValue] = []
    for name, value in _pairs(req_doc.get("headers"), source, "request.headers"):
        low = name.lower()
        if name.startswith(":") or low in FORBIDDEN_HEADERS:
            continue
        if low == "cookie":
            for piece in value.split(";"):
                key, _, val = piece.strip().partition("=")
                if key:
                    cookies.append(KeyValue(key, val))
            continue
        headers.append(KeyValue(name, value))
    body = Body()
    if isinstance(req_doc.get("postData"), dict):
        body = _body(req_doc["postData"], source)
        if body.kind == "multipart":
            headers = [h for h in headers if h.name.lower() != "content-type"]
    headers, auth, secrets = lift_auth_header(headers)
    path = parts.path or "/"
    request = Request(path="", method=as_str(req_doc.get("method")).upper() or "GET",
                      url=path + (f"?{parts.query}" if parts.query else ""),
                      headers=headers, cookies=cookies, body=body, auth=auth)
    return origin, request, secrets


def plan_har(text: str, source: str = "") -> ImportPlan:
    doc = load_json(text, source)
    log = doc.get("log") if isinstance(doc, dict) else None
    if not isinstance(log, dict) or not isinstance(log.get("entries"), list):
        raise fail(source, "is not a HAR file (no \"log.entries\" list)")
    plan = ImportPlan(kind="har", source=source)
    namer = Namer()
    connections: dict[str, Connection] = {}
    for entry in log["entries"]:
        req_doc = as_dict(as_dict(entry, source, "a HAR entry").get("request"), source,
                          "entry.request")
        origin, request, secrets = request_from_har(req_doc, source)
        conn = connections.get(origin)
        if conn is None:
            name = safe_name(urlsplit(origin).netloc.replace(":", "-"), "recorded")
            conn = Connection(path=namer.child("", name), base_url=origin)
            connections[origin] = conn
        comment = as_str(req_doc.get("comment")) or as_str(entry.get("comment"))
        label = comment or f"{request.method} {request.url.split('?')[0].strip('/')}".strip()
        request.path = namer.child(conn.path, label)
        plan.requests.append(request)
        plan.secrets += [PlannedSecret(request.path, k, v) for k, v in secrets.items()]
        if request.body.kind == "multipart" and any(p.file for p in request.body.multipart):
            plan.notes.append(f"'{request.path}' uploads files; a HAR file names them but "
                              "does not hold them, so choose the files before sending.")
    plan.connections = list(connections.values())
    for conn in plan.connections:
        hoist_common_auth(plan, conn)
    if not plan.requests:
        plan.notes.append("The HAR file holds no requests.")
    return plan
