"""Checking a value against an OpenAPI schema before it is sent: the problems, by field.

Only what a person gets wrong in a call is checked, and only what the schema states:
the type (OpenAPI 3.1 type lists and 3.0 ``nullable`` included), ``enum``/``const``,
required properties, and recursively the properties, array items and ``allOf``
members; ``oneOf``/``anyOf`` pass when any member does. Formats, patterns and bounds
are left to the server. References are resolved through the function given, and
depth is capped, so recursive schemas cannot run away.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["check_value", "describe_type"]

MAX_DEPTH = 24
MAX_PROBLEMS = 20
Resolve = Callable[[str], Any]

_PY_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (
        isinstance(v, float) and v.is_integer()),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list | tuple),
    "object": lambda v: isinstance(v, dict),
    "null": lambda v: v is None,
}


def _deref(schema: Any, resolve: Resolve) -> dict[str, Any]:
    for _ in range(20):
        if not isinstance(schema, dict) or not isinstance(schema.get("$ref"), str):
            break
        schema = resolve(schema["$ref"])
    return schema if isinstance(schema, dict) else {}


def _types(schema: dict[str, Any]) -> list[str]:
    kind = schema.get("type")
    kinds = [k for k in kind if isinstance(k, str)] if isinstance(kind, list) else (
        [kind] if isinstance(kind, str) else [])
    if kinds and schema.get("nullable") is True:
        kinds.append("null")
    return kinds


def describe_type(schema: Any, resolve: Resolve) -> str:
    """The schema's types in words (``string or null``)."""
    return " or ".join(_types(_deref(schema, resolve))) or "any value"


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_value(value: Any, schema: Any, resolve: Resolve, where: str) -> list[str]:
    """Problems of ``value`` under ``schema``, each naming its field (``where``)."""
    problems: list[str] = []
    _check(value, schema, resolve, where, problems, 0)
    return problems[:MAX_PROBLEMS]


def _check(value: Any, schema: Any, resolve: Resolve, where: str, problems: list[str],
           depth: int) -> None:
    schema = _deref(schema, resolve)
    if not schema or depth > MAX_DEPTH or len(problems) >= MAX_PROBLEMS:
        return
    kinds = _types(schema)
    if kinds and not any(_PY_TYPES.get(k, lambda v: True)(value) for k in kinds):
        problems.append(f"{where}: expected {' or '.join(kinds)}, got {_shown(value)}")
        return
    enum = schema.get("enum")
    if isinstance(enum, list) and enum and value not in enum and not (
            value is None and "null" in kinds):
        choices = ", ".join(_shown(e) for e in enum[:20]) + (" …" if len(enum) > 20 else "")
        problems.append(f"{where}: {_shown(value)} is not one of {choices}")
    if "const" in schema and value != schema["const"]:
        problems.append(f"{where}: must be {_shown(schema['const'])}")
    for sub in schema.get("allOf") or []:
        _check(value, sub, resolve, where, problems, depth + 1)
    for key in ("oneOf", "anyOf"):
        options = schema.get(key)
        if isinstance(options, list) and options and not any(
                not check_value(value, o, resolve, where) for o in options):
            problems.append(f"{where}: matches none of the allowed shapes ({key})")
    if isinstance(value, dict):
        _check_object(value, schema, resolve, where, problems, depth)
    elif isinstance(value, list | tuple) and "items" in schema:
        for i, item in enumerate(value):
            _check(item, schema["items"], resolve, f"{where}[{i}]", problems, depth + 1)


def _check_object(value: dict[str, Any], schema: dict[str, Any], resolve: Resolve,
                  where: str, problems: list[str], depth: int) -> None:
    required = schema.get("required")
    props = schema.get("properties")
    for name in required if isinstance(required, list) else []:
        # A read-only property is the server's to fill in, never required of a request.
        read_only = isinstance(props, dict) and _deref(props.get(name), resolve).get(
            "readOnly") is True
        if isinstance(name, str) and name not in value and not read_only:
            problems.append(f"{where}.{name}: required")
    props = props if isinstance(props, dict) else {}
    extra = schema.get("additionalProperties")  # a map's values (Kubernetes' data: str)
    for name, item in value.items():
        if name in props:
            _check(item, props[name], resolve, f"{where}.{name}", problems, depth + 1)
        elif isinstance(extra, dict):
            _check(item, extra, resolve, f"{where}.{name}", problems, depth + 1)
