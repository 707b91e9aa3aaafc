"""The request editor: method + URL bar + Send/Cancel, and Params / Headers / Cookies /
Body / Auth / Settings tabs.

Contract (shared brief): ``set_request``, ``request``, ``set_variables``, ``set_busy``,
``mark_saved``; signals ``sendRequested``, ``cancelRequested``, ``modifiedChanged(bool)``,
``curlPasted(str)``. "Modified" means ``request()`` differs from the request as it was
after the last ``set_request`` / ``mark_saved`` — so undoing an edit clears the mark.

Params and the URL bar stay in sync. A loaded request's enabled ``params`` are folded
into its URL (``fold_params``: same bytes on the wire), so the bar holds the whole query.
The table shows the URL's query items (tagged with their ``QueryPiece``) followed by the
request's remaining ``params`` rows (disabled ones; tag ``None``). Editing the bar
rebuilds the URL rows; editing, adding, removing or toggling a URL row rewrites the
bar's query, re-encoding only the edited items so everything else keeps its exact
bytes. ``request()`` puts the bar's text in ``url`` and every row that is not in that
text (disabled or nameless rows) in ``params``, so an unedited request round-trips.
"""

from __future__ import annotations

import copy
import dataclasses

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..core.model import METHODS, KeyValue, Request
from ..core.query_text import (
    QueryPiece,
    encode_piece,
    fold_params,
    query_pieces,
    replace_query,
)
from .checks_editor import ChecksEditor
from .request_body import BodyEditor
from .request_options import AuthOverride, SettingsPanel
from .widgets.kv_table import KvTable
from .widgets.url_bar import UrlBar

__all__ = ["RequestEditor"]

_NEW_URL_ROW = QueryPiece("", "", "")  # rows added in the table go into the URL


def _url_text(row: KeyValue, tag: object) -> str | None:
    """The raw query text of a table row, or None when the row is not in the URL."""
    if not isinstance(tag, QueryPiece) or not row.enabled:
        return None
    if tag.raw and (row.name, row.value) == (tag.name, tag.value):
        return tag.raw  # untouched: byte-for-byte as it was
    if not row.name:
        return None
    return encode_piece(row.name, row.value, bare=bool(tag.raw) and "=" not in tag.raw)


def _row_hint(tag: object) -> str:
    if isinstance(tag, QueryPiece):
        return "In the URL's query string"
    return "A separate parameter: sent after the URL's query string"



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
        self.params_table.model.new_row_tag = _NEW_URL_ROW
        self.params_table.model.row_hint = _row_hint
        self.headers_table = KvTable(self)
        self.cookies_table = KvTable(self)
        self.body_editor = BodyEditor(self)
        self.auth_editor = AuthOverride(self)
        self.settings_panel = SettingsPanel(self)
        self.checks_editor = ChecksEditor(self)  # what the runner judges the answer by
        self.tabs = QTabWidget(self)
        for widget, label in ((self.params_table, "Params"), (self.headers_table, "Headers"),
                              (self.cookies_table, "Cookies"), (self.body_editor, "Body"),
                              (self.auth_editor, "Auth"), (self.settings_panel, "Settings"),
                              (self.checks_editor, "Checks")):
            self.tabs.addTab(widget, label)
        # Names a screen reader says for controls without a visible label of their own.
        named: tuple[tuple[QWidget, str], ...] = (
            (self.method_combo, "HTTP method"), (self.url_bar, "Request URL"),
            (self.tabs, "Request parts"), (self.params_table.view, "Query parameters"),
            (self.headers_table.view, "Request headers"),
            (self.cookies_table.view, "Request cookies"))
        for named_widget, name in named:
            named_widget.setAccessibleName(name)
        if (method_text := self.method_combo.lineEdit()) is not None:
            method_text.setAccessibleName("HTTP method")

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
        self._syncing = False  # one side of the URL/Params sync is updating the other
        self.send_button.clicked.connect(self._on_send_clicked)
        self.url_bar.returnPressed.connect(self._on_return)
        self.url_bar.curlPasted.connect(self.curlPasted)
        self.method_combo.currentTextChanged.connect(self._on_method)
        self.url_bar.textChanged.connect(self._on_url_changed)
        self.params_table.changed.connect(self._on_params_changed)
        for panel in (self.headers_table, self.cookies_table, self.body_editor,
                      self.auth_editor, self.settings_panel, self.checks_editor):
            panel.changed.connect(self._edited)
        self._on_method(self.method_combo.currentText())

    # -- contract ------------------------------------------------------------------------

    def set_request(self, req: Request) -> None:
        # The query in one place: enabled separate params (a pasted curl command's,
        # an import's) join the URL, so the bar and the table always show the same query.
        url, params = fold_params(req.url, req.params)
        req = dataclasses.replace(req, url=url, params=params)
        self._loading = True
        try:
            self._request = copy.deepcopy(req)
            self.method_combo.setCurrentText(req.method.upper())
            self.url_bar.setText(req.url)
            pieces = query_pieces(req.url)
            self.params_table.set_items(
                [KeyValue(p.name, p.value) for p in pieces] + list(req.params),
                [*pieces, *([None] * len(req.params))])
            self.headers_table.set_items(req.headers)
            self.cookies_table.set_items(req.cookies)
            self.body_editor.set_body(req.body)
            self.auth_editor.set_auth(req.auth)
            self.settings_panel.set_options(req.options)
            self.checks_editor.set_checks(req.checks)
        finally:
            self._loading = False
        self._update_tab_titles()
        self.mark_saved()

    def request(self) -> Request:
        """A new ``Request`` with the edits; fields the editor does not show (path,
        description, anything added to the model later) are kept as given."""
        text = self.url_bar.text()
        rows = zip(self.params_table.items(), self.params_table.tags(), strict=True)
        return dataclasses.replace(
            copy.deepcopy(self._request),
            method=self.method_combo.currentText().strip().upper() or "GET",
            # Trimmed when typed; a URL loaded as it is stays exactly as it is.
            url=text if text == self._request.url else text.strip(),
            params=[row for row, tag in rows if _url_text(row, tag) is None],
            headers=self.headers_table.items(),
            cookies=self.cookies_table.items(),
            body=self.body_editor.body(),
            auth=self.auth_editor.auth(),
            options=self.settings_panel.options(),
            checks=self.checks_editor.checks(),
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

    def saved_request(self) -> Request:
        """The request as it was after the last ``set_request`` / ``mark_saved`` (what
        a change on disk is compared with)."""
        return self._baseline

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
        self._style_method(method)
        self._edited()

    def _style_method(self, method: str) -> None:
        from .theme import method_text_colour

        color = method_text_colour(method.strip(), self.palette())
        self.method_combo.setStyleSheet(f"QComboBox {{ color: {color}; font-weight: bold; }}")

    def changeEvent(self, event: QEvent) -> None:
        # A theme switch: the method's colour is a style sheet, which does not follow
        # the palette by itself.
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._style_method(self.method_combo.currentText())
        super().changeEvent(event)

    def _on_url_changed(self, text: str) -> None:
        if self._loading or self._syncing:
            return
        rows = list(zip(self.params_table.items(), self.params_table.tags(), strict=True))
        pieces = query_pieces(text)
        if [p.raw for p in pieces] != [t for r, g in rows if (t := _url_text(r, g))]:
            # URL rows not in the text (disabled, nameless) and separate params stay.
            kept = [(r, g) for r, g in rows if isinstance(g, QueryPiece)
                    and _url_text(r, g) is None]
            own = [(r, g) for r, g in rows if g is None]
            self._syncing = True
            try:
                self.params_table.set_items(
                    [KeyValue(p.name, p.value) for p in pieces] + [r for r, _ in kept + own],
                    [*pieces, *(g for _, g in kept + own)])
            finally:
                self._syncing = False
        self._edited()

    def _on_params_changed(self) -> None:
        if self._loading or self._syncing:
            return
        text = self.url_bar.text()
        rows = zip(self.params_table.items(), self.params_table.tags(), strict=True)
        wanted = [t for r, g in rows if (t := _url_text(r, g))]
        if wanted != [p.raw for p in query_pieces(text)]:
            self._syncing = True
            try:
                self.url_bar.setText(replace_query(text, wanted))
            finally:
                self._syncing = False
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
        count = self.checks_editor.table.rowCount()
        self.tabs.setTabText(self.tabs.indexOf(self.checks_editor),
                             f"Checks ({count})" if count else "Checks")
