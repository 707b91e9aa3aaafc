"""Postman collection format v1 (``requests`` + ``folders`` + ``order``), still
exported by old apps and kept in many repositories, read as the v2 shape.

Order follows the collection: root folders (``folders_order``), then root requests
(``order``); each folder likewise. Requests no order lists are kept at the end.
"""

from __future__ import annotations

from typing import Any

from .common import as_str

__all__ = ["v1_to_v2"]

_HELPERS = {"basicAuth": "basic", "digestAuth": "digest", "oAuth1": "oauth1",
            "hawkAuth": "hawk", "awsSigV4": "awsv4", "bearerAuth": "bearer"}


def _headers(req: dict[str, Any]) -> list[dict[str, Any]]:
    data = req.get("headerData")
    if isinstance(data, list) and data:
        return [{"key": as_str(h.get("key")), "value": as_str(h.get("value")),
                 "disabled": h.get("enabled") is False}
                for h in data if isinstance(h, dict)]
    out = []
    for line in as_str(req.get("headers")).splitlines():
        disabled = line.lstrip().startswith("//")
        name, sep, value = line.lstrip("/ ").partition(":")
        if sep and name.strip():
            out.append({"key": name.strip(), "value": value.strip(), "disabled": disabled})
    return out


def _fields(data: Any) -> list[dict[str, Any]]:
    return [{"key": as_str(f.get("key")), "value": as_str(f.get("value")),
             "type": "file" if f.get("type") == "file" else "text",
             "disabled": f.get("enabled") is False}
            for f in (data if isinstance(data, list) else []) if isinstance(f, dict)]


def _body(req: dict[str, Any]) -> dict[str, Any] | None:
    mode = as_str(req.get("dataMode"))
    if mode == "raw" and isinstance(req.get("rawModeData"), str):
        return {"mode": "raw", "raw": req["rawModeData"]}
    if mode == "urlencoded":
        return {"mode": "urlencoded", "urlencoded": _fields(req.get("data"))}
    if mode == "params":
        return {"mode": "formdata", "formdata": _fields(req.get("data"))}
    if mode == "binary":
        return {"mode": "file", "file": {"src": ""}}
    return None


def _auth(req: dict[str, Any]) -> dict[str, Any] | None:
    if isinstance(req.get("auth"), dict):
        return dict(req["auth"])
    helper = req.get("currentHelper")
    kind = _HELPERS.get(as_str(helper)) if isinstance(helper, str) else None
    if kind is None:
        return None
    attrs = req.get("helperAttributes")
    attrs = attrs if isinstance(attrs, dict) else {}
    return {"type": kind, kind: {k: v for k, v in attrs.items() if k != "id"}}


def _item(req: dict[str, Any]) -> dict[str, Any]:
    request: dict[str, Any] = {"method": as_str(req.get("method")) or "GET",
                               "url": as_str(req.get("url")), "header": _headers(req),
                               "description": req.get("description")}
    body = _body(req)
    if body is not None:
        request["body"] = body
    auth = _auth(req)
    if auth is not None:
        request["auth"] = auth
    item: dict[str, Any] = {"name": req.get("name"), "request": request}
    if isinstance(req.get("responses"), list):
        item["response"] = req["responses"]
    for key in ("preRequestScript", "tests"):
        if isinstance(req.get(key), str) and req[key].strip():
            item.setdefault("event", []).append({"listen": key})
    return item


def v1_to_v2(doc: dict[str, Any], source: str) -> dict[str, Any]:
    requests = {as_str(r.get("id")): r for r in doc["requests"] if isinstance(r, dict)}
    folders_raw = doc.get("folders")
    folders = {as_str(f.get("id")): f for f in (folders_raw if isinstance(folders_raw, list)
                                                 else []) if isinstance(f, dict)}
    used: set[str] = set()
    nested = {as_str(i) for f in folders.values()
              for i in (f.get("folders_order") or []) if isinstance(f.get("folders_order"), list)}

    def children(owner: dict[str, Any], depth: int) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        folder_ids = owner.get("folders_order")
        if not isinstance(folder_ids, list):
            folder_ids = [] if owner is not doc else [
                i for i in folders if i not in nested]
        for fid in folder_ids:
            folder = folders.get(as_str(fid))
            if folder is None or as_str(fid) in used or depth > 64:
                continue
            used.add(as_str(fid))
            out.append({"name": folder.get("name"), "description": folder.get("description"),
                        "auth": folder.get("auth"), "item": children(folder, depth + 1)})
        order = owner.get("order")
        for rid in order if isinstance(order, list) else []:
            req = requests.get(as_str(rid))
            if req is not None and as_str(rid) not in used:
                used.add(as_str(rid))
                out.append(_item(req))
        return out

    items = children(doc, 0)
    items += [_item(r) for rid, r in requests.items() if rid not in used]
    variables = doc.get("variables")
    return {"info": {"name": doc.get("name"), "description": doc.get("description")},
            "item": items, "auth": doc.get("auth"),
            "variable": variables if isinstance(variables, list) else None}
