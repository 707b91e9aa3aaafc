"""Focus is visible on every focusable widget (issue 14): Tab through the window and
the ring sits around each widget that takes the focus, drawn in the highlight colour."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QPalette

CTRL = Qt.KeyboardModifier.ControlModifier


def _ring_encloses(window: Any, widget: Any) -> bool:
    ring = window.focus_ring
    if not ring.isVisible() or ring.target() is not widget:
        return False
    where = QRect(widget.mapTo(ring.parentWidget(), widget.rect().topLeft()), widget.size())
    visible = widget.visibleRegion().boundingRect()
    inner = QRect(widget.mapTo(ring.parentWidget(), visible.topLeft()), visible.size())
    return ring.geometry().contains(inner) and ring.geometry().intersects(where)


def test_tabbing_through_the_window_always_shows_the_ring(window: Any, qtbot: Any) -> None:
    tab = window.open_request("local/echo/Get echo")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    tab.editor.focus_url()
    qtbot.waitUntil(lambda: _ring_encloses(window, tab.editor.url_bar), timeout=2000)
    seen = set()
    for _ in range(12):
        qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Tab)
        focused = window.focusWidget()
        assert focused is not None
        qtbot.waitUntil(lambda f=focused: _ring_encloses(window, f), timeout=2000)
        seen.add(type(focused).__name__)
    assert len(seen) >= 3  # buttons, tables, tab bars… not one kind only
    # The ring is drawn, in the highlight colour, around the focused widget.
    image = window.grab().toImage()
    ring = window.focus_ring
    colour = ring.palette().color(QPalette.ColorRole.Highlight)
    top_mid = ring.mapTo(window, ring.rect().topLeft()) + type(ring.pos())(
        ring.width() // 2, 1)
    pixel = image.pixelColor(top_mid)
    assert abs(pixel.red() - colour.red()) + abs(pixel.green() - colour.green()) + \
        abs(pixel.blue() - colour.blue()) < 90


def test_the_ring_follows_into_the_tree_and_ignores_clicks(window: Any, qtbot: Any) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    view = window.tree.view
    view.setFocus()
    qtbot.waitUntil(lambda: _ring_encloses(window, view), timeout=2000)
    assert window.focus_ring.testAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    assert window.focus_ring.focusPolicy() == Qt.FocusPolicy.NoFocus
