"""The response viewer: status line, plain-words problem, Body / Headers / Cookies tabs.

Contract (see the shared brief): ``show_response``, ``show_error``, ``show_progress``,
``clear``. Knows nothing of the app; it only displays what it is handed.
"""

from __future__ import annotations

import atexit
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..core.units import human_size, human_time
from .body_panel import BodyPanel
from .theme import status_colour, tokens
from .timeline_view import TimelineView

__all__ = ["ResponseView", "cache_badge_text", "restored_badge_text", "status_color"]

_shared_executor: ThreadPoolExecutor | None = None


def _executor() -> ThreadPoolExecutor:
    """One small pool for every viewer: body loading, lexing and searching."""
    global _shared_executor
    if _shared_executor is None:
        _shared_executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="relaydesk-body")
        atexit.register(_shared_executor.shutdown, wait=False, cancel_futures=True)
    return _shared_executor


EMPTY_TEXT = ("No response yet. Press Ctrl+Enter (or Send) to send the request; "
              "Escape cancels it while it runs.")


def status_color(status: int) -> str:
    """2xx green, 3xx blue, 4xx amber, 5xx red: the theme's pills (white text, AA)."""
    return status_colour(status)


def cache_badge_text(resp: Any) -> str:
    """"from cache · 42 s old": how long the answer had been in the connection's cache
    when it was served (the cache keeps the time it stored it)."""
    age = float(resp.cache_age)
    if age < 60:
        old = f"{age:.0f} s"
    elif age < 3600:
        old = f"{age // 60:.0f} min"
    else:
        old = f"{age / 3600:.1f} h"
    return f"from cache · {old} old"


def restored_badge_text(saved_at: float) -> str:
    """"received 30 Nov 08:12": when a response kept across restarts arrived."""
    import time

    return "received " + time.strftime("%d %b %H:%M", time.localtime(saved_at))


def _badge(text: str, color: str) -> str:
    return (f"QLabel {{ background: {color}; color: white; border-radius: 3px; "
            f"padding: 2px 8px; font-weight: bold; }}")


class ResponseView(QWidget):
    loaded = Signal()  # the body is fully shown
    firstScreenReady = Signal()

    def __init__(self, parent: QWidget | None = None, *, executor: Executor | None = None
                 ) -> None:
        super().__init__(parent)
        self.status_label = QLabel(self)
        self.time_label = QLabel(self)
        self.size_label = QLabel(self)
        self.cache_label = QLabel("from cache", self)
        self.cache_label.setStyleSheet(_badge("", "#6d4c9f"))
        self.cache_label.setObjectName("cacheBadge")
        self.cache_label.setToolTip("Served from the connection's response cache: the "
                                    "server was not asked. Send, bypassing the cache "
                                    "(Ctrl+Shift+Enter) asks it again.")
        self.restored_label = QLabel(self)  # "kept from an earlier session"
        self.restored_label.setObjectName("restoredBadge")
        self.restored_label.setStyleSheet(_badge("", "#5d6d7e"))
        self.progress = QProgressBar(self)
        self.progress.setMaximumWidth(260)
        self.progress.setTextVisible(True)
        summary = QHBoxLayout()
        summary.setContentsMargins(0, 0, 0, 0)
        summary.setSpacing(12)
        for w in (self.status_label, self.time_label, self.size_label, self.cache_label):
            summary.addWidget(w)
        summary.addWidget(self.restored_label)
        summary.addStretch(1)
        summary.addWidget(self.progress)

        self.problem_label = QLabel(self, wordWrap=True)
        self.problem_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problem_label.setStyleSheet(
            f"QLabel {{ border: 1px solid {tokens().warning}; border-radius: 4px; "
            "padding: 6px; }")

        self.body = BodyPanel(executor or _executor(), self)
        self.headers_table = self._table()
        self.cookies_table = self._table()
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.body, "Body")
        self.tabs.addTab(self.headers_table, "Headers")
        self.tabs.addTab(self.cookies_table, "Cookies")
        self.tabs.setAccessibleName("Response parts")
        self.timeline_view = TimelineView(self)  # as sent, each hop, phase times
        self.tabs.addTab(self.timeline_view, "Timeline")

        self.placeholder = QLabel(EMPTY_TEXT, self, wordWrap=True,  # no minimum width
                                  alignment=Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setEnabled(False)
        self.error_label = QLabel(self, wordWrap=True,
                                  alignment=Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.setContentsMargins(12, 12, 12, 12)
        self.pages = QStackedWidget(self)
        for page in (self.placeholder, self.tabs, self.error_label):
            self.pages.addWidget(page)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addLayout(summary)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.pages, 1)
        self.body.loaded.connect(self.loaded)
        self.body.firstScreenReady.connect(self.firstScreenReady)
        self._response: Any = None
        self.clear()

    def _table(self) -> QTableWidget:
        table = QTableWidget(0, 2, self)
        table.setHorizontalHeaderLabels(["Name", "Value"])
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.verticalHeader().hide()
        table.setAlternatingRowColors(True)
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        table.setWordWrap(False)
        return table

    # -- contract ------------------------------------------------------------------------

    def show_response(self, resp: Any) -> None:
        self._response = resp
        self.progress.hide()
        self.status_label.setText(f"{resp.status} {resp.reason}".strip())
        self.status_label.setStyleSheet(_badge("", status_color(resp.status)))
        self.status_label.setToolTip(f"{resp.http_version} · {resp.method} {resp.url}")
        self.time_label.setText(human_time(resp.elapsed))
        self.time_label.setToolTip(self.timing_text())
        self.size_label.setText(human_size(resp.size))
        self.size_label.setToolTip(f"{resp.size:,} bytes")
        for w in (self.status_label, self.time_label, self.size_label):
            w.show()
        if resp.from_cache:
            self.cache_label.setText(cache_badge_text(resp))
        self.cache_label.setVisible(bool(resp.from_cache))
        self.timeline_view.show_timeline(getattr(resp, "timeline", None))
        restored = getattr(resp, "restored_at", None)
        if restored:
            self.restored_label.setText(restored_badge_text(restored))
            self.restored_label.setToolTip("The last response of this request, kept from an "
                                           "earlier session (secrets masked, a large body "
                                           "cut). Send to get a fresh one.")
        self.restored_label.setVisible(bool(restored))
        self.problem_label.setText(resp.problem or "")
        self.problem_label.setVisible(bool(resp.problem))
        self._fill(self.headers_table, resp.headers)
        self._fill(self.cookies_table, resp.cookies)
        self.tabs.setTabText(1, f"Headers ({len(resp.headers)})")
        self.tabs.setTabText(2, f"Cookies ({len(resp.cookies)})" if resp.cookies else "Cookies")
        self.pages.setCurrentWidget(self.tabs)
        self.body.show_body(resp)

    def show_error(self, message: str,
                   heading: str = "The request did not complete.") -> None:
        self._response = None
        self.body.clear()
        self._hide_summary()
        self.error_label.setText(f"<b>{_html(heading)}</b><br><br>{_html(message)}")
        self.pages.setCurrentWidget(self.error_label)

    def show_progress(self, received: int, total: int | None) -> None:
        self.progress.show()
        if total:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * min(received / total, 1.0)))
            self.progress.setFormat(f"{human_size(received)} of {human_size(total)}")
        else:
            self.progress.setRange(0, 0)  # busy indicator: size unknown
            self.progress.setFormat(human_size(received))
        if self._response is None:
            self.placeholder.setText(f"Receiving… {human_size(received)}")
            self.pages.setCurrentWidget(self.placeholder)

    def clear(self) -> None:
        self._response = None
        self.body.clear()
        self._hide_summary()
        self.placeholder.setText(EMPTY_TEXT)
        self.pages.setCurrentWidget(self.placeholder)

    # -- queries (tests, status bar) ----------------------------------------------------

    def response(self) -> Any:
        return self._response

    def timing_text(self) -> str:
        """"DNS 1 ms · Connect 2 ms · TLS 5 ms · First byte 80 ms · Total 123 ms"."""
        if self._response is None:
            return ""
        t = self._response.timings
        parts = [f"{name} {human_time(v)}" for name, v in (
            ("DNS", t.dns), ("Connect", t.connect), ("TLS", t.tls), ("First byte", t.first_byte),
        ) if v is not None]
        parts.append(f"Total {human_time(t.total)}")
        return " · ".join(parts)

    # -- helpers -------------------------------------------------------------------------

    def _hide_summary(self) -> None:
        for w in (self.status_label, self.time_label, self.size_label, self.cache_label,
                  self.problem_label, self.progress, self.restored_label):
            w.hide()
        self.timeline_view.show_timeline(None)

    @staticmethod
    def _fill(table: QTableWidget, rows: list[tuple[str, str]]) -> None:
        table.setRowCount(len(rows))
        for r, (name, value) in enumerate(rows):
            table.setItem(r, 0, QTableWidgetItem(name))
            item = QTableWidgetItem(value)
            item.setToolTip(value if len(value) > 60 else "")
            table.setItem(r, 1, item)


def _html(text: str) -> str:
    import html

    return html.escape(text).replace("\n", "<br>")
