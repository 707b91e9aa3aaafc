"""Reading a workspace: the in-memory view of its items, their order and their ids.

``WorkspaceView`` holds what ``workspace_scan`` found and answers every question about
it; ``Workspace`` adds the changes. Opening reads the folder structure, the
connections and the environments; a request file is read the first time that request
is asked for (the app paints its tree, and ``relaydesk send`` runs one request,
without reading a thousand files), and a ``folder.json`` the first time its order or
id is needed. Until then a request counts as a request; once read and found broken it
is dropped and its problem kept. ``problems`` reads every pending file first, so it is
always complete.

Queries cost what they return, not the size of the workspace: a scan's items are
indexed by container as the walk finds them (``ordering.children_index`` after a
change), each container's children
are ordered once (stored order, then natural order) and kept until the tree's shape
changes, and a query under a path walks only that part of the tree.

A lazy view (the app's: ``lazy=True``) lists, when (re)loaded, only the connections'
own directories; a folder's directory is listed the first time something inside it
is asked for, and ``read_pending`` lists the rest in steps. Whatever needs the whole
workspace (``path_of_id``, ``request_paths``, ``problems``, a change…) lists what is
left first, so no caller sees a partial workspace. A lazy view also keeps only the id
of a request file read in those steps (a parsed request is ~1.3 KB; 50,000 add up):
the file is parsed again when the request itself is asked for.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Container, Iterator
from pathlib import Path

from . import codec
from .errors import NotFoundError
from .local_state import LOCAL_DIR
from .model import Connection, Environment, Request, join_path, split_path
from .ordering import arrange, by_level, children_index, tree_order
from .workspace_scan import (
    CONNECTION_FILE,
    FOLDER_FILE,
    REQUEST_SUFFIX,
    FolderMeta,
    LoadProblem,
    guarded_load,
    list_folder,
    read_folder_meta,
    scan,
)

__all__ = ["ItemKind", "WorkspaceView"]

TYPE_CHECKING = False  # typing is not imported at run time (`relaydesk ls`)
if TYPE_CHECKING:
    from typing import Literal

    ItemKind = Literal["connection", "folder", "request"]
else:
    ItemKind = str
# A request as held in memory: None until its file is read, its id (str) once a lazy
# view's stepped reading found the file good, the parsed request once asked for.
_Entry = Request | str | None
# Folders listed per ``read_pending`` step, per request file it would read (a listing
# of a hundred entries costs about as much as reading ten files).
_LIST_COST = 10


def parent_of(path: str) -> str:
    return path.rpartition("/")[0]


def is_under(path: str, top: str) -> bool:
    return path == top or path.startswith(top + "/")


class WorkspaceView:
    """What a workspace folder holds, as last read (``reload``) or changed by this object."""

    def __init__(self, root: Path, *, lazy: bool = False) -> None:
        self.root = Path(root)
        self._lazy = lazy
        self.id = ""
        self._format = codec.FORMAT_VERSION
        self._problems: list[LoadProblem] = []
        # A connection, or the (base URL, id) it is made from when first asked for
        # (``_conn``): most hold nothing else, and a tree shows only those.
        self._connections: dict[str, Connection | tuple[str, str]] = {}
        self._conn_order: dict[str, list[str]] = {}
        # None: the file has not been read yet (see the module docstring).
        self._folders: dict[str, FolderMeta | None] = {}
        self._requests: dict[str, _Entry] = {}
        self._environments: dict[str, Environment] = {}
        self._leftovers: list[Path] = []
        self._links: dict[str, str] = {}  # skipped symbolic links: path -> why
        self._migration_problem: LoadProblem | None = None
        # Derived from the above, rebuilt on demand after a change (see _touch).
        self._kids_cache: dict[str, dict[str, str]] | None = None
        self._order_cache: dict[str, list[tuple[ItemKind, str]]] = {}
        self._tree_cache: list[tuple[ItemKind, str]] | None = None
        self._conn_paths: list[str] | None = None  # in natural order
        self._id_cache: dict[str, str] | None = None
        # The stepped reader's queue of request paths and its position in it.
        self._unread: list[str] = []
        self._unread_at = 0
        # Folders (a lazy view's) whose directories are not listed yet, in listing order.
        self._unlisted: dict[str, None] = {}
        self._files = os.path.join(self.root, "connections")

    def reload(self) -> None:
        found = scan(self.root, deep=not self._lazy)
        self.id, self._format = found.id, found.format
        self._problems = [self._migration_problem] if self._migration_problem else []
        self._problems += found.problems
        self._connections, self._conn_order = found.connections, found.conn_order
        self._folders, self._requests = found.folders, found.requests
        self._environments, self._leftovers = found.environments, found.leftovers
        self._links = found.links
        self._unread, self._unread_at = list(self._requests), 0
        self._unlisted = dict.fromkeys(found.unlisted)
        self._touch()
        self._kids_cache = found.kids  # (what children_index would make of the above)

    # -- listing folders on demand (a lazy view) ------------------------------------------

    def unlisted_folders(self) -> Container[str]:
        """Folders (a lazy view's) not listed yet, as a tree finds them (a folder
        inside one of these is not listed either: ``is_listed`` tells)."""
        return self._unlisted

    def is_listed(self, container: str) -> bool:
        """Whether the directory of a connection or folder has been listed (always, but
        in a lazy view): until then, what it holds is unknown."""
        if not self._unlisted:
            return True
        if container in self._unlisted:  # a closed folder of the tree: asked per row
            return False
        path = join_path(container)
        while path:
            if path in self._unlisted:
                return False
            path = parent_of(path)
        return True

    def _list(self, folder: str) -> None:
        """List the directory of an unlisted folder (whose parent is listed)."""
        if folder not in self._unlisted:
            return
        del self._unlisted[folder]
        if folder in self._folders:
            found = list_folder(self.root, folder)
            self._problems += found.problems
            self._folders.update(found.folders)
            self._requests.update(found.requests)
            self._links.update(found.links)
            self._leftovers += found.leftovers
            self._unlisted.update(dict.fromkeys(found.unlisted))
            self._unread += found.requests
            if self._kids_cache is not None:
                for container, names in found.kids.items():
                    self._kids_cache.setdefault(container, {}).update(names)
            self._order_cache.pop(folder, None)
        if not self._unlisted:
            self._listed_all()

    def _listed_all(self) -> None:
        """Called once every folder of a lazy view is listed (``Workspace`` sweeps the
        leftovers found)."""

    def _list_to(self, path: str) -> None:
        """List the folders above ``path``, so whether it exists is known."""
        if not self._unlisted:
            return
        above = []
        parent = parent_of(path)
        while parent and parent not in self._connections:
            above.append(parent)
            parent = parent_of(parent)
        for folder in reversed(above):
            self._list(folder)

    def _list_under(self, top: str) -> None:
        """List every folder at or under ``top`` ('': the whole workspace)."""
        self._list_to(top)
        while todo := [f for f in self._unlisted if not top or is_under(f, top)]:
            for folder in todo:
                self._list(folder)

    def _list_all(self) -> None:
        if self._unlisted:
            self._list_under("")

    # -- reading files on first use ----------------------------------------------------

    def _parse(self, path: str) -> Request | None:
        """Read the request file at ``path``; a broken one leaves the view (its problem
        is recorded)."""
        # A string path: building a Path per file costs as much as reading it.
        file = f"{self._files}/{path}{REQUEST_SUFFIX}"
        parsed: list[Request] = []
        guarded_load(self._problems, file,
                     lambda doc: parsed.append(codec.request_from_doc(path, doc)))
        if not parsed:
            self._drop_broken(path)
            return None
        return parsed[0]

    def _read_request(self, path: str) -> Request | None:
        """The request at ``path``, reading its file on first use; None if it is broken."""
        req = self._requests.get(path)
        if isinstance(req, Request):
            return req
        if path not in self._requests:
            self._list_to(path)
            if path not in self._requests:
                return None
        found = self._parse(path)
        if found is not None:
            self._requests[path] = found
        return found

    def peek(self, path: str) -> Request | None:
        """The request at ``path`` (None if there is none or its file is broken), as
        ``request`` gives it, but a lazy view keeps only the id of a file read for this:
        a tree describing each row it shows would otherwise keep every request."""
        entry = self._requests.get(path)
        if isinstance(entry, Request) or not self._lazy:
            return entry if isinstance(entry, Request) else self._read_request(path)
        if entry is None:
            self._list_to(path)
            if path not in self._requests:
                return None
        found = self._parse(path)
        if found is not None and self._requests.get(path) is None:
            # (An id already kept stays: a new string each time a row is drawn would
            # scatter long-lived strings over memory freed rows leave behind.)
            self._requests[path] = found.id
        return found

    def _is_request(self, path: str) -> bool:
        """Whether ``path`` is a request whose file is good (read on first use)."""
        return self._requests.get(path) is not None or self._read_request(path) is not None

    def _drop_broken(self, path: str) -> None:
        """Forget a request whose file is broken, keeping the rest of the indexes."""
        self._requests.pop(path, None)
        container, _, name = path.rpartition("/")
        if self._kids_cache is not None:
            self._kids_cache.get(container, {}).pop(name, None)
        order = self._order_cache.get(container)
        if order is not None and ("request", path) in order:
            order.remove(("request", path))
        # The tree (walked as it is read) skips what left self._requests.

    def _folder_meta(self, path: str) -> FolderMeta:
        """The folder's ``folder.json``, reading it on first use."""
        meta = self._folders.get(path)
        if meta is None:
            # A string path, as for request files (listing reads every folder.json).
            meta = self._folders[path] = read_folder_meta(
                f"{self._files}/{path}/{FOLDER_FILE}", self._problems)
        return meta

    def pending_requests(self) -> int:
        """How many request files have not been read yet (plus, in a lazy view, the
        folders not listed yet: what they hold is not counted)."""
        return sum(1 for r in self._requests.values() if r is None) + len(self._unlisted)

    def read_pending(self, limit: int | None = None) -> int:
        """Read up to ``limit`` unread request files (all if None); returns how many are
        left (at most: files read meanwhile by other queries may still be counted), and
        0 only when every file has been read. In a lazy view a step lists the unlisted
        folders first (one per ``_LIST_COST`` files of ``limit``) and reads no file
        while any is left; a file read is kept as its id only.

        The app calls this in small steps after its first frame, so load problems are
        reported soon after start without delaying it. The steps walk a queue made when
        the workspace was read, so all of them together cost one pass.
        """
        if self._unlisted:
            if limit is None:
                self._list_all()
            else:
                for folder in list(itertools.islice(self._unlisted,
                                                    max(1, limit // _LIST_COST))):
                    self._list(folder)
                return len(self._unlisted) + len(self._unread) - self._unread_at
        requests, queue = self._requests, self._unread
        done = 0
        while (limit is None or done < limit) and self._unread_at < len(queue):
            path = queue[self._unread_at]
            self._unread_at += 1
            if path in requests and requests[path] is None:
                if self._lazy:
                    found = self._parse(path)
                    if found is not None:
                        requests[path] = found.id
                else:
                    self._read_request(path)
                done += 1
        while self._unread_at < len(queue):  # skip what other queries read meanwhile
            path = queue[self._unread_at]
            if path in requests and requests[path] is None:
                return len(queue) - self._unread_at
            self._unread_at += 1
        # The queue is done; requests moved since (new paths) still unread go in a new one.
        self._unread, self._unread_at = [p for p, r in requests.items() if r is None], 0
        if self._unread and limit is None:
            return self.read_pending()
        return len(self._unread)

    @property
    def problems(self) -> list[LoadProblem]:
        """Every file that could not be read (reads the pending files first)."""
        self.read_pending()  # lists every folder first
        for folder in list(self._folders):
            self._folder_meta(folder)
        return self._problems

    def connections(self) -> list[Connection]:
        return [self._conn(p) for p in self._sorted_connections()]

    def connection_urls(self) -> list[tuple[str, str]]:
        """``(path, base URL)`` of every connection, in the order of ``connections``,
        without making the connections (what a tree shows of them)."""
        conns = self._connections
        return [(p, c[0] if isinstance(c, tuple) else c.base_url)
                for p in self._sorted_connections() for c in (conns[p],)]

    def _conn(self, path: str) -> Connection:
        """The connection at ``path`` (a known one), made on first use."""
        conn = self._connections[path]
        if isinstance(conn, tuple):
            conn = self._connections[path] = Connection(path=path, base_url=conn[0],
                                                        id=conn[1])
        return conn

    def _sorted_connections(self) -> list[str]:
        if self._conn_paths is None:
            self._conn_paths = by_level(self._connections)
        return self._conn_paths

    def environments(self) -> list[Environment]:
        return [self._environments[n] for n in sorted(self._environments)]

    def requests(self, under: str = "") -> list[Request]:
        found = (self._read_request(p) for p in self.request_paths(under))
        return [r for r in found if r is not None]

    def request_paths(self, under: str = "") -> list[str]:
        """Paths of the requests at or under ``under`` in tree order, without reading
        their files."""
        requests = self._requests
        return [p for k, p in self._subtree(under) if k == "request" and p in requests]

    def items(self, under: str = "") -> list[tuple[ItemKind, str]]:
        """Folders and requests at or under ``under`` in tree order (the user's), without
        reading request files: what a lazily filled tree lists."""
        requests = self._requests
        return [(k, p) for k, p in self._subtree(under) if k == "folder" or p in requests]

    def folders(self, under: str = "") -> list[str]:
        prefix = join_path(under)
        return [p for k, p in self._subtree(prefix) if k == "folder" and p != prefix]

    def _subtree(self, under: str) -> list[tuple[ItemKind, str]]:
        """``(kind, path)`` of every item at or under ``under`` in tree order (requests
        found broken since the tree was built included: callers filter them)."""
        prefix = join_path(under)
        if not prefix:
            return self._tree()
        self._list_under(prefix)
        if prefix in self._folders or prefix in self._connections:
            below: list[tuple[ItemKind, str]] = tree_order([prefix], self._ordered, "folder")
            return [("folder", prefix), *below] if prefix in self._folders else below
        if prefix in self._requests:
            return [("request", prefix)]
        # A group of connections ('jira' for 'jira/cloud'), or nothing.
        roots = [c for c in self._sorted_connections() if is_under(c, prefix)]
        return tree_order(roots, self._ordered, "folder")

    def kind_of(self, path: str) -> ItemKind | None:
        path = join_path(path)
        if path in self._connections:
            return "connection"
        self._list_to(path)
        if path in self._folders:
            return "folder"
        if self._is_request(path):  # a broken file is no request
            return "request"
        return None

    def children(self, path: str) -> list[tuple[ItemKind, str]]:
        """Direct children of a connection or folder, in the user's order."""
        # A copy: reading a broken request drops it from the cached order meanwhile.
        return [(kind, p) for kind, p in list(self._ordered(join_path(path)))
                if kind == "folder" or self._is_request(p)]

    def connection(self, path: str) -> Connection:
        found = join_path(path)
        if found not in self._connections:
            raise NotFoundError(self._unknown("connection", path))
        return self._conn(found)

    def request(self, path: str) -> Request:
        # A path found as given is already in normal form (listing 50,000 asks this).
        req = self._requests.get(path)
        if not isinstance(req, Request):
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
            path = "/".join(segments[:i])
            if path in self._connections:
                return self._conn(path)
        raise NotFoundError(self._unknown("connection", path))

    # What a lazily filled tree asks (the app's tree lists a container when shown).

    def listing(self, container: str) -> list[tuple[ItemKind, str]]:
        """Direct children of a connection or folder in the user's order, without
        reading request files (``children`` reads them). Not kept: a tree holds its
        rows itself, and a tree opened all the way would double them."""
        if container not in self._connections and container not in self._folders:
            container = join_path(container)  # (the paths a tree asks for are normal)
        ordered = self._order_cache.get(container)
        if ordered is None:  # (arranged now: every request it names is known)
            return self._arrange(container)
        requests = self._requests
        return [(k, p) for k, p in ordered if k == "folder" or p in requests]

    def has_children(self, container: str) -> bool:
        """Whether a connection or folder holds anything (no file is read)."""
        container = join_path(container)
        if self._unlisted:
            self._list_to(container)
            self._list(container)
        return bool(self._kids().get(container))

    def read_pending_folders(self, limit: int) -> int:
        """Read up to ``limit`` unread ``folder.json`` files; returns how many are left.

        With ``read_pending``, lets the app read a workspace in steps before asking for
        ``problems`` (which reads whatever is left at once)."""
        pending = [f for f, meta in self._folders.items() if meta is None]
        for folder in pending[:limit]:
            self._folder_meta(folder)
        return max(0, len(pending) - limit)

    def item_paths(self) -> list[tuple[ItemKind, str]]:
        """Every folder and request, in no particular order (no file is read): what a
        filter searches."""
        self._list_all()
        # zip, not a comprehension: no Python code per item (50,000 at each filter).
        out: list[tuple[ItemKind, str]] = list(zip(itertools.repeat("folder"), self._folders))
        out += zip(itertools.repeat("request"), self._requests)
        return out

    def names_by_container(self) -> list[tuple[str, list[str]]]:
        """``(container, names of its folders and requests)`` for every connection and
        folder holding any, in no particular order (no file is read): what a filter
        searches, without a string made per item."""
        self._list_all()
        return [(c, list(names)) for c, names in self._kids().items() if names]

    def _unknown(self, what: str, path: str) -> str:
        self._list_all()
        msg = f"No {what} at '{path}' in workspace {self.root}."
        names = sorted(self._connections) if what == "connection" else sorted(self._requests)
        close = [n for n in names if n.startswith(split_path(path)[0] if path else "")][:5]
        if close:
            msg += f" Did you mean: {', '.join(close)}?"
        else:
            msg += " Run `relaydesk ls` to see what exists."
        return msg

    def problem_for(self, path: str) -> LoadProblem | None:
        """A load problem of the file behind a workspace path, if any (a symbolic link
        skipped there included)."""
        path = join_path(path)
        self._read_request(path)
        if path in self._folders:
            self._folder_meta(path)
        files = (self._connection_file(path), self._dir(path) / FOLDER_FILE,
                 self._request_file(path) if "/" in path else None, self._dir(path))
        return next((p for p in self._problems if p.path in files), None)

    def link_at(self, path: str) -> str | None:
        """Why nothing is listed at ``path`` when a symbolic link skipped by the scan is
        there (None if none): nothing is read or written through it."""
        path = join_path(path)
        self._list_to(path)
        return self._links.get(path)

    def _stored_id(self, kind: ItemKind, path: str) -> str:
        if kind == "connection":
            return self._conn(path).id
        if kind == "folder":
            return self._folder_meta(path).id
        entry = self._requests.get(path)
        if isinstance(entry, str):  # read in steps: its id was kept
            return entry
        req = self._read_request(path)
        return req.id if req is not None else ""

    def path_of_id(self, item_id: str) -> str | None:
        """The path of the connection, folder or request with this id (None if none).

        The first call reads every request and folder file."""
        if self._id_cache is None:
            self.read_pending()  # lists every folder first
            ids: dict[str, str] = {}
            for path in self._connections:
                ids[self._conn(path).id] = path
            for folder in list(self._folders):
                ids[self._folder_meta(folder).id] = folder
            for path, entry in self._requests.items():
                if entry is not None:
                    ids[entry if isinstance(entry, str) else entry.id] = path
            ids.pop("", None)
            self._id_cache = ids
        return self._id_cache.get(item_id)

    def _touch(self) -> None:
        """Forget what is derived from the tree's shape (after a change to it)."""
        self._kids_cache = self._tree_cache = self._id_cache = self._conn_paths = None
        self._order_cache = {}

    def _kids(self) -> dict[str, dict[str, str]]:
        if self._kids_cache is None:
            self._kids_cache = children_index(self._folders, self._requests)
        return self._kids_cache

    def _stored_order(self, container: str) -> list[str]:
        if container in self._connections:
            return self._conn_order.get(container, [])
        return self._folder_meta(container).order if container in self._folders else []

    def _ordered(self, container: str) -> list[tuple[ItemKind, str]]:
        """A container's children in display order, arranged once per shape (do not
        change the list returned)."""
        cached = self._order_cache.get(container)
        if cached is None:
            cached = self._order_cache[container] = self._arrange(container)
        return cached

    def _arrange(self, container: str) -> list[tuple[ItemKind, str]]:
        if self._unlisted and container not in self._connections:  # (always listed)
            self._list_to(container)
            self._list(container)
        present = self._kids().get(container)
        if not present:
            return []
        names = arrange(self._stored_order(container), present)
        # (kind, path) pairs made by map and zip: no Python code runs per child.
        kinds: Iterator[ItemKind] = map(present.__getitem__, names)  # type: ignore[arg-type]
        return list(zip(kinds, map(f"{container}/".__add__, names), strict=True))

    def _tree(self) -> list[tuple[ItemKind, str]]:
        self._list_all()
        if self._tree_cache is None:
            self._tree_cache = tree_order(self._sorted_connections(),
                                          self._ordered, "folder")
        return self._tree_cache

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

    def iter_files(self) -> Iterator[Path]:
        """Every file of the workspace (for secret scans and exports); the local state
        in ``.relaydesk/`` is not part of it."""
        for p in sorted(self.root.rglob("*")):  # rglob does not walk into linked folders
            if (p.is_file() and not p.is_symlink()
                    and p.relative_to(self.root).parts[0] != LOCAL_DIR):
                yield p
