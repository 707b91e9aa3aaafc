"""The connection tree as a Qt item model over the workspace.

Connection paths are split into grouping nodes (``jira`` › ``cloud``); inside a
connection come its folders, then its requests. The model is a
``QStandardItemModel``: the rows a view lays out are Qt's own items, so laying out
thousands of rows runs no Python (a Python model answers three calls per row, ~40k
instructions each way through the binding). Beside the items are nodes of ours
(``TreeNode``: kind, path, name, the request's method) that the filter model and the
lookups use, and from which the roles of a row are answered when it is drawn. A
row's node is made when first asked for, from its parent's listing (an item's row is
its node's row): the first frame makes an item per row shown, not also a node.

Groups and connections, and the rows of every connection, are made on (re)load; a
folder's rows are listed the first time it is expanded or a path inside it is asked
for, from the workspace's index of its paths (no request file is read to list rows),
so the first frame costs what it shows, not the size of the workspace. Until then a
folder that may hold rows holds one empty placeholder row, which draws its expand
arrow with no Python per row; in a lazy workspace (the app's) a folder whose directory
is not listed yet gets one without listing it, and loses it once all is listed
(``listing_done``) if it turned out empty. A request's file is read the first time
its row shows more than its name (method badge, tooltip), and a file found broken
then leaves the tree.

After each change the model is rebuilt from the in-memory workspace (cheap: no disk
access) inside one reset, and the tree panel restores expansion and selection, so
there is one code path to keep right.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import (
    QByteArray,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QIcon, QStandardItem, QStandardItemModel

from relaydesk.core.errors import RelaydeskError
from relaydesk.core.model import join_path, split_path

from .service import Service

if TYPE_CHECKING:
    from relaydesk.core.workspace import Workspace

    from .serial_tree import AnyIndex

__all__ = [
    "MIME_PATHS",
    "ROLE_KIND",
    "ROLE_METHOD",
    "ROLE_PATH",
    "TreeNode",
    "WorkspaceTreeModel",
]

Role = Qt.ItemDataRole
ROLE_PATH = Role.UserRole + 1
ROLE_KIND = Role.UserRole + 2
ROLE_METHOD = Role.UserRole + 3
# The roles the model answers; views ask for a few more per row and paint (font,
# colours, check state, …), which are answered at once.
_DISPLAY, _EDIT = int(Role.DisplayRole), int(Role.EditRole)
_TOOLTIP, _DECORATION = int(Role.ToolTipRole), int(Role.DecorationRole)
_ANSWERED = frozenset({_DISPLAY, _EDIT, _TOOLTIP, _DECORATION,
                       ROLE_PATH, ROLE_KIND, ROLE_METHOD})
MIME_PATHS = "application/x-relaydesk-paths"


_Flag = Qt.ItemFlag
_BASE_FLAGS = _Flag.ItemIsEnabled | _Flag.ItemIsSelectable | _Flag.ItemIsDropEnabled
# A group is a path prefix, not an item: it takes drops but does not move.
_FLAGS = {"group": _BASE_FLAGS, "connection": _BASE_FLAGS | _Flag.ItemIsDragEnabled,
          "folder": _BASE_FLAGS | _Flag.ItemIsDragEnabled,
          "request": _BASE_FLAGS | _Flag.ItemIsDragEnabled}
_serials = itertools.count(1)
# Set as a folder's only child before its rows are listed: an empty row (Qt takes a
# null item; the stubs ask for an item), which draws the folder's expand arrow.
_EMPTY = cast(QStandardItem, None)
_TOP = QModelIndex()  # the invisible root, as a default argument


class TreeNode:
    """A row of the tree: a group, connection, folder or request (or the root)."""

    __slots__ = ("children", "filled", "item", "kind", "method", "name", "parent", "path",
                 "row", "rows", "serial", "tip")

    def __init__(self, kind: str, path: str, name: str, parent: TreeNode | None,
                 row: int = 0) -> None:
        self.kind = kind  # root | group | connection | folder | request
        self.path = path
        self.name = name
        self.parent = parent
        self.row = row
        self.serial = next(_serials)
        self.method = ""
        # A request's method and tip come from its file, read when the row is first
        # shown (None until then): the tree paints without reading every request.
        self.tip: str | None = None if kind == "request" else ""
        # A connection's or folder's rows as the workspace lists them, (kind, path)
        # each, None until listed. Their items are made from this list; their nodes
        # (``children``, in the same order) only when asked for: the first frame makes
        # an item per row, not also a node per row.
        self.rows: Sequence[tuple[str, str]] | None = None
        self.children: list[TreeNode] | None = [] if kind in ("root", "group") else None
        # The item showing this row, once known (groups and connections from the
        # build, other rows from a lookup), and whether it holds its rows' items yet (a
        # view opened it, or a path inside it was asked for).
        self.item: _Row | None = None
        self.filled = False


class _Row(QStandardItem):
    """A row of the model: Qt's item, and the node it shows (``node``) once that is
    known: an item's row in its parent's item is its node's row in the parent's node.

    The item holds the row's place and its rows only (no text: the model answers
    every role from the node, as the filter model does).
    """

    node: TreeNode


class WorkspaceTreeModel(QStandardItemModel):
    """Connections, folders and requests; drag and drop moves items on disk."""

    moved = Signal(str, str)  # old path, new path
    failed = Signal(str)  # a user message (e.g. a refused move)

    def __init__(self, service: Service, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._service = service
        # A request row's icon, from its method (the tree panel draws method badges).
        self.request_icon: Callable[[str], QIcon] | None = None
        self._reload_pending = False
        # Rows holding folders drawn with an arrow before their directories were listed.
        self._guessed: dict[int, TreeNode] = {}
        self._dropped: list[dict[int, TreeNode]] = []  # rows of earlier builds
        self._build()

    @property
    def workspace(self) -> Workspace:
        return self._service.workspace

    # -- building ----------------------------------------------------------------------

    def reload(self) -> None:
        self._reload_pending = False
        self._reset(self._build)

    def _reset(self, change: Callable[[], None]) -> None:
        """Make ``change`` to the items inside one model reset.

        The items' own row signals are held back meanwhile: the views forget every
        row at the reset, so removing and adding rows one block at a time (each
        updating the views' records of expanded and selected rows) would be wasted.
        """
        self.beginResetModel()
        blocked = self.blockSignals(True)
        try:
            change()
        finally:
            self.blockSignals(blocked)
            self.endResetModel()

    def _build(self) -> None:
        """Groups, connections and their rows; a folder's rows are listed when a view
        first opens it (or a path inside it is asked for)."""
        if old := getattr(self, "_nodes", None):
            # Freed on the next event-loop turn, after the frame (a tree opened all the
            # way has 50,000 rows: ~30 ms to free).
            if not self._dropped:
                QTimer.singleShot(0, self, self.free_dropped)
            self._dropped.append(old)
        top = self.invisibleRootItem()
        top.removeRows(0, top.rowCount())  # Qt deletes the items of the last build
        top.setFlags(_Flag.ItemIsDropEnabled)  # the top level takes connections
        root = TreeNode("root", "", "", None)
        root.filled = True
        self._root = root
        # The workspace these rows are of (asked per row; a new one comes with a reload).
        self._workspace = self._service.workspace
        self._guessed = {}
        self._nodes: dict[int, TreeNode] = {}
        self._by_path: dict[str, TreeNode] = {"": root}

        def group(path: str) -> TreeNode:  # workspace paths are normalised
            node = self._by_path.get(path)
            if node is None:
                parent_path, _, name = path.rpartition("/")
                node = self._adopt(group(parent_path), "group", path, name)
            return node

        depths = set()
        # The workspace gives connections in natural order level by level, so each
        # group's rows come in order as they are met.
        for path, base_url in self._service.workspace.connection_urls():
            parent_path, _, name = path.rpartition("/")
            self._adopt(group(parent_path), "connection", path, name).tip = base_url
            depths.add(path.count("/"))
        self._depth = depths.pop() if len(depths) == 1 else None
        self._add_items(top, root.children or [])

    def _add_items(self, parent: QStandardItem, nodes: list[TreeNode]) -> None:
        """Add the items of groups and connections (and the rows of each)."""
        items: list[QStandardItem] = []
        for node in nodes:
            item = _Row()
            item.node = node  # (a view asks each open row whether it can fetch more)
            node.item = item
            if node.kind == "group":
                item.setFlags(_FLAGS["group"])  # a path prefix: not dragged
                node.filled = True
                self._add_items(item, node.children or [])
            else:  # connections show open
                node.filled = True
                rows = node.rows = self._workspace.listing(node.path)
                item.appendRows(self._row_items(node, rows))
            items.append(item)
        parent.appendRows(items)

    def _row_items(self, node: TreeNode, rows: Sequence[tuple[str, str]]) -> list[QStandardItem]:
        """The items of a connection's or folder's rows: a folder's holds an empty
        placeholder row (which draws its arrow) until it is filled."""
        items: list[QStandardItem] = []
        children = node.children  # their nodes, if made already (by the filter)
        workspace = self._workspace
        # (Right after a lazy workspace lists a connection, none of its folders is.)
        unlisted = workspace.unlisted_folders()
        guessed = False
        for row, (kind, path) in enumerate(rows):
            holds = False
            if kind == "folder":
                listed = children[row].rows if children is not None else None
                if listed is not None:
                    holds = bool(listed)
                elif path in unlisted or not workspace.is_listed(path):
                    holds = guessed = True  # most hold something: no listing yet
                else:
                    holds = workspace.has_children(path)
            # (An item of one empty row, the placeholder, in one call.)
            items.append(_Row(1) if holds else _Row())
        if guessed:
            self._guessed[node.serial] = node
        return items

    def _may_hold(self, node: TreeNode) -> bool:
        """Whether a folder not listed yet draws an expand arrow."""
        workspace = self._workspace
        if not workspace.is_listed(node.path):
            if node.parent is not None:  # most hold something: no listing yet
                self._guessed[node.parent.serial] = node.parent
            return True
        return workspace.has_children(node.path)

    def connection_depth(self) -> int | None:
        """The depth of the connections' rows when they all have one (the rows above
        are groups), else None."""
        return self._depth

    def free_dropped(self) -> None:
        """Free the rows of earlier builds now."""
        for nodes in self._dropped:
            for node in nodes.values():
                # Parent and children refer to each other: without the cycle, the rows
                # go at once, not at a later collection (None: nothing is allocated,
                # which would start one).
                node.children = node.rows = None
                node.item = None  # (Qt deleted the item with its build)
        self._dropped.clear()  # in place: nothing is made among the rows freed

    def listed(self) -> dict[int, bool]:
        """The rows whose rows are listed now, and whether their rows' nodes are made
        (for ``unlist``)."""
        return {s: n.children is not None for s, n in self._nodes.items()
                if n.rows is not None}

    def unlist(self, keep: dict[int, bool]) -> None:
        """Forget the rows listed, and the nodes made, since ``keep`` was taken
        (``listed``), in one reset.

        The rows kept are the same objects (indexes to them stay good), not rebuilt:
        after a filter listed every folder, clearing it costs the rows dropped, not a
        new tree, and no object made while filtering stays (each would keep a
        pymalloc arena among the rows freed from going back to the system).
        """
        self._reset(lambda: self._unlist(keep))

    def _unlist(self, keep: dict[int, bool]) -> None:
        # The rows kept go back into the same dicts (emptied in place).
        old = self._nodes.copy()  # (what is kept is taken out below)
        nodes, by_path = self._nodes, self._by_path
        nodes.clear()
        by_path.clear()
        by_path[""] = self._root
        stack = [self._root]
        while stack:
            node = stack.pop()
            if node.kind in ("connection", "folder"):
                had_nodes = keep.get(node.serial)
                if had_nodes is None:
                    self._forget_rows(node)  # listed again when a view asks
                elif not had_nodes and node.children is not None:
                    self._forget_nodes(node)  # made again when asked for
            for child in node.children or ():
                nodes[child.serial] = child
                by_path[child.path] = child
                stack.append(child)
        for serial in [s for s, parent in self._guessed.items() if nodes.get(s) is not parent]:
            del self._guessed[serial]
        for serial in nodes:
            del old[serial]
        if not self._dropped:
            QTimer.singleShot(0, self, self.free_dropped)
        self._dropped.append(old)

    def _forget_nodes(self, node: TreeNode) -> None:
        """Drop the nodes of a connection's or folder's rows (and what they listed);
        the rows' items stay."""
        for child in node.children or ():
            self._forget_rows(child)
            if child.item is not None:
                del child.item.node
                child.item = None
        node.children = None

    def _forget_rows(self, node: TreeNode) -> None:
        """Unlist a connection's or folder's rows: its item holds a placeholder again."""
        if node.rows is None and node.children is None:
            return
        node.rows = node.children = None
        item = node.item
        if item is not None and node.filled:
            node.filled = False
            item.removeRows(0, item.rowCount())  # Qt deletes the items
            if self._may_hold(node):
                item.setChild(0, 0, _EMPTY)

    def _adopt(self, parent: TreeNode, kind: str, path: str, name: str) -> TreeNode:
        assert parent.children is not None
        node = self._register(TreeNode(kind, path, name, parent, len(parent.children)))
        parent.children.append(node)
        return node

    def _register(self, node: TreeNode) -> TreeNode:
        self._nodes[node.serial] = node
        self._by_path[node.path] = node
        return node

    def _listing(self, node: TreeNode) -> Sequence[tuple[str, str]]:
        """A connection's or folder's rows, (kind, path) each (listed now if they were
        not yet)."""
        rows = node.rows
        if rows is None:
            # (A row of an earlier build lists nothing: it is no longer in the tree.)
            current = self._nodes.get(node.serial) is node
            rows = node.rows = (self._workspace.listing(node.path)
                                if current and node.kind in ("connection", "folder") else [])
        return rows

    def _children(self, node: TreeNode) -> list[TreeNode]:
        """The nodes of a connection's or folder's rows (made now if they were not yet)."""
        if node.children is None:
            register = self._register
            node.children = [
                register(TreeNode(kind, path, path.rpartition("/")[2], node, row))
                for row, (kind, path) in enumerate(self._listing(node))]
        return node.children

    def _fill(self, node: TreeNode) -> None:
        """Give a connection's or folder's item the items of its rows (listed now if
        they were not yet)."""
        if not node.filled and node.kind != "request":
            item = self._item_of(node)
            if item is not None:
                rows = self._listing(node)
                node.filled = True
                self._show_rows(node, item, rows)

    def _item_of(self, node: TreeNode) -> _Row | None:
        """The item showing ``node`` (None when its parent's rows are not filled, or the
        node is of an earlier build)."""
        if node.item is None and self._nodes.get(node.serial) is node:
            parent = node.parent
            above = self._item_of(parent) if parent is not None and parent.filled else None
            item = above.child(node.row) if above is not None else None
            if isinstance(item, _Row):
                item.node = node
                node.item = item
        return node.item

    def _reveal(self, node: TreeNode) -> None:
        """Fill the items above ``node``, so that it has an item of its own."""
        above = []
        up = node.parent
        while up is not None and not up.filled:
            above.append(up)
            up = up.parent
        for container in reversed(above):
            self._fill(container)

    def _show_rows(self, node: TreeNode, item: QStandardItem,
                   rows: Sequence[tuple[str, str]]) -> None:
        """Put a node's listed rows in its item, in place of its placeholder.

        Rows are only added here, never removed: this runs inside a view's layout
        (``fetchMore``), where a removal would pull the rows from under it. The
        placeholder becomes the first row; an item left with only its placeholder
        (a folder that turned out empty) drops it on the next event-loop turn.
        """
        if item.rowCount() == 0:
            item.appendRows(self._row_items(node, rows))
            return
        if not rows:
            QTimer.singleShot(0, self, lambda: self._drop_placeholder(node))
            return
        items = self._row_items(node, rows)
        item.setChild(0, 0, items[0])
        if len(items) > 1:
            item.appendRows(items[1:])

    def _drop_placeholder(self, node: TreeNode) -> None:
        item = node.item
        if (item is not None and self._nodes.get(node.serial) is node and node.filled
                and not node.rows and item.rowCount() == 1
                and not isinstance(item.child(0), _Row)):  # (None, or drawn: a blank item)
            item.removeRow(0)

    def canFetchMore(self, parent: AnyIndex) -> bool:
        """Whether the row at ``parent`` still holds its placeholder (a view asks this
        of each row it opens, and then ``fetchMore``)."""
        node = self.node_of(parent)
        return not node.filled and node.kind != "request"

    def fetchMore(self, parent: AnyIndex) -> None:
        self._fill(self.node_of(parent))

    def _describe(self, node: TreeNode) -> None:
        """Fill a request row's method and tip from its file (read on first use).

        A file found broken here (while its row is drawn) leaves the tree on the next
        event-loop turn: the model cannot change while the view paints it.
        """
        req = self._service.workspace.peek(node.path)  # not kept: rows come and go
        if req is None:
            problem = self._service.workspace.problem_for(node.path)
            node.tip = f"Cannot be read: {problem.reason}" if problem else "Cannot be read"
            if not self._reload_pending:
                self._reload_pending = True
                QTimer.singleShot(0, self, self.reload)
            return
        node.method = req.method.upper()
        node.tip = f"{node.method} {req.url}"

    # -- lookups -----------------------------------------------------------------------

    def node_of(self, index: AnyIndex) -> TreeNode:
        """The node of ``index`` (the root for an invalid index, another model's, or a
        placeholder row)."""
        node = self._node_of_item(self._item(index))  # (no item: the invalid index)
        return node if node is not None else self._root

    def _node_of_item(self, item: QStandardItem | None) -> TreeNode | None:
        node = getattr(item, "node", None)
        if node is None and isinstance(item, _Row):  # (placeholders are not _Row)
            # Not asked for yet: the row of its parent's node, kept on the item.
            above = item.parent()  # (None at the top level)
            parent = self._node_of_item(above) if above is not None else self._root
            if parent is not None and parent.filled:
                children = self._children(parent)
                row = item.row()
                if row < len(children):
                    node = children[row]
                    item.node = node
                    node.item = item
        return node

    def _item(self, index: AnyIndex) -> QStandardItem | None:
        """The item at ``index`` (None for another model's index)."""
        if isinstance(index, QPersistentModelIndex):
            index = self.index(index.row(), index.column(), index.parent())
        return self.itemFromIndex(index)

    def _find(self, path: str) -> TreeNode | None:
        """The node at ``path``, listing its ancestors' rows on the way."""
        node = self._by_path.get(path)
        if node is None and path:
            parent = self._find(path.rpartition("/")[0])
            if parent is not None:
                self._children(parent)
                node = self._by_path.get(path)
        return node

    def _index_of(self, node: TreeNode) -> QModelIndex:
        if node is self._root or self._nodes.get(node.serial) is not node:
            return QModelIndex()  # the root, or a row of an earlier build
        self._reveal(node)
        item = self._item_of(node)
        return item.index() if item is not None else QModelIndex()

    def index_for_path(self, path: str) -> QModelIndex:
        node = self._find(join_path(path))
        return self._index_of(node) if node is not None else QModelIndex()

    def path_of(self, index: AnyIndex) -> str:
        return self.node_of(index).path

    # -- rows as the filter model (tree_filter) sees them -------------------------------

    def node_has_children(self, node: TreeNode) -> bool:
        if node.children is not None:
            return bool(node.children)
        if node.rows is not None:
            return bool(node.rows)
        if node.kind == "request" or node.parent is None:
            return False
        if node.kind == "connection":  # its directory is listed: its rows cost little
            return bool(self._listing(node))
        return self._may_hold(node)

    def listing_done(self) -> None:
        """Every folder is listed now: folders that turned out empty lose the
        placeholder row that drew their arrow."""
        guessed, self._guessed = self._guessed, {}
        workspace = self._service.workspace
        for parent in guessed.values():
            item = self._item_of(parent) if parent.filled else None  # (rows shown)
            if item is None or parent.rows is None:
                continue
            children = parent.children
            for row, (kind, path) in enumerate(parent.rows):
                if (kind == "folder" and not workspace.has_children(path)
                        and (children is None or not children[row].filled)
                        and (folder := item.child(row)) is not None):
                    folder.setRowCount(0)

    def node_children(self, node: TreeNode) -> list[TreeNode]:
        """A node's rows (listed now if they were not yet); do not change the list."""
        return [] if node.kind == "request" else self._children(node)

    def node_index(self, node: TreeNode) -> QModelIndex:
        return self._index_of(node)

    def node_flags(self, node: TreeNode) -> Qt.ItemFlag:
        return _FLAGS[node.kind] if node.parent is not None else _Flag.ItemIsDropEnabled

    def root_node(self) -> TreeNode:
        return self._root

    def data(self, index: AnyIndex, role: int = _DISPLAY) -> object:
        if role not in _ANSWERED:
            return None
        node = self.node_of(index)
        return self.node_data(node, role) if node is not self._root else None  # (placeholder)

    # -- by node, for the filter model (tree_filter), which shows these nodes -----------

    def node_data(self, node: TreeNode, role: int) -> object:
        if role not in _ANSWERED:
            return None
        if role in (_DISPLAY, _EDIT):
            return node.name
        if role == ROLE_PATH:
            return node.path
        if role == ROLE_KIND:
            return node.kind
        if node.tip is None:  # the rest is from the request's file
            self._describe(node)
        if role == ROLE_METHOD:
            return node.method
        if role == _TOOLTIP:
            return f"{node.path}\n{node.tip}" if node.tip else node.path
        if role == _DECORATION:
            if node.kind != "request":
                from .tree_icons import kind_icon

                return kind_icon(node.kind)
            if node.method and self.request_icon is not None:
                return self.request_icon(node.method)
        return None

    def setData(self, index: AnyIndex, value: object, role: int = _EDIT) -> bool:
        """Rename through the model; groups are path prefixes, not items."""
        if role != _EDIT or not index.isValid():
            return False
        node = self.node_of(index)
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

    def removeRows(self, row: int, count: int, parent: AnyIndex = _TOP) -> bool:
        """Refused: rows leave the tree when their items leave the workspace (the
        model's own changes go through its items). A view that finished a move by
        drag and drop would otherwise remove the rows selected after the drop, which
        the drop has already moved on disk and shown again."""
        return False

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [MIME_PATHS]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        """The dragged paths; groups are path prefixes, not items, so they do not move.

        Qt starts no drag for empty data (the stubs do not allow returning None).
        """
        paths = [n.path for n in map(self.node_of, indexes) if n.kind not in ("group", "root")]
        mime = QMimeData()
        if paths:
            mime.setData(MIME_PATHS, QByteArray("\n".join(paths).encode("utf-8")))
            mime.setText("\n".join(paths))
        return mime

    @staticmethod
    def _paths_from(data: QMimeData) -> list[str]:
        if not data.hasFormat(MIME_PATHS):
            return []
        raw = bytes(data.data(MIME_PATHS).data()).decode("utf-8")
        return [p for p in raw.split("\n") if p]

    def _destination(self, src: str, target: TreeNode) -> str | None:
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

    def drop_destination(self, src: str, target_path: str) -> str | None:
        """Where ``src`` lands when dropped on the row at ``target_path``, or None."""
        target = self._find(join_path(target_path))
        return self._destination(src, target) if target is not None else None

    def canDropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                        parent: AnyIndex) -> bool:
        paths = self._paths_from(data)
        target = self.node_of(parent)
        return bool(paths) and all(self._destination(p, target) for p in paths)

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                     parent: AnyIndex) -> bool:
        if action == Qt.DropAction.IgnoreAction:
            return True
        target = self.node_of(parent)
        moves: list[tuple[str, str]] = []
        for src in self._paths_from(data):
            dst = self._destination(src, target)
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
