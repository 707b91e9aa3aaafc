"""The connection tree as a Qt item model over the workspace.

Connection paths are split into grouping nodes (``jira`` › ``cloud``); inside a
connection come its folders, then its requests. The model is rebuilt from the
in-memory workspace after each change (cheap: no disk access), and the tree panel
restores expansion and selection, so there is only one code path to keep right.

The rows are ``QStandardItem``s, so Qt answers for structure and item flags in C++;
Python answers ``data`` from its own nodes. A Python ``flags()`` would be called
while the first frame is painted and has to return a ``Qt.ItemFlag``, and making that
one enum makes PySide create every enum of Qt's namespace (about 13 ms). So items
keep Qt's default flags, and the model itself refuses what a group cannot do (be
dragged or renamed). For the same reason roles are compared as plain ints here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6 import QtCore
from PySide6.QtCore import (
    QByteArray,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    QTimer,
    Signal,
)
from PySide6.QtGui import QStandardItem, QStandardItemModel

from relaydesk.core.errors import RelaydeskError
from relaydesk.core.model import join_path, split_path

from .service import Service

if TYPE_CHECKING:
    from PySide6.QtCore import Qt

__all__ = [
    "MIME_PATHS",
    "ROLE_KIND",
    "ROLE_METHOD",
    "ROLE_PATH",
    "TreeFilterProxy",
    "WorkspaceTreeModel",
]

# Qt.ItemDataRole values (stable in Qt's API), as ints: see the module docstring.
DISPLAY_ROLE, DECORATION_ROLE, EDIT_ROLE, TOOLTIP_ROLE, USER_ROLE = 0, 1, 2, 3, 0x100
ROLE_PATH = USER_ROLE + 1
ROLE_KIND = USER_ROLE + 2
ROLE_METHOD = USER_ROLE + 3
MIME_PATHS = "application/x-relaydesk-paths"

AnyIndex = QModelIndex | QPersistentModelIndex


class _Node:
    __slots__ = ("children", "item", "kind", "method", "name", "parent", "path", "tip")

    def __init__(self, kind: str, path: str, name: str, parent: _Node | None) -> None:
        self.kind = kind  # root | group | connection | folder | request
        self.path = path
        self.name = name
        self.parent = parent
        self.method = ""
        # A request's method and tip come from its file, read when the row is first
        # shown (None until then): the tree paints without reading every request.
        self.tip: str | None = None if kind == "request" else ""
        self.children: list[_Node] = []
        self.item: QStandardItem | None = None  # made here, so PySide tracks its life


_ORDER = {"group": 0, "connection": 0, "folder": 0, "request": 1}


class WorkspaceTreeModel(QStandardItemModel):
    """Connections, folders and requests; drag and drop moves items on disk."""

    moved = Signal(str, str)  # old path, new path
    failed = Signal(str)  # a user message (e.g. a refused move)

    def __init__(self, service: Service, parent: object | None = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self._service = service
        self._root = _Node("root", "", "", None)
        self._by_path: dict[str, _Node] = {}
        self._by_item: dict[int, _Node] = {}  # id of a row's item -> its node
        # A request row's icon, from its method (the tree panel draws method badges).
        self.request_icon: Callable[[str], object] | None = None
        self._reload_pending = False
        self._build()

    # -- building ----------------------------------------------------------------------

    def reload(self) -> None:
        self._reload_pending = False
        self.beginResetModel()
        # The rows are replaced inside one reset: views see the reset, not every row.
        self.blockSignals(True)
        try:
            self._build()
        finally:
            self.blockSignals(False)
        self.endResetModel()

    def _build(self) -> None:
        ws = self._service.workspace
        root = _Node("root", "", "", None)
        by_path: dict[str, _Node] = {"": root}

        def ensure(path: str, kind: str) -> _Node:  # workspace paths are normalised
            node = by_path.get(path)
            if node is None:
                parent_path, _, name = path.rpartition("/")
                parent = ensure(parent_path, "group")
                node = _Node(kind, path, name, parent)
                parent.children.append(node)
                by_path[path] = node
            return node

        for conn in ws.connections():
            ensure(conn.path, "connection").tip = conn.base_url
        for folder in ws.folders():
            ensure(folder, "folder")
        for path in ws.request_paths():
            ensure(path, "request")

        # Items are made parent first and filled before they join the model, so
        # building costs two calls into Qt per row and no signals.
        by_item: dict[int, _Node] = {}

        def make_items(node: _Node) -> list[QStandardItem]:
            node.children.sort(key=lambda n: (_ORDER[n.kind], n.name.casefold()))
            items = []
            for child in node.children:
                child.item = item = QStandardItem()
                by_item[id(item)] = child
                if child.children:
                    item.appendRows(make_items(child))
                items.append(item)
            return items

        top = make_items(root)
        # Only a local name for the root item: it is made by Qt, so PySide is not told
        # when it is freed, and a wrapper kept past the model's life would be handed
        # out again for whatever Qt later puts at the same address.
        root_item = self.invisibleRootItem()
        root_item.removeRows(0, root_item.rowCount())
        if top:
            root_item.appendRows(top)
        del root_item
        self._root, self._by_path, self._by_item = root, by_path, by_item

    def _describe(self, node: _Node) -> None:
        """Fill a request row's method and tip from its file (read on first use).

        A file found broken here (while its row is drawn) leaves the tree on the next
        event-loop turn: the model cannot change while the view paints it.
        """
        try:
            req = self._service.request(node.path)
        except RelaydeskError:
            problem = self._service.workspace.problem_for(node.path)
            node.tip = f"Cannot be read: {problem.reason}" if problem else "Cannot be read"
            if not self._reload_pending:
                self._reload_pending = True
                QTimer.singleShot(0, self, self.reload)
            return
        node.method = req.method.upper()
        node.tip = f"{node.method} {req.url}"

    # -- lookups -----------------------------------------------------------------------

    def _node(self, index: AnyIndex) -> _Node:
        if not index.isValid():
            return self._root
        if isinstance(index, QPersistentModelIndex):
            index = self.index(index.row(), index.column(), index.parent())
        return self._by_item[id(self.itemFromIndex(index))]

    def index_for_path(self, path: str) -> QModelIndex:
        node = self._by_path.get(join_path(path))
        if node is None or node is self._root or node.item is None:
            return QModelIndex()
        return node.item.index()

    def path_of(self, index: AnyIndex) -> str:
        return self._node(index).path

    def kind_of(self, index: AnyIndex) -> str:
        return self._node(index).kind

    # -- QAbstractItemModel ----------------------------------------------------------

    def data(self, index: AnyIndex, role: int = DISPLAY_ROLE) -> object:
        if not index.isValid():
            return None
        node = self._node(index)
        if role in (DISPLAY_ROLE, EDIT_ROLE):
            return node.name
        if node.tip is None:
            self._describe(node)
        if role == ROLE_PATH:
            return node.path
        if role == ROLE_KIND:
            return node.kind
        if role == ROLE_METHOD:
            return node.method
        if role == TOOLTIP_ROLE:
            return f"{node.path}\n{node.tip}" if node.tip else node.path
        if role == DECORATION_ROLE:
            if node.kind != "request":
                return self._icon(node.kind)
            if node.method and self.request_icon is not None:
                return self.request_icon(node.method)
        return None

    def _icon(self, kind: str) -> object:
        from .tree_icons import kind_icon

        return kind_icon(kind)

    def setData(self, index: AnyIndex, value: object, role: int = EDIT_ROLE) -> bool:
        """Rename through the model (an item editor's commit); groups are not items."""
        if role != EDIT_ROLE or not index.isValid():
            return False
        node = self._node(index)
        name = str(value).strip()
        if node.kind == "group" or not name or name == node.name:
            return False
        try:
            new_path = self._service.rename(node.path, name)
        except RelaydeskError as exc:
            self.failed.emit(str(exc))
            return False
        old = node.path
        self.reload()
        self.moved.emit(old, new_path)
        return True

    # -- drag and drop -----------------------------------------------------------------

    def supportedDropActions(self) -> Qt.DropAction:
        return QtCore.Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return QtCore.Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [MIME_PATHS]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData | None:  # type: ignore[override]
        """The dragged paths; groups are path prefixes, not items, so they do not move."""
        nodes = [self._node(i) for i in indexes if i.isValid()]
        paths = [n.path for n in nodes if n.kind != "group"]
        if not paths:
            return None  # no drag starts
        mime = QMimeData()
        mime.setData(MIME_PATHS, QByteArray("\n".join(paths).encode("utf-8")))
        mime.setText("\n".join(paths))
        return mime

    @staticmethod
    def _paths_from(data: QMimeData) -> list[str]:
        if not data.hasFormat(MIME_PATHS):
            return []
        raw = bytes(data.data(MIME_PATHS).data()).decode("utf-8")
        return [p for p in raw.split("\n") if p]

    def drop_destination(self, src: str, target: _Node) -> str | None:
        """Where ``src`` lands when dropped on ``target``, or None if it cannot go there."""
        kind = self._service.kind_of(src)
        if target.kind == "request":
            target = target.parent or self._root
        if kind == "connection":
            ok = target.kind in ("group", "root")
        else:
            ok = kind in ("folder", "request") and target.kind in ("connection", "folder")
        if not ok:
            return None
        dst = join_path(target.path, split_path(src)[-1])
        if dst == src or dst.startswith(src + "/"):
            return None
        return dst

    def canDropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                        parent: AnyIndex) -> bool:
        paths = self._paths_from(data)
        target = self._node(parent)
        return bool(paths) and all(self.drop_destination(p, target) for p in paths)

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                     parent: AnyIndex) -> bool:
        if action == QtCore.Qt.DropAction.IgnoreAction:
            return True
        target = self._node(parent)
        moves: list[tuple[str, str]] = []
        for src in self._paths_from(data):
            dst = self.drop_destination(src, target)
            if dst is None:
                where = target.path or "the top level"
                self.failed.emit(f"'{src}' cannot be moved into '{where}'.")
                return False
            moves.append((src, dst))
        done: list[tuple[str, str]] = []
        try:
            for src, dst in moves:
                done.append((src, self._service.move(src, dst)))
        except RelaydeskError as exc:
            self.failed.emit(str(exc))
        self.reload()
        for src, dst in done:
            self.moved.emit(src, dst)
        return bool(done)


class TreeFilterProxy(QSortFilterProxyModel):
    """Filter box: an item stays if it, an ancestor or a descendant matches.

    Both rules are Qt's own (recursive filtering, auto-accepted child rows), so the
    filter runs in C++ and the unfiltered tree costs no Python calls per row.
    """

    def __init__(self, parent: object | None = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self.setRecursiveFilteringEnabled(True)
        self.setAutoAcceptChildRows(True)
        self.setFilterCaseSensitivity(QtCore.Qt.CaseSensitivity.CaseInsensitive)
