"""A connection's API operations, by group and searchable; opening one makes a request.

The operations come from the connection's stored description (``core.managed``).
Reading its index is a few milliseconds, but a description changed outside the app
is indexed again first (a parse of the whole document), so the list is read in a
worker thread and arrives as a signal. Opening an operation emits a new, unsaved
request (path template, parameters, example body) for the window to open in a tab.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from relaydesk.core.managed import ManagedApi
    from relaydesk.core.model import Connection, Request
    from relaydesk.core.workspace import Workspace

__all__ = ["OperationsDialog"]

_ROLE = Qt.ItemDataRole.UserRole


class OperationsDialog(QDialog):
    """The operations of one connection; ``opened`` carries the new ``Request``."""

    opened = Signal(object)
    _loaded = Signal(object, str)  # rows (or None) and a problem, from the worker thread

    def __init__(self, workspace: Workspace, connection: Connection,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("operationsDialog")
        self.setWindowTitle(f"Operations of {connection.path}")
        self.resize(640, 520)
        self._workspace, self._connection = workspace, connection
        self._api: ManagedApi | None = None
        # Each group's item and its operations' items with the text a search matches.
        self._rows: list[tuple[QTreeWidgetItem, list[tuple[QTreeWidgetItem, str]]]] = []
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Filter by name, path or summary…")
        self.search.setClearButtonEnabled(True)
        self.tree = QTreeWidget(self)
        self.tree.setHeaderLabels(["Operation", "Method", "Path"])
        self.tree.setColumnWidth(0, 260)
        self.tree.setColumnWidth(1, 70)
        self.status = QLabel("Reading the API description…", self)
        buttons = QDialogButtonBox(self)
        self.open_button = buttons.addButton("Open as request",
                                             QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.open_button.clicked.connect(self.open_current)
        self.tree.itemActivated.connect(lambda _item, _col: self.open_current())
        self.search.textChanged.connect(self._filter)
        self._loaded.connect(self._fill)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        threading.Thread(target=self._load, name="relaydesk-operations", daemon=True).start()

    def _load(self) -> None:
        from relaydesk.core.errors import RelaydeskError
        from relaydesk.core.managed import managed_api_for

        try:
            api = managed_api_for(self._workspace, self._connection)
            if api is None:
                self._loaded.emit(None, "This connection has no API description; attach one "
                                        "with `relaydesk describe PATH --from FILE|URL`.")
                return
            rows = [(r.group, r.name, r.method, r.path, r.summary)
                    for r in api.index.operations()]
        except RelaydeskError as exc:
            self._loaded.emit(None, str(exc))
            return
        self._api = api
        self._loaded.emit(rows, "")

    def _fill(self, rows: list[tuple[str, str, str, str, str]] | None, problem: str) -> None:
        if rows is None:
            self.status.setText(problem)
            self.open_button.setEnabled(False)
            return
        groups: dict[str, QTreeWidgetItem] = {}
        for group, name, method, path, summary in rows:
            parent = groups.get(group)
            if parent is None:
                parent = groups[group] = QTreeWidgetItem(self.tree, [group])
                self._rows.append((parent, []))
            item = QTreeWidgetItem(parent, [name, method, path])
            item.setToolTip(0, summary or name)
            item.setData(0, _ROLE, (group, name, summary))
            self._rows[-1][1].append(
                (item, " ".join([group, name, method, path, summary]).casefold()))
        self.tree.expandAll()
        self.status.setText(f"{len(rows)} operation(s) in {len(groups)} group(s). Enter or "
                            "double-click opens one as a new request.")
        self._filter(self.search.text())

    def _filter(self, text: str) -> None:
        needle = text.casefold().strip()
        for group, items in self._rows:
            shown = 0
            for item, haystack in items:
                hidden = bool(needle) and needle not in haystack
                item.setHidden(hidden)
                shown += not hidden
            group.setHidden(shown == 0)

    def open_current(self) -> Request | None:
        item = self.tree.currentItem()
        data: Any = item.data(0, _ROLE) if item is not None else None
        if self._api is None or not data:
            return None
        from relaydesk.core.managed_request import request_for
        from relaydesk.core.model import join_path

        group, name, summary = data
        op = self._api.operation(group, name)
        if op is None:
            return None
        title = (summary or name).replace("/", "-")
        path, n = join_path(self._connection.path, group, title), 2
        while self._workspace.kind_of(path) is not None:  # never over a saved request
            path, n = join_path(self._connection.path, group, f"{title} {n}"), n + 1
        request = request_for(op, self._connection.path, path.rsplit("/", 1)[-1])
        self.opened.emit(request)
        return request
