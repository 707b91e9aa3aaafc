"""JSON body editor: highlighted, validated as you type (line/column shown), pretty-print.

``{{variables}}`` are allowed anywhere: for validation each one is replaced by a number of
the same width, so ``{"id": {{id}}}`` is valid and error columns still match the text.
"""

from __future__ import annotations

import json
import re

from pygments.lexers.data import JsonLexer
from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QFontDatabase, QSyntaxHighlighter, QTextCharFormat, QTextDocument
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..highlight import lex_lines, theme_for
from ..theme import problem_style

__all__ = ["JsonEditor", "json_problem"]

_VARIABLE = re.compile(r"\{\{[^{}]*\}\}")
_MARK = "7391046285"


def json_problem(text: str) -> tuple[int, int, str] | None:
    """``(line, column, message)`` of the first JSON error, or None (empty is fine)."""
    if not text.strip():
        return None
    probe = _VARIABLE.sub(lambda m: "0" + " " * (len(m.group()) - 1), text)
    try:
        json.loads(probe)
    except json.JSONDecodeError as exc:
        return exc.lineno, exc.colno, exc.msg
    return None


class _Highlighter(QSyntaxHighlighter):
    """Per-block Pygments JSON lexing; bodies typed by hand are small."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self._lexer = JsonLexer()
        self._formats: dict[str, QTextCharFormat] = {}

    def set_palette(self, palette) -> None:  # type: ignore[no-untyped-def]
        self._formats = {}
        for key, color in theme_for(palette).items():
            fmt = QTextCharFormat()
            fmt.setForeground(color)
            self._formats[key] = fmt
        self.rehighlight()

    def highlightBlock(self, text: str) -> None:
        for col, length, cat in lex_lines(self._lexer, [text])[0]:
            fmt = self._formats.get(cat)
            if fmt is not None:
                self.setFormat(col, length, fmt)


class JsonEditor(QWidget):
    changed = Signal()
    validityChanged = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = QPlainTextEdit(self)
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.editor.setPlaceholderText('{\n  "name": "value"\n}')
        self.editor.setTabStopDistance(self.editor.fontMetrics().horizontalAdvance(" ") * 2)
        self.error_label = QLabel(self)
        self.error_label.setStyleSheet(problem_style())
        self.error_label.setWordWrap(True)
        self.pretty_button = QPushButton("Pretty-print", self)
        row = QHBoxLayout()
        row.addWidget(self.error_label, 1)
        row.addWidget(self.pretty_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.editor, 1)
        layout.addLayout(row)
        self._highlighter = _Highlighter(self.editor.document())
        self._highlighter.set_palette(self.palette())
        self._valid = True
        self._timer = QTimer(self, singleShot=True, interval=150)
        self._timer.timeout.connect(self.validate)
        self.editor.textChanged.connect(self._on_text)
        self.pretty_button.clicked.connect(self.pretty_print)

    def text(self) -> str:
        return self.editor.toPlainText()

    def set_text(self, text: str) -> None:
        self.editor.setPlainText(text)
        self.validate()

    def error_text(self) -> str:
        return self.error_label.text()

    def is_valid(self) -> bool:
        return self._valid

    def validate(self) -> bool:
        self._timer.stop()
        problem = json_problem(self.text())
        if problem is None:
            self.error_label.setText("")
            self.pretty_button.setEnabled(bool(self.text().strip()))
        else:
            line, col, msg = problem
            self.error_label.setText(f"Line {line}, column {col}: {msg}")
            self.pretty_button.setEnabled(False)
        valid = problem is None
        if valid != self._valid:
            self._valid = valid
            self.validityChanged.emit(valid)
        return valid

    def pretty_print(self) -> bool:
        """Re-indent the JSON (2 spaces); refused while it is invalid or has variables."""
        text = self.text()
        if not self.validate() or not text.strip():
            return False
        # Variables become unique integers (valid both bare and inside strings), then back.
        found: list[str] = []

        def stash(m: re.Match[str]) -> str:
            found.append(m.group())
            return f"{_MARK}{len(found) - 1:06d}"

        pretty = json.dumps(json.loads(_VARIABLE.sub(stash, text)), indent=2, ensure_ascii=False)
        if found:
            pretty = re.sub(rf"{_MARK}(\d{{6}})", lambda m: found[int(m.group(1))], pretty)
        cursor = self.editor.textCursor()
        cursor.select(cursor.SelectionType.Document)
        cursor.insertText(pretty)  # one undo step, unlike setPlainText
        return True

    def _on_text(self) -> None:
        self._timer.start()
        self.changed.emit()
