"""The request editor: method + URL bar + Send/Cancel, and Params / Headers / Cookies /
Body / Auth / Settings tabs.

Contract (shared brief): ``set_request``, ``request``, ``set_variables``, ``set_busy``,
``mark_saved``; signals ``sendRequested``, ``cancelRequested``, ``modifiedChanged(bool)``,
``curlPasted(str)``. "Modified" means ``request()`` differs from the request as it was
after the last ``set_request`` / ``mark_saved`` — so undoing an edit clears the mark.
"""

from __future__ import annotations

import copy
import dataclasses

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..core.model import METHODS, Request
from .request_body import BodyEditor
from .request_options import AuthOverride, SettingsPanel
from .widgets.kv_table import KvTable
from .widgets.url_bar import UrlBar

__all__ = ["RequestEditor"]

_METHOD_COLORS = {"GET": "#2e7d32", "POST": "#b26a00", "PUT": "#1565c0", "PATCH": "#6a1b9a",
                  "DELETE": "#c62828"}


class RequestEditor(QWidget):
    sendRequested = Signal()
    cancelRequested = Signal()
    modifiedChanged = Signal(bool)
    curlPasted = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.method_combo = QComboBox(self, editable=True)
        self.method_combo.addItems(list(METHODS))
        self.method_combo.setMinimumContentsLength(7)
        self.url_bar = UrlBar(self)
        self.send_button = QPushButton("Send", self)
        self.send_button.setDefault(True)
        self.send_button.setToolTip("Send (Ctrl+Enter)")
        self.send_button.setMinimumWidth(84)
        top = QHBoxLayout()
        top.setSpacing(6)
        top.addWidget(self.method_combo)
        top.addWidget(self.url_bar, 1)
        top.addWidget(self.send_button)

        self.params_table = KvTable(self)
        self.headers_table = KvTable(self)
        self.cookies_table = KvTable(self)
        self.body_editor = BodyEditor(self)
        self.auth_editor = AuthOverride(self)
        self.settings_panel = SettingsPanel(self)
        self.tabs = QTabWidget(self)
        for widget, label in ((self.params_table, "Params"), (self.headers_table, "Headers"),
                              (self.cookies_table, "Cookies"), (self.body_editor, "Body"),
                              (self.auth_editor, "Auth"), (self.settings_panel, "Settings")):
            self.tabs.addTab(widget, label)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)

        self._request = Request(path="")
        self._baseline = self.request()
        self._modified = False
        self._busy = False
        self._loading = False
        self.send_button.clicked.connect(self._on_send_clicked)
        self.url_bar.returnPressed.connect(self._on_return)
        self.url_bar.curlPasted.connect(self.curlPasted)
        self.method_combo.currentTextChanged.connect(self._on_method)
        self.url_bar.textChanged.connect(self._edited)
        for panel in (self.params_table, self.headers_table, self.cookies_table,
                      self.body_editor, self.auth_editor, self.settings_panel):
            panel.changed.connect(self._edited)
        self._on_method(self.method_combo.currentText())

    # -- contract ------------------------------------------------------------------------

    def set_request(self, req: Request) -> None:
        self._loading = True
        try:
            self._request = copy.deepcopy(req)
            self.method_combo.setCurrentText(req.method.upper())
            self.url_bar.setText(req.url)
            self.params_table.set_items(req.params)
            self.headers_table.set_items(req.headers)
            self.cookies_table.set_items(req.cookies)
            self.body_editor.set_body(req.body)
            self.auth_editor.set_auth(req.auth)
            self.settings_panel.set_options(req.options)
        finally:
            self._loading = False
        self._update_tab_titles()
        self.mark_saved()

    def request(self) -> Request:
        """A new ``Request`` with the edits; fields the editor does not show (path,
        description, anything added to the model later) are kept as given."""
        return dataclasses.replace(
            copy.deepcopy(self._request),
            method=self.method_combo.currentText().strip().upper() or "GET",
            url=self.url_bar.text().strip(),
            params=self.params_table.items(),
            headers=self.headers_table.items(),
            cookies=self.cookies_table.items(),
            body=self.body_editor.body(),
            auth=self.auth_editor.auth(),
            options=self.settings_panel.options(),
        )

    def set_variables(self, names: set[str]) -> None:
        self.url_bar.set_variables(names)

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.send_button.setText("Cancel" if busy else "Send")
        self.send_button.setToolTip("Cancel the request" if busy else "Send (Ctrl+Enter)")

    def mark_saved(self) -> None:
        self._baseline = self.request()
        self._set_modified(False)

    def is_modified(self) -> bool:
        return self._modified

    def is_busy(self) -> bool:
        return self._busy

    def focus_url(self) -> None:
        self.url_bar.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.url_bar.selectAll()

    # -- internals -----------------------------------------------------------------------

    def _on_send_clicked(self) -> None:
        (self.cancelRequested if self._busy else self.sendRequested).emit()

    def _on_return(self) -> None:
        if not self._busy:
            self.sendRequested.emit()

    def _on_method(self, method: str) -> None:
        color = _METHOD_COLORS.get(method.strip().upper(), "")
        self.method_combo.setStyleSheet(
            f"QComboBox {{ color: {color}; font-weight: bold; }}" if color else
            "QComboBox { font-weight: bold; }")
        self._edited()

    def _edited(self, *_args: object) -> None:
        if self._loading:
            return
        self._update_tab_titles()
        self._set_modified(self.request() != self._baseline)

    def _set_modified(self, modified: bool) -> None:
        if modified != self._modified:
            self._modified = modified
            self.modifiedChanged.emit(modified)

    def _update_tab_titles(self) -> None:
        for index, (table, label) in enumerate(((self.params_table, "Params"),
                                                (self.headers_table, "Headers"),
                                                (self.cookies_table, "Cookies"))):
            n = sum(1 for item in table.items() if item.enabled and item.name)
            self.tabs.setTabText(index, f"{label} ({n})" if n else label)
        kind = self.body_editor.kind()
        self.tabs.setTabText(3, "Body" if kind == "none" else f"Body · {kind}")
