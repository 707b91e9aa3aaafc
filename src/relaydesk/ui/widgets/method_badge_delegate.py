"""Draws a small coloured HTTP-method badge in front of an item's text.

Knows nothing of the app: it reads the method from a model role given to it. The
badge is handed to the style as the item's decoration, so selection, focus and
elision are drawn by the platform style as for any other item; badge pixmaps are
rendered once per method and font size.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize
from PySide6.QtGui import QColor, QFont, QFontMetrics, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem, QWidget

__all__ = ["METHOD_COLOURS", "MethodBadgeDelegate", "badge_pixmap"]

# Conventional colours (the ones API-client users expect), readable on light and dark.
METHOD_COLOURS: dict[str, str] = {
    "GET": "#2e9d5b",
    "POST": "#c97d00",
    "PUT": "#2f74c0",
    "PATCH": "#8a55c9",
    "DELETE": "#d0433a",
    "HEAD": "#6b7785",
    "OPTIONS": "#6b7785",
}
_SHORT = {"DELETE": "DEL", "OPTIONS": "OPT"}
_cache: dict[tuple[str, int, float], QPixmap] = {}


def badge_pixmap(method: str, font: QFont, ratio: float = 1.0) -> QPixmap:
    """A rounded badge with the method name, as wide as the widest badge ("PATCH")."""
    key = (method, font.pixelSize() if font.pixelSize() > 0 else int(font.pointSizeF() * 10),
           ratio)
    cached = _cache.get(key)
    if cached is not None:
        return cached
    small = QFont(font)
    small.setBold(True)
    small.setPointSizeF(max(6.5, font.pointSizeF() * 0.72))
    metrics = QFontMetrics(small)
    width, height = metrics.horizontalAdvance("PATCH") + 8, metrics.height() + 2
    pixmap = QPixmap(int(width * ratio), int(height * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(QColor(0, 0, 0, 0))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QColor(0, 0, 0, 0))
    painter.setBrush(QColor(METHOD_COLOURS.get(method, "#6b7785")))
    painter.drawRoundedRect(QRectF(0, 0, width, height), 3, 3)
    painter.setPen(QColor("white"))
    painter.setFont(small)
    painter.drawText(QRectF(0, 0, width, height), 0x84, _SHORT.get(method, method))  # center
    painter.end()
    _cache[key] = pixmap
    return pixmap


class MethodBadgeDelegate(QStyledItemDelegate):
    def __init__(self, method_role: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._role = method_role

    def initStyleOption(self, option: QStyleOptionViewItem,
                        index: QModelIndex | QPersistentModelIndex) -> None:
        super().initStyleOption(option, index)
        method = index.data(self._role)
        if method:
            ratio = option.widget.devicePixelRatioF() if option.widget else 1.0
            pixmap = badge_pixmap(str(method), option.font, ratio)
            icon = QIcon(pixmap)
            icon.addPixmap(pixmap, QIcon.Mode.Selected)  # no selection tint on the badge
            option.icon = icon
            option.decorationSize = QSize(int(pixmap.width() / ratio),
                                          int(pixmap.height() / ratio))
            option.features |= QStyleOptionViewItem.ViewItemFeature.HasDecoration
