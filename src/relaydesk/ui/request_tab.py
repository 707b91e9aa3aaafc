"""One tab of the main window: a request editor over its response view.

The tab keeps the path it edits, its unsaved-changes flag and the task of the
request in flight (one at a time), so the window can route signals to it. A small
menu button beside Send offers "Send, bypassing the cache" (when the connection's
response cache is on) and "Fetch all pages" (every page merged into one JSON array,
shown as the response).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QBoxLayout, QMenu, QSplitter, QToolButton, QVBoxLayout, QWidget

from relaydesk.core.model import Request

from .in_flight import InFlight
from .request_editor import RequestEditor
from .response_view import ResponseView

if TYPE_CHECKING:
    import asyncio

    from relaydesk.core.pagination import PaginationResult
    from relaydesk.core.response import Response

__all__ = ["RequestTab", "merged_response"]


TAB_MIN_WIDTH = 420
EDITOR_SHARE = 36  # % of the tab's height for the request editor at first

class RequestTab(QWidget):
    titleChanged = Signal()
    fetchAllRequested = Signal()
    bypassCacheRequested = Signal()  # "Send, bypassing the cache"
    busyChanged = Signal(bool)  # a request started or ended in this tab

    def __init__(self, request: Request, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = request.path
        self.modified = False
        self.task: asyncio.Task[None] | None = None
        self.editor = RequestEditor(self)
        self.view = ResponseView(self)
        self.in_flight = InFlight(self.view)  # the running timer and the dimmed old answer
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(self.editor)
        self.splitter.addWidget(self.view)
        # The response gets the room by default (about two thirds); the user's own
        # split is remembered by the window.
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        self.split_restored = False  # the window restored the user's own split
        # Narrower than its rows of buttons if need be: beside the tree and a dock it
        # must still fit a 1000 px window (the rows then clip at their right end).
        self.setMinimumWidth(TAB_MIN_WIDTH)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self.editor.set_request(request)
        self.editor.modifiedChanged.connect(self.set_modified)
        self._yield_find_shortcut()
        self._add_send_menu()

    def showEvent(self, event: QShowEvent) -> None:
        # The first split is made once the tab has its height (the editor's size hint
        # would otherwise win); a split the user made and the window restored is kept.
        if not self.split_restored:
            self.split_restored = True
            height = max(self.splitter.height(), 200)
            editor = max(self.editor.minimumSizeHint().height(), height * EDITOR_SHARE // 100)
            self.splitter.setSizes([editor, height - editor])
        super().showEvent(event)

    def _add_send_menu(self) -> None:
        """A drop-down beside Send, in the editor's top row (Send itself stays one click)."""
        self.send_menu_button = QToolButton(self.editor)
        self.send_menu_button.setObjectName("sendMenuButton")
        self.send_menu_button.setArrowType(Qt.ArrowType.DownArrow)
        self.send_menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.send_menu_button.setToolTip("More ways to send")
        menu = QMenu(self.send_menu_button)
        self.bypass_cache_action = menu.addAction("Send, bypassing the cache")
        self.bypass_cache_action.setToolTip("Send to the server even if the response "
                                            "cache holds an answer (Ctrl+Shift+Enter)")
        self.bypass_cache_action.triggered.connect(
            lambda _c=False: self.bypassCacheRequested.emit())
        self.fetch_all_action = menu.addAction("Fetch all pages")
        self.fetch_all_action.setToolTip("Follow the pagination and show every page's "
                                         "items merged into one list")
        self.fetch_all_action.triggered.connect(lambda _c=False: self.fetchAllRequested.emit())
        self.send_menu_button.setMenu(menu)
        outer = self.editor.layout()
        first = outer.itemAt(0) if outer is not None and outer.count() else None
        top = first.layout() if first is not None else None
        if isinstance(top, QBoxLayout) and (i := top.indexOf(self.editor.send_button)) >= 0:
            top.insertWidget(i + 1, self.send_menu_button)
        else:  # an editor laid out differently: the action still works from the menu bar
            self.send_menu_button.hide()

    def set_busy(self, busy: bool) -> None:
        if busy:
            self.in_flight.start()
        else:
            self.in_flight.stop()
        self.editor.set_busy(busy)
        self.send_menu_button.setEnabled(not busy)
        self.busyChanged.emit(busy)

    def _yield_find_shortcut(self) -> None:
        """The window's Ctrl+F action forwards to the response search; a second live
        shortcut for the same key would make Qt treat it as ambiguous and fire neither."""
        from PySide6.QtGui import QKeySequence, QShortcut

        find = QKeySequence(QKeySequence.StandardKey.Find)
        for shortcut in self.view.findChildren(QShortcut):
            if shortcut.key() == find:
                shortcut.setEnabled(False)

    def open_search(self) -> None:
        body = getattr(self.view, "body", None)
        bar = getattr(body, "search_bar", None)
        if bar is not None:
            bar.open_bar()

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    def title(self) -> str:
        return ("• " if self.modified else "") + self.name

    def set_modified(self, modified: bool) -> None:
        if modified != self.modified:
            self.modified = modified
            self.titleChanged.emit()

    def set_path(self, path: str) -> None:
        self.path = path
        self.titleChanged.emit()

    def busy(self) -> bool:
        return self.task is not None and not self.task.done()

    def edited_request(self) -> Request:
        """The editor's state, always at this tab's path."""
        from dataclasses import replace

        return replace(self.editor.request(), path=self.path)

    def mark_saved(self) -> None:
        """The editor's state is now what is on disk (clears the unsaved mark)."""
        self.editor.mark_saved()
        self.set_modified(False)


def merged_response(result: PaginationResult, request_url: str, elapsed: float) -> Response:
    """The merged items of every page as one JSON response, for the response view."""
    import json

    from relaydesk.core.response import Response, Timings

    body = json.dumps(result.items, ensure_ascii=False, indent=2).encode()
    pages = f"{result.pages} page" + ("s" if result.pages != 1 else "")
    items = f"{len(result.items)} item" + ("s" if len(result.items) != 1 else "")
    headers = [("Content-Type", "application/json; charset=utf-8"),
                          ("X-Relaydesk-Pages", str(result.pages)),
                          ("X-Relaydesk-Pagination", result.style)]
    return Response(status=200, reason=f"OK · {items} from {pages}", http_version="",
                    method="GET", url=request_url, headers=headers, size=len(body),
                    timings=Timings(total=elapsed), body=body)
