"""Ctrl+P: jump to any request by typing a few letters of its path."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialog, QLineEdit, QListWidget, QVBoxLayout, QWidget

__all__ = ["QuickOpenDialog", "fuzzy_filter", "fuzzy_score"]


def fuzzy_score(query: str, text: str) -> int | None:
    """Lower is better; None when the letters of ``query`` are not in ``text`` in order.

    Matches in the last path segment (the request name) and consecutive runs score
    better, so "getiss" ranks "jira/cloud/Get issue" above a deep folder match.
    """
    q, t = query.casefold().replace(" ", ""), text.casefold()
    if not q:
        return 0
    name_start = t.rfind("/") + 1
    pos, score, last = 0, 0, -2
    for ch in q:
        found = t.find(ch, pos)
        if found < 0:
            return None
        score += 0 if found == last + 1 else (found - pos) + 3
        if found < name_start:
            score += 2
        last, pos = found, found + 1
    return score * 1000 + len(t)


def fuzzy_filter(query: str, items: list[str], limit: int = 200) -> list[str]:
    scored = [(s, item) for item in items if (s := fuzzy_score(query, item)) is not None]
    scored.sort(key=lambda pair: pair[0])  # stable: ties keep the tree's (user's) order
    return [item for _s, item in scored[:limit]]


class QuickOpenDialog(QDialog):
    chosen = Signal(str)

    def __init__(self, items: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Open request")
        self.resize(520, 380)
        self._items = items
        self.query = QLineEdit(self)
        self.query.setPlaceholderText("Type part of a request name…")
        self.results = QListWidget(self)
        self.query.textChanged.connect(self._refresh)
        self.query.installEventFilter(self)
        self.query.returnPressed.connect(self._accept_current)
        self.results.itemActivated.connect(lambda _i: self._accept_current())
        layout = QVBoxLayout(self)
        layout.addWidget(self.query)
        layout.addWidget(self.results)
        self._refresh("")

    def _refresh(self, text: str) -> None:
        self.results.clear()
        self.results.addItems(fuzzy_filter(text, self._items))
        if self.results.count():
            self.results.setCurrentRow(0)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        # Up/Down in the query box move through the results.
        if obj is self.query and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                step = 1 if event.key() == Qt.Key.Key_Down else -1
                row = max(0, min(self.results.count() - 1, self.results.currentRow() + step))
                self.results.setCurrentRow(row)
                return True
        return super().eventFilter(obj, event)

    def _accept_current(self) -> None:
        item = self.results.currentItem()
        if item is not None:
            self.chosen.emit(item.text())
            self.accept()
