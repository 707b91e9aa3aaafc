"""Reading a workspace folder into memory (the walk ``Workspace.reload`` does).

The walk reads the manifest, every ``connection.json`` and every environment, and
notes where the folders and request files are without reading them (``Workspace``
reads those on first use). A file that cannot be read becomes a ``LoadProblem``.
Temporary files and import staging folders a killed writer left inside the tree are
collected for the sweep.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import codec
from .errors import FileFormatError, ValidationError
from .local_state import is_leftover
from .model import Connection, Environment, Request, join_path

__all__ = [
    "CONNECTION_FILE",
    "FOLDER_FILE",
    "MANIFEST",
    "REQUEST_SUFFIX",
    "FolderMeta",
    "LoadProblem",
    "Scan",
    "guarded_load",
    "newer_message",
    "read_folder_meta",
    "read_json",
    "scan",
]

MANIFEST = "relaydesk.json"
CONNECTION_FILE = "connection.json"
FOLDER_FILE = "folder.json"
REQUEST_SUFFIX = ".request.json"


@dataclass(frozen=True)
class LoadProblem:
    path: Path
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass
class FolderMeta:
    """What ``folder.json`` says (a folder without one has no id and no order yet)."""

    id: str = ""
    order: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    broken: bool = False  # unreadable: never overwritten, its order is not kept


@dataclass
class Scan:
    id: str = ""
    format: int = codec.FORMAT_VERSION  # above FORMAT_VERSION: written by a newer version
    problems: list[LoadProblem] = field(default_factory=list)
    connections: dict[str, Connection] = field(default_factory=dict)
    conn_order: dict[str, list[str]] = field(default_factory=dict)
    # None: the file has not been read yet.
    folders: dict[str, FolderMeta | None] = field(default_factory=dict)
    requests: dict[str, Request | None] = field(default_factory=dict)
    environments: dict[str, Environment] = field(default_factory=dict)
    leftovers: list[Path] = field(default_factory=list)


def newer_message(version: int) -> str:
    return (f"written by a newer Relaydesk (format {version}; this one reads up to "
            f"{codec.FORMAT_VERSION}); upgrade Relaydesk to change it")


def read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FileFormatError(str(path), f"cannot be read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise FileFormatError(str(path), "is not UTF-8 text") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileFormatError(
            str(path), f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None


def guarded_load(problems: list[LoadProblem], file: Path, apply: Callable[[Any], None]
                 ) -> bool:
    """Read ``file`` and hand its document to ``apply``; a failure becomes a problem."""
    try:
        apply(read_json(file))
    except FileFormatError as exc:
        problems.append(LoadProblem(file, exc.reason))
    except ValidationError as exc:
        problems.append(LoadProblem(file, str(exc)))
    else:
        return True
    return False


def read_folder_meta(file: Path, problems: list[LoadProblem]) -> FolderMeta:
    meta = FolderMeta()
    if file.is_file():
        def apply(doc: Any) -> None:
            meta.id, meta.order, meta.extra = codec.folder_from_doc(doc)

        meta.broken = not guarded_load(problems, file, apply)
    return meta


def scan(root: Path) -> Scan:
    found = Scan()
    manifest = root / MANIFEST
    try:
        doc = read_json(manifest)
        if not isinstance(doc, dict) or not isinstance(doc.get("id"), str):
            raise FileFormatError(str(manifest), "has no workspace \"id\"")
        found.id = doc["id"]
        version = doc.get("format")
        if isinstance(version, int) and version > codec.FORMAT_VERSION:
            found.format = version
            raise FileFormatError(str(manifest), newer_message(version))
    except FileFormatError as exc:
        found.problems.append(LoadProblem(Path(exc.path), exc.reason))
        found.id = found.id or str(root.resolve())
    _Walk(found).connections(root / "connections", "")
    env_dir = root / "environments"
    if env_dir.is_dir():
        for f in sorted(env_dir.glob("*.json")):
            def put(doc: Any, name: str = f.stem) -> None:
                found.environments[name] = codec.environment_from_doc(name, doc)

            guarded_load(found.problems, f, put)
    return found


class _Walk:
    def __init__(self, found: Scan) -> None:
        self.found = found

    def put_connection(self, path: str, doc: Any) -> None:
        self.found.connections[path] = codec.connection_from_doc(path, doc)
        self.found.conn_order[path] = codec.order_from_doc(doc)

    def connections(self, directory: Path, prefix: str) -> None:
        if not directory.is_dir():
            return
        for sub in sorted(p for p in directory.iterdir() if p.is_dir()):
            if sub.name.startswith("."):
                if is_leftover(sub.name, True):
                    self.found.leftovers.append(sub)
                continue
            path = join_path(prefix, sub.name)
            if (sub / CONNECTION_FILE).is_file():
                def put(doc: Any, path: str = path) -> None:
                    self.put_connection(path, doc)

                if guarded_load(self.found.problems, sub / CONNECTION_FILE, put):
                    self.items(sub, path)
            else:
                self.connections(sub, path)

    def items(self, directory: Path, prefix: str) -> None:
        # scandir, not iterdir + is_dir: this walk is most of what opening costs.
        with os.scandir(directory) as it:
            entries = sorted(it, key=lambda e: e.name)
        for entry in entries:
            if entry.name.startswith("."):
                if is_leftover(entry.name, entry.is_dir()):
                    self.found.leftovers.append(Path(entry.path))
                continue
            if entry.is_dir():
                folder = f"{prefix}/{entry.name}"
                self.found.folders[folder] = None
                self.items(Path(entry.path), folder)
            elif entry.name.endswith(REQUEST_SUFFIX):
                self.found.requests[f"{prefix}/{entry.name[: -len(REQUEST_SUFFIX)]}"] = None
