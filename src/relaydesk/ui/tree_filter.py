"""The connection tree's filter, made the first time the filter box is used.

An item stays if its name, an ancestor's or a descendant's contains the filter text
(case-insensitive): the rules of Qt's recursive filtering with auto-accepted child
rows. Qt's proxy asks the Python tree model for every row of the workspace on each
keystroke and removes rows one block at a time, updating the view's record of
expanded rows each time (13 s on a fully expanded tree of 50,000 requests). Here
the matches are found in one pass over the workspace's paths (a narrowing keystroke
searches only the previous matches), and each keystroke resets this model: rows are
made only when the view shows them, and the view drops its expanded rows at once.
A key after which the rows the view has listed would be listed the same (most keys
while a word is typed) resets nothing: the view lays out and paints nothing again.

The items are searched by container (the workspace's index of names per folder):
one search of the container's folded names joined by newlines skips a container
without a match, and the names of the others are tested in one comprehension and
picked with ``compress``. No string is made per item but its folded name, and 50,000
items take a few ms.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from itertools import compress, islice, repeat
from operator import contains

from PySide6.QtCore import (
    QMimeData,
    QModelIndex,
    QObject,
    Qt,
    QTimer,
)

from .serial_tree import AnyIndex, SerialTreeModel
from .tree_model import TreeNode, WorkspaceTreeModel

__all__ = ["TreeFilterModel"]

_TOP = QModelIndex()
_serials = itertools.count(1)
# Rows a keystroke dropped are freed this long after it (once its frame is painted),
# this many at a time (a 0 ms timer between): freeing the 50,000 rows of a tree
# opened all the way takes ~15 ms, and a tick that lands in a later key's frame (on a
# busy machine) costs it ~1 ms.
_FREE_AFTER_MS = 40
_FREE_ROWS = 4000
# A key keeps the rows it would list (no reset) only when this many rows or fewer
# are listed: the check is Python per row.
_CHECKED = 5000
# Per container path ('' for the top level): its children's names, case-folded, and
# the folded names joined by newlines (one search says whether any matches).
_Items = dict[str, tuple[list[str], list[str], str]]


_NO_ROWS: list[_Row] = []  # never added to


class _Row:
    __slots__ = ("children", "inside", "node", "parent", "row", "serial")

    def __init__(self, node: TreeNode, parent: _Row | None, row: int, inside: bool) -> None:
        self.node = node  # the tree model's row shown here
        self.parent = parent
        self.row = row
        self.inside = inside  # it or an ancestor matches: everything inside it shows
        self.serial = next(_serials)
        self.children: list[_Row] | None = None  # listed when the view asks


class TreeFilterModel(SerialTreeModel):
    """The tree model's rows that match the filter text, with their ancestors."""

    def __init__(self, source: WorkspaceTreeModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._source = source
        self._text = ""
        # The containers below (and the root row) are made once, here, while the app is
        # idle, and emptied and refilled in place: made during a key, a long-lived one
        # would land among the key's thousands of rows and keep their memory (a 1 MiB
        # arena of Python's each) from going back when the filter is cleared.
        # Every item, made on first use; then the matches of the current text (a
        # longer text searches only these).
        self._names: _Items | None = None
        self._matches: _Items = {}
        # Container -> the names that match, as a set (made when the container's rows
        # are listed: most never are).
        self._matched: dict[str, set[str]] = {}
        self._above: set[str] = set()  # the matches' ancestors (few: containers)
        self._by_serial: dict[int, _Row] = {}  # the rows listed, by serial
        # Rows of earlier keystrokes, by serial, and what else they dropped.
        self._dropped: list[dict[int, _Row]] = []
        self._trash: list[object] = []
        # Frees them a few thousand a tick. Made here, not per key: the first
        # singleShot(ms, receiver, slot) of a process builds PySide types, whose memory
        # would land among a key's rows and outlive them.
        self._free_timer = QTimer(self)
        self._free_timer.setSingleShot(True)
        self._free_timer.timeout.connect(self._free_some)
        self._root = _Row(source.root_node(), None, 0, False)

    # -- filtering ----------------------------------------------------------------------

    def filter_text(self) -> str:
        return self._text

    def set_filter_text(self, text: str) -> bool:
        """Filter by ``text``; False when the rows the view has seen stay as they
        were (then nothing is reset, laid out or painted again)."""
        matches, above = self._search(text)
        if self._keeps_rows(matches, above):
            self._use(text, matches, above)
            return False
        self.beginResetModel()
        self._use(text, matches, above)
        self._reset_rows()
        self.endResetModel()
        return True

    def clear(self) -> None:
        """Forget the text and every index made for it (the memory goes back)."""
        self.beginResetModel()
        self._text, self._names = "", None
        self._use("", {}, set())
        self._reset_rows()
        self.endResetModel()

    def begin_source_reset(self) -> None:
        self.beginResetModel()

    def end_source_reset(self) -> None:
        """The tree model was rebuilt (an item changed): search again."""
        self._names = None
        self._apply(self._text, narrowing=False)
        self.endResetModel()

    def _apply(self, text: str, *, narrowing: bool = True) -> None:
        self._use(text, *self._search(text, narrowing=narrowing))
        self._reset_rows()

    def _use(self, text: str, matches: _Items, above: set[str]) -> None:
        # The last text's (~50,000 names in sets) go with the rows dropped: freed
        # after the frame.
        if self._matched:
            self._drop(None, (self._matches.copy(), self._matched.copy()))
        self._text = text
        self._matched.clear()
        self._matches.clear()
        self._matches.update(matches)
        self._above.clear()
        self._above.update(above)

    def _search(self, text: str, *, narrowing: bool = True) -> tuple[_Items, set[str]]:
        """The items matching ``text`` by container, and their containers' paths."""
        needle = text.casefold()
        if narrowing and self._text and needle.startswith(self._text.casefold()):
            pool = self._matches  # a longer text matches a subset
        else:
            pool = self._all_names()
        matches: _Items = {}
        for container, item in pool.items():
            names, folded, joined = item
            if needle not in joined:  # most containers, for a longer text: one C search
                continue
            keep = list(map(contains, folded, repeat(needle)))
            if False not in keep:  # all of them (a short text): the same lists
                matches[container] = item
                continue
            kept = list(compress(folded, keep))
            matches[container] = (list(compress(names, keep)), kept, "\n".join(kept))
        above: set[str] = set()
        for parent in matches:  # the containers of matches, and theirs (few: folders)
            while parent and parent not in above:
                above.add(parent)
                parent = parent.rpartition("/")[0]
        return matches, above

    def _keeps_rows(self, matches: _Items, above: set[str]) -> bool:
        """Whether, with ``matches`` and ``above``, every row listed lists the same
        rows and every row not listed answers ``hasChildren`` the same (a key that
        narrows to the same rows, common while a word is typed). Gives up past
        _CHECKED items (a reset costs less than looking further)."""
        if self._root.children is None:
            return False
        todo, inside_now, checked = [(self._root, False)], [], 0
        while todo:
            row, inside = todo.pop()
            names = matches.get(row.node.path)
            matched = set(names[0]) if names else set()
            kids, i = row.children or [], 0
            for node in self._source.node_children(row.node):
                hit = node.name in matched
                if inside or hit or node.path in above:
                    if i == len(kids) or kids[i].node is not node:
                        return False
                    kid, now = kids[i], inside or hit
                    if kid.children is not None:
                        todo.append((kid, now))
                    elif now != kid.inside and not self._source.node_has_children(node):
                        return False  # its expand arrow would come or go
                    inside_now.append((kid, now))
                    i += 1
            checked += i
            if i != len(kids) or checked > _CHECKED:
                return False
        for kid, now in inside_now:
            kid.inside = now
        return True

    def _all_names(self) -> _Items:
        if self._names is None:
            workspace = self._source.workspace
            tops: dict[str, dict[str, None]] = {}
            for conn in workspace.connections():
                path = conn.path
                while path:  # the connection and its groups
                    parent, _, name = path.rpartition("/")
                    tops.setdefault(parent, {})[name] = None
                    path = parent
            groups = [*((c, list(names)) for c, names in tops.items()),
                      *workspace.names_by_container()]
            self._names = {}
            for c, names in groups:
                # Folded and split in C (one string per container folded, not each name).
                joined = "\n".join(names).casefold()
                folded = joined.split("\n")
                if len(folded) != len(names):  # a name with a line break in it
                    folded = list(map(str.casefold, names))
                    joined = "\n".join(folded)
                self._names[c] = (names, folded, joined)
        return self._names

    def _matching(self, container: str) -> set[str]:
        found = self._matched.get(container)
        if found is None:
            names = self._matches.get(container)
            found = self._matched[container] = set(names[0] if names else ())
        return found

    def _is_match(self, path: str) -> bool:
        parent, _, name = path.rpartition("/")
        return name in self._matching(parent)

    def _reset_rows(self) -> None:
        root = self._root
        if self._by_serial:
            dropped = self._by_serial.copy()
            self._by_serial.clear()
            # The root's rows go with the others: a row that held them is dropped too.
            holder = _Row(root.node, None, 0, False)
            holder.children, root.children = root.children, None
            dropped[holder.serial] = holder
            self._drop(dropped)
        root.node, root.children = self._source.root_node(), None

    def _drop(self, rows: dict[int, _Row] | None, other: object = None) -> None:
        """Keep ``rows`` and ``other`` until they are freed (after this key's frame)."""
        if not self._free_timer.isActive():
            self._free_timer.start(_FREE_AFTER_MS)
        if rows:
            self._dropped.append(rows)
        if other is not None:
            self._trash.append(other)

    def _free_some(self) -> None:
        """Free the last texts' sets, or _FREE_ROWS of the rows dropped; the rest at
        the next tick."""
        left = _FREE_ROWS
        if self._trash:
            self._trash.clear()
            left = 0
        while self._dropped and left > 0:
            rows = self._dropped[0]
            # Parents first (the rows are in the order they were listed): a row goes
            # with its children, not a whole tree with the last parent.
            serials = list(islice(rows, left))
            for serial in serials:
                rows.pop(serial).children = None  # (see free_dropped)
            left -= len(serials)
            if not rows:
                del self._dropped[0]
        if self._dropped:
            self._free_timer.start(0)

    def free_dropped(self) -> None:
        """Free the rows earlier keystrokes dropped."""
        for rows in self._dropped:
            for row in rows.values():
                # No cycles: the rows go at once, not at a collection (and nothing is
                # allocated here, which would start one over every row).
                row.children = None
        self._dropped.clear()  # in place: nothing is made among the rows freed
        self._trash.clear()

    def _children(self, row: _Row) -> list[_Row]:
        if row.children is None:
            if not self._text:  # (the root, at the clear: no list made among the rows)
                return _NO_ROWS
            row.children = []
            inside, above = row.inside, self._above
            matched = self._matching(row.node.path)
            for node in self._source.node_children(row.node):
                hit = node.name in matched
                if inside or hit or node.path in above:
                    child = _Row(node, row, len(row.children), inside or hit)
                    row.children.append(child)
                    self._by_serial[child.serial] = child
        return row.children

    # -- mapping to and from the tree model ---------------------------------------------

    def _row(self, index: AnyIndex) -> _Row:
        if not index.isValid():
            return self._root
        return self._by_serial.get(index.internalId(), self._root)

    def node_of(self, index: AnyIndex) -> TreeNode:
        """The tree model's node shown at ``index`` (its root for an invalid one)."""
        return self._row(index).node

    def mapToSource(self, index: AnyIndex) -> QModelIndex:
        return self._source.node_index(self._row(index).node)

    def mapFromSource(self, index: AnyIndex) -> QModelIndex:
        path = self._source.path_of(index) if index.isValid() else ""
        if path not in self._above and not any(
                map(self._is_match, [path, *_ancestors(path)])):
            return QModelIndex()
        row = self._root
        for prefix in [*reversed(_ancestors(path)), path] if path else []:
            found = next((c for c in self._children(row) if c.node.path == prefix), None)
            if found is None:
                return QModelIndex()
            row = found
        return self.createIndex(row.row, 0, row.serial) if row.parent else QModelIndex()

    # -- QAbstractItemModel ----------------------------------------------------------

    def _lookup(self, index: AnyIndex) -> _Row:
        return self._row(index)

    def _rows(self, row: _Row) -> list[_Row]:
        return self._children(row)

    def rowCount(self, parent: AnyIndex = _TOP) -> int:
        if parent.column() > 0:
            return 0
        return len(self._children(self._row(parent)))

    def hasChildren(self, parent: AnyIndex = _TOP) -> bool:
        row = self._row(parent)
        if row.children is not None or row.parent is None:
            return bool(self._children(row))
        if row.inside:  # all of it shows: ask the tree
            return self._source.node_has_children(row.node)
        return True  # shown for a match below it

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        return self._source.node_data(self._row(index).node, role) if index.isValid() else None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        return self._source.node_flags(self._row(index).node)

    # -- drag and drop: the tree model's, through the mapping ---------------------------

    def supportedDropActions(self) -> Qt.DropAction:
        return self._source.supportedDropActions()

    def supportedDragActions(self) -> Qt.DropAction:
        return self._source.supportedDragActions()

    def mimeTypes(self) -> list[str]:
        return self._source.mimeTypes()

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        return self._source.mimeData([self.mapToSource(i) for i in indexes])

    def canDropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                        parent: AnyIndex) -> bool:
        return self._source.canDropMimeData(data, action, -1, -1, self.mapToSource(parent))

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                     parent: AnyIndex) -> bool:
        return self._source.dropMimeData(data, action, -1, -1, self.mapToSource(parent))


def _ancestors(path: str) -> list[str]:
    """``a/b/c`` -> ``["a/b", "a"]``."""
    out = []
    while "/" in path:
        path = path.rpartition("/")[0]
        out.append(path)
    return out
