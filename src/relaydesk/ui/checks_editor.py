"""The request's Checks tab: the assertions the runner judges its response by.

One row per check: what is checked (status, a header, a JSONPath into the body, the
time), its target (header name or JSONPath) and the expected value. Rows are saved
with the request as the core's check documents (``core.checks``); a row the core
refuses stays as typed, marked red with the reason (the runner names it too), so
nothing typed is lost. Emits ``changed``; knows nothing of the app.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core.checks import CHECK_KINDS, check_from_doc
from ..core.errors import ValidationError
from .theme import tokens

__all__ = ["KIND_LABELS", "ChecksEditor", "doc_from_row", "row_from_doc"]

KIND_LABELS = {
    "status_equals": "Status is",
    "status_in_range": "Status between",
    "header_present": "Header present",
    "header_equals": "Header equals",
    "jsonpath_exists": "Body has (JSONPath)",
    "jsonpath_equals": "Body value is (JSONPath)",
    "time_under": "Time under (ms)",
}
_TARGETED = {"header_present", "header_equals", "jsonpath_exists", "jsonpath_equals"}
_VALUED = {"status_equals", "status_in_range", "header_equals", "jsonpath_equals", "time_under"}


def _number(text: str) -> Any:
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text  # the core says what is wrong with it


def doc_from_row(kind: str, target: str, expected: str) -> dict[str, Any]:
    """The saved document of a row as typed (the core validates it)."""
    target, expected = target.strip(), expected.strip()
    if kind == "status_equals":
        return {"kind": kind, "value": _number(expected)}
    if kind == "status_in_range":
        low, _, high = expected.replace("–", "-").partition("-")
        return {"kind": kind, "min": _number(low.strip()), "max": _number(high.strip())}
    if kind == "header_present":
        return {"kind": kind, "header": target}
    if kind == "header_equals":
        return {"kind": kind, "header": target, "value": expected}
    if kind == "jsonpath_exists":
        return {"kind": kind, "path": target}
    if kind == "jsonpath_equals":
        try:
            value: Any = json.loads(expected)
        except ValueError:
            value = expected  # plain text means a string
        return {"kind": kind, "path": target, "value": value}
    return {"kind": kind, "ms": _number(expected)}


def row_from_doc(doc: dict[str, Any]) -> tuple[str, str, str]:
    """``(kind, target, expected)`` as the table shows a saved document."""
    kind = str(doc.get("kind", ""))
    target = str(doc.get("header") or doc.get("path") or "")
    if kind == "status_in_range":
        expected = f"{doc.get('min', '')}-{doc.get('max', '')}"
    elif kind == "time_under":
        expected = str(doc.get("ms", ""))
    elif kind == "jsonpath_equals":
        expected = json.dumps(doc.get("value"))
    elif "value" in doc:
        expected = str(doc.get("value"))
    else:
        expected = ""
    return kind, target, expected


class ChecksEditor(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hint = QLabel("The runner judges the response by these checks. With none, "
                           "any status below 400 passes.", self, wordWrap=True)
        self.table = QTableWidget(0, 3, self)
        self.table.setHorizontalHeaderLabels(["Check", "Header / JSONPath", "Expected"])
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.add_kind = QComboBox(self)
        for kind in CHECK_KINDS:
            self.add_kind.addItem(KIND_LABELS[kind], kind)
        self.add_button = QPushButton("Add check", self)
        self.remove_button = QPushButton("Remove", self)
        row = QHBoxLayout()
        row.addWidget(self.add_kind)
        row.addWidget(self.add_button)
        row.addStretch(1)
        row.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.hint)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        self._loading = False
        self.add_button.clicked.connect(lambda: self.add_check(self.add_kind.currentData()))
        self.remove_button.clicked.connect(self._remove_selected)
        self.table.itemChanged.connect(self._edited)

    # -- contract ----------------------------------------------------------------------

    def set_checks(self, docs: list[dict[str, Any]]) -> None:
        self._loading = True
        try:
            self.table.setRowCount(0)
            for doc in docs:
                self._append(*row_from_doc(doc))
        finally:
            self._loading = False
        self._validate()

    def checks(self) -> list[dict[str, Any]]:
        """Every row as a check document, in order (the refused ones too, as typed)."""
        return [doc_from_row(*self._row(r)) for r in range(self.table.rowCount())]

    def problems(self) -> list[str]:
        """Why rows are refused, one line per bad row."""
        found = []
        for r in range(self.table.rowCount()):
            try:
                check_from_doc(doc_from_row(*self._row(r)))
            except ValidationError as exc:
                found.append(f"Check {r + 1}: {exc}")
        return found

    def add_check(self, kind: str) -> int:
        """A new row of ``kind`` with a sensible start; returns its row."""
        start = {"status_equals": "200", "status_in_range": "200-299", "time_under": "1000"}
        self._loading = True
        try:
            row = self._append(kind, "", start.get(kind, ""))
        finally:
            self._loading = False
        self._edited()
        column = 1 if kind in _TARGETED else 2
        self.table.setCurrentCell(row, column)
        self.table.setFocus()
        return row

    # -- internals ---------------------------------------------------------------------

    def _append(self, kind: str, target: str, expected: str) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        label = QTableWidgetItem(KIND_LABELS.get(kind, kind))
        label.setData(Qt.ItemDataRole.UserRole, kind)
        label.setFlags(label.flags() & ~Qt.ItemFlag.ItemIsEditable)
        self.table.setItem(row, 0, label)
        for column, text, used in ((1, target, kind in _TARGETED),
                                   (2, expected, kind in _VALUED)):
            item = QTableWidgetItem(text)
            if not used:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                item.setText("")
            self.table.setItem(row, column, item)
        return row

    def _row(self, row: int) -> tuple[str, str, str]:
        def text(column: int) -> str:
            item = self.table.item(row, column)
            return item.text() if item is not None else ""

        head = self.table.item(row, 0)
        kind = str(head.data(Qt.ItemDataRole.UserRole)) if head is not None else ""
        return kind, text(1), text(2)

    def _remove_selected(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True)
        if not rows and self.table.currentRow() >= 0:
            rows = [self.table.currentRow()]
        for row in rows:
            self.table.removeRow(row)
        if rows:
            self._edited()

    def _edited(self, *_args: object) -> None:
        if self._loading:
            return
        self._validate()
        self.changed.emit()

    def _validate(self) -> None:
        self._loading = True
        try:
            for r in range(self.table.rowCount()):
                try:
                    check_from_doc(doc_from_row(*self._row(r)))
                    problem = ""
                except ValidationError as exc:
                    problem = str(exc)
                for c in range(3):
                    item = self.table.item(r, c)
                    if item is not None:
                        item.setToolTip(problem)
                        # None, not an empty brush: that would paint the text invisible
                        item.setData(Qt.ItemDataRole.ForegroundRole,
                                     QBrush(QColor(tokens().error)) if problem else None)
        finally:
            self._loading = False
