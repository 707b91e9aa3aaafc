"""An operation of a managed API as an editable request (the app's Operations list).

``request_for(op, conn_path)`` gives a new, unsaved request inside the connection:
method, the path template with ``{{name}}`` placeholders for path parameters, the
query, header and cookie parameters (required ones enabled, filled with an example
from their schema), and an example body generated from the request body's schema.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from .importers.openapi import _text  # a value as the importer writes it into a field
from .importers.openapi_schema import Resolver, example_for
from .managed import wire_type
from .model import Body, KeyValue, MultipartField, Request, join_path

if TYPE_CHECKING:
    from .api_index import OperationIndex
    from .managed import ManagedApi, Operation

__all__ = ["example_call", "import_example", "operation_for_request", "path_values",
           "request_for"]

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
    ctype, schema = next((m for m in media if "json" in wire_type(str(m[0])).lower()),
                         media[0])
    example = example_for(schema, resolver)
    ctype = wire_type(str(ctype)).lower()
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


_PLACEHOLDER = re.compile(r"\{([^{}/]+)\}")


def _template_pattern(template: str) -> tuple[re.Pattern[str], list[str], int]:
    """The regex of a path template (``{x}``: one segment), its parameter names in
    order, and how many literal characters it has (more: a closer match)."""
    path = template.partition("?")[0].rstrip("/")
    parts: list[str] = []
    names: list[str] = []
    literal = last = 0
    for m in _PLACEHOLDER.finditer(path):
        parts.append(re.escape(path[last:m.start()]))
        literal += m.start() - last
        parts.append(f"(?P<p{len(names)}>[^/]+)")
        names.append(m.group(1))
        last = m.end()
    parts.append(re.escape(path[last:]))
    literal += len(path) - last
    return re.compile("".join(parts)), names, literal


def _relative_path(url: str, base_url: str) -> str:
    """The path of ``url`` under ``base_url`` (both may hold ``{{variables}}``)."""
    url = url.strip().split("?", 1)[0].split("#", 1)[0]
    base = base_url.strip().split("?", 1)[0].rstrip("/")
    if base and (url == base or url.startswith(base + "/")):
        url = url[len(base):]
    elif "://" in url:  # absolute elsewhere: the path under the base's path
        url, base_path = urlsplit(url).path, urlsplit(base).path.rstrip("/")
        # a {{variable}} in the base's path stands for any one segment
        prefix = re.match("".join(r"[^/]+" if part.startswith("{{") else re.escape(part)
                                  for part in re.split(r"(\{\{[^{}]*\}\})", base_path))
                          + "(?=/|$)", url) if base_path else None
        if prefix is not None:
            url = url[prefix.end():]
    return "/" + url.strip("/") if url.strip("/") else "/"


def _match(template: str, rel_path: str) -> tuple[dict[str, str], int] | None:
    pattern, names, literal = _template_pattern(template)
    found = pattern.fullmatch(rel_path.rstrip("/") if rel_path != "/" else "")
    if found is None:
        return None
    return {n: unquote(found.group(f"p{i}")) for i, n in enumerate(names)}, literal


def operation_for_request(api: ManagedApi, request: Request, base_url: str = ""
                          ) -> Operation | None:
    """The operation ``request`` corresponds to: the same method, and its URL (relative
    to ``base_url``) fitting the operation's path template, a ``{x}`` standing for any
    one segment (a ``{{variable}}`` too); the most literal template wins. Reads only the
    index, not the operations' details."""
    rel = _relative_path(request.url, base_url)
    method = request.method.upper()
    best: tuple[int, Any] | None = None
    for ref in api.index.operations():
        if ref.method.upper() != method:
            continue
        matched = _match(ref.path, rel)
        if matched is not None and (best is None or matched[1] > best[0]):
            best = (matched[1], ref)
    return None if best is None else api.operation(best[1].group, best[1].name)


def path_values(op: Operation, url: str, base_url: str = "") -> dict[str, str] | None:
    """The path parameters' values in ``url`` (decoded), or None when it does not fit."""
    matched = _match(op.ref.path, _relative_path(url, base_url))
    return None if matched is None else matched[0]


def import_example(api: ManagedApi, request: Request | None, base_url: str, client: str
                   ) -> str:
    """An example call for "Copy import snippet": the operation ``request`` matches,
    else the first one (said in a comment); "" for a description without operations."""
    op = operation_for_request(api, request, base_url) if request is not None else None
    note = ""
    if op is None:
        op = next(iter(api.operations()), None)
        if op is None:
            return ""
        note = f"# An example: the first operation of the API ({op.title})\n"
    return f"{note}result = {example_call(op, client)}\n"
