"""Type stubs of managed APIs, so editors and type checkers know every operation.

``write_stubs(ws, out_dir)`` writes, for every connection with a description::

    <out_dir>/relaydesk/__init__.pyi            connect()/aconnect() overloads by path
    <out_dir>/relaydesk/_managed/<conn>.pyi     its groups, operations and parameters

``out_dir`` defaults to ``typings/`` in the current folder: Pylance/Pyright read it as
their stub path out of the box, mypy with ``mypy_path = typings`` (or
``MYPYPATH=typings``). Only ``relaydesk`` itself is stubbed there; its other modules
still come from the installed package. Each operation is a keyword-only signature
(types from the schemas, ``Literal`` for enums, ``None`` defaults for optional
parameters) with the summary, method, path and documentation link as its docstring.
The folders written are remembered in the workspace's local state, and rewritten
whenever a description changes (``refresh_stubs``).
"""

from __future__ import annotations

import json
import keyword
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .api_index import python_name
from .managed import CONTENT_TYPE, wire_type

if TYPE_CHECKING:
    from .managed import ManagedApi, Operation
    from .workspace import Workspace

__all__ = ["DEFAULT_STUBS_DIR", "refresh_stubs", "stub_module", "write_stubs"]

DEFAULT_STUBS_DIR = "typings"
_RECORD = "stubs.json"  # in .relaydesk/: the folders stubs were written to
_STUB_DOC = 800
_SCALARS = {"string": "str", "integer": "int", "number": "float", "boolean": "bool",
            "null": "None"}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_RESERVED = {"self", "max_pages", "items_path", "settings"}
_SENTENCE_END = re.compile(r"[.!?](?=\s)")


def _doc(text: str, indent: str) -> str:
    # Third-party text inside a string literal: no control characters (a NUL makes the
    # whole file unreadable to type checkers), escaped backslashes and quotes.
    text = _CONTROL.sub(" ", text.replace("\r\n", "\n"))
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"').strip()
    body = "\n".join((indent + line) if line else "" for line in text.splitlines())
    return f'{indent}"""{body.lstrip()}\n{indent}"""'


def _literal(values: list[Any]) -> str | None:
    if not values or not all(isinstance(v, str | int | bool) or v is None for v in values):
        return None
    shown = [repr(v) for v in values if v is not None][:100]
    if not shown:
        return "None"
    literal = f"Literal[{', '.join(shown)}]"
    return literal + (" | None" if None in values else "")


def type_of(schema: Any, resolve: Callable[[str], Any], depth: int = 0) -> str:
    """The Python type of a schema, as stub text."""
    for _ in range(10):
        if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
            schema = resolve(schema["$ref"])
    if not isinstance(schema, dict) or depth > 3:
        return "Any"
    enum = schema.get("enum")
    if isinstance(enum, list):
        literal = _literal(enum)
        if literal:
            return literal
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind] if isinstance(kind, str) else []
    out: list[str] = []
    for k in kinds:
        if k == "array":
            out.append(f"list[{type_of(schema.get('items'), resolve, depth + 1)}]")
        elif k == "object":
            out.append("dict[str, Any]")
        elif k in _SCALARS:
            out.append(_SCALARS[k])
    if not out:
        return "Any"
    if schema.get("nullable") is True and "None" not in out:
        out.append("None")
    return " | ".join(dict.fromkeys(out))


def _optional(kind: str) -> str:
    return kind if kind == "Any" or "None" in kind.split(" | ") else f"{kind} | None"


def _usable(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name) and name not in _RESERVED


def _signature(op: Operation) -> tuple[str, list[str]]:
    """The keyword-only parameters, and the names only ``**{...}`` can pass."""
    resolve = op.api.index.resolve
    required: list[str] = []
    optional: list[str] = []
    other: list[str] = []
    seen: set[str] = set()
    for p in op.spec.get("params", []):
        name = p["name"]
        if not _usable(name) or name in seen:
            other.append(f"{name} ({p['in']})")
            continue
        seen.add(name)
        kind = type_of(p.get("schema"), resolve)
        if p.get("required"):
            required.append(f"{name}: {kind}")
        else:
            optional.append(f"{name}: {_optional(kind)} = None")
    body = op.spec.get("body")
    if body and "body" not in seen:
        media = body.get("media") or [["", None]]
        schema = next((m[1] for m in media if "json" in str(m[0]).lower()), media[0][1])
        kind = type_of(schema, resolve)
        kind = "dict[str, Any]" if kind.startswith("dict") else (
            "list[Any]" if kind.startswith("list") else "Any")
        if body.get("required"):
            required.append(f"body: {kind}")
        else:
            optional.append(f"body: {_optional(kind)} = None")
        types = list(dict.fromkeys(wire_type(str(m[0])) for m in media if m[0]))
        if len(types) > 1 and CONTENT_TYPE not in seen:
            optional.append(f"{CONTENT_TYPE}: {_literal(types)} | None = None")
    params = ", ".join(["self", "*", *required, *optional]) if required or optional \
        else "self"
    return params, other


def _sentence(text: str, most: int = 160) -> str:
    """A parameter's description cut to its first sentence: Kubernetes repeats the same
    paragraphs on hundreds of operations, which made its stub file 6 MB."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    end = _SENTENCE_END.search(line)
    line = line[:end.end()].rstrip() if end else line
    return line if len(line) <= most else line[:most - 2].rstrip() + " …"


def _op_doc(op: Operation, other: list[str]) -> str:
    spec = op.spec
    lines = [spec.get("summary") or op.title, "", f"{spec['method']} {spec['path']}"]
    description = spec.get("description") or ""
    if description and description != spec.get("summary"):
        lines += ["", description[:_STUB_DOC] + (" …" if len(description) > _STUB_DOC else "")]
    described = [(p["name"], p.get("description")) for p in spec.get("params", [])
                 if p.get("description")]
    if described:
        lines += ["", "Parameters:"] + [f"    {n}: {_sentence(d)}" for n, d in described]
    if other:
        lines += ["", "Also (pass as **{name: value}): " + ", ".join(other)]
    docs = spec.get("docs") or op.api.docs_url
    if docs:
        lines += ["", f"Documentation: {docs}"]
    return "\n".join(lines)


def stub_module(api: ManagedApi, title: str) -> str:
    """The stub module of one managed API: a client class, its groups and operations."""
    out = ["# Written by `relaydesk stubs`; regenerated when the description changes.",
           "from collections.abc import AsyncIterator, Iterator",
           "from typing import Any, Literal", "", "import httpx", "",
           "from relaydesk.managed_client import AsyncManagedClient, ManagedClient", "",
           "__all__ = ['AsyncClient', 'Client']", ""]
    sync_groups: list[str] = []
    for group in api.groups():
        members: list[tuple[str, str]] = []
        for name in api.names(group):
            op = api.operation(group, name)
            if op is None:
                continue
            params, other = _signature(op)
            doc = _op_doc(op, other)
            cls = f"_{group}__{name}"
            paging = "max_pages: int | None = None, items_path: str | None = None"
            pager = f"{params}, {paging}" if params != "self" else f"self, *, {paging}"
            out += [f"class {cls}:", _doc(doc, "    "),
                    f"    def __call__({params}) -> Any: ...",
                    f"    def raw({params}) -> httpx.Response: ...",
                    f"    def paginate({pager}) -> Iterator[Any]: ...", "",
                    f"class _A{cls}:", _doc(doc, "    "),
                    f"    async def __call__({params}) -> Any: ...",
                    f"    async def raw({params}) -> httpx.Response: ...",
                    f"    def paginate({pager}) -> AsyncIterator[Any]: ...", ""]
            members.append((name, cls))
        out += [f"class _G_{group}:", _doc(f"The {group} operations of {title}.", "    ")]
        out += [f"    {name}: {cls}" for name, cls in members] or ["    ..."]
        out += ["", f"class _AG_{group}:"]
        out += [f"    {name}: _A{cls}" for name, cls in members] or ["    ..."]
        out.append("")
        sync_groups.append(group)
    for cls, base, prefix in (("Client", "ManagedClient", "_G_"),
                              ("AsyncClient", "AsyncManagedClient", "_AG_")):
        out += [f"class {cls}({base}):", _doc(f"The managed API of {title}.", "    ")]
        out += [f"    {g}: {prefix}{g}" for g in sync_groups] or ["    ..."]
        out.append("")
    return "\n".join(out)


def _init_module(modules: list[tuple[str, str]]) -> str:
    """``relaydesk/__init__.pyi``: the package's own names, and one ``connect``/
    ``aconnect`` overload per described connection."""
    import relaydesk

    lazy: dict[str, str] = getattr(relaydesk, "_LAZY", {})
    out = ["# Written by `relaydesk stubs`: connect()/aconnect() know the managed APIs.",
           "from typing import Any, Literal, overload", "",
           "from relaydesk.api import EnvironmentArg, WorkspaceArg",
           "from relaydesk.managed_client import AsyncManagedClient, ManagedClient"]
    out += [f"from {module} import {name} as {name}" for name, module in lazy.items()
            if name not in ("connect", "aconnect")]
    out += [f"from relaydesk._managed import {mod} as {mod}" for _, mod in modules]
    out.append("")
    args = ("*, workspace: WorkspaceArg = None, environment: EnvironmentArg = None, "
            "keyring: Any = None, **client_kwargs: Any")
    for func, cls, fallback in (("connect", "Client", "ManagedClient"),
                                ("aconnect", "AsyncClient", "AsyncManagedClient")):
        for path, mod in modules:
            out += ["@overload", f"def {func}(path: Literal[{path!r}], {args}) -> "
                                 f"{mod}.{cls}: ..."]
        out += ["@overload" if modules else "", f"def {func}(path: str, {args}) -> "
                                                f"{fallback}: ..."]
    out.append(f"__all__ = {sorted({'connect', 'aconnect', *lazy})!r}")
    return "\n".join(line for line in out) + "\n"


def _module_name(path: str, taken: set[str]) -> str:
    base = name = re.sub(r"_+", "_", python_name(path.replace("/", "_").lower()))
    n = 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    taken.add(name)
    return name


def write_stubs(ws: Workspace, out_dir: Path, paths: list[str] | None = None
                ) -> list[str]:
    """Write the stubs of the described connections (all, or those at/under
    ``paths``) into ``out_dir``; returns the connections written."""
    from .fileio import atomic_write_text
    from .managed import managed_api_for

    package = out_dir / "relaydesk"
    managed = package / "_managed"
    managed.mkdir(parents=True, exist_ok=True)
    modules: list[tuple[str, str]] = []
    taken: set[str] = set()
    for conn in ws.connections():
        if paths and not any(conn.path == p or conn.path.startswith(p.rstrip("/") + "/")
                             for p in paths):
            continue
        api = managed_api_for(ws, conn)
        if api is None:
            continue
        mod = _module_name(conn.path, taken)
        atomic_write_text(managed / f"{mod}.pyi",
                          stub_module(api, api.index.title or conn.path))
        modules.append((conn.path, mod))
    for stale in managed.glob("*.pyi"):
        if stale.stem not in taken and stale.stem != "__init__":
            stale.unlink()
    atomic_write_text(managed / "__init__.pyi", "")
    atomic_write_text(package / "__init__.pyi", _init_module(modules))
    _remember(ws, out_dir)
    return [p for p, _ in modules]


def _record_file(ws: Workspace) -> Path:
    from .local_state import LOCAL_DIR

    return ws.root / LOCAL_DIR / _RECORD


def _remembered(ws: Workspace) -> list[str]:
    try:
        value = json.loads(_record_file(ws).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _remember(ws: Workspace, out_dir: Path) -> None:
    from .fileio import atomic_write_text

    folders = _remembered(ws)
    where = str(out_dir.resolve())
    if where not in folders:
        atomic_write_text(_record_file(ws), json.dumps([*folders, where]))


def refresh_stubs(ws: Workspace) -> list[str]:
    """Rewrite the stubs everywhere they were written before (folders since removed
    are skipped); returns those folders."""
    done = []
    for folder in _remembered(ws):
        if (Path(folder) / "relaydesk" / "__init__.pyi").is_file():
            write_stubs(ws, Path(folder))
            done.append(folder)
    return done
