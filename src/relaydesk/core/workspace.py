"""The workspace: a folder of plain JSON files that mirrors the connection tree.

    <root>/relaydesk.json                       format version and workspace id
    <root>/.gitignore                           keeps .relaydesk/ out of git
    <root>/.relaydesk/                          local state (see ``local_state``)
    <root>/environments/<name>.json
    <root>/connections/jira/cloud/connection.json
    <root>/connections/jira/cloud/issues/folder.json
    <root>/connections/jira/cloud/issues/Get issue.request.json

A directory holding ``connection.json`` is a connection; directories inside it are
folders; ``*.request.json`` files are requests. Connections do not nest. A file that
cannot be read is recorded in ``problems`` (path and reason) and the rest still loads.

Every connection, folder, request and environment has a stable id stored inside its
file; file names stay readable. Connections and folders store the order of their
children (see ``ordering``); queries return the tree depth-first in that order.

Reading (what is read when, the queries) is ``workspace_view.WorkspaceView``; this
module adds opening (migration, sweeping leftovers) and every change.

Writers serialise on a lock (``transaction``). A move is one rename of a file or
directory, so a crash leaves the item at its old or its new place, never neither.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path

from . import codec
from .errors import AlreadyExistsError, FileFormatError, NotFoundError, ValidationError
from .fileio import atomic_write_text
from .local_state import ensure_gitignore, lock_file, scratch_dir, sweep, temp_dir
from .locking import lock_for
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
from .ordering import arrange
from .workspace_scan import (
    CONNECTION_FILE,
    FOLDER_FILE,
    MANIFEST,
    REQUEST_SUFFIX,
    FolderMeta,
    LoadProblem,
    newer_message,
    read_json,
)
from .workspace_view import ItemKind, WorkspaceView, is_under, parent_of

TYPE_CHECKING = False  # typing is not imported at run time (`relaydesk ls`)
if TYPE_CHECKING:
    from typing import Any, TypeVar

    from _typeshed import DataclassInstance

    _T = TypeVar("_T", bound=DataclassInstance)

__all__ = [
    "CONNECTION_FILE",
    "ENV_WORKSPACE",
    "FOLDER_FILE",
    "MANIFEST",
    "REQUEST_SUFFIX",
    "LoadProblem",
    "Workspace",
    "default_workspace_dir",
    "resolve_workspace_dir",
]

ENV_WORKSPACE = "RELAYDESK_WORKSPACE"


# uuid and shutil load on first use: the app imports this module before its first
# frame, and only creating items or deleting a folder needs them.
def _new_id() -> str:
    import uuid

    return uuid.uuid4().hex


def replace(obj: _T, /, **changes: Any) -> _T:
    """``dataclasses.replace`` (imported when a change needs it: reading never does)."""
    from dataclasses import replace as replaced

    return replaced(obj, **changes)


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


class Workspace(WorkspaceView):
    """A workspace folder: the view of ``WorkspaceView`` plus every change, written to
    disk at once under the writers' lock."""

    def __init__(self, root: Path, *, lazy: bool = False) -> None:
        super().__init__(root, lazy=lazy)
        self._lock = lock_for(lock_file(self.root))
        self._depth = 0
        self._dirty = False
        self._seen_token: str | None = None

    # -- loading -----------------------------------------------------------------------

    @classmethod
    def open(cls, root: str | os.PathLike[str], *, create: bool = True,
             lazy: bool = False) -> Workspace:
        """Open (or create) the workspace at ``root``, migrating a format 1 one and
        sweeping what killed writers left behind.

        ``lazy`` (the app's choice): list the folders inside connections when first
        asked for, or in ``read_pending``'s steps (see ``workspace_view``)."""
        ws = cls(Path(root), lazy=lazy)
        manifest = ws.root / MANIFEST
        if not manifest.exists():
            if not create:
                raise NotFoundError(f"{ws.root} is not a Relaydesk workspace (no {MANIFEST}).")
            ws.root.mkdir(parents=True, exist_ok=True)
            with ws._lock:
                if not manifest.exists():
                    ensure_gitignore(ws.root)
                    ws._write_doc(manifest, {"format": codec.FORMAT_VERSION,
                                             "kind": "workspace", "id": str(_new_uuid())})
        with ws._lock:
            ws._upgrade()
            ws.reload()
            if ws._format <= codec.FORMAT_VERSION:
                sweep(ws.root, ws._leftovers)
            ws._leftovers = []
            ws._seen_token = ws._lock.token()
        return ws

    def _upgrade(self) -> None:
        try:
            manifest = read_json(self.root / MANIFEST)
        except FileFormatError:
            return  # reload reports it
        version = manifest.get("format", 1) if isinstance(manifest, dict) else None
        if isinstance(version, int) and version < codec.FORMAT_VERSION:
            from .migrate import migrate_v1

            try:
                migrate_v1(self.root, manifest)
            except OSError as exc:  # e.g. read-only: the v1 files still load
                self._migration_problem = LoadProblem(
                    self.root / MANIFEST, f"could not be migrated to format "
                    f"{codec.FORMAT_VERSION} ({exc.strerror or exc})")

    # -- the writers' lock -------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Workspace]:
        """Hold the workspace's writers' lock; re-entrant, and thread-safe.

        On the outermost entry the in-memory view is reloaded if another process (or
        another Workspace object) wrote since this one last looked, so a
        read-modify-write inside sees the latest files. Every change method uses it.
        """
        with self._lock:
            self._depth += 1
            try:
                if self._depth == 1:
                    token = self._lock.token()
                    if token != self._seen_token:
                        self.reload()
                        self._seen_token = token
                    self._list_all()  # a change may touch any part of the tree
                    if self._format > codec.FORMAT_VERSION:
                        raise ValidationError(
                            f"{self.root / MANIFEST} was {newer_message(self._format)}.")
                yield self
            finally:
                self._depth -= 1
                if self._depth == 0 and self._dirty:
                    self._dirty = False
                    seen = self._lock.token() == self._seen_token
                    token = self._lock.new_token()
                    # Someone else wrote meanwhile (a nested Workspace): reload next time.
                    self._seen_token = token if seen else None

    def change_tokens(self) -> tuple[str, str | None]:
        """The change token of the last writer, and the one this object last wrote or
        read: equal when nobody else wrote through a workspace since (the app tells
        files it saved itself from ones another process changed). Takes the lock: the
        token is read only while no writer is storing a new one."""
        with self._lock:
            return self._lock.token(), self._seen_token

    def _listed_all(self) -> None:
        """The leftovers a lazy view found after opening are swept once all is listed
        (only ones older versions left inside the tree: no writer makes them now)."""
        if self._leftovers and self._format <= codec.FORMAT_VERSION:
            with self._lock:
                for path in self._leftovers:
                    if path.is_dir() and not path.is_symlink():
                        _rmtree(path)
                    else:
                        with suppress(OSError):  # as the sweep on open: best effort
                            path.unlink()
        self._leftovers = []

    def mark_changed(self) -> None:
        """Say that files were written directly inside the current transaction (imports)."""
        self._dirty = True

    # -- queries -----------------------------------------------------------------------

    # -- ids ---------------------------------------------------------------------------

    def id_of(self, path: str) -> str:
        """The stable id of the connection, folder or request at ``path``.

        An item whose file has no id yet (written by hand or by an older version) is
        given one now. A folder whose ``folder.json`` is unreadable has none ("").
        """
        # A run asks this after every exchange, for a request already read and by its
        # normal path (the keys are): answered from memory.
        entry = self._requests.get(path)
        if (isinstance(entry, Request) and entry.id and path not in self._folders
                and path not in self._connections):
            return entry.id
        path = join_path(path)
        kind = self.kind_of(path)
        if kind is None:
            raise NotFoundError(f"Nothing at '{path}' in workspace {self.root}.")
        found = self._stored_id(kind, path)
        if found:
            return found
        with self.transaction():
            kind = self.kind_of(path)
            if kind == "connection":
                return self.save_connection(self._conn(path)).id
            if kind == "request":
                return self.save_request(self.request(path)).id
            if kind == "folder":
                meta = self._folder_meta(path)
                if not meta.id and not meta.broken:
                    meta.id = _new_id()
                    self._write_folder(path, meta)
                    self._id_cache = None
                return meta.id
            raise NotFoundError(f"Nothing at '{path}' in workspace {self.root}.")

    def legacy_secret_owners(self) -> dict[str, str]:
        """``{id: v1 path}`` of the items a format 1 migration gave ids to, until
        forgotten (v1 filed secrets by path; environments as ``environments/<name>``)."""
        from .migrate import read_legacy_owners

        return read_legacy_owners(self.root)

    def forget_legacy_secret_owners(self, ids: Iterable[str]) -> None:
        from .migrate import read_legacy_owners, write_legacy_owners

        with self.transaction():
            owners = read_legacy_owners(self.root)
            for item_id in ids:
                owners.pop(item_id, None)
            write_legacy_owners(self.root, owners)

    # -- order -------------------------------------------------------------------------

    def _set_order(self, container: str, names: list[str]) -> None:
        if container in self._connections:
            conn = self._conn(container)
            self._write_doc(self._connection_file(container), codec.connection_to_doc(conn, names))
            self._conn_order[container] = names
        elif container in self._folders:
            meta = self._folder_meta(container)
            if meta.broken:
                return  # an unreadable folder.json is left for its owner to fix
            meta.order = names
            meta.id = meta.id or _new_id()
            self._write_folder(container, meta)
        self._touch()

    def _place(self, path: str, index: int | None = None) -> None:
        """Put ``path`` at ``index`` among its siblings (None: last) and store the order."""
        container, _, name = path.rpartition("/")
        names = [n for n in arrange(self._stored_order(container),
                                    self._kids().get(container, {})) if n != name]
        names.insert(len(names) if index is None else max(0, min(index, len(names))), name)
        self._set_order(container, names)

    def _unplace(self, path: str) -> None:
        container, _, name = path.rpartition("/")
        if container in self._connections or container in self._folders:
            order = self._stored_order(container)
            if name in order:
                self._set_order(container, [n for n in order if n != name])

    def reorder(self, path: str, index: int) -> None:
        """Move the folder or request at ``path`` to position ``index`` among its siblings."""
        with self.transaction():
            path, kind = self._existing(path, "reorder")
            if kind == "connection":
                raise ValidationError("Connections are listed by name; only folders and "
                                      "requests have an order.")
            self._place(path, index)

    # -- files -------------------------------------------------------------------------

    def _write_doc(self, file: Path, doc: dict[str, Any]) -> None:
        atomic_write_text(file, codec.dumps(doc), temp_dir=temp_dir(self.root))
        self._dirty = True

    def _write_folder(self, path: str, meta: FolderMeta) -> None:
        self._write_doc(self._dir(path) / FOLDER_FILE,
                        codec.folder_to_doc(meta.id, meta.order, meta.extra))

    def _rename(self, src: Path, dst: Path) -> None:
        dst.parent.mkdir(parents=True, exist_ok=True)
        self._dirty = True
        os.rename(src, dst)

    # -- changes -----------------------------------------------------------------------

    def _existing(self, path: str, verb: str) -> tuple[str, ItemKind]:
        path = join_path(path)
        kind = self.kind_of(path)
        if kind is None:
            raise NotFoundError(f"Nothing at '{path}' to {verb}.")
        return path, kind

    def _check_free(self, path: str, *, allow: str | None = None) -> None:
        if self.kind_of(path) is not None and path != allow:
            raise AlreadyExistsError(f"'{path}' already exists in the workspace.")
        self._check_no_link(path)

    def _check_no_link(self, path: str) -> None:
        """Refuse to write at or through a symbolic link the scan skipped: it may lead
        out of the workspace."""
        if self.link_at(path) is not None:
            raise ValidationError(
                f"'{path}' is taken by a symbolic link in the workspace "
                f"({self._dir(path)}), which Relaydesk does not follow; remove or rename "
                "the link, or choose another name.")

    def _check_nesting(self, path: str, moving: str | None = None) -> None:
        for other in self._connections:
            if other not in (path, moving) and (
                    other.startswith(path + "/") or path.startswith(other + "/")):
                raise ValidationError(
                    f"'{path}' would nest inside connection '{other}' (or contain it); "
                    "connections cannot nest. Use a folder inside the connection instead."
                )

    def save_connection(self, conn: Connection, *, create: bool = False) -> Connection:
        """Write ``conn``. A new one gets a fresh id; an existing one keeps its stored id
        and the unknown keys of its file."""
        with self.transaction():
            conn = replace(conn, path=validate_path(conn.path, "connection path"))
            validate_connection(conn)
            path = conn.path
            if create:
                self._check_free(path)
                conn = replace(conn, id=_new_id())
            else:
                old = self._conn(path) if path in self._connections else None
                if old is None:
                    raise NotFoundError(self._unknown("connection", path))
                conn = replace(conn, id=old.id or _new_id(), extra={**old.extra, **conn.extra})
            self._check_nesting(path)
            if create and self._dir(path).exists() and any(self._dir(path).iterdir()):
                raise AlreadyExistsError(f"{self._dir(path)} already exists and is not empty.")
            self._write_doc(self._connection_file(path),
                            codec.connection_to_doc(conn, self._conn_order.get(path)))
            self._connections[path] = conn
            self._conn_order.setdefault(path, [])
            self._touch()
            return conn

    def save_request(self, req: Request, *, create: bool = False) -> Request:
        """Write ``req``. A new one gets a fresh id and goes last in its folder; an
        existing one keeps its stored id and the unknown keys of its file."""
        with self.transaction():
            req = replace(req, path=validate_path(req.path, "request path"))
            validate_request(req)
            conn = self.connection_of(req.path)
            if req.path == conn.path:
                raise ValidationError("A request needs a name inside its connection, e.g. "
                                      f"'{conn.path}/Get issue'.")
            if create:
                self._check_free(req.path)
                req = replace(req, id=_new_id())
            elif req.path not in self._requests:
                raise NotFoundError(self._unknown("request", req.path))
            else:
                old = self._read_request(req.path)  # None: its file is broken
                stored_id, extra = (old.id, old.extra) if old else ("", {})
                req = replace(req, id=stored_id or _new_id(), extra={**extra, **req.extra})
                if req.id != stored_id:
                    self._id_cache = None
            self._ensure_folders(req.path)
            self._write_doc(self._request_file(req.path), codec.request_to_doc(req))
            self._requests[req.path] = req
            if create:
                self._touch()
                self._place(req.path)
            return req

    def create_folder(self, path: str) -> str:
        with self.transaction():
            path = validate_path(path, "folder path")
            conn = self.connection_of(path)
            if path == conn.path:
                raise AlreadyExistsError(f"'{path}' is a connection.")
            self._check_free(path)
            self._ensure_folders(path + "/x")
            return path

    def _ensure_folders(self, item_path: str) -> None:
        """Create the folders ``item_path`` sits in, each last in its parent."""
        conn = self.connection_of(item_path)
        segs = split_path(item_path)[len(split_path(conn.path)):-1]
        current = conn.path
        for seg in segs:
            current = join_path(current, seg)
            if current in self._requests:
                raise ValidationError(f"'{current}' is a request, not a folder.")
            self._check_no_link(current)
            if current not in self._folders:
                # folder.json keeps empty folders alive in git, which drops empty directories.
                meta = FolderMeta(id=_new_id())
                self._write_folder(current, meta)
                self._folders[current] = meta
                self._touch()
                self._place(current)

    def save_environment(self, env: Environment) -> Environment:
        """Create or replace an environment; an existing one keeps its id."""
        with self.transaction():
            name = validate_path(env.name, "environment name")
            if "/" in name:
                raise ValidationError("An environment name cannot contain '/'.")
            old = self._environments.get(name)
            if old is None:
                env = replace(env, name=name, id=_new_id())
            else:
                env = replace(env, name=name, id=old.id or _new_id(),
                              extra={**old.extra, **env.extra})
            self._write_doc(self.root / "environments" / f"{name}.json",
                            codec.environment_to_doc(env))
            self._environments[name] = env
            return env

    def update_environment(self, name: str, *, set: Mapping[str, str] = {},
                           unset: Iterable[str] = (), create: bool = False) -> Environment:
        """Change some variables of an environment as one locked read-modify-write
        (``create``: make it when missing; else a missing one is a NotFoundError)."""
        with self.transaction():
            old = self._environments.get(name)
            if old is None and not create:
                self.environment(name)  # raises, naming the known ones
            variables = dict(old.variables) if old else {}
            variables.update(set)
            for key in unset:
                variables.pop(key, None)
            # A name given a plain value (or unset) is no longer a secret variable.
            secrets = [n for n in (old.secrets if old else []) if n not in set
                       and n not in unset]
            return self.save_environment(Environment(name, variables, secrets=secrets))

    def rename_environment(self, name: str, new_name: str) -> Environment:
        """Give an environment a new name; it keeps its id (and so its secrets)."""
        with self.transaction():
            env = self.environment(name)
            new_name = validate_path(new_name, "environment name")
            if "/" in new_name:
                raise ValidationError("An environment name cannot contain '/'.")
            if new_name == name:
                return env
            if new_name in self._environments:
                raise AlreadyExistsError(f"An environment named '{new_name}' already exists.")
            env = replace(env, name=new_name)
            self._write_doc(self.root / "environments" / f"{new_name}.json",
                            codec.environment_to_doc(env))
            (self.root / "environments" / f"{name}.json").unlink(missing_ok=True)
            del self._environments[name]
            self._environments[new_name] = env
            return env

    def delete_environment(self, name: str) -> None:
        with self.transaction():
            self.environment(name)
            (self.root / "environments" / f"{name}.json").unlink(missing_ok=True)
            self._dirty = True
            del self._environments[name]

    def delete(self, path: str) -> None:
        with self.transaction():
            path, kind = self._existing(path, "delete")
            if kind == "request":
                self._dirty = True
                self._request_file(path).unlink(missing_ok=True)
                del self._requests[path]
            else:
                # One rename takes the whole tree away at once; the trash is emptied
                # now, or swept on the next open if this process dies first.
                trash = scratch_dir(self.root, "trash") / _new_id()
                try:
                    self._rename(self._dir(path), trash)
                except OSError:
                    trash = self._dir(path)
                _rmtree(trash)
                if kind == "connection":
                    del self._connections[path]
                    self._conn_order.pop(path, None)
                self._forget_under(path)
            self._touch()
            if kind != "connection":
                self._unplace(path)

    def _forget_under(self, path: str) -> None:
        for f in [f for f in self._folders if is_under(f, path)]:
            del self._folders[f]
        for r in [r for r in self._requests if r.startswith(path + "/")]:
            del self._requests[r]
        for link in [k for k in self._links if k.startswith(path + "/")]:
            del self._links[link]  # the links went with the folder, not their targets

    def move(self, src: str, dst: str, *, index: int | None = None) -> str:
        """Rename or move a connection, folder or request; returns the new path.

        The item's file or directory is renamed once, after the destination's folders
        exist, so a crash leaves it whole at one place. ``index`` places it among its
        new siblings (None: where it was for a rename, else last).
        """
        with self.transaction():
            dst = validate_path(dst)
            src, kind = self._existing(src, "move")
            if src == dst:
                if index is not None and kind != "connection":
                    self._place(dst, index)
                return dst
            self._check_free(dst)
            if dst.startswith(src + "/"):
                raise ValidationError(f"Cannot move '{src}' into itself.")
            if kind == "request":
                self._move_request(src, dst)
            elif kind == "connection":
                self._move_connection(src, dst)
            else:
                self._move_folder(src, dst)
            if kind == "connection":
                self._rekey(src, dst)
                return dst
            # The order lists change after the rename: a stale one only misplaces.
            same_place = parent_of(src) == parent_of(dst)
            position = self._position(src) if same_place and index is None else index
            self._rekey(src, dst)
            if not same_place:
                self._unplace(src)
            self._place(dst, position)
            return dst

    def _position(self, path: str) -> int:
        container, _, name = path.rpartition("/")
        return arrange(self._stored_order(container), self._kids().get(container, {})).index(name)

    def _move_request(self, src: str, dst: str) -> None:
        conn = self.connection_of(dst)
        if dst == conn.path:
            raise ValidationError("A request needs a name inside its connection, e.g. "
                                  f"'{conn.path}/Get issue'.")
        self._ensure_folders(dst)
        self._rename(self._request_file(src), self._request_file(dst))

    def _check_movable(self, src: str) -> None:
        self.requests(src)  # reads them: a broken one is refused, not carried blindly
        for folder in self.folders(src):
            self._folder_meta(folder)
        src_dir = self._dir(src)
        if broken := [p for p in self._problems if p.path.is_relative_to(src_dir)]:
            raise ValidationError(f"Cannot move '{src}': {broken[0]}. Fix or delete that "
                                  "file first.")

    def _move_connection(self, src: str, dst: str) -> None:
        self._check_movable(src)
        self._check_nesting(dst, moving=src)
        target = self._dir(dst)
        if target.exists() and any(target.iterdir()):
            raise AlreadyExistsError(f"{target} already exists and is not empty.")
        if target.is_dir():
            target.rmdir()
        self._rename(self._dir(src), target)
        # Grouping directories left empty (`jira/` after moving `jira/cloud`) go too.
        parent = self._dir(src).parent
        while parent != self.root / "connections":
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent

    def _move_folder(self, src: str, dst: str) -> None:
        self._check_movable(src)
        if self.connection_of(dst).path == dst:
            raise ValidationError(f"'{dst}' is a connection.")
        self._ensure_folders(dst)
        self._rename(self._dir(src), self._dir(dst))

    def _rekey(self, src: str, dst: str) -> None:
        """Carry the in-memory items at and under ``src`` over to ``dst``."""
        def moved(path: str) -> str:
            return dst + path[len(src):] if is_under(path, src) else path

        self._connections = {moved(p): replace(self._conn(p), path=moved(p))
                             if is_under(p, src) else c for p, c in self._connections.items()}
        self._conn_order = {moved(p): o for p, o in self._conn_order.items()}
        self._folders = {moved(p): m for p, m in self._folders.items()}
        self._requests = {moved(p): replace(r, path=moved(p))
                          if isinstance(r, Request) and is_under(p, src) else r
                          for p, r in self._requests.items()}
        self._touch()


def _new_uuid() -> object:
    import uuid

    return uuid.uuid4()
