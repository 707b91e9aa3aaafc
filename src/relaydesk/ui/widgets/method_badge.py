"""Small coloured HTTP-method badges, shown by item views as an item's decoration.

Knows nothing of the app. A view that shows them sets its icon size to
``badge_box(metrics)``: the style then draws a badge unscaled, and selection, focus
and elision stay the platform style's. Folder-sized icons in the same view keep their
size (the box is as tall as a small icon, only wider). A badge icon holds the same
pixmap for the normal and the selected mode, so a selected row's badge keeps its
colour instead of taking the style's selection tint.

Painting classes load with the first badge: most first frames show none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize

if TYPE_CHECKING:
    from PySide6.QtGui import QFont, QFontMetrics, QIcon

__all__ = ["badge_box", "badge_icon", "method_colour"]

_SHORT = {"DELETE": "DEL", "OPTIONS": "OPT"}
_cache: dict[tuple[str, str, int, int, float, str], QIcon] = {}


def method_colour(method: str) -> str:
    """A method's badge colour in the current theme (conventional hues; white text on
    them meets WCAG AA)."""
    from ..theme import tokens

    methods = tokens().methods
    return methods.get(method, methods["other"])


def badge_box(metrics: QFontMetrics) -> QSize:
    """Room for the widest badge ("PATCH") next to a small icon, for a view's font.

    A badge's text is bold at 72 % of the font size, which is narrower than the
    regular text measured here.
    """
    return QSize(metrics.horizontalAdvance("PATCH") + 8, max(16, metrics.height()))


def badge_icon(method: str, font: QFont, box: QSize, ratio: float = 1.0) -> QIcon:
    """A rounded badge with the method's name, as wide as ``box`` (one per method)."""
    colour = method_colour(method)
    key = (method, font.key(), box.width(), box.height(), ratio, colour)
    icon = _cache.get(key)
    if icon is None:
        icon = _cache[key] = _paint(method, font, box, ratio, colour)
    return icon


def _paint(method: str, font: QFont, box: QSize, ratio: float, colour: str) -> QIcon:
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QColor, QFont, QFontMetrics, QIcon, QPainter, QPixmap

    small = QFont(font)
    small.setBold(True)
    small.setPointSizeF(max(6.5, font.pointSizeF() * 0.72))
    width, height = box.width(), min(box.height(), QFontMetrics(small).height() + 2)
    pixmap = QPixmap(int(width * ratio), int(height * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(QColor(0, 0, 0, 0))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QColor(0, 0, 0, 0))
    painter.setBrush(QColor(colour))
    painter.drawRoundedRect(QRectF(0, 0, width, height), 3, 3)
    from ..theme import tokens

    painter.setPen(QColor(tokens().on_badge))
    painter.setFont(small)
    painter.drawText(QRectF(0, 0, width, height), 0x84, _SHORT.get(method, method))  # centred
    painter.end()
    icon = QIcon(pixmap)
    icon.addPixmap(pixmap, QIcon.Mode.Selected)
    return icon
