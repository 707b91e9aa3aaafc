"""A read-only, virtualised text view for bodies of any size.

Only the lines on screen are ever touched: painting reads the visible slice of each visible
line from a ``TextStore`` and asks a span provider for its colours. Nothing is laid out
ahead, so a 6 M-line document scrolls like a 60-line one and a 50 MB single line (minified
JSON, Raw mode) paints instantly: only the columns in view are drawn.

Trade-off, on purpose: the view assumes a monospaced grid (one character = one cell). Wide
glyphs (CJK, emoji) and tabs (drawn as one cell) can shift the rest of their line a little;
in exchange horizontal scrolling is O(1) on lines of any length and columns never need a
text layout of the whole line.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, QRect, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFontDatabase,
    QFontMetricsF,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

from .text_store import TextStore

__all__ = ["CodeView", "Span", "SpanProvider"]

Span = tuple[int, int, QColor]  # start column, length, colour
SpanProvider = Callable[[int], "list[Span] | None"]

_GUTTER_PAD = 8


class CodeView(QAbstractScrollArea):
    """Monospaced read-only text view over a ``TextStore`` with selection and copy."""

    selectionChanged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = TextStore()
        self._spans: SpanProvider | None = None
        self._anchor = self._cursor = 0
        self._term = ""
        self._current: tuple[int, int] | None = None  # the search hit being shown
        self._painted = (0, 0.0)  # line count and gutter width at the last paint
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.viewport().setCursor(Qt.CursorShape.IBeamCursor)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.viewport().setBackgroundRole(QPalette.ColorRole.Base)
        self._metrics()

    # -- content -------------------------------------------------------------------------

    def store(self) -> TextStore:
        return self._store

    def set_store(self, store: TextStore) -> None:
        self._store = store
        self._anchor = self._cursor = 0
        self._current = None
        self.verticalScrollBar().setValue(0)
        self.horizontalScrollBar().setValue(0)
        self._update_ranges()
        self.viewport().update()

    def set_span_provider(self, provider: SpanProvider | None) -> None:
        self._spans = provider
        self.viewport().update()

    def refresh(self) -> None:
        """The store grew: update scroll ranges; repaint only if what is on screen changed
        (while 50 MB stream in below the first screen, nothing needs painting)."""
        self._update_ranges()
        rows = int(self.viewport().height() / self._lh) + 1
        on_screen_grew = self._painted[0] <= self.verticalScrollBar().value() + rows
        if on_screen_grew or self._painted[1] != self._gutter():
            self.viewport().update()

    def set_search_term(self, term: str) -> None:
        self._term = term.lower()
        self.viewport().update()

    def visible_lines(self) -> range:
        first = self.verticalScrollBar().value()
        rows = int(self.viewport().height() / self._lh) + 1
        return range(first, min(first + rows, self._store.line_count()))

    # -- selection -----------------------------------------------------------------------

    def select(self, start: int, end: int, *, current: bool = False) -> None:
        """Select ``start:end`` (global offsets) and scroll it into view."""
        self._anchor, self._cursor = start, end
        self._current = (start, end) if current else None
        self._ensure_visible(start)
        self.viewport().update()
        self.selectionChanged.emit()

    def selection(self) -> tuple[int, int]:
        return min(self._anchor, self._cursor), max(self._anchor, self._cursor)

    def selected_text(self) -> str:
        a, b = self.selection()
        return self._store.text(a, b)

    def select_all(self) -> None:
        self._anchor, self._cursor = 0, len(self._store)
        self.viewport().update()
        self.selectionChanged.emit()

    def copy(self) -> None:
        text = self.selected_text()
        if text:
            QGuiApplication.clipboard().setText(text)

    def scroll_to_line(self, line: int) -> None:
        self.verticalScrollBar().setValue(max(line - 2, 0))

    # -- geometry ------------------------------------------------------------------------

    def _metrics(self) -> None:
        fm = QFontMetricsF(self.font())
        self._cw = max(fm.horizontalAdvance("M"), 1.0)
        self._lh = max(fm.lineSpacing(), 1.0)
        self._ascent = fm.ascent()

    def _gutter(self) -> float:
        digits = len(str(max(self._store.line_count(), 1)))
        return (digits + 1) * self._cw + _GUTTER_PAD

    def _cols(self) -> int:
        return max(int((self.viewport().width() - self._gutter()) / self._cw), 1)

    def _update_ranges(self) -> None:
        rows = max(int(self.viewport().height() / self._lh), 1)
        vbar, hbar = self.verticalScrollBar(), self.horizontalScrollBar()
        vbar.setRange(0, max(self._store.line_count() - rows, 0))
        vbar.setPageStep(rows)
        cols = self._cols()
        hbar.setRange(0, max(self._store.longest_line() - cols + 2, 0))
        hbar.setPageStep(cols)
        hbar.setSingleStep(4)

    def _ensure_visible(self, offset: int) -> None:
        line = self._store.line_of(offset)
        if line not in self.visible_lines()[:-1]:
            self.scroll_to_line(line)
        col = offset - self._store.line_start(line)
        hbar = self.horizontalScrollBar()
        if not hbar.value() <= col < hbar.value() + self._cols() - 4:
            hbar.setValue(max(col - self._cols() // 3, 0))

    def _hit(self, pos: QPoint) -> int:
        """Global offset under a viewport point."""
        store = self._store
        line = self.verticalScrollBar().value() + int(pos.y() / self._lh)
        line = min(max(line, 0), store.line_count() - 1)
        col = self.horizontalScrollBar().value() + round((pos.x() - self._gutter()) / self._cw)
        col = min(max(col, 0), store.line_length(line))
        return store.line_start(line) + col

    # -- events --------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_ranges()

    def changeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().changeEvent(event)
        self._metrics()

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        self.viewport().update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            offset = self._hit(event.position().toPoint())
            self._cursor = offset
            if not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                self._anchor = offset
            self.viewport().update()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            pos = event.position().toPoint()
            vbar = self.verticalScrollBar()
            if pos.y() < 0:
                vbar.setValue(vbar.value() - 1)
            elif pos.y() > self.viewport().height():
                vbar.setValue(vbar.value() + 1)
            self._cursor = self._hit(pos)
            self.viewport().update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self.selectionChanged.emit()
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        vbar = self.verticalScrollBar()
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy()
        elif event.matches(QKeySequence.StandardKey.SelectAll):
            self.select_all()
        elif event.matches(QKeySequence.StandardKey.MoveToStartOfDocument):
            vbar.setValue(0)
        elif event.matches(QKeySequence.StandardKey.MoveToEndOfDocument):
            vbar.setValue(vbar.maximum())
        elif event.key() == Qt.Key.Key_Home:
            self.horizontalScrollBar().setValue(0)
        else:
            super().keyPressEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        painter.setFont(self.font())
        pal = self.palette()
        store = self._store
        gutter = self._gutter()
        self._painted = (store.line_count(), gutter)
        col0 = self.horizontalScrollBar().value()
        col1 = col0 + self._cols() + 1
        width = self.viewport().width()
        sel_a, sel_b = self.selection()
        base_color = pal.color(QPalette.ColorRole.Text)
        dim = QColor(base_color)
        dim.setAlpha(110)
        hit_color = QColor(255, 200, 0, 110)
        cur_color = QColor(255, 140, 0, 170)
        painter.fillRect(QRect(0, 0, int(gutter - _GUTTER_PAD / 2), self.viewport().height()),
                         pal.color(QPalette.ColorRole.AlternateBase))
        for row, line in enumerate(self.visible_lines()):
            y = row * self._lh
            start = store.line_start(line)
            length = store.line_length(line)
            text = store.line_text(line, col0, col1).replace("\t", " ")
            painter.setPen(dim)
            painter.drawText(QRect(0, int(y), int(gutter - _GUTTER_PAD), int(self._lh)),
                             int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                             str(line + 1))
            painter.setClipRect(QRect(int(gutter), 0, width, self.viewport().height()))
            # Selection and search hits behind the text.
            a, b = max(sel_a, start + col0), min(sel_b, start + min(length, col1) + 1)
            if b > a:
                self._fill_cols(painter, y, a - start - col0, b - a, gutter,
                                pal.color(QPalette.ColorRole.Highlight))
            if self._term and text:
                self._paint_hits(painter, text, y, gutter, start + col0, hit_color, cur_color)
            self._paint_text(painter, line, text, col0, gutter, y + self._ascent, base_color)
            painter.setClipping(False)
        painter.end()

    def _fill_cols(self, painter: QPainter, y: float, col: int, n: int, gutter: float,
                   color: QColor) -> None:
        painter.fillRect(int(gutter + col * self._cw), int(y), max(int(n * self._cw), 2),
                         int(self._lh) + 1, color)

    def _paint_hits(self, painter: QPainter, text: str, y: float, gutter: float, offset: int,
                    hit: QColor, cur: QColor) -> None:
        low = text.lower()
        i = low.find(self._term)
        while i >= 0:
            color = cur if self._current and self._current[0] == offset + i else hit
            self._fill_cols(painter, y, i, len(self._term), gutter, color)
            i = low.find(self._term, i + len(self._term))

    def _paint_text(self, painter: QPainter, line: int, text: str, col0: int, gutter: float,
                    baseline: float, base: QColor) -> None:
        spans = self._spans(line) if self._spans else None
        pos = 0
        for s_start, s_len, color in spans or ():
            a = max(s_start - col0, pos)
            b = min(s_start + s_len - col0, len(text))
            if b <= a:
                continue
            if a > pos:
                painter.setPen(base)
                painter.drawText(int(gutter + pos * self._cw), int(baseline), text[pos:a])
            painter.setPen(color)
            painter.drawText(int(gutter + a * self._cw), int(baseline), text[a:b])
            pos = b
        if pos < len(text):
            painter.setPen(base)
            painter.drawText(int(gutter + pos * self._cw), int(baseline), text[pos:])
