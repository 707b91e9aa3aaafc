"""A visible focus ring around whichever widget has the keyboard focus.

Several styles show focus as a one-pixel tint that is nearly invisible (tree, tables,
buttons, combo boxes, tab bars). One overlay per application follows
``QApplication.focusChanged`` and draws a two-pixel ring in the palette's highlight
colour around the focused widget, in whatever window holds it. It ignores the mouse,
so it never takes a click, and it draws only where the widget is visible.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QObject, QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QApplication, QWidget

__all__ = ["FocusRing", "install_focus_ring"]

_WIDTH = 2
_MARGIN = 2  # outside the widget, so the widget's own frame stays readable


class FocusRing(QWidget):
    def __init__(self) -> None:
        super().__init__(None)
        self.setObjectName("focusRing")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._target: QWidget | None = None
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)

    def target(self) -> QWidget | None:
        return self._target

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if self._target is not None and shiboken6.isValid(self._target):
            self._target.removeEventFilter(self)
        self._target = new if new is not None and not new.isWindow() else None
        if self._target is None:
            self.hide()
            return
        self._target.installEventFilter(self)
        self._place()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parentWidget() and event.type() in (QEvent.Type.Hide,
                                                               QEvent.Type.Close):
            # The window holding the ring closes (a dialog may delete itself): the ring
            # leaves it first, or it would be deleted with it.
            watched.removeEventFilter(self)
            self.hide()
            self.setParent(None)
            return False
        if watched is self._target and event.type() in (
                QEvent.Type.Move, QEvent.Type.Resize, QEvent.Type.Show, QEvent.Type.Hide):
            self._place()
        return False

    def _place(self) -> None:
        target = self._target
        if target is None or not shiboken6.isValid(target) or not target.isVisible():
            self.hide()
            return
        window = target.window()
        if self.parentWidget() is not window:
            if (host := self.parentWidget()) is not None:
                host.removeEventFilter(self)
            self.setParent(window)
            window.installEventFilter(self)
        visible = target.visibleRegion().boundingRect()
        if visible.isEmpty():
            self.hide()
            return
        top_left = target.mapTo(window, visible.topLeft())
        rect = QRect(top_left, visible.size()).adjusted(-_MARGIN, -_MARGIN, _MARGIN, _MARGIN)
        self.setGeometry(rect.intersected(window.rect()))
        self.show()
        self.raise_()
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        colour = QColor(self.palette().color(QPalette.ColorRole.Highlight))
        pen = QPen(colour, _WIDTH)
        painter.setPen(pen)
        half = _WIDTH / 2
        painter.drawRoundedRect(self.rect().toRectF().adjusted(half, half, -half, -half), 3, 3)


def install_focus_ring(owner: QObject) -> FocusRing:
    """One ring for the application, deleted with ``owner``."""
    ring = FocusRing()
    owner.destroyed.connect(ring.deleteLater)
    return ring
