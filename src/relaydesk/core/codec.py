"""Model <-> the JSON documents stored in workspace files.

Documents are written with a fixed key order, two-space indentation and a trailing
newline so they diff well in git; values equal to their defaults are left out.
Every document carries ``"format": FORMAT_VERSION``, a ``"kind"`` and (from format 2)
the item's ``"id"``. Connection and folder documents may hold ``"order"``: the names of
their children in the user's order. Top-level keys this version does not know are kept
in the item's ``extra`` and written back after the known ones; unknown keys inside
nested objects (``auth``, ``tls``, ``body``, ``options``) are not kept.

Format 1 files (no ids, no order) are still read; the workspace migrates them.
"""

from __future__ import annotations

import json

from .errors import ValidationError
from .model import (
    AuthSettings,
    Body,
    Connection,
    Environment,
    KeyValue,
    MultipartField,
    Request,
    RequestOptions,
    TlsSettings,
)

TYPE_CHECKING = False  # typing is not imported at run time (`relaydesk ls`)
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "FORMAT_VERSION",
    "connection_from_doc",
    "connection_to_doc",
    "dumps",
    "environment_from_doc",
    "environment_to_doc",
    "folder_from_doc",
    "folder_to_doc",
    "order_from_doc",
    "plain_connection_from_doc",
    "request_from_doc",
    "request_to_doc",
]

FORMAT_VERSION = 2

_COMMON_KEYS = frozenset({"format", "kind", "id"})
_CONNECTION_KEYS = _COMMON_KEYS | {
    "base_url", "docs_url", "test_url", "description", "proxy", "headers", "auth", "tls",
    "timeout", "cache_ttl", "variables", "order", "max_size", "max_time", "http_version"}
_REQUEST_KEYS = _COMMON_KEYS | {
    "method", "url", "description", "params", "headers", "cookies", "body", "auth",
    "options", "checks"}
_ENVIRONMENT_KEYS = _COMMON_KEYS | {"variables", "secrets"}
_PLAIN_CONNECTION_KEYS = _COMMON_KEYS | {"base_url", "order"}
_FOLDER_KEYS = _COMMON_KEYS | {"order"}


def dumps(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _header(kind: str, item_id: str = "") -> dict[str, Any]:
    doc: dict[str, Any] = {"format": FORMAT_VERSION, "kind": kind}
    if item_id:
        doc["id"] = item_id
    return doc


def _finish(doc: dict[str, Any], extra: dict[str, Any], order: list[str] | None = None
            ) -> dict[str, Any]:
    if order:
        doc["order"] = list(order)
    for key, value in extra.items():
        doc.setdefault(key, value)  # a known key is never overwritten by an unknown one
    return doc


def _extra(doc: dict[str, Any], known: frozenset[str]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in known}


def _id(doc: dict[str, Any]) -> str:
    value = doc.get("id", "")
    if not isinstance(value, str):
        raise ValidationError("\"id\" must be a string")
    return value


def order_from_doc(doc: Any) -> list[str]:
    """The ``"order"`` of a connection or folder document; a malformed one is ignored
    (a stale or damaged order only changes where items show, never which exist)."""
    order = doc.get("order") if isinstance(doc, dict) else None
    if not isinstance(order, list):
        return []
    return [name for name in order if isinstance(name, str)]


def folder_to_doc(item_id: str, order: list[str], extra: dict[str, Any] | None = None
                  ) -> dict[str, Any]:
    return _finish(_header("folder", item_id), extra or {}, order)


def folder_from_doc(doc: Any) -> tuple[str, list[str], dict[str, Any]]:
    """``(id, order, extra)`` of a folder document."""
    doc = _check_header(doc, "folder")
    return _id(doc), order_from_doc(doc), _extra(doc, _FOLDER_KEYS)


def _check_header(doc: Any, kind: str) -> dict[str, Any]:
    if not isinstance(doc, dict):
        raise ValidationError(f"expected a JSON object describing a {kind}")
    if doc.get("kind") != kind:
        raise ValidationError(f"expected \"kind\": \"{kind}\", found {doc.get('kind')!r}")
    version = doc.get("format")
    if not isinstance(version, int) or version < 1:
        raise ValidationError("missing or invalid \"format\" version")
    if version > FORMAT_VERSION:
        raise ValidationError(
            f"written by a newer Relaydesk (format {version}; this one reads up to "
            f"{FORMAT_VERSION}); upgrade Relaydesk to open it"
        )
    return doc


def _str(doc: dict[str, Any], key: str, default: str = "") -> str:
    value = doc.get(key, default)
    if not isinstance(value, str):
        raise ValidationError(f"\"{key}\" must be a string")
    return value


def _num(doc: dict[str, Any], key: str, default: float) -> float:
    value = doc.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError(f"\"{key}\" must be a number")
    return float(value)


def _bool(doc: dict[str, Any], key: str, default: bool) -> bool:
    value = doc.get(key, default)
    if not isinstance(value, bool):
        raise ValidationError(f"\"{key}\" must be true or false")
    return value


def _obj(doc: dict[str, Any], key: str) -> dict[str, Any]:
    value = doc.get(key, {})
    if not isinstance(value, dict):
        raise ValidationError(f"\"{key}\" must be an object")
    return value


def _str_map(doc: dict[str, Any], key: str) -> dict[str, str]:
    value = _obj(doc, key)
    if not all(isinstance(v, str) for v in value.values()):
        raise ValidationError(f"every value in \"{key}\" must be a string")
    return dict(value)


def _kv_list_to_doc(items: list[KeyValue]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for kv in items:
        d: dict[str, Any] = {"name": kv.name, "value": kv.value}
        if not kv.enabled:
            d["enabled"] = False
        out.append(d)
    return out


def _kv_list_from_doc(doc: dict[str, Any], key: str) -> list[KeyValue]:
    raw = doc.get(key, [])
    if not isinstance(raw, list):
        raise ValidationError(f"\"{key}\" must be a list of {{\"name\", \"value\"}} objects")
    items = []
    for entry in raw:
        if not isinstance(entry, dict):
            raise ValidationError(f"every entry of \"{key}\" must be an object")
        # The common shape checked inline (``relaydesk ls`` reads 50,000 of these);
        # anything else goes the long way, which names what is wrong.
        name, value = entry.get("name", ""), entry.get("value", "")
        enabled = entry.get("enabled", True)
        if type(name) is str and type(value) is str and type(enabled) is bool:
            items.append(KeyValue(name, value, enabled))
            continue
        items.append(
            KeyValue(_str(entry, "name"), _str(entry, "value"), _bool(entry, "enabled", True))
        )
    return items


def _auth_to_doc(auth: AuthSettings) -> dict[str, Any]:
    d: dict[str, Any] = {"type": auth.kind}
    d.update({k: auth.params[k] for k in sorted(auth.params)})
    return d


def _auth_from_doc(raw: Any) -> AuthSettings:
    if not isinstance(raw, dict):
        raise ValidationError("\"auth\" must be an object")
    params = {k: v for k, v in raw.items() if k != "type"}
    if not all(isinstance(v, str) for v in params.values()):
        raise ValidationError("every auth setting must be a string")
    return AuthSettings(_str(raw, "type", "none"), params)


# -- connections -------------------------------------------------------------------------


def connection_to_doc(conn: Connection, order: list[str] | None = None) -> dict[str, Any]:
    doc = _header("connection", conn.id)
    doc["base_url"] = conn.base_url
    for key in ("docs_url", "test_url", "description", "proxy"):
        if getattr(conn, key):
            doc[key] = getattr(conn, key)
    if conn.headers:
        doc["headers"] = _kv_list_to_doc(conn.headers)
    if conn.auth.kind != "none":
        doc["auth"] = _auth_to_doc(conn.auth)
    tls = conn.tls
    if tls != TlsSettings():
        doc["tls"] = {
            "verify": tls.verify,
            "ca_bundle": tls.ca_bundle,
            "client_cert": tls.client_cert,
            "client_key": tls.client_key,
            "https_only": tls.https_only,
            **({"trust_store": tls.trust_store} if tls.trust_store != "bundled" else {}),
        }
    if conn.timeout != 60.0:
        doc["timeout"] = conn.timeout
    if conn.cache_ttl != 0.0:
        doc["cache_ttl"] = conn.cache_ttl
    _budgets_to_doc(conn, doc)
    if conn.variables:
        doc["variables"] = {k: conn.variables[k] for k in sorted(conn.variables)}
    return _finish(doc, conn.extra, order)


def plain_connection_from_doc(doc: Any) -> tuple[str, str] | None:
    """``(base_url, id)`` of a connection document that holds only those (as most do:
    every other field is its default), checked as ``connection_from_doc`` checks it;
    None for any other document (decode it with ``connection_from_doc``)."""
    doc = _check_header(doc, "connection")
    if doc.keys() <= _PLAIN_CONNECTION_KEYS:
        return _str(doc, "base_url"), _id(doc)
    return None


def connection_from_doc(path: str, doc: Any) -> Connection:
    plain = plain_connection_from_doc(doc)
    if plain is not None:
        return Connection(path=path, base_url=plain[0], id=plain[1])
    tls_doc = _obj(doc, "tls")
    return Connection(
        path=path,
        base_url=_str(doc, "base_url"),
        docs_url=_str(doc, "docs_url"),
        test_url=_str(doc, "test_url"),
        description=_str(doc, "description"),
        proxy=_str(doc, "proxy"),
        headers=_kv_list_from_doc(doc, "headers"),
        auth=_auth_from_doc(doc["auth"]) if "auth" in doc else AuthSettings(),
        tls=TlsSettings(
            verify=_bool(tls_doc, "verify", True),
            ca_bundle=_str(tls_doc, "ca_bundle"),
            client_cert=_str(tls_doc, "client_cert"),
            client_key=_str(tls_doc, "client_key"),
            https_only=_bool(tls_doc, "https_only", False),
            trust_store=_str(tls_doc, "trust_store") or "bundled",
        ),
        timeout=_num(doc, "timeout", 60.0),
        cache_ttl=_num(doc, "cache_ttl", 0.0),
        **_budgets_from_doc(doc),
        variables=_str_map(doc, "variables"),
        id=_id(doc),
        extra=_extra(doc, _CONNECTION_KEYS),
    )


def _budgets_to_doc(conn: Connection, doc: dict[str, Any]) -> None:
    """The size/time limits and HTTP version, written only when not the defaults."""
    default = Connection(path="", base_url="")
    for key in ("max_size", "max_time", "http_version"):
        if getattr(conn, key) != getattr(default, key):
            doc[key] = getattr(conn, key)


def _budgets_from_doc(doc: dict[str, Any]) -> dict[str, Any]:
    """The limits a document gives (the dataclass has the defaults for the others: a
    Connection made per document for them cost a fifth of decoding one)."""
    budgets: dict[str, Any] = {}
    if "max_size" in doc:
        from .limits import parse_size  # (an import statement costs as much as a decode)

        size = doc["max_size"]
        budgets["max_size"] = parse_size(size if isinstance(size, str) else
                                         int(_num(doc, "max_size", 0)))
    if "max_time" in doc:
        budgets["max_time"] = _num(doc, "max_time", 0)
    if "http_version" in doc:
        budgets["http_version"] = _str(doc, "http_version")
    return budgets


# -- requests ----------------------------------------------------------------------------


def _json_text(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def _structured_json(text: str) -> tuple[Any] | None:
    """The body's JSON value when storing it structured loses nothing, else None.

    Structured bodies diff field by field in git; but the text is what gets sent, so
    only text that reloads byte for byte (two-space indentation, no ``1e5`` or
    ``{{template}}``) is stored that way — anything else is kept verbatim.
    """
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return (value,) if _json_text(value) == text else None


def _body_to_doc(body: Body) -> dict[str, Any]:
    d: dict[str, Any] = {"type": body.kind}
    if body.kind == "json":
        value = _structured_json(body.text)
        if value is not None:
            d["json"] = value[0]
        else:
            d["text"] = body.text
    elif body.kind == "raw":
        d["text"] = body.text
    elif body.kind == "form":
        d["form"] = _kv_list_to_doc(body.form)
    elif body.kind == "multipart":
        parts = []
        for p in body.multipart:
            pd: dict[str, Any] = {"name": p.name}
            if p.file:
                pd["file"] = p.file
            else:
                pd["value"] = p.value
            if p.content_type:
                pd["content_type"] = p.content_type
            if not p.enabled:
                pd["enabled"] = False
            parts.append(pd)
        d["multipart"] = parts
    elif body.kind == "binary":
        d["file"] = body.file
    if body.content_type and body.kind in ("raw", "binary"):
        d["content_type"] = body.content_type
    return d


def _body_from_doc(raw: Any) -> Body:
    if not isinstance(raw, dict):
        raise ValidationError("\"body\" must be an object")
    kind = _str(raw, "type", "none")
    body = Body(kind=kind, content_type=_str(raw, "content_type"), file=_str(raw, "file"))
    if kind == "json" and "json" in raw:
        body.text = _json_text(raw["json"])
    else:
        body.text = _str(raw, "text")
    body.form = _kv_list_from_doc(raw, "form")
    parts = raw.get("multipart", [])
    if not isinstance(parts, list):
        raise ValidationError("\"multipart\" must be a list")
    for p in parts:
        if not isinstance(p, dict):
            raise ValidationError("every multipart entry must be an object")
        body.multipart.append(
            MultipartField(
                name=_str(p, "name"),
                value=_str(p, "value"),
                file=_str(p, "file"),
                content_type=_str(p, "content_type"),
                enabled=_bool(p, "enabled", True),
            )
        )
    return body


def request_to_doc(req: Request) -> dict[str, Any]:
    doc = _header("request", req.id)
    doc["method"] = req.method
    doc["url"] = req.url
    if req.description:
        doc["description"] = req.description
    for key in ("params", "headers", "cookies"):
        items = getattr(req, key)
        if items:
            doc[key] = _kv_list_to_doc(items)
    if req.body.kind != "none":
        doc["body"] = _body_to_doc(req.body)
    if req.auth is not None:
        doc["auth"] = _auth_to_doc(req.auth)
    opts = req.options
    if opts != RequestOptions():
        od: dict[str, Any] = {
            "response_format": opts.response_format,
            "raise_for_status": opts.raise_for_status,
            "follow_redirects": opts.follow_redirects,
            "bypass_cache": opts.bypass_cache,
        }
        if opts.timeout is not None:
            od["timeout"] = opts.timeout
        doc["options"] = od
    if req.checks:
        doc["checks"] = [dict(c) for c in req.checks]
    return _finish(doc, req.extra)


def _options_from_doc(od: dict[str, Any]) -> RequestOptions:
    timeout = od.get("timeout")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, int | float)):
        raise ValidationError("\"options.timeout\" must be a number")
    return RequestOptions(
        response_format=_str(od, "response_format", "text"),
        raise_for_status=_bool(od, "raise_for_status", False),
        follow_redirects=_bool(od, "follow_redirects", True),
        bypass_cache=_bool(od, "bypass_cache", False),
        timeout=float(timeout) if timeout is not None else None,
    )


def request_from_doc(path: str, doc: Any) -> Request:
    doc = _check_header(doc, "request")
    # Keys a request does not have cost nothing: most files hold a few of them.
    od = _obj(doc, "options") if "options" in doc else None
    checks = doc.get("checks", [])
    if not isinstance(checks, list) or not all(isinstance(c, dict) for c in checks):
        raise ValidationError("\"checks\" must be a list of objects")
    return Request(
        path=path,
        method=_str(doc, "method", "GET").upper(),
        url=_str(doc, "url"),
        description=_str(doc, "description") if "description" in doc else "",
        params=_kv_list_from_doc(doc, "params") if "params" in doc else [],
        headers=_kv_list_from_doc(doc, "headers") if "headers" in doc else [],
        cookies=_kv_list_from_doc(doc, "cookies") if "cookies" in doc else [],
        body=_body_from_doc(doc["body"]) if "body" in doc else Body(),
        auth=_auth_from_doc(doc["auth"]) if "auth" in doc else None,
        options=_options_from_doc(od) if od else RequestOptions(),
        checks=[dict(c) for c in checks],
        id=_id(doc),
        extra={} if doc.keys() <= _REQUEST_KEYS else _extra(doc, _REQUEST_KEYS),
    )


# -- environments ------------------------------------------------------------------------


def environment_to_doc(env: Environment) -> dict[str, Any]:
    doc = _header("environment", env.id)
    doc["variables"] = {k: env.variables[k] for k in sorted(env.variables)}
    if env.secrets:
        doc["secrets"] = sorted(set(env.secrets))
    return _finish(doc, env.extra)


def environment_from_doc(name: str, doc: Any) -> Environment:
    doc = _check_header(doc, "environment")
    secrets = doc.get("secrets", [])
    if not isinstance(secrets, list) or not all(isinstance(n, str) for n in secrets):
        raise ValidationError("\"secrets\" must be a list of variable names")
    return Environment(name=name, variables=_str_map(doc, "variables"), id=_id(doc),
                       extra=_extra(doc, _ENVIRONMENT_KEYS), secrets=list(secrets))
