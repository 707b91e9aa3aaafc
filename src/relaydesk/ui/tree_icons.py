"""Small tree icons painted once (cheaper at start-up than the style's icon set)."""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

__all__ = ["kind_icon"]

_icons: dict[str, QIcon] = {}


def kind_icon(kind: str) -> QIcon:
    icon = _icons.get(kind)
    if icon is None:
        icon = _icons[kind] = _paint(kind)
    return icon


def _paint(kind: str) -> QIcon:
    pixmap = QPixmap(32, 32)
    pixmap.fill(QColor(0, 0, 0, 0))
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(QColor(0, 0, 0, 0))
    if kind == "connection":
        # A plug: a rounded body with two prongs, in the accent blue.
        p.setBrush(QColor("#3d7fd9"))
        p.drawRoundedRect(QRectF(7, 12, 18, 14), 4, 4)
        p.drawRect(QRectF(11, 4, 3, 9))
        p.drawRect(QRectF(18, 4, 3, 9))
        p.drawRect(QRectF(14.5, 25, 3, 5))
    else:
        # A folder; groups (path segments) are drawn lighter than real folders.
        colour = QColor("#d9a62e" if kind == "folder" else "#9aa5b1")
        p.setBrush(colour.darker(115))
        p.drawRoundedRect(QRectF(3, 6, 12, 8), 2, 2)
        p.setBrush(colour)
        p.drawRoundedRect(QRectF(3, 9, 26, 18), 3, 3)
    p.end()
    return QIcon(pixmap)
