"""A connection or folder → HAR 1.2 (requests only, as a recording would hold them).

Each request is prepared as the engine would send it (variables filled in, body
encoded). Credentials are left out — the auth header or query parameter is dropped
and the entry's comment says so — unless ``include_secrets`` is set.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ..._version import __version__
from ..prepare import prepare, resolve_variables
from ..secrets import SecretStore
from ..urls import remove_query_params
from ..workspace import Workspace
from .common import scope_of

__all__ = ["export_har"]

_EPOCH = "1970-01-01T00:00:00.000Z"


class _NoSecrets:
    """A stand-in keyring: every secret reads as a marker that is stripped afterwards."""

    MARK = "\x00relaydesk-secret\x00"

    def get(self, owner: str, field: str) -> str:
        return self.MARK


def _entry(prepared: Any, comment: str) -> dict[str, Any]:
    url = prepared.url
    headers = list(prepared.headers)
    if prepared.secret_values and _NoSecrets.MARK in "".join(prepared.secret_values):
        headers = [(k, v) for k, v in headers if k.lower() not in prepared.sensitive_headers
                   or k.lower() == "cookie"]
        url = remove_query_params(url, prepared.sensitive_params)
        comment = (comment + " " if comment else "") + "(credentials left out)"
    query = parse_qsl(urlsplit(url).query, keep_blank_values=True)
    request: dict[str, Any] = {
        "method": prepared.method, "url": url, "httpVersion": "HTTP/1.1",
        "headers": [{"name": k, "value": v} for k, v in headers],
        "queryString": [{"name": k, "value": v} for k, v in query],
        "cookies": [], "headersSize": -1, "bodySize": len(prepared.content or b""),
    }
    ctype = prepared.header("content-type") or ""
    if prepared.files is not None:
        request["postData"] = {"mimeType": "multipart/form-data", "params": [
            {"name": n, **({"fileName": f} if f is not None else
                           {"value": d.decode("utf-8", "replace")}),
             **({"contentType": t} if t else {})}
            for n, (f, d, t) in prepared.files]}
    elif prepared.content is not None:
        post: dict[str, Any] = {"mimeType": ctype,
                                "text": prepared.content.decode("utf-8", "replace")}
        if ctype.startswith("application/x-www-form-urlencoded"):
            post["params"] = [{"name": k, "value": v} for k, v in parse_qsl(
                prepared.content.decode("ascii", "replace"), keep_blank_values=True)]
        request["postData"] = post
    if comment:
        request["comment"] = comment
    return {"startedDateTime": _EPOCH, "time": 0, "request": request,
            "response": {"status": 0, "statusText": "", "httpVersion": "HTTP/1.1",
                         "headers": [], "cookies": [], "content": {"size": 0, "mimeType": ""},
                         "redirectURL": "", "headersSize": -1, "bodySize": -1},
            "cache": {}, "timings": {"send": 0, "wait": 0, "receive": 0}}


def export_har(ws: Workspace, path: str, secrets: SecretStore | None = None, *,
               include_secrets: bool = False) -> str:
    scope = scope_of(ws, path)
    conn = scope.connection
    variables = resolve_variables(conn, None)
    store: Any = secrets if include_secrets else _NoSecrets()
    entries = []
    for req in scope.requests:
        prepared = prepare(req, conn, store, variables, oauth_token=_NoSecrets.MARK)
        entries.append(_entry(prepared, req.name))
    doc = {"log": {"version": "1.2", "creator": {"name": "Relaydesk", "version": __version__},
                   "entries": entries}}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
