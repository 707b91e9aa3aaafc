"""What a response view shows while a request is in flight: a running elapsed time, and
the previous response dimmed with its status marked "previous" (never taken for the
answer to the request just sent).

Composed by the request tab: ``start()`` when a send begins, ``stop()`` when it ends
(after the new response or error is shown, which replaces the dimmed one).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QElapsedTimer, QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from .response_view import ResponseView

__all__ = ["DIM_ALPHA", "Dimmer", "InFlight", "waiting_text"]

DIM_ALPHA = 165  # of 255: how much of the window colour veils the previous answer
_TICK_MS = 100


def waiting_text(seconds: float, has_previous: bool) -> str:
    """"Waiting… 3.2 s": whole seconds past a minute, as a stopwatch shows them."""
    shown = f"{seconds:.1f} s" if seconds < 60 else \
        f"{int(seconds // 60)} min {int(seconds % 60)} s"
    return f"Waiting… {shown}" + (" — below: the previous response" if has_previous else "")


class Dimmer(QWidget):
    """A veil of the window colour over a widget: what is under it stays readable and
    scrollable (the veil takes no mouse input), but clearly not current. A veil, not a
    QGraphicsOpacityEffect, which smears a scrolled text view."""

    def __init__(self, over: QWidget) -> None:
        super().__init__(over)
        self.setObjectName("previousResponseVeil")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.hide()
        over.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and isinstance(watched, QWidget):
            self.setGeometry(watched.rect())
        return False

    def cover(self, on: bool) -> None:
        parent = self.parentWidget()
        if on and parent is not None:
            self.setGeometry(parent.rect())
            self.raise_()
        self.setVisible(on)

    def paintEvent(self, _event: QPaintEvent) -> None:
        colour = QColor(self.palette().color(QPalette.ColorRole.Window))
        colour.setAlpha(DIM_ALPHA)
        QPainter(self).fillRect(self.rect(), colour)


class InFlight(QObject):
    def __init__(self, view: ResponseView) -> None:
        super().__init__(view)
        self._view = view
        self.elapsed_label = QLabel(view)
        self.elapsed_label.setObjectName("elapsedLabel")
        self.elapsed_label.setStyleSheet("QLabel { font-weight: bold; }")
        self.elapsed_label.hide()
        outer = view.layout()
        first = outer.itemAt(0) if outer is not None else None
        summary = first.layout() if first is not None else None
        if isinstance(summary, QHBoxLayout):  # the status line: the timer goes first
            summary.insertWidget(0, self.elapsed_label)
        self.dimmer = Dimmer(view.pages)
        self._clock = QElapsedTimer()
        self._timer = QTimer(self)
        self._timer.setInterval(_TICK_MS)
        self._timer.timeout.connect(self._tick)
        self._previous: Any = None  # the response on screen when the send began
        self._status: tuple[str, str, str] | None = None  # its status label, to restore

    def active(self) -> bool:
        return self._timer.isActive()

    def elapsed(self) -> float:
        return self._clock.elapsed() / 1000 if self._clock.isValid() else 0.0

    def start(self) -> None:
        view = self._view
        self._previous = view.response()
        self._clock.start()
        self._timer.start()
        if self._previous is not None:
            label = view.status_label
            self._status = (label.text(), label.styleSheet(), label.toolTip())
            label.setText(f"previous: {label.text()}")
            label.setStyleSheet("QLabel { background: palette(mid); color: palette(text); "
                                "border-radius: 3px; padding: 2px 8px; font-style: italic; }")
            label.setToolTip("The status of the previous send; the new request has not "
                             "been answered yet.")
            self.dimmer.cover(True)
            for w in (view.problem_label, view.time_label, view.size_label):
                w.setEnabled(False)  # greyed: they describe the previous answer
        self._tick()
        self.elapsed_label.show()

    def stop(self) -> None:
        view = self._view
        self._timer.stop()
        self.elapsed_label.hide()
        self.dimmer.cover(False)
        for w in (view.problem_label, view.time_label, view.size_label):
            w.setEnabled(True)
        if self._status is not None and view.response() is self._previous:
            # Nothing new was shown (the send was refused before it started): the
            # response on screen is current again.
            text, style, tip = self._status
            view.status_label.setText(text)
            view.status_label.setStyleSheet(style)
            view.status_label.setToolTip(tip)
        self._previous, self._status = None, None

    def _tick(self) -> None:
        self.elapsed_label.setText(waiting_text(self.elapsed(), self._previous is not None))
