"""An operation of a managed API as an editable request (the app's Operations list).

``request_for(op, conn_path)`` gives a new, unsaved request inside the connection:
method, the path template with ``{{name}}`` placeholders for path parameters, the
query, header and cookie parameters (required ones enabled, filled with an example
from their schema), and an example body generated from the request body's schema.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .importers.openapi import _text  # a value as the importer writes it into a field
from .importers.openapi_schema import Resolver, example_for
from .model import Body, KeyValue, MultipartField, Request, join_path

if TYPE_CHECKING:
    from .api_index import OperationIndex
    from .managed import Operation

__all__ = ["example_call", "request_for"]

_SKIPPED_HEADERS = ("content-type", "accept", "authorization")


class _IndexResolver(Resolver):
    """References resolved from a stored index instead of a whole document."""

    def __init__(self, index: OperationIndex) -> None:
        super().__init__({})
        self._index = index

    def lookup(self, ref: str) -> Any:
        return self._index.resolve(ref)


def _body(op: Operation, resolver: Resolver) -> Body:
    spec = op.spec.get("body")
    media = (spec or {}).get("media") or []
    if not media:
        return Body()
    ctype, schema = next((m for m in media if "json" in str(m[0]).lower()), media[0])
    example = example_for(schema, resolver)
    ctype = str(ctype).lower()
    if "json" in ctype:
        return Body.from_json(example if example is not None else {})
    fields = example if isinstance(example, dict) else {}
    if ctype.startswith("application/x-www-form-urlencoded"):
        return Body(kind="form", form=[KeyValue(k, _text(v)) for k, v in fields.items()])
    if ctype.startswith("multipart/"):
        return Body(kind="multipart", multipart=[MultipartField(k, _text(v))
                                                 for k, v in fields.items()])
    return Body(kind="raw", text=_text(example), content_type=ctype)


def request_for(op: Operation, conn_path: str, name: str = "") -> Request:
    """A request for ``op`` inside the connection at ``conn_path`` (not saved)."""
    resolver = _IndexResolver(op.api.index)
    spec = op.spec
    path, _, fixed = str(spec["path"]).partition("?")
    req = Request(path=join_path(conn_path, op.ref.group, name or op.ref.name),
                  method=spec["method"], description=spec.get("summary") or "")
    for p in spec.get("params", []):
        where, pname = p["in"], p["name"]
        if where == "path":
            path = path.replace("{" + pname + "}", "{{" + pname + "}}")
            continue
        value = _text(example_for(p.get("schema"), resolver))
        kv = KeyValue(pname, value, bool(p.get("required")))
        if where == "query":
            req.params.append(kv)
        elif where == "header" and pname.lower() not in _SKIPPED_HEADERS:
            req.headers.append(kv)
        elif where == "cookie":
            req.cookies.append(kv)
    if fixed:
        from urllib.parse import parse_qsl

        req.params[:0] = [KeyValue(k, v) for k, v in parse_qsl(fixed, keep_blank_values=True)]
    req.url = path
    req.body = _body(op, resolver)
    return req


def example_call(op: Operation, client: str = "client") -> str:
    """``client.Group.name(param=…)``: a call with the required parameters."""
    resolver = _IndexResolver(op.api.index)

    def shown(schema: Any) -> str:
        value = example_for(schema, resolver)
        return "..." if value is None else repr(value)  # nothing to suggest: fill it in

    args = [f"{p['name']}={shown(p.get('schema'))}" for p in op.spec.get("params", [])
            if p.get("required") and p["name"].isidentifier()]
    body = op.spec.get("body")
    if body and body.get("required"):
        media = body.get("media") or [["application/json", None]]
        schema = next((m[1] for m in media if "json" in str(m[0]).lower()), media[0][1])
        args.append(f"body={shown(schema)}")
    return f"{client}.{op.ref.group}.{op.ref.name}({', '.join(args)})"
