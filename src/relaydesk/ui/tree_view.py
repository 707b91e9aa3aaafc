"""The connection tree's view: "expand all" opens the rows that hold rows, only.

Qt's ``expandAll`` and ``expandRecursively`` (and the ``*`` key, which calls the
latter) record every row below as expanded, leaves included: a persistent index
per request, 50,000 in a big workspace opened all the way, which the model then
updates on each change and drops on each filter keystroke (~40 % of a narrowing
keystroke). Here they record the rows that have children (folders), and lay the view
out once at the end rather than once per row.

It also says when its current row moves, whichever model it shows: a model's
selection model is made anew with each model shown, so a connection to it would be
made again (a Python slot) each time the filter starts or is cleared.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal

from .widgets.file_drop_tree import FileDropTreeView

if TYPE_CHECKING:
    from PySide6.QtGui import QKeyEvent

__all__ = ["ConnectionTreeView"]


class ConnectionTreeView(FileDropTreeView):
    currentMoved = Signal()

    def currentChanged(self, current: QModelIndex | QPersistentModelIndex,
                       previous: QModelIndex | QPersistentModelIndex) -> None:
        super().currentChanged(current, previous)
        self.currentMoved.emit()

    def expandAll(self) -> None:
        self._expand_below(QModelIndex(), -1)

    def expandRecursively(self, index: QModelIndex | QPersistentModelIndex,
                          depth: int = -1) -> None:
        if index.isValid():
            self._expand_below(self.model().index(index.row(), 0, index.parent()), depth)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        current = self.currentIndex()
        if event.key() == Qt.Key.Key_Asterisk and current.isValid():
            event.accept()
            self.expandRecursively(current)
            return
        super().keyPressEvent(event)

    def _expand_below(self, top: QModelIndex, depth: int) -> None:
        """Expand ``top`` (unless the root) and the rows below it that have children,
        ``depth`` levels down (-1: all)."""
        model = self.model()
        if model is None:
            return
        # With a layout pending, expand() only records the row: one layout at the end.
        self.scheduleDelayedItemsLayout()
        level = [top]
        while level:
            below = []
            for parent in level:
                if parent.isValid():
                    self.expand(parent)
                if model.canFetchMore(parent):  # rows not listed until asked for
                    model.fetchMore(parent)
                if depth != 0:
                    for row in range(model.rowCount(parent)):
                        index = model.index(row, 0, parent)
                        if model.hasChildren(index):
                            below.append(index)
            level = below
            depth -= 1 if depth > 0 else 0
