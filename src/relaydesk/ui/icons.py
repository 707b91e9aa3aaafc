"""Toolbar, menu and tab icons from Lucide (ISC licence, bundled in resources/lucide).

Each icon is an SVG drawn with ``currentColor``; the engine renders it at the size and
scale factor asked for (sharp at any scale), in the theme's text colour at paint time,
so a theme change needs no reload. Disabled icons take the muted colour.
QtSvg loads with the first icon: the app asks for icons after its first frame.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QIcon, QIconEngine, QPainter, QPixmap

__all__ = ["ICON_DIR", "icon"]

ICON_DIR = Path(__file__).resolve().parent.parent / "resources" / "lucide"
_sources: dict[str, bytes] = {}


def _source(name: str) -> bytes:
    data = _sources.get(name)
    if data is None:
        data = _sources[name] = (ICON_DIR / f"{name}.svg").read_bytes()
    return data


class _TintedSvgEngine(QIconEngine):
    def __init__(self, name: str, muted: bool) -> None:
        super().__init__()
        self._name = name
        self._muted = muted
        self._pixmaps: dict[tuple[int, int, str], QPixmap] = {}

    def _colour(self, mode: QIcon.Mode) -> str:
        from .theme import tokens

        t = tokens()
        if mode == QIcon.Mode.Disabled or self._muted:
            return t.text_muted
        if mode == QIcon.Mode.Selected:
            return t.on_accent
        return t.text

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode,
              state: QIcon.State) -> None:
        ratio = painter.device().devicePixelRatioF() if painter.device() else 1.0
        pixmap = self._render(rect.size(), mode, ratio)
        painter.drawPixmap(rect.topLeft(), pixmap)

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self._render(size, mode, 1.0)

    def scaledPixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State,
                     scale: float) -> QPixmap:
        return self._render(size, mode, scale)

    def _render(self, size: QSize, mode: QIcon.Mode, ratio: float) -> QPixmap:
        from PySide6.QtSvg import QSvgRenderer

        colour = self._colour(mode)
        side = min(size.width(), size.height())
        px = max(1, round(side * ratio))
        key = (px, round(ratio * 100), colour)
        cached = self._pixmaps.get(key)
        if cached is not None:
            return cached
        svg = _source(self._name).replace(b"currentColor", colour.encode())
        renderer = QSvgRenderer(QByteArray(svg))
        pixmap = QPixmap(px, px)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        renderer.render(painter, QRect(QPoint(0, 0), QSize(px, px)))
        painter.end()
        pixmap.setDevicePixelRatio(ratio)
        self._pixmaps[key] = pixmap
        return pixmap

    def clone(self) -> QIconEngine:
        return _TintedSvgEngine(self._name, self._muted)

    def key(self) -> str:
        return "relaydesk-lucide"


def icon(name: str, muted: bool = False) -> QIcon:
    """A Lucide icon by its file name ("plug", "send"…), tinted with the theme."""
    if not (ICON_DIR / f"{name}.svg").is_file():
        raise KeyError(f"no bundled icon named {name!r}")
    return QIcon(_TintedSvgEngine(name, muted))
