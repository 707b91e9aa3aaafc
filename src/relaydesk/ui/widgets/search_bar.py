"""Ctrl+F bar: a query field, "n of m", previous/next, Esc closes. Emits, never searches."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

__all__ = ["SearchBar"]


def _tool_button(parent: QWidget, text: str, tip: str) -> QToolButton:
    button = QToolButton(parent)
    button.setText(text)
    button.setToolTip(tip)
    return button


class SearchBar(QWidget):
    searchChanged = Signal(str)  # debounced
    nextRequested = Signal()
    previousRequested = Signal()
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = QLineEdit(self)
        self.field.setPlaceholderText("Find in body")
        self.field.setClearButtonEnabled(True)
        self.count_label = QLabel("", self)
        self.count_label.setMinimumWidth(110)
        self._prev = _tool_button(self, "▲", "Previous match (Shift+Enter)")
        self._next = _tool_button(self, "▼", "Next match (Enter)")
        close = _tool_button(self, "✕", "Close (Esc)")
        close.setAutoRaise(True)
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 4, 6, 4)
        row.addWidget(self.field, 1)
        row.addWidget(self.count_label)
        row.addWidget(self._prev)
        row.addWidget(self._next)
        row.addWidget(close)
        self._debounce = QTimer(self, singleShot=True, interval=200)
        self._debounce.timeout.connect(lambda: self.searchChanged.emit(self.field.text()))
        self.field.textChanged.connect(lambda _t: self._debounce.start())
        self._prev.clicked.connect(self.previousRequested)
        self._next.clicked.connect(self.nextRequested)
        close.clicked.connect(self.close_bar)
        self.field.installEventFilter(self)

    def open_bar(self) -> None:
        self.show()
        self.field.setFocus()
        self.field.selectAll()

    def close_bar(self) -> None:
        self.hide()
        self.closed.emit()

    def text(self) -> str:
        return self.field.text()

    def flush(self) -> None:
        """Emit a pending (debounced) search now."""
        if self._debounce.isActive():
            self._debounce.stop()
            self.searchChanged.emit(self.field.text())

    def set_result(self, current: int, total: int, *, searching: bool = False) -> None:
        """``current`` is 1-based (0: none selected yet)."""
        if searching:
            text = "Searching…"
        elif not self.field.text():
            text = ""
        elif total == 0:
            text = "No matches"
        else:
            text = f"{current:,} of {total:,}" if current else f"{total:,} matches"
        self.count_label.setText(text)
        self._prev.setEnabled(total > 0)
        self._next.setEnabled(total > 0)

    def eventFilter(self, obj: object, event: object) -> bool:
        if obj is self.field and isinstance(event, QKeyEvent) and event.type() == \
                QKeyEvent.Type.ShortcutOverride and event.key() == Qt.Key.Key_Escape:
            event.accept()  # Escape closes this bar before any window shortcut (Cancel)
            return True
        if obj is self.field and isinstance(event, QKeyEvent) and event.type() == \
                QKeyEvent.Type.KeyPress:
            if event.key() == Qt.Key.Key_Escape:
                self.close_bar()
                return True
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.flush()
                if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                    self.previousRequested.emit()
                else:
                    self.nextRequested.emit()
                return True
        return super().eventFilter(obj, event)  # type: ignore[arg-type]
