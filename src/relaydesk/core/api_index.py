"""An API description compiled into a lazy index of operations (the managed API).

``compile_description(doc)`` walks an OpenAPI 3.0/3.1 or Swagger 2.0 document once
and gives each operation a group and a name (``jira.<Group>.<name>``), its method and
path, its parameters (Swagger's inline types turned into schemas), its request body
media types and its documentation. Schemas keep their ``$ref``s; every reference an
operation reaches is collected into ``refs`` so one operation can be checked without
the rest of the document.

``write_index``/``OperationIndex`` store that compiled form as two files: a small JSON
index (group → name → method, path, offset) read when a client first touches its
operations, and a data file from which one operation's details (and the schemas it
refers to) are read by offset when it is first called. So a description with
thousands of operations costs a few milliseconds on ``connect()``, never a parse of
the whole document.
"""

from __future__ import annotations

import json
import keyword
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the importers load only to compile a description, never to call it
    from .importers.openapi_schema import Resolver

__all__ = [
    "INDEX_VERSION",
    "METHODS",
    "CompiledDescription",
    "OperationIndex",
    "OperationRef",
    "compile_description",
    "group_name",
    "operation_name",
    "python_name",
    "refs_in",
    "write_index",
]

INDEX_VERSION = 2  # 2: a Swagger body keeps every media type it consumes
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_WORDS = re.compile(r"[^\W_]+")  # letters and digits, any script (Python allows them)
_NOT_IDENT = re.compile(r"\W+")
_TEMPLATE = re.compile(r"\{([^{}/]+)\}")
_VERSION_SEGMENT = re.compile(r"^v\d+(\.\d+)*$", re.IGNORECASE)
_SWAGGER_SCHEMA_KEYS = ("type", "format", "items", "enum", "default", "minimum", "maximum",
                        "pattern", "minLength", "maxLength", "minItems", "maxItems")
MAX_DOC_TEXT = 2000  # a description longer than this is cut in docstrings and stubs


def python_name(text: str) -> str:
    """``text`` made a usable attribute name (keywords get a trailing ``_``)."""
    # NFKC: what Python makes of an identifier in source code ("ﬁle" is read as "file").
    name = _NOT_IDENT.sub("_", unicodedata.normalize("NFKC", text)).strip("_") or "_"
    if not name.isidentifier():  # starts with a digit (or a mark no name may start with)
        name = "_" + name
    return name + "_" if keyword.iskeyword(name) else name


def group_name(tag: str) -> str:
    """A tag as a group: ``"Integration actions"`` → ``IntegrationActions``."""
    words = _WORDS.findall(unicodedata.normalize("NFKC", tag))
    return python_name("".join(w[:1].upper() + w[1:] for w in words) or "Default")


def _first_segment(path: str) -> str:
    """The group of an untagged operation: its first path segment that is neither a
    version (``v1``) nor a parameter."""
    for seg in path.split("/"):
        if seg and not seg.startswith("{") and not _VERSION_SEGMENT.match(seg):
            return seg
    return "Root"


def operation_name(operation_id: str, method: str, path: str) -> str:
    """The ``operationId`` as written when it is an identifier, else one made from it
    (``repos/get`` → ``repos_get``) or from method and path (``get_pets_petId``)."""
    if operation_id:
        plain = operation_id.isidentifier() and not keyword.iskeyword(operation_id) and (
            operation_id == unicodedata.normalize("NFKC", operation_id))
        return operation_id if plain else python_name(operation_id)
    parts = [method.lower()] + [_NOT_IDENT.sub("_", s.strip("{}")).strip("_")
                                for s in path.split("/") if s]
    return python_name("_".join(p for p in parts if p))


@dataclass(frozen=True)
class OperationRef:
    """Where one operation is: enough to list it, and to read its details later."""

    group: str
    name: str
    method: str
    path: str
    summary: str
    offset: int
    length: int


@dataclass
class CompiledDescription:
    """Every operation of a description, and the schemas they refer to."""

    title: str
    docs_url: str
    operations: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    refs: dict[str, Any] = field(default_factory=dict)

    def keys(self) -> dict[tuple[str, str], dict[str, Any]]:
        """Each operation by (METHOD, path): what a re-fetch compares."""
        return {(op["method"], op["path"]): op for _, _, op in self.operations}


def _text(value: Any, limit: int = MAX_DOC_TEXT) -> str:
    text = value.strip() if isinstance(value, str) else ""
    return text if len(text) <= limit else text[:limit].rstrip() + " …"


def _swagger_schema(param: dict[str, Any]) -> dict[str, Any]:
    """Swagger 2.0 puts a non-body parameter's type on the parameter itself."""
    schema = {k: param[k] for k in _SWAGGER_SCHEMA_KEYS if k in param}
    if param.get("type") == "file":
        schema = {"type": "string", "format": "binary"}
    return schema


def _media_of(resolver: Resolver, body: dict[str, Any]) -> list[list[Any]]:
    content = body.get("content")
    media: list[list[Any]] = []
    for ctype, spec in content.items() if isinstance(content, dict) else []:
        spec = resolver.deref(spec)
        media.append([str(ctype), spec.get("schema") if isinstance(spec, dict) else None])
    return media


def _swagger_body(params: list[dict[str, Any]], op: dict[str, Any], doc: dict[str, Any]
                  ) -> dict[str, Any] | None:
    body = next((p for p in params if p.get("in") == "body"), None)
    if body is not None:
        consumes = op.get("consumes") or doc.get("consumes") or ["application/json"]
        # Every type it takes (Kubernetes' PATCH: JSON patch, merge patch, strategic
        # merge patch…) so a call can pick one with ``content_type=``.
        return {"required": body.get("required") is True,
                "media": [[str(c), body.get("schema")] for c in dict.fromkeys(consumes)]}
    form = [p for p in params if p.get("in") == "formData"]
    if not form:
        return None
    consumes = op.get("consumes") or doc.get("consumes") or []
    multipart = "multipart/form-data" in consumes or any(p.get("type") == "file" for p in form)
    schema = {"type": "object",
              "properties": {p["name"]: _swagger_schema(p) for p in form},
              "required": [p["name"] for p in form if p.get("required") is True]}
    ctype = "multipart/form-data" if multipart else "application/x-www-form-urlencoded"
    return {"required": bool(schema["required"]), "media": [[ctype, schema]]}


def _compile_op(resolver: Resolver, doc: dict[str, Any], swagger: bool, method: str,
                path: str, item: dict[str, Any], op: dict[str, Any]) -> dict[str, Any]:
    from .importers.openapi import _parameters  # path- and operation-level, merged

    params = _parameters(item, op, resolver)
    out_params = []
    for p in params:
        where = p["in"]
        if where in ("body", "formData"):
            continue
        schema = _swagger_schema(p) if swagger else p.get("schema")
        if not isinstance(schema, dict):
            content = p.get("content")  # OpenAPI 3: a parameter described by a media type
            first: Any = next(iter(content.values()), {}) if isinstance(content, dict) \
                else {}
            schema = first.get("schema") if isinstance(first, dict) else None
        out_params.append({
            "name": p["name"], "in": where,
            "required": where == "path" or p.get("required") is True,
            "schema": schema if isinstance(schema, dict) else {},
            "description": _text(p.get("description"), 300),
            "style": p["style"] if isinstance(p.get("style"), str) else (
                "csv" if swagger and p.get("collectionFormat") == "csv" else ""),
            "explode": p.get("explode") is not False,
        })
    declared = {p["name"] for p in out_params if p["in"] == "path"}
    for name in _TEMPLATE.findall(path.partition("?")[0]):
        if name not in declared:  # a template the document forgot to declare
            declared.add(name)
            out_params.append({"name": name, "in": "path", "required": True,
                               "schema": {"type": "string"}, "description": ""})
    if swagger:
        body = _swagger_body(params, op, doc)
    else:
        raw = resolver.deref(op.get("requestBody"))
        body = ({"required": raw.get("required") is True, "media": _media_of(resolver, raw)}
                if raw.get("content") else None)
    docs = op.get("externalDocs")
    return {
        "method": method.upper(), "path": path,
        "operationId": op.get("operationId") if isinstance(op.get("operationId"), str) else "",
        "summary": _text(op.get("summary"), 300), "description": _text(op.get("description")),
        "docs": docs.get("url", "") if isinstance(docs, dict) else "",
        "deprecated": op.get("deprecated") is True,
        "params": out_params, "body": body,
    }


def refs_in(value: Any) -> Iterator[str]:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str):
                yield ref
            stack.extend(v for v in item.values() if isinstance(v, dict | list))
        elif isinstance(item, list):
            stack.extend(v for v in item if isinstance(v, dict | list))


def compile_description(doc: dict[str, Any]) -> CompiledDescription:
    """Every operation of ``doc`` (already read and checked to be OpenAPI/Swagger)."""
    from .importers.openapi import iter_operations
    from .importers.openapi_schema import Resolver

    swagger = "swagger" in doc and "openapi" not in doc
    resolver = Resolver(doc)
    info: dict[str, Any] = doc["info"] if isinstance(doc.get("info"), dict) else {}
    docs = doc.get("externalDocs")
    compiled = CompiledDescription(
        title=_text(info.get("title"), 200),
        docs_url=docs.get("url", "") if isinstance(docs, dict) and isinstance(
            docs.get("url"), str) else "")
    taken: dict[str, set[str]] = {}
    paths: dict[str, Any] = doc["paths"] if isinstance(doc.get("paths"), dict) else {}
    for raw_path, item, method, op in iter_operations(paths, resolver, METHODS):
        spec = _compile_op(resolver, doc, swagger, method, str(raw_path), item, op)
        tags = op.get("tags")
        tag = tags[0] if isinstance(tags, list) and tags and isinstance(tags[0], str) \
            else _first_segment(str(raw_path))
        group = group_name(tag)
        name = base = operation_name(spec["operationId"], method, str(raw_path))
        used = taken.setdefault(group, set())
        n = 2
        while name in used:
            name, n = f"{base}_{n}", n + 1
        used.add(name)
        compiled.operations.append((group, name, spec))
    pending = [r for _, _, op in compiled.operations for r in refs_in(op)]
    while pending:
        ref = pending.pop()
        if ref in compiled.refs:
            continue
        target = resolver.lookup(ref)
        compiled.refs[ref] = target if isinstance(target, dict | list) else {}
        pending.extend(refs_in(compiled.refs[ref]))
    return compiled


def _loads(data: bytes) -> Any:
    """``json.loads`` with the cyclic GC paused: building thousands of small lists in
    a process that already holds httpx and friends otherwise triggers full
    collections that cost ten times the parse itself."""
    import gc

    paused = gc.isenabled()
    gc.disable()
    try:
        return json.loads(data)
    finally:
        if paused:
            gc.enable()


def _dump(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def write_index(compiled: CompiledDescription, index_file: Path, data_file: Path,
                stamp: list[int]) -> None:
    """Store ``compiled`` as an index and a data file; ``stamp`` identifies the
    description they were made from (its size and modification time)."""
    from .fileio import atomic_write_bytes

    chunks: list[bytes] = []
    offset = 0

    def put(value: Any) -> list[int]:
        nonlocal offset
        blob = _dump(value)
        chunks.append(blob)
        start, offset = offset, offset + len(blob)
        return [start, len(blob)]

    groups: dict[str, dict[str, list[Any]]] = {}
    for group, name, op in compiled.operations:
        groups.setdefault(group, {})[name] = [op["method"], op["path"], op["summary"],
                                              *put(op)]
    refs = {ref: put(value) for ref, value in compiled.refs.items()}
    atomic_write_bytes(data_file, b"".join(chunks))
    index = {"version": INDEX_VERSION, "stamp": stamp, "title": compiled.title,
             "docs": compiled.docs_url, "groups": groups, "refs": refs}
    atomic_write_bytes(index_file, _dump(index))


class OperationIndex:
    """The stored index: groups and operations listed cheaply, details read on demand."""

    def __init__(self, index: dict[str, Any], data_file: Path) -> None:
        self._index = index
        self._data_file = data_file
        self._groups: dict[str, dict[str, list[Any]]] = index["groups"]
        self._refs: dict[str, list[int]] = index["refs"]
        self._ref_cache: dict[str, Any] = {}
        self.title: str = index.get("title", "")
        self.docs_url: str = index.get("docs", "")

    @classmethod
    def load(cls, index_file: Path, data_file: Path, stamp: list[int]
             ) -> OperationIndex | None:
        """The index stored for the description with ``stamp``; None when stale."""
        try:
            index = _loads(index_file.read_bytes())
        except (OSError, ValueError):
            return None
        if not isinstance(index, dict) or index.get("version") != INDEX_VERSION \
                or index.get("stamp") != stamp:
            return None
        return cls(index, data_file)

    def groups(self) -> list[str]:
        return list(self._groups)

    def names(self, group: str) -> list[str]:
        return list(self._groups.get(group, {}))

    def find(self, group: str, name: str) -> OperationRef | None:
        entry = self._groups.get(group, {}).get(name)
        if entry is None:
            return None
        method, path, summary, offset, length = entry
        return OperationRef(group, name, method, path, summary, offset, length)

    def operations(self) -> Iterator[OperationRef]:
        for group, ops in self._groups.items():
            for name in ops:
                found = self.find(group, name)
                if found is not None:
                    yield found

    def _read(self, offset: int, length: int) -> Any:
        with open(self._data_file, "rb") as fh:
            fh.seek(offset)
            return _loads(fh.read(length))

    def details(self, ref: OperationRef) -> dict[str, Any]:
        """The compiled operation: parameters, body media types, documentation."""
        value = self._read(ref.offset, ref.length)
        return value if isinstance(value, dict) else {}

    def resolve(self, ref: str) -> Any:
        """The schema a ``$ref`` points at ({} when the description does not have it)."""
        if ref not in self._ref_cache:
            where = self._refs.get(ref)
            self._ref_cache[ref] = self._read(*where) if where else {}
        return self._ref_cache[ref]
