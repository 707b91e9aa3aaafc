"""A one-column Qt tree model over nodes of its own, found by serial number.

Indexes carry a node's serial number, not a pointer: an index kept past a reset
finds no node (and answers as the root) instead of reaching freed memory. A node has
``serial``, ``row`` (its place under its parent) and ``parent`` (None for the
invisible root); subclasses say how an index's node is found and how a node's rows
are listed.
"""

from __future__ import annotations

from typing import Any, overload

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex

__all__ = ["AnyIndex", "SerialTreeModel"]

AnyIndex = QModelIndex | QPersistentModelIndex
_TOP = QModelIndex()  # the invisible root, as a default argument


class SerialTreeModel(QAbstractItemModel):
    def _lookup(self, index: AnyIndex) -> Any:
        """The node of ``index`` (the root for an invalid or stale one)."""
        raise NotImplementedError

    def _rows(self, node: Any) -> list[Any]:
        """The node's rows, listed on first use."""
        raise NotImplementedError

    def index(self, row: int, column: int, parent: AnyIndex = _TOP) -> QModelIndex:
        children = self._rows(self._lookup(parent))
        if column != 0 or not 0 <= row < len(children):
            return QModelIndex()
        return self.createIndex(row, 0, children[row].serial)

    @overload
    def parent(self) -> QObject | None: ...
    @overload
    def parent(self, child: AnyIndex) -> QModelIndex: ...

    def parent(self, child: AnyIndex | None = None) -> QObject | QModelIndex | None:
        if child is None:  # QObject.parent()
            return super().parent()
        up = self._lookup(child).parent
        if up is None or up.parent is None:  # the root's rows have no parent index
            return QModelIndex()
        return self.createIndex(up.row, 0, up.serial)

    def columnCount(self, parent: AnyIndex = _TOP) -> int:
        return 1
