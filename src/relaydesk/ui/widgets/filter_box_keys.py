"""Keys of a filter box above a view: Down goes into the rows shown, Escape empties the
box.

Escape empties the box before the window's own Escape (which cancels a request in
flight) sees it; with the box empty, Escape is the window's. Made once the window is
idle: from then on, every event of the box goes through Python.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit

__all__ = ["FilterBoxKeys"]


class FilterBoxKeys(QObject):
    def __init__(self, box: QLineEdit, enter_rows: Callable[[], None]) -> None:
        super().__init__(box)
        self._box = box
        self._enter_rows = enter_rows
        box.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._box and isinstance(event, QKeyEvent):
            kind, key = event.type(), event.key()
            if key == Qt.Key.Key_Escape and self._box.text():
                event.accept()  # (a ShortcutOverride: the box's key, not the window's)
                if kind == QEvent.Type.KeyPress:
                    self._box.clear()
                return True
            if key == Qt.Key.Key_Down and kind == QEvent.Type.KeyPress and \
                    event.modifiers() == Qt.KeyboardModifier.NoModifier:
                self._enter_rows()
                return True
        return super().eventFilter(watched, event)
