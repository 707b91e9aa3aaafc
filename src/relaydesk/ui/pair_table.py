"""A small name/value table for the connection editor (headers, variables).

Rows can be checked to validate as the user types; a row that fails shows in red
and the reason goes to ``problem`` (the table stays editable).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSize, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .theme import problem_style, tokens

__all__ = ["PairTable"]

Validator = Callable[[str, int], str | None]  # (name, row count) -> problem or None


class PairTable(QWidget):
    changed = Signal()

    def __init__(self, name_title: str, value_title: str, *, max_rows: int | None = None,
                 validator: Validator | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._max = max_rows
        self._validator = validator
        self.table = QTableWidget(0, 2, self)
        self.table.setHorizontalHeaderLabels([name_title, value_title])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.itemChanged.connect(self._item_changed)
        self.add_button = QPushButton("Add", self)
        self.add_button.clicked.connect(lambda: self.add_row("", ""))
        self.remove_button = QPushButton("Remove", self)
        self.remove_button.clicked.connect(self._remove_current)
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(problem_style())
        self.problem.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addWidget(self.problem)

    def set_pairs(self, pairs: list[tuple[str, str]]) -> None:
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        for name, value in pairs:
            self._append(name, value)
        self.table.blockSignals(False)
        self.validate()

    def _append(self, name: str, value: str) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, 0, QTableWidgetItem(name))
        self.table.setItem(row, 1, QTableWidgetItem(value))

    def add_row(self, name: str, value: str) -> bool:
        if self._max is not None and self.table.rowCount() >= self._max:
            self.problem.setText(f"At most {self._max} entries are allowed.")
            self.problem.show()
            return False
        self.table.blockSignals(True)
        self._append(name, value)
        self.table.blockSignals(False)
        self.table.setCurrentCell(self.table.rowCount() - 1, 0)
        self.validate()
        self.changed.emit()
        return True

    def _remove_current(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)
            self.validate()
            self.changed.emit()

    def pairs(self) -> list[tuple[str, str]]:
        out = []
        for row in range(self.table.rowCount()):
            name = (self.table.item(row, 0) or QTableWidgetItem()).text().strip()
            value = (self.table.item(row, 1) or QTableWidgetItem()).text()
            if name:
                out.append((name, value))
        return out

    def _item_changed(self, _item: QTableWidgetItem) -> None:
        self.validate()
        self.changed.emit()

    def validate(self) -> str | None:
        """Colour bad rows; return the first problem (also shown under the table)."""
        first: str | None = None
        self.table.blockSignals(True)
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is None:
                continue
            reason = (self._validator(item.text().strip(), self.table.rowCount())
                      if self._validator and item.text().strip() else None)
            item.setForeground(QBrush(QColor(tokens().error)) if reason else QBrush())
            item.setToolTip(reason or "")
            first = first or reason
        self.table.blockSignals(False)
        self.problem.setText(first or "")
        self.problem.setVisible(bool(first))
        self.add_button.setEnabled(self._max is None or self.table.rowCount() < self._max)
        return first

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        hint.setHeight(max(hint.height(), 160))
        return hint

