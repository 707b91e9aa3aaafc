"""The ``relaydesk`` snippet as a managed call, for a request that matches an operation.

    import relaydesk

    jsm = relaydesk.connect("ops/jsm")
    result = jsm.IntegrationActions.getIntegrationAction(
        integrationId="5f1c",
        id="1687",
    )
    print(result)

The request's path parameter values come from its URL, its query parameters from the
URL's query, its body (JSON or form) as ``body=``. Whatever the managed call cannot
say (headers the operation does not declare, files, raw bodies, no-redirect) gives
None: the caller keeps the plain ``conn.post("/…")`` snippet.
"""

from __future__ import annotations

import json
import pprint
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from ...managed_request import path_values
from ...snippets import connection_import_line
from .python import py_str
from .spec import SnippetSpec, relative_url

if TYPE_CHECKING:
    from ...managed import Operation

__all__ = ["render_managed"]

_LEFT_TO_THE_CLIENT = ("content-type", "accept", "content-length")


def _typed(value: str, schema: Any, resolve: Any) -> Any:
    """A query value as the schema's type (``"2"`` → ``2`` for an integer)."""
    if isinstance(schema, dict) and "$ref" in schema:
        schema = resolve(schema["$ref"])
    kind = schema.get("type") if isinstance(schema, dict) else None
    try:
        if kind == "integer":
            return int(value)
        if kind == "number":
            return float(value)
    except ValueError:
        return value
    if kind == "boolean" and value in ("true", "false"):
        return value == "true"
    return value


def _body(spec: SnippetSpec) -> tuple[bool, Any]:
    """(expressible, value) of the request's body."""
    if spec.files is not None:
        return False, None
    if spec.content is None or spec.content == b"":
        return True, None
    ctype = next((v for n, v in spec.headers if n.lower() == "content-type"), [""])
    ctype_text = "".join(p for p in ctype if isinstance(p, str)).lower()
    try:
        text = spec.content.decode("utf-8")
    except UnicodeDecodeError:
        return False, None
    if "json" in ctype_text or not ctype_text:
        try:
            return True, json.loads(text)
        except ValueError:
            return False, None
    if ctype_text.startswith("application/x-www-form-urlencoded"):
        return True, dict(parse_qsl(text, keep_blank_values=True))
    return False, None


def _arguments(op: Operation, spec: SnippetSpec, base_url: str,
               client_headers: Sequence[tuple[str, str]]) -> dict[str, Any] | None:
    rel = relative_url(spec.url, base_url)
    if "://" in rel:
        return None  # not under the connection's base URL
    path, _, query = rel.partition("?")
    values = path_values(op, path)
    if values is None:
        return None
    params = op.spec.get("params", [])
    by_place = {(p["in"], p["name"].lower() if p["in"] == "header" else p["name"]): p
                for p in params}
    args: dict[str, Any] = dict(values)
    resolve = op.api.index.resolve
    fixed = parse_qsl(op.ref.path.partition("?")[2], keep_blank_values=True)
    for name, value in parse_qsl(query, keep_blank_values=True):
        if (name, value) in fixed:
            continue  # written in the operation's path: the call sends it
        p = by_place.get(("query", name))
        if p is None:
            return None
        typed = _typed(value, p.get("schema"), resolve)
        if name in args:  # repeated: a list
            before = args[name]
            args[name] = [*before, typed] if isinstance(before, list) else [before, typed]
        else:
            args[name] = typed
    given = {(n.lower(), v) for n, v in client_headers}
    for name, parts in spec.headers:
        if not all(isinstance(p, str) for p in parts):
            continue  # the connection's auth puts it there
        text = "".join(p for p in parts if isinstance(p, str))
        if name.lower() in _LEFT_TO_THE_CLIENT or (name.lower(), text) in given:
            continue
        p = by_place.get(("header", name.lower()))
        if p is None:
            return None
        args[p["name"]] = text
    ok, body = _body(spec)
    if not ok or (body is not None and op.spec.get("body") is None):
        return None
    if body is not None:
        args["body"] = body
    return args


def _literal(value: Any, column: int) -> str:
    """A Python literal of a JSON value, its lines aligned after ``column`` characters."""
    text = pprint.pformat(value, width=max(88 - column, 40), sort_dicts=False)
    return text.replace("\n", "\n" + " " * column)


def render_managed(op: Operation, spec: SnippetSpec, *, base_url: str = "",
                   client_headers: Sequence[tuple[str, str]] = ()) -> str | None:
    """The managed call sending what ``spec`` sends, or None when it cannot."""
    if not spec.follow_redirects:
        return None
    args = _arguments(op, spec, base_url, client_headers)
    if args is None:
        return None
    line = connection_import_line(spec.connection_path)
    var = line.split(" = ", 1)[0]
    rows, odd = [], {}
    for name, value in args.items():
        if name.isidentifier():
            shown = py_str(value) if isinstance(value, str) else _literal(value, len(name) + 5)
            rows.append(f"{name}={shown}")
        else:
            odd[name] = value  # not a Python name: passed through **{...}
    if odd:
        rows.append("**" + _literal(odd, 6))
    call = f"{var}.{op.ref.group}.{op.ref.name}"
    call += "(" + "".join(f"\n    {r}," for r in rows) + "\n)" if rows else "()"
    return f"import relaydesk\n\n{line}\nresult = {call}\nprint(result)\n"
