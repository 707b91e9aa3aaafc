"""URL bar: ``{{variables}}`` coloured (unknown ones red and underlined), curl paste caught.

QLineEdit has no rich text; colours are applied as input-method text formats, the usual
way to style parts of a line edit without giving up its editing behaviour.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QMimeData, Qt, Signal
from PySide6.QtGui import (
    QClipboard,
    QColor,
    QContextMenuEvent,
    QDropEvent,
    QGuiApplication,
    QInputMethodEvent,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QTextCharFormat,
)
from PySide6.QtWidgets import QLineEdit, QWidget

from ...core.templating import BUILTINS, find_variables

__all__ = ["UrlBar", "VariableSpan"]

VariableSpan = tuple[int, int, str, bool]  # start, end, name, known


def is_curl(text: str) -> bool:
    return text.lstrip().startswith("curl ")


class UrlBar(QLineEdit):
    curlPasted = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._known: set[str] = set()
        self.setPlaceholderText("/path or https://… — {{variables}} welcome; paste a curl command")
        self.textChanged.connect(self._restyle)

    def set_variables(self, names: set[str]) -> None:
        self._known = set(names)
        self._restyle()

    def variable_spans(self) -> list[VariableSpan]:
        return [(v.start, v.end, v.name, v.name in self._known or v.name in BUILTINS)
                for v in find_variables(self.text())]

    def unknown_variables(self) -> list[str]:
        return [name for _s, _e, name, known in self.variable_spans() if not known]

    # -- styling -------------------------------------------------------------------------

    def _formats(self) -> list[tuple[int, int, QTextCharFormat]]:
        from ..theme import tokens

        theme = tokens(self.palette())
        known_color = QColor(theme.variable)
        out = []
        for start, end, _name, known in self.variable_spans():
            fmt = QTextCharFormat()
            if known:
                fmt.setForeground(known_color)
                fmt.setFontWeight(600)
            else:
                fmt.setForeground(QColor(theme.error))
                fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
                fmt.setUnderlineColor(QColor(theme.error))
            out.append((start, end - start, fmt))
        return out

    def _restyle(self) -> None:
        cursor = self.cursorPosition()
        attrs = [
            QInputMethodEvent.Attribute(QInputMethodEvent.AttributeType.TextFormat,
                                        start - cursor, length, fmt)
            for start, length, fmt in self._formats()
        ]
        QCoreApplication.sendEvent(self, QInputMethodEvent("", attrs))
        unknown = self.unknown_variables()
        self.setToolTip("Unknown variable" + ("s: " if len(unknown) > 1 else ": ")
                        + ", ".join(unknown) if unknown else "")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Paste):
            self._paste(QGuiApplication.clipboard().mimeData())
            return
        super().keyPressEvent(event)
        # Moving the cursor shifts input-method attribute positions: re-apply.
        self._restyle()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.MiddleButton:
            clip = QGuiApplication.clipboard()
            if clip.supportsSelection():
                text = clip.text(QClipboard.Mode.Selection)
                if is_curl(text):
                    self.curlPasted.emit(text)
                    return
        super().mouseReleaseEvent(event)
        self._restyle()

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = self.createStandardContextMenu()
        for action in menu.actions():
            if action.objectName() == "edit-paste":
                action.triggered.disconnect()
                action.triggered.connect(
                    lambda: self._paste(QGuiApplication.clipboard().mimeData()))
        menu.exec(event.globalPos())
        menu.deleteLater()

    def dropEvent(self, event: QDropEvent) -> None:
        text = event.mimeData().text()
        if is_curl(text):
            event.acceptProposedAction()
            self.curlPasted.emit(text)
            return
        super().dropEvent(event)

    def _paste(self, mime: QMimeData | None) -> None:
        text = mime.text() if mime is not None else ""
        if is_curl(text):
            self.curlPasted.emit(text)
            return
        # A pasted URL often carries a trailing newline; keep the line single.
        self.insert(" ".join(text.splitlines()).strip() if "\n" in text else text)
