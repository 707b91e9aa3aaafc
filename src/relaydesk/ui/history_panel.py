"""The History panel: search what was sent, open an entry as a new request, clear.

Knows nothing of the app: it is given an object with ``search(HistoryQuery)``,
``get(id)`` and ``clear()`` (a core ``History``) and emits ``openRequested`` with a
new unsaved ``Request`` for the window to open in a tab.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from relaydesk.core.history import HistoryEntry, HistoryQuery

from .dialogs import confirm

__all__ = ["HistoryPanel", "HistorySource"]

_METHODS = ("", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


class HistorySource(Protocol):
    def search(self, query: HistoryQuery | None = None) -> list[HistoryEntry]: ...
    def get(self, entry_id: int) -> HistoryEntry | None: ...
    def clear(self) -> None: ...


class HistoryPanel(QWidget):
    openRequested = Signal(object)  # relaydesk.core.model.Request
    cleared = Signal()

    def __init__(self, source: HistorySource, *, limit: int = 500,
                 confirm: Callable[[str], bool] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._source = source
        self._limit = limit
        self._confirm = confirm or self._ask
        self.search_edit = QLineEdit(placeholderText="Search URL…")
        self.method_combo = QComboBox()
        self.method_combo.addItems([m or "Any method" for m in _METHODS])
        self.status_edit = QLineEdit(placeholderText="Status")
        self.status_edit.setMaximumWidth(70)
        self.since_check = QCheckBox("Since")
        self.since_edit = QDateEdit(QDate.currentDate())
        self.since_edit.setCalendarPopup(True)
        self.since_edit.setEnabled(False)
        self.since_check.toggled.connect(self.since_edit.setEnabled)
        self.open_button = QPushButton("Open as request")
        self.clear_button = QPushButton("Clear…")
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(["Time", "Method", "Status", "Duration", "URL"])
        header = self.table.horizontalHeader()
        for column in range(4):  # a timestamp must stay on one line
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.empty_note = QLabel(self)
        self.empty_note.setObjectName("historyEmpty")
        self.empty_note.setWordWrap(True)
        self.empty_note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        from .theme import tokens

        self.empty_note.setStyleSheet(f"color: {tokens().text_muted}; padding: 16px;")
        filters = QHBoxLayout()
        for w in (self.search_edit, self.method_combo, self.status_edit, self.since_check,
                  self.since_edit):
            filters.addWidget(w, 1 if w is self.search_edit else 0)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_note, 1)
        layout.addLayout(buttons)
        # Typing refreshes after a pause, not per key press.
        self._debounce = QTimer(self, singleShot=True, interval=200)
        self._debounce.timeout.connect(self.refresh)
        self.search_edit.textChanged.connect(lambda _t: self._debounce.start())
        self.status_edit.textChanged.connect(lambda _t: self._debounce.start())
        self.method_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.since_check.toggled.connect(lambda _b: self.refresh())
        self.since_edit.dateChanged.connect(lambda _d: self.refresh())
        self.open_button.clicked.connect(self.open_selected)
        self.clear_button.clicked.connect(self.clear)
        self.table.cellDoubleClicked.connect(lambda _r, _c: self.open_selected())
        self.refresh()

    def query(self) -> HistoryQuery:
        status = self.status_edit.text().strip()
        since = None
        if self.since_check.isChecked():
            d = self.since_edit.date()
            since = time.mktime((d.year(), d.month(), d.day(), 0, 0, 0, 0, 0, -1))
        return HistoryQuery(
            text=self.search_edit.text().strip(),
            method=_METHODS[self.method_combo.currentIndex()],
            status=int(status) if status.isdigit() else None,
            since=since, limit=self._limit,
        )

    def refresh(self) -> None:
        query = self.query()
        entries = self._source.search(query)
        filtered = bool(query.text or query.method or query.status is not None or query.since)
        self.empty_note.setText(
            "No entries match these filters." if filtered else
            "Every request you send appears here, from the app, the `relaydesk` command "
            "and scripts alike: method, status, time and URL, with secrets masked. "
            "Double-click one to open it again.")
        self.empty_note.setVisible(not entries)
        self.table.setVisible(bool(entries))
        self.table.setRowCount(len(entries))
        for row, e in enumerate(entries):
            when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(e.ts))
            cells = [when, e.method, str(e.status) if e.status is not None else "error",
                     f"{e.elapsed_ms:.0f} ms" if e.elapsed_ms is not None else "",
                     e.url]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == 0:
                    item.setData(Qt.ItemDataRole.UserRole, e.id)
                if col == 4 and e.error:
                    item.setToolTip(e.error)
                self.table.setItem(row, col, item)

    def selected_entry(self) -> HistoryEntry | None:
        row = self.table.currentRow()
        item = self.table.item(row, 0) if row >= 0 else None
        if item is None:
            return None
        return self._source.get(int(item.data(Qt.ItemDataRole.UserRole)))

    def open_selected(self) -> None:
        entry = self.selected_entry()
        if entry is not None:
            self.openRequested.emit(entry.to_request(f"History/{entry.method} {entry.id}"))

    def clear(self) -> None:
        if not self._confirm("Delete every entry of the request history?"):
            return
        self._source.clear()
        self.refresh()
        self.cleared.emit()

    def _ask(self, question: str) -> bool:
        return confirm(self, "Clear history", question)


