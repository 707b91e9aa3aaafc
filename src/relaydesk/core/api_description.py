"""A connection's API description: stored beside it, compared on re-fetch, indexed.

    <root>/connections/jira/cloud/connection.json
    <root>/connections/jira/cloud/openapi.json      the description (OpenAPI or Swagger)

The description is a plain JSON file in the connection's folder, so it moves, diffs
and is committed with the connection and works offline (the workspace walk only
reads ``connection.json``, ``folder.json`` and ``*.request.json``; other files are left
alone). YAML sources are stored as JSON. Its compiled index (``api_index``) is kept in
the machine-local ``.relaydesk/managed/`` and rebuilt whenever the file changes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .api_index import (
    CompiledDescription,
    OperationIndex,
    compile_description,
    refs_in,
    write_index,
)
from .errors import FileFormatError, RelaydeskError, ValidationError
from .importers.budget import MAX_IMPORT_BYTES, MAX_ITEM_BYTES, dumps_within
from .local_state import LOCAL_DIR

if TYPE_CHECKING:
    from .model import Connection
    from .session import Session
    from .workspace import Workspace

__all__ = [
    "DESCRIPTION_FILE",
    "MAX_FETCH_BYTES",
    "SOURCE_KEY",
    "DescriptionChange",
    "attach_description",
    "copy_description",
    "description_path",
    "fetch_description",
    "keep_description",
    "keep_imported_description",
    "open_index",
    "parse_description",
    "read_source_text",
]

DESCRIPTION_FILE = "openapi.json"
SOURCE_KEY = "descriptionSource"  # in connection.json: the URL `describe --refresh` uses
MAX_FETCH_BYTES = 50 * 1024 * 1024


def description_path(ws: Workspace, conn_path: str) -> Path:
    """Where the description of the connection at ``conn_path`` lives."""
    return ws.file_of(ws.connection(conn_path).path).parent / DESCRIPTION_FILE


def parse_description(text: str, source: str) -> dict[str, Any]:
    """The document in ``text``, refused in one line unless it is OpenAPI 3 / Swagger 2."""
    from .importers.loader import load_json_or_yaml

    doc: Any = load_json_or_yaml(text.removeprefix("\ufeff"), source)
    version = doc.get("openapi", doc.get("swagger")) if isinstance(doc, dict) else None
    if not isinstance(version, str | int | float) or not str(version).startswith(("2", "3")):
        raise FileFormatError(source, "is not an OpenAPI 3.x or Swagger 2.0 document (no "
                                      "\"openapi\" or \"swagger\" version)")
    if not isinstance(doc.get("paths", {}), dict):
        raise FileFormatError(source, "has \"paths\" that is not an object")
    return dict(doc)


@dataclass
class DescriptionChange:
    """What a newly attached description changed, operation by operation."""

    operations: int = 0
    first: bool = True
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        if self.first:
            return [f"{self.operations} operation(s)."]
        if not (self.added or self.removed or self.changed):
            return [f"No operations changed ({self.operations} operation(s))."]
        out = [f"{len(self.added)} added, {len(self.removed)} removed, {len(self.changed)} "
               f"changed ({self.operations} operation(s) now):"]
        out += [f"+ {x}" for x in self.added]
        out += [f"- {x}" for x in self.removed]
        out += [f"~ {x}" for x in self.changed]
        return out


def _label(group: str, name: str, op: dict[str, Any]) -> str:
    return f"{op['method']} {op['path']} ({group}.{name})"


def _diff(old: CompiledDescription | None, new: CompiledDescription) -> DescriptionChange:
    change = DescriptionChange(operations=len(new.operations), first=old is None)
    if old is None:
        return change
    before = {(op["method"], op["path"]): (g, n, op) for g, n, op in old.operations}
    after = {(op["method"], op["path"]): (g, n, op) for g, n, op in new.operations}
    for key, (g, n, op) in after.items():
        if key not in before:
            change.added.append(_label(g, n, op))
        else:
            og, on, oop = before[key]
            # Changed: its name, parameters, body or any schema it refers to.
            if (og, on) != (g, n) or _fingerprint(oop, old) != _fingerprint(op, new):
                change.changed.append(_label(g, n, op))
    change.removed = [_label(g, n, op) for key, (g, n, op) in before.items()
                      if key not in after]
    return change


def _fingerprint(op: dict[str, Any], compiled: CompiledDescription) -> str:
    seen: dict[str, Any] = {}
    pending = list(refs_in(op))
    while pending:
        ref = pending.pop()
        if ref not in seen:
            seen[ref] = compiled.refs.get(ref)
            pending.extend(refs_in(seen[ref]))
    # Bounded: an operation whose examples share one YAML alias a million times costs
    # the budget, not its expanded size; past it, its size class stands in.
    encoder = json.JSONEncoder(sort_keys=True, default=str)
    chunks, size = [], 0
    for chunk in encoder.iterencode([op, sorted(seen.items())]):
        size += len(chunk)
        if size > MAX_ITEM_BYTES:
            return f"over {MAX_ITEM_BYTES} bytes"
        chunks.append(chunk)
    return "".join(chunks)


def _cache_files(ws_root: Path, conn: Connection) -> tuple[Path, Path]:
    key = conn.id or hashlib.sha256(conn.path.encode()).hexdigest()[:16]
    folder = ws_root / LOCAL_DIR / "managed"
    return folder / f"{key}.index.json", folder / f"{key}.data"


def _stamp(file: Path) -> list[int]:
    st = file.stat()
    return [st.st_size, st.st_mtime_ns]


def attach_description(ws: Workspace, conn_path: str, text: str, source: str
                       ) -> DescriptionChange:
    """Store ``text`` as the description of a connection; say what it changed."""
    doc = parse_description(text, source)
    compiled = compile_description(doc)
    target = description_path(ws, conn_path)
    old: CompiledDescription | None = None
    if target.is_file():
        try:
            old = compile_description(parse_description(
                target.read_text(encoding="utf-8"), str(target)))
        except (RelaydeskError, OSError, UnicodeDecodeError):
            old = None  # an unreadable old file: everything counts as new
    from .fileio import atomic_write_text
    from .local_state import temp_dir

    text_out = dumps_within(doc, MAX_IMPORT_BYTES, indent=1)
    if text_out is None:  # YAML aliases expand it past any sane size
        raise ValidationError(
            f"The API description from {source} expands to more than "
            f"{MAX_IMPORT_BYTES // (1024 * 1024)} MB (shared YAML parts repeated); it was "
            "not kept.")
    with ws.transaction():
        atomic_write_text(target, text_out + "\n", temp_dir=temp_dir(ws.root))
    conn = ws.connection(conn_path)
    write_index(compiled, *_cache_files(ws.root, conn), _stamp(target))
    return _diff(old, compiled)


def copy_description(ws: Workspace, src: str, dst: str) -> None:
    """Give the connection at ``dst`` the description of the one at ``src`` (if any)."""
    source = description_path(ws, src)
    if source.is_file():
        from .fileio import atomic_write_bytes
        from .local_state import temp_dir

        atomic_write_bytes(description_path(ws, dst), source.read_bytes(),
                           temp_dir=temp_dir(ws.root))


def keep_description(ws: Workspace, conn_path: str, text: str, source: str,
                     origin: str = "") -> list[str]:
    """Attach a description (``origin``: the URL it came from, kept for a refresh) and
    rewrite the type stubs written before; returns the lines saying what changed."""
    from dataclasses import replace

    from .api_stubs import refresh_stubs

    change = attach_description(ws, conn_path, text, source)
    conn = ws.connection(conn_path)
    if conn.extra.get(SOURCE_KEY, "") != origin:
        extra = {k: v for k, v in conn.extra.items() if k != SOURCE_KEY}
        ws.save_connection(replace(conn, extra={**extra, SOURCE_KEY: origin} if origin
                                   else extra))
    return change.lines() + [f"Type stubs refreshed in {d}." for d in refresh_stubs(ws)]


def keep_imported_description(ws: Workspace, conn_path: str, text: str,
                              source: str) -> list[str]:
    """After an OpenAPI import: keep its description (the connection's managed API),
    or say why not; the import itself stands either way."""
    try:
        keep_description(ws, conn_path, text, source)
    except RelaydeskError as exc:
        return [f"The connection's API description was not kept: {exc}"]
    return [f"The description is kept beside '{conn_path}': relaydesk.connect("
            f"'{conn_path}') has its operations (`relaydesk describe` lists them)."]


def open_index(ws_root: Path, conn: Connection, conn_dir: Path) -> OperationIndex | None:
    """The operations of a connection's description (None without one), from the
    stored index, rebuilt first when the description file changed."""
    target = conn_dir / DESCRIPTION_FILE
    try:
        stamp = _stamp(target)
    except OSError:
        return None
    index_file, data_file = _cache_files(ws_root, conn)
    found = OperationIndex.load(index_file, data_file, stamp)
    if found is None:
        try:
            text = target.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise FileFormatError(str(target), f"cannot be read ({exc})") from None
        write_index(compile_description(parse_description(text, str(target))),
                    index_file, data_file, stamp)
        found = OperationIndex.load(index_file, data_file, stamp)
    if found is None:
        raise FileFormatError(str(index_file), "could not be written")
    return found


def read_source_text(source: str, session: Session, conn_path: str) -> str:
    """A description from a file, or from an http(s) URL fetched with the connection's
    TLS and proxy settings (its credentials only for its own origin)."""
    if source.startswith(("http://", "https://")):
        return fetch_description(source, session, conn_path)
    try:
        return Path(source).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValidationError(f"No file '{source}'.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FileFormatError(source, f"cannot be read ({exc})") from None


def _fetch_settings(session: Session, conn_path: str
                    ) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """httpx settings to fetch with: the connection's TLS, proxy and timeout, and its
    credentials for its own origin when they can be had (a public description needs
    none, so a missing secret or keyring is no reason to refuse)."""
    from .client_auth import hooks_with
    from .client_settings import transport_settings
    from .errors import AuthError, SecretStoreError

    try:
        config = session.client_config(conn_path)
    except (AuthError, SecretStoreError):
        conn = session.workspace.connection(conn_path)
        # A sync client: a PAC file's choice for the connection's server, not its transport.
        return {**transport_settings(conn, session.secrets, for_url=conn.base_url),
                "timeout": conn.timeout,
                "follow_redirects": True}, {}
    kwargs = config.kwargs()
    del kwargs["base_url"], kwargs["headers"]  # custom headers stay on API calls
    return kwargs, hooks_with(None, config.auth.strip_foreign)


def fetch_description(url: str, session: Session, conn_path: str, *,
                      limit: int = MAX_FETCH_BYTES) -> str:
    import httpx

    from .messages import status_error, to_request_error

    kwargs, hooks = _fetch_settings(session, conn_path)
    try:
        with httpx.Client(event_hooks=hooks, **kwargs) as client, client.stream(
                "GET", url, headers={"Accept": "application/json, application/yaml;q=0.9, "
                                               "*/*;q=0.5"}) as response:
            if response.status_code >= 400:
                response.read()
                raise status_error(response.status_code, response.headers,
                                   response.content, str(response.url))
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise ValidationError(f"The description at {url} is larger than "
                                      f"{limit // (1024 * 1024)} MB; refused.")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > limit:
                    raise ValidationError(f"The description at {url} is larger than "
                                          f"{limit // (1024 * 1024)} MB; refused.")
                chunks.append(chunk)
    except httpx.HTTPError as exc:
        raise to_request_error(exc) from None
    try:
        return b"".join(chunks).decode("utf-8")
    except UnicodeDecodeError:
        raise FileFormatError(url, "is not UTF-8 text") from None
