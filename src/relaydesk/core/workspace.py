"""The workspace: a folder of plain JSON files that mirrors the connection tree.

    <root>/relaydesk.json                       format version and workspace id
    <root>/environments/<name>.json
    <root>/connections/jira/cloud/connection.json
    <root>/connections/jira/cloud/issues/folder.json
    <root>/connections/jira/cloud/issues/Get issue.request.json

A directory holding ``connection.json`` is a connection; directories inside it are
folders; ``*.request.json`` files are requests. Connections do not nest. A file that
cannot be read is recorded in ``problems`` (path and reason) and the rest still loads.

Opening reads the folder structure, the connections and the environments; a request
file is read the first time that request is asked for (the app paints its tree, and
``relaydesk send`` runs one request, without reading a thousand files). Until then it
counts as a request; once read and found broken it is dropped and its problem kept.
``problems`` reads every pending file first, so it is always complete.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from . import codec
from .errors import AlreadyExistsError, FileFormatError, NotFoundError, ValidationError
from .fileio import atomic_write_text
from .model import (
    Connection,
    Environment,
    Request,
    join_path,
    split_path,
    validate_connection,
    validate_path,
    validate_request,
)

__all__ = [
    "ENV_WORKSPACE",
    "LoadProblem",
    "Workspace",
    "default_workspace_dir",
    "resolve_workspace_dir",
]

ENV_WORKSPACE = "RELAYDESK_WORKSPACE"
MANIFEST = "relaydesk.json"
CONNECTION_FILE = "connection.json"
FOLDER_FILE = "folder.json"
REQUEST_SUFFIX = ".request.json"

ItemKind = Literal["connection", "folder", "request"]


@dataclass(frozen=True)
class LoadProblem:
    path: Path
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


# uuid and shutil load on first use: the app imports this module before its first
# frame, and only creating a workspace or deleting a folder needs them.
def _uuid4() -> object:
    import uuid

    return uuid.uuid4()


def _rmtree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def default_workspace_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path("relaydesk", appauthor=False) / "workspace"


def resolve_workspace_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get(ENV_WORKSPACE)
    if env:
        return Path(env).expanduser()
    return default_workspace_dir()


def _read_json(path: Path) -> Any:
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


class Workspace:
    """In-memory view of a workspace folder; every change is written to disk at once."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.id = ""
        self._problems: list[LoadProblem] = []
        self._connections: dict[str, Connection] = {}
        self._folders: set[str] = set()
        # None: the file has not been read yet (see the module docstring).
        self._requests: dict[str, Request | None] = {}
        self._environments: dict[str, Environment] = {}

    # -- loading -----------------------------------------------------------------------

    @classmethod
    def open(cls, root: str | os.PathLike[str], *, create: bool = True) -> Workspace:
        ws = cls(Path(root))
        manifest = ws.root / MANIFEST
        if not manifest.exists():
            if not create:
                raise NotFoundError(f"{ws.root} is not a Relaydesk workspace (no {MANIFEST}).")
            ws.root.mkdir(parents=True, exist_ok=True)
            atomic_write_text(
                manifest,
                codec.dumps({"format": codec.FORMAT_VERSION, "kind": "workspace",
                             "id": str(_uuid4())}),
            )
        ws.reload()
        return ws

    def reload(self) -> None:
        self._problems = []
        self._connections.clear()
        self._folders.clear()
        self._requests.clear()
        self._environments.clear()
        try:
            manifest = _read_json(self.root / MANIFEST)
            if not isinstance(manifest, dict) or not isinstance(manifest.get("id"), str):
                raise FileFormatError(str(self.root / MANIFEST), "has no workspace \"id\"")
            self.id = manifest["id"]
        except FileFormatError as exc:
            self._problems.append(LoadProblem(Path(exc.path), exc.reason))
            self.id = str(self.root.resolve())
        self._load_connections(self.root / "connections", "")
        env_dir = self.root / "environments"
        if env_dir.is_dir():
            for f in sorted(env_dir.glob("*.json")):
                self._load(f, lambda doc, f=f: self._environments.__setitem__(
                    f.stem, codec.environment_from_doc(f.stem, doc)))

    def _load(self, file: Path, apply: Any) -> None:
        try:
            apply(_read_json(file))
        except FileFormatError as exc:
            self._problems.append(LoadProblem(file, exc.reason))
        except ValidationError as exc:
            self._problems.append(LoadProblem(file, str(exc)))

    def _load_connections(self, directory: Path, prefix: str) -> None:
        if not directory.is_dir():
            return
        for sub in sorted(p for p in directory.iterdir() if p.is_dir()):
            if sub.name.startswith("."):
                continue
            path = join_path(prefix, sub.name)
            if (sub / CONNECTION_FILE).is_file():
                self._load(sub / CONNECTION_FILE, lambda doc, path=path: self._connections.
                           __setitem__(path, codec.connection_from_doc(path, doc)))
                if path in self._connections:
                    self._load_items(sub, path)
            else:
                self._load_connections(sub, path)

    def _load_items(self, directory: Path, prefix: str) -> None:
        # scandir, not iterdir + is_dir: this walk is most of what opening costs.
        with os.scandir(directory) as it:
            entries = sorted(it, key=lambda e: e.name)
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir():
                folder = f"{prefix}/{entry.name}"
                self._folders.add(folder)
                self._load_items(Path(entry.path), folder)
            elif entry.name.endswith(REQUEST_SUFFIX):
                self._requests[f"{prefix}/{entry.name[: -len(REQUEST_SUFFIX)]}"] = None

    def _read_request(self, path: str) -> Request | None:
        """The request at ``path``, reading its file on first use; None if it is broken."""
        req = self._requests.get(path)
        if req is None and path in self._requests:
            self._load(self._request_file(path), lambda doc: self._requests.__setitem__(
                path, codec.request_from_doc(path, doc)))
            req = self._requests[path]
            if req is None:  # broken: the problem is recorded, the request forgotten
                del self._requests[path]
        return req

    def pending_requests(self) -> int:
        """How many request files have not been read yet."""
        return sum(1 for r in self._requests.values() if r is None)

    def read_pending(self, limit: int | None = None) -> int:
        """Read up to ``limit`` unread request files (all if None); returns how many are left.

        The app calls this in small steps after its first frame, so load problems are
        reported soon after start without delaying it.
        """
        pending = [p for p, r in self._requests.items() if r is None]
        for path in pending[:limit]:
            self._read_request(path)
        return max(0, len(pending) - (limit if limit is not None else len(pending)))

    @property
    def problems(self) -> list[LoadProblem]:
        """Every file that could not be read (reads the pending request files first)."""
        self.read_pending()
        return self._problems

    # -- queries -----------------------------------------------------------------------

    def connections(self) -> list[Connection]:
        return [self._connections[p] for p in sorted(self._connections)]

    def environments(self) -> list[Environment]:
        return [self._environments[n] for n in sorted(self._environments)]

    def requests(self, under: str = "") -> list[Request]:
        found = (self._read_request(p) for p in self.request_paths(under))
        return [r for r in found if r is not None]

    def request_paths(self, under: str = "") -> list[str]:
        """Paths of the requests at or under ``under``, without reading their files."""
        prefix = join_path(under)
        return [p for p in sorted(self._requests)
                if not prefix or p == prefix or p.startswith(prefix + "/")]

    def folders(self, under: str = "") -> list[str]:
        prefix = join_path(under)
        return sorted(f for f in self._folders if not prefix or f.startswith(prefix + "/"))

    def kind_of(self, path: str) -> ItemKind | None:
        path = join_path(path)
        if path in self._connections:
            return "connection"
        if path in self._folders:
            return "folder"
        if self._read_request(path) is not None:  # a broken file is no request
            return "request"
        return None

    def children(self, path: str) -> list[tuple[ItemKind, str]]:
        """Direct children of a connection or folder: folders first, then requests."""
        path = join_path(path)
        depth = len(split_path(path)) + 1
        folders = [f for f in sorted(self._folders)
                   if f.startswith(path + "/") and len(split_path(f)) == depth]
        reqs = [r for r in sorted(self._requests) if r.startswith(path + "/")
                and len(split_path(r)) == depth and self._read_request(r) is not None]
        return [("folder", f) for f in folders] + [("request", r) for r in reqs]

    def connection(self, path: str) -> Connection:
        conn = self._connections.get(join_path(path))
        if conn is None:
            raise NotFoundError(self._unknown("connection", path))
        return conn

    def request(self, path: str) -> Request:
        req = self._read_request(join_path(path))
        if req is None:
            raise NotFoundError(self._unknown("request", path))
        return req

    def environment(self, name: str) -> Environment:
        env = self._environments.get(name)
        if env is None:
            known = ", ".join(sorted(self._environments)) or "none yet"
            raise NotFoundError(f"No environment named '{name}' (known: {known}).")
        return env

    def connection_of(self, path: str) -> Connection:
        """The connection that a request or folder path belongs to."""
        segments = split_path(path)
        for i in range(len(segments), 0, -1):
            conn = self._connections.get("/".join(segments[:i]))
            if conn is not None:
                return conn
        raise NotFoundError(self._unknown("connection", path))

    def _unknown(self, what: str, path: str) -> str:
        msg = f"No {what} at '{path}' in workspace {self.root}."
        names = sorted(self._connections) if what == "connection" else sorted(self._requests)
        close = [n for n in names if n.startswith(split_path(path)[0] if path else "")][:5]
        if close:
            msg += f" Did you mean: {', '.join(close)}?"
        else:
            msg += " Run `relaydesk ls` to see what exists."
        return msg

    def problem_for(self, path: str) -> LoadProblem | None:
        """A load problem of the file behind a workspace path, if any."""
        path = join_path(path)
        self._read_request(path)
        for problem in self._problems:
            if problem.path in (self._connection_file(path),
                                self._request_file(path) if "/" in path else None):
                return problem
        return None

    # -- files -------------------------------------------------------------------------

    def _dir(self, path: str) -> Path:
        return self.root.joinpath("connections", *split_path(path))

    def _connection_file(self, path: str) -> Path:
        return self._dir(path) / CONNECTION_FILE

    def _request_file(self, path: str) -> Path:
        segs = split_path(path)
        return self.root.joinpath("connections", *segs[:-1], segs[-1] + REQUEST_SUFFIX)

    def file_of(self, path: str) -> Path:
        kind = self.kind_of(path)
        if kind == "connection":
            return self._connection_file(path)
        if kind == "request":
            return self._request_file(path)
        return self._dir(path)

    # -- changes -----------------------------------------------------------------------

    def _check_free(self, path: str, *, allow: str | None = None) -> None:
        if self.kind_of(path) is not None and path != allow:
            raise AlreadyExistsError(f"'{path}' already exists in the workspace.")

    def save_connection(self, conn: Connection, *, create: bool = False) -> Connection:
        conn = replace(conn, path=validate_path(conn.path, "connection path"))
        validate_connection(conn)
        path = conn.path
        if create:
            self._check_free(path)
        elif path not in self._connections:
            raise NotFoundError(self._unknown("connection", path))
        for other in self._connections:
            if other != path and (other.startswith(path + "/") or path.startswith(other + "/")):
                raise ValidationError(
                    f"'{path}' would nest inside connection '{other}' (or contain it); "
                    "connections cannot nest. Use a folder inside the connection instead."
                )
        if create and self._dir(path).exists() and any(self._dir(path).iterdir()):
            raise AlreadyExistsError(f"{self._dir(path)} already exists and is not empty.")
        atomic_write_text(self._connection_file(path), codec.dumps(codec.connection_to_doc(conn)))
        self._connections[path] = conn
        return conn

    def save_request(self, req: Request, *, create: bool = False) -> Request:
        req = replace(req, path=validate_path(req.path, "request path"))
        validate_request(req)
        conn = self.connection_of(req.path)
        if req.path == conn.path:
            raise ValidationError("A request needs a name inside its connection, e.g. "
                                  f"'{conn.path}/Get issue'.")
        if create:
            self._check_free(req.path)
        elif req.path not in self._requests:
            raise NotFoundError(self._unknown("request", req.path))
        self._ensure_folders(req.path)
        atomic_write_text(self._request_file(req.path), codec.dumps(codec.request_to_doc(req)))
        self._requests[req.path] = req
        return req

    def create_folder(self, path: str) -> str:
        path = validate_path(path, "folder path")
        conn = self.connection_of(path)
        if path == conn.path:
            raise AlreadyExistsError(f"'{path}' is a connection.")
        self._check_free(path)
        self._ensure_folders(path + "/x")
        return path

    def _ensure_folders(self, item_path: str) -> None:
        conn = self.connection_of(item_path)
        segs = split_path(item_path)[len(split_path(conn.path)):-1]
        current = conn.path
        for seg in segs:
            current = join_path(current, seg)
            if current in self._requests:
                raise ValidationError(f"'{current}' is a request, not a folder.")
            if current not in self._folders:
                # folder.json keeps empty folders alive in git, which drops empty directories.
                atomic_write_text(self._dir(current) / FOLDER_FILE,
                                  codec.dumps({"format": codec.FORMAT_VERSION, "kind": "folder"}))
                self._folders.add(current)

    def save_environment(self, env: Environment) -> Environment:
        name = validate_path(env.name, "environment name")
        if "/" in name:
            raise ValidationError("An environment name cannot contain '/'.")
        env = replace(env, name=name)
        atomic_write_text(self.root / "environments" / f"{name}.json",
                          codec.dumps(codec.environment_to_doc(env)))
        self._environments[name] = env
        return env

    def delete_environment(self, name: str) -> None:
        self.environment(name)
        (self.root / "environments" / f"{name}.json").unlink(missing_ok=True)
        del self._environments[name]

    def delete(self, path: str) -> None:
        path = join_path(path)
        kind = self.kind_of(path)
        if kind is None:
            raise NotFoundError(f"Nothing at '{path}' to delete.")
        if kind == "request":
            self._request_file(path).unlink(missing_ok=True)
            del self._requests[path]
            return
        _rmtree(self._dir(path))
        if kind == "connection":
            del self._connections[path]
        self._forget_under(path)

    def _forget_under(self, path: str) -> None:
        self._folders = {f for f in self._folders if f != path and not f.startswith(path + "/")}
        for r in [r for r in self._requests if r.startswith(path + "/")]:
            del self._requests[r]

    def move(self, src: str, dst: str) -> str:
        """Rename or move a connection, folder or request; returns the new path."""
        src, dst = join_path(src), validate_path(dst)
        kind = self.kind_of(src)
        if kind is None:
            raise NotFoundError(f"Nothing at '{src}' to move.")
        if src == dst:
            return dst
        self._check_free(dst)
        if dst.startswith(src + "/"):
            raise ValidationError(f"Cannot move '{src}' into itself.")
        if kind == "request":
            req = self.request(src)
            self.save_request(replace(req, path=dst), create=True)
            self._request_file(src).unlink(missing_ok=True)
            del self._requests[src]
            return dst
        moving = self.requests(src)  # read first: the old folder is deleted at the end
        src_dir = self._dir(src)
        if broken := [p for p in self._problems if p.path.is_relative_to(src_dir)]:
            raise ValidationError(f"Cannot move '{src}': {broken[0]}. Fix or delete that "
                                  "file first.")
        if kind == "connection":
            self.save_connection(replace(self._connections[src], path=dst), create=True)
            (self._connection_file(src)).unlink()
            del self._connections[src]
        else:
            if self.connection_of(dst).path == dst:
                raise ValidationError(f"'{dst}' is a connection.")
            self.create_folder(dst)
        folders = [f for f in sorted(self._folders) if f.startswith(src + "/")]
        for folder in folders:
            self._ensure_folders(dst + folder[len(src):] + "/x")
        for req in moving:
            self.save_request(replace(req, path=dst + req.path[len(src):]), create=True)
        _rmtree(self._dir(src))
        self._forget_under(src)
        return dst

    def iter_files(self) -> Iterator[Path]:
        """Every file of the workspace (for secret scans and exports)."""
        for p in sorted(self.root.rglob("*")):
            if p.is_file():
                yield p
