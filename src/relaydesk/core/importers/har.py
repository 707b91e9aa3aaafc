"""HAR 1.2 (a browser's or proxy's recording) → one connection per origin.

Each entry's request becomes a request named "METHOD /path". Pseudo-headers (HTTP/2
``:authority``…) and headers the HTTP layer owns are dropped; ``Cookie`` headers
become the request's cookies; credentials in ``Authorization`` or API-key headers
become auth settings with their values in the keyring.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import SplitResult, parse_qsl, urlsplit

from ..model import FORBIDDEN_HEADERS, Body, Connection, KeyValue, MultipartField, Request
from .common import as_list, as_str
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
    out: list[tuple[str, str]] = []
    if not isinstance(raw, list):  # some recorders write {} for "none"
        return out
    for entry in raw:
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
    for name, value in _pairs(req_doc.get("cookies"), source, "request.cookies"):
        if all(c.name != name for c in cookies):
            cookies.append(KeyValue(name, value))
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


_JSONP = re.compile(r"^\s*[A-Za-z_$][\w$.]*\s*\((.*)\)\s*;?\s*$", re.S)


def _entries(doc: Any, source: str) -> list[Any]:
    """The entries of a HAR log, of a HARP (a HAR wrapped in ``callback(…)``), of a
    bare HAR entry or request object (as API docs and snippet tools write them)."""
    log = doc.get("log") if isinstance(doc, dict) else None
    if isinstance(log, dict) and isinstance(log.get("entries"), list):
        return list(log["entries"])
    if isinstance(doc, dict) and isinstance(doc.get("request"), dict):
        return [doc]
    if isinstance(doc, dict) and isinstance(doc.get("url"), str) and "method" in doc:
        return [{"request": doc}]
    if isinstance(doc, list) and doc and all(isinstance(d, dict) for d in doc):
        return [e for d in doc for e in _entries(d, source)]
    raise fail(source, "is not a HAR file (no \"log.entries\" list, and not a HAR request "
                       "object with \"method\" and \"url\")")


def _split(url: str) -> SplitResult | None:
    """``urlsplit``, or None for a URL it refuses (an unclosed '[' host)."""
    try:
        return urlsplit(url)
    except ValueError:
        return None


def plan_har(text: str, source: str = "") -> ImportPlan:
    jsonp = _JSONP.match(text) if not text.lstrip().startswith(("{", "[")) else None
    doc = load_json(jsonp.group(1) if jsonp else text, source)
    plan = ImportPlan(kind="har", source=source)
    namer = Namer()
    connections: dict[str, Connection] = {}
    skipped: dict[str, int] = {}
    entries = _entries(doc, source)
    # Some recorders write same-site URLs as paths; they are resolved against the
    # file's first absolute URL.
    first = next((parts for e in entries if isinstance(e, dict) and isinstance(
        e.get("request"), dict) for parts in [_split(str(e["request"].get("url") or ""))]
        if parts is not None and parts.scheme in ("http", "https") and parts.netloc), None)
    for index, entry in enumerate(entries, start=1):
        req_doc = entry.get("request") if isinstance(entry, dict) else None
        if not isinstance(req_doc, dict):
            skipped["it holds no request object"] = skipped.get(
                "it holds no request object", 0) + 1
            continue
        url = as_str(req_doc.get("url"), source, "request.url") if not isinstance(
            req_doc.get("url"), dict | list) else ""
        if url.startswith("/") and not url.startswith("//") and first is not None:
            url = f"{first.scheme}://{first.netloc}{url}"
            req_doc = {**req_doc, "url": url}
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            why = ("its URL is empty" if not url.strip() else
                   f"its URL is not an absolute http(s) URL ('{url[:40]}')")
            plan.notes.append(f"Left out entry {index} of the HAR file: {why}.")
            continue
        origin, request, secrets = request_from_har(req_doc, source)
        conn = connections.get(origin)
        if conn is None:
            # named by host and port: a user:password@ never reaches a file name
            host = urlsplit(origin).netloc.rpartition("@")[2]
            name = safe_name(host.replace(":", "-"), "recorded")
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
    for why, count in skipped.items():
        plan.notes.append(f"Left out {count} HAR entr{'y' if count == 1 else 'ies'}: {why}.")
    plan.connections = list(connections.values())
    for conn in plan.connections:
        hoist_common_auth(plan, conn)
    if not entries:
        plan.notes.append("The HAR file holds no requests.")
    elif not plan.requests:
        raise fail(source, "holds no request that can be imported" + (
            f" ({plan.notes[0].partition(': ')[2].rstrip('.')})" if plan.notes else ""))
    return plan
