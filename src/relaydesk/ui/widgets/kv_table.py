"""Editable name/value/enabled tables (params, headers, cookies, form, multipart).

One model class, ``RowModel``, over a list of dataclass rows (``KeyValue`` or
``MultipartField``); column 0 is the "enabled" check box. Each row also carries an
opaque *tag* the owner can use to remember where the row came from (the request editor
marks rows taken from the URL's query string). ``KvTable`` adds Add/Remove buttons;
``MultipartTable`` adds a file picker button on every row.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...core.model import KeyValue, MultipartField

__all__ = ["KvTable", "MultipartTable", "RowModel"]

Index = QModelIndex | QPersistentModelIndex


class RowModel(QAbstractTableModel):
    """Rows are dataclass instances; ``fields`` are the attribute names of columns 1…n."""

    def __init__(self, fields: Sequence[tuple[str, str]], factory: Callable[[], Any],
                 parent: Any = None) -> None:
        super().__init__(parent)
        self._fields = list(fields)  # (attribute, header)
        self._factory = factory
        self._rows: list[Any] = []
        self._tags: list[Any] = []  # parallel to _rows; treated as immutable values
        self.new_row_tag: Any = None  # the tag of rows added with add_row()
        self.row_hint: Callable[[Any], str | None] | None = None  # tag -> tooltip

    def rows(self) -> list[Any]:
        return [copy.copy(r) for r in self._rows]

    def tags(self) -> list[Any]:
        return list(self._tags)

    def set_rows(self, rows: Sequence[Any], tags: Sequence[Any] | None = None) -> None:
        if tags is not None and len(tags) != len(rows):
            raise ValueError("set_rows: one tag per row")
        self.beginResetModel()
        self._rows = [copy.copy(r) for r in rows]
        self._tags = list(tags) if tags is not None else [None] * len(rows)
        self.endResetModel()

    def add_row(self) -> int:
        n = len(self._rows)
        self.beginInsertRows(QModelIndex(), n, n)
        self._rows.append(self._factory())
        self._tags.append(self.new_row_tag)
        self.endInsertRows()
        return n

    def remove_rows(self, rows: Sequence[int]) -> None:
        for r in sorted(set(rows), reverse=True):
            self.beginRemoveRows(QModelIndex(), r, r)
            del self._rows[r]
            del self._tags[r]
            self.endRemoveRows()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._fields) + 1

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return "" if section == 0 else self._fields[section - 1][1]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == 0:
            return base | Qt.ItemFlag.ItemIsUserCheckable
        return base | Qt.ItemFlag.ItemIsEditable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        if index.column() == 0:
            if role == Qt.ItemDataRole.CheckStateRole:
                return Qt.CheckState.Checked if row.enabled else Qt.CheckState.Unchecked
            if role == Qt.ItemDataRole.ToolTipRole:
                return "Send this row" if row.enabled else "Disabled: not sent"
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return getattr(row, self._fields[index.column() - 1][0])
        if role == Qt.ItemDataRole.ToolTipRole and self.row_hint is not None:
            return self.row_hint(self._tags[index.row()])
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid():
            return False
        row = self._rows[index.row()]
        if index.column() == 0 and role == Qt.ItemDataRole.CheckStateRole:
            row.enabled = Qt.CheckState(value) == Qt.CheckState.Checked
        elif index.column() > 0 and role == Qt.ItemDataRole.EditRole:
            setattr(row, self._fields[index.column() - 1][0], str(value))
        else:
            return False
        self.dataChanged.emit(index, index, [role])
        return True


class KvTable(QWidget):
    """A table of ``KeyValue`` rows with Add / Remove."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, *, name_header: str = "Name",
                 value_header: str = "Value") -> None:
        super().__init__(parent)
        self.model = self._make_model(name_header, value_header)
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.verticalHeader().hide()
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.view.setAlternatingRowColors(True)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        for c in range(1, self.model.columnCount()):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.Stretch)
        add = QPushButton("Add", self)
        self.remove_button = QPushButton("Remove", self)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        add.clicked.connect(self.add_row)
        self.remove_button.clicked.connect(self.remove_selected)
        for sig in (self.model.dataChanged, self.model.rowsInserted, self.model.rowsRemoved,
                    self.model.modelReset):
            sig.connect(lambda *_: self.changed.emit())

    def _make_model(self, name_header: str, value_header: str) -> RowModel:
        return RowModel([("name", name_header), ("value", value_header)],
                        lambda: KeyValue(name=""), self)

    def items(self) -> list[Any]:
        return self.model.rows()

    def tags(self) -> list[Any]:
        return self.model.tags()

    def set_items(self, items: Sequence[Any], tags: Sequence[Any] | None = None) -> None:
        self.model.set_rows(items, tags)

    def add_row(self) -> None:
        row = self.model.add_row()
        index = self.model.index(row, 1)
        self.view.setCurrentIndex(index)
        self.view.edit(index)

    def remove_selected(self) -> None:
        rows = [i.row() for i in self.view.selectionModel().selectedRows()]
        if not rows and self.view.currentIndex().isValid():
            rows = [self.view.currentIndex().row()]
        self.model.remove_rows(rows)


class MultipartTable(KvTable):
    """Multipart parts: a text value or a file (chosen with the button on each row)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        for sig in (self.model.rowsInserted, self.model.rowsRemoved, self.model.modelReset):
            sig.connect(lambda *_: self._add_pickers())

    def _make_model(self, name_header: str, value_header: str) -> RowModel:
        return RowModel([("name", "Name"), ("value", "Value"), ("file", "File"),
                         ("content_type", "Content type"), ("file", "")],
                        lambda: MultipartField(name=""), self)

    def _add_pickers(self) -> None:
        col = self.model.columnCount() - 1
        self.view.horizontalHeader().setSectionResizeMode(
            col, QHeaderView.ResizeMode.ResizeToContents)
        for r in range(self.model.rowCount()):
            button = QToolButton(self.view)
            button.setText("Choose file…")
            button.clicked.connect(lambda _=False, row=r: self._pick(row))
            self.view.setIndexWidget(self.model.index(r, col), button)

    def _pick(self, row: int) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "File for this part")
        if path:
            self.model.setData(self.model.index(row, 3), path)
