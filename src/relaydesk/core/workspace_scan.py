"""Reading a workspace folder into memory (the walk ``Workspace.reload`` does).

The walk reads the manifest, every ``connection.json`` and every environment, and
notes where the folders and request files are without reading them (``Workspace``
reads those on first use). A file that cannot be read becomes a ``LoadProblem``.

A shallow walk (``scan(root, deep=False)``) lists only the connections' own
directories and notes their folders in ``Scan.unlisted``; ``list_folder`` lists one
of those later, so opening a big workspace costs what its first screen shows.
Temporary files and import staging folders a killed writer left inside the tree are
collected for the sweep.

Symbolic links inside the tree are never followed (a link out of the workspace, to
``/`` or around a loop would make every command walk it, and a link within it would
show items twice under one id): each is skipped and noted once, as a ``LoadProblem``
with ``skipped`` set, and remembered by its workspace path so nothing is written
through it.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from operator import attrgetter
from pathlib import Path

from . import codec
from .errors import FileFormatError, ValidationError
from .local_state import is_leftover
from .model import Connection, Environment, Request

TYPE_CHECKING = False  # typing is not imported at run time (`relaydesk ls`)
if TYPE_CHECKING:
    from dataclasses import dataclass as _record
    from dataclasses import field
    from typing import Any
else:  # (without importing dataclasses: see _model_class)
    from ._model_class import field
    from ._model_class import model_class as _record

__all__ = [
    "CONNECTION_FILE",
    "FOLDER_FILE",
    "MANIFEST",
    "REQUEST_SUFFIX",
    "FolderMeta",
    "LoadProblem",
    "Scan",
    "guarded_load",
    "list_folder",
    "newer_message",
    "read_bytes",
    "read_folder_meta",
    "read_json",
    "scan",
]

MANIFEST = "relaydesk.json"
CONNECTION_FILE = "connection.json"
FOLDER_FILE = "folder.json"
REQUEST_SUFFIX = ".request.json"


class LoadProblem:
    """A file that could not be read (or a link not followed), and why. Immutable and
    hashable, as a frozen dataclass is (written out: see ``_model_class``)."""

    __slots__ = ("path", "reason", "skipped")
    path: Path
    reason: str
    skipped: bool  # a symbolic link that was not followed, not a broken file

    def __init__(self, path: Path, reason: str, skipped: bool = False) -> None:
        for name, value in (("path", path), ("reason", reason), ("skipped", skipped)):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def _key(self) -> tuple[Path, str, bool]:
        return self.path, self.reason, self.skipped

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (f"LoadProblem(path={self.path!r}, reason={self.reason!r}, "
                f"skipped={self.skipped!r})")

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@_record
class FolderMeta:
    """What ``folder.json`` says (a folder without one has no id and no order yet)."""

    id: str = ""
    order: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    broken: bool = False  # unreadable: never overwritten, its order is not kept


@_record
class Scan:
    """What a walk of the workspace folder found."""

    id: str = ""
    format: int = codec.FORMAT_VERSION  # above FORMAT_VERSION: written by a newer version
    problems: list[LoadProblem] = field(default_factory=list)
    # A connection, or the (base URL, id) of one whose file holds nothing else.
    connections: dict[str, Connection | tuple[str, str]] = field(default_factory=dict)
    conn_order: dict[str, list[str]] = field(default_factory=dict)
    # None: the file has not been read yet.
    folders: dict[str, FolderMeta | None] = field(default_factory=dict)
    # A request's parsed file or (a lazy view's) its id, once read: see workspace_view.
    requests: dict[str, Request | str | None] = field(default_factory=dict)
    environments: dict[str, Environment] = field(default_factory=dict)
    leftovers: list[Path] = field(default_factory=list)
    # Workspace path (a request's without its suffix) -> the link's target, as read.
    links: dict[str, str] = field(default_factory=dict)
    # Folders whose directories a shallow walk did not list (``list_folder``).
    unlisted: list[str] = field(default_factory=list)
    # ``{container: {child name: "folder" | "request"}}`` of the listed containers
    # holding any (``ordering.children_index`` of ``folders`` and ``requests``).
    kids: dict[str, dict[str, str]] = field(default_factory=dict)


def newer_message(version: int) -> str:
    return (f"written by a newer Relaydesk (format {version}; this one reads up to "
            f"{codec.FORMAT_VERSION}); upgrade Relaydesk to change it")


# Not blocking on a FIFO planted in the tree (it reads as empty: invalid JSON).
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)


def read_bytes(path: Path | str) -> bytes:
    """A whole file through the system calls alone: the file objects of ``open`` cost
    as much again as the calls when 50,000 small request files are read."""
    fd = os.open(path, _READ_FLAGS)
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
    finally:
        os.close(fd)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


_DECODER = json.JSONDecoder()
_JSON_SPACE = " \t\n\r"


def read_json(path: Path | str) -> Any:
    try:
        text = read_bytes(path).decode("utf-8")
    except OSError as exc:
        raise FileFormatError(str(path), f"cannot be read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise FileFormatError(str(path), "is not UTF-8 text") from None
    try:
        if text[:1] == "{":  # (as written): no wrapper of json.loads around the scan
            doc, end = _DECODER.raw_decode(text)
            if end == len(text) or not text[end:].strip(_JSON_SPACE):
                return doc
        return json.loads(text)  # anything else, and the exact error
    except json.JSONDecodeError as exc:
        raise FileFormatError(
            str(path), f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None


def guarded_load(problems: list[LoadProblem], file: Path | str,
                 apply: Callable[[Any], None]) -> bool:
    """Read ``file`` and hand its document to ``apply``; a failure becomes a problem."""
    try:
        apply(read_json(file))
    except FileFormatError as exc:
        problems.append(LoadProblem(Path(file), exc.reason))
    except ValidationError as exc:
        problems.append(LoadProblem(Path(file), str(exc)))
    else:
        return True
    return False


def read_folder_meta(file: Path | str, problems: list[LoadProblem]) -> FolderMeta:
    meta = FolderMeta()
    try:
        mode = os.lstat(file).st_mode
    except OSError:
        mode = 0  # none yet
    if stat.S_ISLNK(mode):  # noted by the scan; never read nor written through
        meta.broken = True
    elif stat.S_ISREG(mode):
        def apply(doc: Any) -> None:
            meta.id, meta.order, meta.extra = codec.folder_from_doc(doc)

        meta.broken = not guarded_load(problems, file, apply)
    return meta


def scan(root: Path, *, deep: bool = True) -> Scan:
    """The workspace at ``root``; ``deep=False`` lists no folder below a connection."""
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
    _Walk(found, deep).connections(os.path.join(root, "connections"), "")
    env_dir = root / "environments"
    if env_dir.is_dir():
        for f in sorted(env_dir.glob("*.json")):
            if f.is_symlink():
                found.problems.append(link_problem(f))
                continue

            def put(doc: Any, name: str = f.stem) -> None:
                found.environments[name] = codec.environment_from_doc(name, doc)

            guarded_load(found.problems, f, put)
    return found


def list_folder(root: Path, path: str) -> Scan:
    """What the directory of the folder at ``path`` holds (not what its folders hold:
    they are noted in ``unlisted``)."""
    found = Scan()
    _Walk(found, False).items(os.path.join(root, "connections", *path.split("/")), path)
    return found


def link_problem(file: Path) -> LoadProblem:
    try:
        target = os.readlink(file)
    except OSError:
        target = "?"
    return LoadProblem(file, f"is a symbolic link (to {target}); Relaydesk does not follow "
                       "links in a workspace, so it was skipped", skipped=True)


def _links_to_folder(entry: os.DirEntry[str]) -> bool:
    """Whether a link (or a loop of links: it may lead to one) stands where a folder
    would: broken and looping links are noted too."""
    try:
        return entry.is_dir() or not os.path.exists(entry.path)
    except OSError:  # ELOOP
        return True


def _entries(directory: str) -> list[os.DirEntry[str]]:
    """A directory's entries by name (a stable walk: problems and steps keep their order)."""
    with os.scandir(directory) as it:
        return sorted(it, key=_NAME)


_NAME = attrgetter("name")


class _Walk:
    def __init__(self, found: Scan, deep: bool) -> None:
        self.found = found
        self.deep = deep  # list the folders inside connections too

    def skip_link(self, file: Path, path: str) -> None:
        problem = link_problem(file)
        self.found.problems.append(problem)
        self.found.links[path] = problem.reason

    def connections(self, directory: str, prefix: str,
                    entries: list[os.DirEntry[str]] | None = None) -> None:
        # Strings and one scandir per directory, not pathlib and a stat per file: this
        # walk reads every connection before the first frame. A directory's listing
        # says whether it holds connection.json, and is its items' listing too.
        if entries is None:
            try:
                entries = _entries(directory)
            except (FileNotFoundError, NotADirectoryError):
                return
        found = self.found
        for entry in entries:
            name = entry.name
            if name[0] == ".":  # (a call to startswith costs as much as the rest)
                if is_leftover(name, True) and entry.is_dir(follow_symlinks=False):
                    found.leftovers.append(Path(entry.path))
                continue
            path = f"{prefix}/{name}" if prefix else name  # (normalised)
            if entry.is_symlink():
                if _links_to_folder(entry):  # one to a file is no connection
                    self.skip_link(Path(entry.path), path)
                continue
            if not entry.is_dir():
                continue
            try:
                inside = _entries(entry.path)
            except (FileNotFoundError, NotADirectoryError):  # gone since it was seen
                continue
            conn = None
            for conn in inside:
                if conn.name == CONNECTION_FILE:
                    break
            else:
                conn = None
            if conn is not None and conn.is_symlink():
                if os.path.isfile(conn.path):
                    self.skip_link(Path(conn.path), path)
                    continue
            elif conn is not None and conn.is_file(follow_symlinks=False):
                try:
                    doc = read_json(conn.path)
                    # Decoded when first asked for: opening reads every connection.
                    found.connections[path] = (codec.plain_connection_from_doc(doc)
                                               or codec.connection_from_doc(path, doc))
                    found.conn_order[path] = codec.order_from_doc(doc)
                except FileFormatError as exc:
                    found.problems.append(LoadProblem(Path(conn.path), exc.reason))
                except ValidationError as exc:
                    found.problems.append(LoadProblem(Path(conn.path), str(exc)))
                else:
                    self.items(entry.path, path, inside)
                continue
            self.connections(entry.path, path, inside)

    def items(self, directory: str, prefix: str,
              entries: list[os.DirEntry[str]] | None = None) -> None:
        # scandir, not iterdir + is_dir: this walk is most of what opening costs.
        if entries is None:
            try:
                entries = _entries(directory)
            except OSError:  # gone since it was seen (a shallow walk lists it later)
                if self.deep:
                    raise
                return
        found = self.found
        kids: dict[str, str] = {}
        for entry in entries:
            name = entry.name
            if name[0] == ".":
                if is_leftover(name, entry.is_dir(follow_symlinks=False)):
                    found.leftovers.append(Path(entry.path))
                continue
            if entry.is_symlink():
                # Only what would be an item is noted; other files are never read.
                if name.endswith(REQUEST_SUFFIX):
                    self.skip_link(Path(entry.path),
                                   f"{prefix}/{name[: -len(REQUEST_SUFFIX)]}")
                elif name == FOLDER_FILE:
                    found.problems.append(link_problem(Path(entry.path)))
                elif _links_to_folder(entry):
                    self.skip_link(Path(entry.path), f"{prefix}/{name}")
                continue
            if entry.is_dir():
                folder = f"{prefix}/{name}"
                found.folders[folder] = None
                kids[name] = "folder"
                if self.deep:
                    self.items(entry.path, folder)
                else:
                    found.unlisted.append(folder)
            elif name.endswith(REQUEST_SUFFIX):
                name = name[: -len(REQUEST_SUFFIX)]
                found.requests[f"{prefix}/{name}"] = None
                kids[name] = "request"
        if kids:
            found.kids[prefix] = kids
