"""The connection tree as a Qt item model over the workspace.

Connection paths are split into grouping nodes (``jira`` › ``cloud``); inside a
connection come its folders, then its requests. The model is rebuilt from the
in-memory workspace after each change (cheap: no disk access), and the tree panel
restores expansion, so there is only one code path to keep right.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import (
    QAbstractItemModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)

from relaydesk.core.errors import RelaydeskError
from relaydesk.core.model import join_path, split_path

from .service import Service

__all__ = [
    "MIME_PATHS",
    "ROLE_KIND",
    "ROLE_METHOD",
    "ROLE_PATH",
    "TreeFilterProxy",
    "WorkspaceTreeModel",
]

ROLE_PATH = int(Qt.ItemDataRole.UserRole) + 1
ROLE_KIND = int(Qt.ItemDataRole.UserRole) + 2
ROLE_METHOD = int(Qt.ItemDataRole.UserRole) + 3
MIME_PATHS = "application/x-relaydesk-paths"

AnyIndex = QModelIndex | QPersistentModelIndex
_NO_INDEX = QModelIndex()  # shared default argument (never mutated)


class _Node:
    __slots__ = ("children", "kind", "method", "name", "parent", "path", "row", "tip")

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
        self.row = 0


_ORDER = {"group": 0, "connection": 0, "folder": 0, "request": 1}


class WorkspaceTreeModel(QAbstractItemModel):
    """Connections, folders and requests; drag and drop moves items on disk."""

    moved = Signal(str, str)  # old path, new path
    failed = Signal(str)  # a user message (e.g. a refused move)

    def __init__(self, service: Service, parent: object | None = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self._service = service
        self._root = _Node("root", "", "", None)
        self._by_path: dict[str, _Node] = {}
        # A request row's icon, from its method (the tree panel draws method badges).
        self.request_icon: Callable[[str], object] | None = None
        self._reload_pending = False
        self._build()

    # -- building ----------------------------------------------------------------------

    def reload(self) -> None:
        self._reload_pending = False
        self.beginResetModel()
        self._build()
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
        for node in by_path.values():
            if node.children:
                node.children.sort(key=lambda n: (_ORDER[n.kind], n.name.casefold()))
                for i, child in enumerate(node.children):
                    child.row = i
        self._root, self._by_path = root, by_path

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
        if index.isValid():
            node = index.internalPointer()
            assert isinstance(node, _Node)
            return node
        return self._root

    def index_for_path(self, path: str) -> QModelIndex:
        node = self._by_path.get(join_path(path))
        if node is None or node is self._root:
            return QModelIndex()
        return self.createIndex(node.row, 0, node)

    def path_of(self, index: AnyIndex) -> str:
        return self._node(index).path

    def kind_of(self, index: AnyIndex) -> str:
        return self._node(index).kind

    # -- QAbstractItemModel ----------------------------------------------------------

    def index(self, row: int, column: int, parent: AnyIndex = _NO_INDEX) -> QModelIndex:
        node = self._node(parent)
        if column != 0 or not 0 <= row < len(node.children):
            return QModelIndex()
        return self.createIndex(row, 0, node.children[row])

    def parent(self, index: AnyIndex = _NO_INDEX) -> QModelIndex:  # type: ignore[override]
        if not index.isValid():
            return QModelIndex()
        parent = self._node(index).parent
        if parent is None or parent is self._root:
            return QModelIndex()
        return self.createIndex(parent.row, 0, parent)

    def rowCount(self, parent: AnyIndex = _NO_INDEX) -> int:
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._node(parent).children)

    def columnCount(self, parent: AnyIndex = _NO_INDEX) -> int:
        return 1

    def hasChildren(self, parent: AnyIndex = _NO_INDEX) -> bool:
        return bool(self._node(parent).children)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        node = self._node(index)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return node.name
        if node.tip is None:
            self._describe(node)
        if role == ROLE_PATH:
            return node.path
        if role == ROLE_KIND:
            return node.kind
        if role == ROLE_METHOD:
            return node.method
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{node.path}\n{node.tip}" if node.tip else node.path
        if role == Qt.ItemDataRole.DecorationRole:
            if node.kind != "request":
                return self._icon(node.kind)
            if node.method and self.request_icon is not None:
                return self.request_icon(node.method)
        return None

    def _icon(self, kind: str) -> object:
        from .tree_icons import kind_icon

        return kind_icon(kind)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        kind = self._node(index).kind
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if kind != "group":
            flags |= Qt.ItemFlag.ItemIsDragEnabled | Qt.ItemFlag.ItemIsEditable
        if kind != "request":
            flags |= Qt.ItemFlag.ItemIsDropEnabled
        return flags

    def setData(self, index: AnyIndex, value: object,
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        """In-place rename (F2 / double click on the name)."""
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        node = self._node(index)
        name = str(value).strip()
        if not name or name == node.name:
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
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [MIME_PATHS]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:  # type: ignore[override]
        mime = QMimeData()
        paths = [self._node(i).path for i in indexes if i.isValid()]
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
        if action == Qt.DropAction.IgnoreAction:
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
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
