"""The Body tab of the response viewer: Pretty/Raw views, search, copy, save, image preview.

All heavy lifting happens elsewhere: ``BodyLoader`` fills text stores from a worker,
``ChunkHighlighter`` lexes what is on screen in a worker, ``find_all`` searches in a worker.
This panel only routes signals and keeps every GUI-thread step small.
"""

from __future__ import annotations

import shutil
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QImage, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ..core.fileio import atomic_write_bytes
from .body_loader import BodyInfo, BodyLoader
from .highlight import ChunkHighlighter, lexer_for
from .text_search import find_all
from .widgets.code_view import CodeView
from .widgets.search_bar import SearchBar

__all__ = ["BodyPanel"]


class BodyPanel(QWidget):
    loaded = Signal()  # the whole body is in the views
    firstScreenReady = Signal()  # the visible part is shown (and highlighted, if it can be)
    _searchDone = Signal(int, int, object)  # generation, count, positions (from a worker)

    def __init__(self, executor: Executor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._executor = executor
        self._response: Any = None
        self._info: BodyInfo | None = None
        self._first_screen = False
        self._search_gen = 0
        self._hits: Any = []
        self._hit_index = -1
        self._hit_count = 0

        self.pretty_button = QPushButton("Pretty", self)
        self.raw_button = QPushButton("Raw", self)
        for b in (self.pretty_button, self.raw_button):
            b.setCheckable(True)
        self.pretty_button.setChecked(True)
        group = QButtonGroup(self)
        group.setExclusive(True)
        for b in (self.pretty_button, self.raw_button):
            group.addButton(b)
            b.setFlat(False)
        self.status_label = QLabel("", self)
        self.status_label.setEnabled(False)
        self.copy_button = QPushButton("Copy", self)
        self.copy_button.setToolTip("Copy the whole body")
        self.save_button = QPushButton("Save to file…", self)
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        for w in (self.pretty_button, self.raw_button):
            bar.addWidget(w)
        bar.addSpacing(8)
        bar.addWidget(self.status_label, 1)
        bar.addWidget(self.copy_button)
        bar.addWidget(self.save_button)

        self.note_label = QLabel("", self, wordWrap=True)
        self.note_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.note_label.hide()
        self.pretty_view = CodeView(self)
        self.raw_view = CodeView(self)
        self.image_label = QLabel(self, alignment=Qt.AlignmentFlag.AlignCenter)
        image_area = QScrollArea(self, widgetResizable=True)
        image_area.setWidget(self.image_label)
        self.stack = QStackedWidget(self)
        for page in (self.pretty_view, self.raw_view, image_area):
            self.stack.addWidget(page)
        self.search_bar = SearchBar(self)
        self.search_bar.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(bar)
        layout.addWidget(self.note_label)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.search_bar)

        self.loader = BodyLoader(executor, self)
        self.highlighter = ChunkHighlighter(executor, self)
        self.pretty_view.set_span_provider(self.highlighter.spans)
        self.loader.started.connect(self._on_started)
        self.loader.grew.connect(self._on_grew)
        self.loader.finished.connect(self._on_finished)
        self.loader.failed.connect(self._on_failed)
        self.loader.imageReady.connect(self._on_image)
        self.highlighter.updated.connect(self._on_highlighted)
        self.pretty_button.toggled.connect(self._on_mode)
        self.copy_button.clicked.connect(self.copy_body)
        self.save_button.clicked.connect(self._ask_save)
        self.search_bar.searchChanged.connect(self._search)
        self.search_bar.nextRequested.connect(lambda: self._step(1))
        self.search_bar.previousRequested.connect(lambda: self._step(-1))
        self.search_bar.closed.connect(self._search_closed)
        self._searchDone.connect(self._on_search_done)
        find = QShortcut(QKeySequence.StandardKey.Find, self)
        find.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find.activated.connect(self.search_bar.open_bar)

    # -- public --------------------------------------------------------------------------

    def show_body(self, response: Any) -> None:
        self._response = response
        self._info = None
        self._first_screen = False
        self.note_label.hide()
        self.status_label.setText("Loading…")
        self.image_label.clear()
        self.loader.load(response, getattr(response, "content_type", "") or "")
        self.pretty_view.set_store(self.loader.pretty)
        self.raw_view.set_store(self.loader.raw)
        self.highlighter.reset(None, None, self.palette())
        self._hits, self._hit_index = [], -1

    def clear(self) -> None:
        self.loader.cancel()
        self._response = None
        self.loader.raw.clear()
        self.loader.pretty.clear()
        self.pretty_view.refresh()
        self.raw_view.refresh()
        self.image_label.clear()
        self.status_label.setText("")
        self.note_label.hide()

    def current_view(self) -> CodeView:
        return self.raw_view if self.raw_button.isChecked() else self.pretty_view

    def is_loaded(self) -> bool:
        return self.loader.done and self._response is not None

    def copy_body(self) -> None:
        raw = self.loader.raw
        QGuiApplication.clipboard().setText(raw.text(0, len(raw)))

    def save_body_to(self, path: Path) -> Future[None]:
        """Write the exact body bytes to ``path`` in a worker."""
        response = self._response

        def write() -> None:
            if response.body_file is not None:
                shutil.copyfile(response.body_file, path)
            else:
                atomic_write_bytes(path, response.content())

        return self._executor.submit(write)

    def search(self, term: str) -> None:
        """Search the current view (what Ctrl+F + typing does)."""
        self.search_bar.show()
        self.search_bar.field.setText(term)
        self.search_bar.flush()

    def match_count(self) -> int:
        return self._hit_count

    # -- loading -------------------------------------------------------------------------

    def _on_started(self, info: BodyInfo) -> None:
        self._info = info
        self.note_label.setText(info.note)
        self.note_label.setVisible(bool(info.note))
        is_text = info.kind in ("json", "text", "empty")
        self.pretty_button.setEnabled(is_text)
        self.raw_button.setEnabled(is_text)
        if info.kind == "image":
            self.stack.setCurrentIndex(2)
        else:
            self._on_mode(self.pretty_button.isChecked())
        lexer = lexer_for(info.content_type if info.kind != "json" else "application/json")
        if info.kind in ("binary", "empty"):
            lexer = None
        self.highlighter.reset(self.loader.pretty, lexer, self.palette())

    def _on_grew(self) -> None:
        pretty = self.loader.pretty
        if self.pretty_view.store() is not pretty:  # non-JSON text: Pretty shows the raw store
            self.pretty_view.set_store(pretty)
            self.highlighter.reset(pretty, self.highlighter.lexer, self.palette())
        done = self.loader.done
        self.highlighter.set_complete_lines(pretty.line_count() - (0 if done else 1))
        self.pretty_view.refresh()
        self.raw_view.refresh()
        size = len(self.loader.raw)
        self.status_label.setText(f"Loading… {size / 1048576:.1f} M characters"
                                  if not done else "")
        self._check_first_screen()

    def _on_finished(self) -> None:
        if self._info is None or self._info.kind != "image":
            self._on_grew()
        if self._info is not None and self._info.kind in ("json", "text"):
            self.status_label.setText(f"{self.loader.pretty.line_count():,} lines")
        if self.search_bar.isVisible() and self.search_bar.text():
            self._search(self.search_bar.text())
        self._check_first_screen()
        self.loaded.emit()

    def _on_failed(self, message: str) -> None:
        self.note_label.setText(message)
        self.note_label.show()
        self.status_label.setText("")
        self.loaded.emit()

    def _on_image(self, image: QImage) -> None:
        self.image_label.setPixmap(QPixmap.fromImage(image))
        self.status_label.setText(f"{image.width()} × {image.height()} px")
        self._first_screen = True
        self.firstScreenReady.emit()

    def _on_highlighted(self) -> None:
        if self.pretty_view.isVisible():
            self.pretty_view.viewport().update()
        self._check_first_screen()

    def _check_first_screen(self) -> None:
        if self._first_screen or self._response is None:
            return
        view = self.pretty_view
        lines = view.visible_lines()
        enough = self.loader.done or len(lines) >= view.viewport().height() // 20
        if not enough or self._info is None:
            return
        if self.highlighter.active and not all(self.highlighter.is_lexed(i) for i in lines):
            for i in lines:  # ask for the chunks (the paint would, but it may not run yet)
                self.highlighter.spans(i)
            return
        self._first_screen = True
        self.firstScreenReady.emit()

    def _on_mode(self, pretty: bool) -> None:
        if self._info is not None and self._info.kind == "image":
            return
        self.stack.setCurrentIndex(0 if pretty else 1)
        if self.search_bar.isVisible() and self.search_bar.text():
            self._search(self.search_bar.text())

    def _ask_save(self) -> None:
        if self._response is None:
            return
        name, _ = QFileDialog.getSaveFileName(self, "Save response body", "response")
        if name:
            self.save_body_to(Path(name))

    # -- search --------------------------------------------------------------------------

    def _search(self, term: str) -> None:
        self._search_gen += 1
        view = self.current_view()
        view.set_search_term(term)
        self._hits, self._hit_index, self._hit_count = [], -1, 0
        if not term:
            self.search_bar.set_result(0, 0)
            return
        self.search_bar.set_result(0, 0, searching=True)
        store, gen = view.store(), self._search_gen
        pieces, starts = list(store.pieces), list(store.piece_starts)
        future = self._executor.submit(find_all, pieces, starts, term)
        future.add_done_callback(
            lambda f: self._searchDone.emit(gen, *f.result()) if f.exception() is None else None
        )

    def _on_search_done(self, gen: int, count: int, positions: Any) -> None:
        if gen != self._search_gen:
            return
        self._hits, self._hit_count, self._hit_index = positions, count, -1
        self.search_bar.set_result(0, count)
        if count:
            self._step(1)

    def _step(self, delta: int) -> None:
        if not len(self._hits):
            return
        self._hit_index = (self._hit_index + delta) % len(self._hits)
        start = self._hits[self._hit_index]
        self.current_view().select(start, start + len(self.search_bar.text()), current=True)
        self.search_bar.set_result(self._hit_index + 1, self._hit_count)

    def _search_closed(self) -> None:
        self.current_view().set_search_term("")
        self.current_view().setFocus()
