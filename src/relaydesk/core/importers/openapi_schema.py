"""``$ref`` resolution and example values generated from JSON schemas (OpenAPI).

References are local (``#/components/schemas/Pet``); each is resolved once and the
example of every schema object is cached per nesting depth, so a document with
thousands of operations sharing schemas stays fast and schemas whose properties each
``$ref`` the next cost linear, not exponential, time (the result shares those parts;
``budget.dumps_within`` writes it out only up to the byte budget). Cycles
(``Node.children: [Node]``) end in an empty object or list, and depth is capped, so no
schema can make generation run away.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Resolver", "example_for"]

MAX_DEPTH = 12
MAX_PROPERTIES = 60
_STRING_FORMATS = {
    "date-time": "2024-01-01T00:00:00Z", "date": "2024-01-01", "time": "12:00:00",
    "email": "user@example.com", "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "uri": "https://example.com", "url": "https://example.com", "hostname": "example.com",
    "ipv4": "192.0.2.1", "ipv6": "2001:db8::1", "byte": "U3dhZ2dlcg==", "binary": "",
    "password": "********",
}


class Resolver:
    """Local JSON-pointer references of one document."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self.external: set[str] = set()
        self._cache: dict[str, Any] = {}
        self._examples: dict[str, Any] = {}
        # (id of a schema, depth) -> (the schema, kept so its id stays its own; example)
        self._generated: dict[tuple[int, int], tuple[Any, Any]] = {}

    def lookup(self, ref: str) -> Any:
        if ref in self._cache:
            return self._cache[ref]
        value: Any = None
        if ref.startswith("#/"):
            value = self.doc
            for raw in ref[2:].split("/"):
                key = raw.replace("~1", "/").replace("~0", "~")
                if isinstance(value, dict) and key in value:
                    value = value[key]
                elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
                    value = value[int(key)]
                else:
                    value = None
                    break
        else:
            self.external.add(ref)
        self._cache[ref] = value
        return value

    def deref(self, value: Any, limit: int = 20) -> Any:
        """Follow ``$ref`` chains (a ref to a ref …) to a concrete object."""
        seen: set[str] = set()
        while isinstance(value, dict) and isinstance(value.get("$ref"), str) and limit > 0:
            ref = value["$ref"]
            if ref in seen:
                return {}
            seen.add(ref)
            value = self.lookup(ref)
            limit -= 1
        return value if isinstance(value, dict) else {}


def _first_type(schema: dict[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):  # OpenAPI 3.1: ["string", "null"]
        kind = next((k for k in kind if k != "null"), "null")
    if not isinstance(kind, str):
        if "properties" in schema or "additionalProperties" in schema:
            return "object"
        if "items" in schema:
            return "array"
        return ""
    return kind


def example_for(schema: Any, resolver: Resolver, depth: int = 0,
                seen: frozenset[str] = frozenset()) -> Any:
    """A plausible value for ``schema``: its own example, a default, else generated.
    A schema met again at the same depth gives the example made the first time (where
    a cycle was cut may differ; any finite example serves)."""
    if not isinstance(schema, dict) or depth > MAX_DEPTH:
        return None
    key = (id(schema), depth)
    cached = resolver._generated.get(key)
    if cached is not None:
        return cached[1]
    value = _generate(schema, resolver, depth, seen)
    resolver._generated[key] = (schema, value)
    return value


def _generate(schema: dict[str, Any], resolver: Resolver, depth: int,
              seen: frozenset[str]) -> Any:
    ref = schema.get("$ref")
    if isinstance(ref, str):
        if ref in seen:
            target = resolver.lookup(ref)
            return [] if isinstance(target, dict) and _first_type(target) == "array" else {}
        if not seen and ref in resolver._examples:
            return resolver._examples[ref]
        value = example_for(resolver.lookup(ref), resolver, depth + 1, seen | {ref})
        if not seen:
            resolver._examples[ref] = value
        return value
    for key in ("example", "default", "const"):
        if key in schema:
            return schema[key]
    examples = schema.get("examples")
    if isinstance(examples, list) and examples:
        return examples[0]
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        return enum[0]
    if isinstance(schema.get("allOf"), list):
        merged: dict[str, Any] = {}
        for sub in schema["allOf"]:
            value = example_for(sub, resolver, depth + 1, seen)
            if isinstance(value, dict):
                merged.update(value)
        own = {k: v for k, v in schema.items() if k != "allOf"}
        if own.get("properties"):
            value = example_for(own, resolver, depth + 1, seen)
            if isinstance(value, dict):
                merged.update(value)
        return merged
    for key in ("oneOf", "anyOf"):
        options = schema.get(key)
        if isinstance(options, list) and options:
            return example_for(options[0], resolver, depth + 1, seen)
    kind = _first_type(schema)
    if kind == "object":
        props = schema.get("properties")
        out: dict[str, Any] = {}
        if isinstance(props, dict):
            for name in list(props)[:MAX_PROPERTIES]:
                out[str(name)] = example_for(props[name], resolver, depth + 1, seen)
        return out
    if kind == "array":
        item = example_for(schema.get("items"), resolver, depth + 1, seen)
        return [] if item is None else [item]
    if kind == "string":
        fmt = schema.get("format")
        return _STRING_FORMATS.get(fmt, "string") if isinstance(fmt, str) else "string"
    if kind in ("integer", "number"):
        low = schema.get("minimum")
        if isinstance(low, int | float) and not isinstance(low, bool):
            return low
        return 0 if kind == "integer" else 0.0
    if kind == "boolean":
        return True
    return None
