"""Draws the connection tree's icons into src/relaydesk/resources/tree-*.png.

The app loads these files rather than painting the icons at start-up: QPainter's pen
and brush setters make PySide create every enum of Qt's namespace (about 13 ms), and
the first frame needs none of them otherwise. Run it after changing a drawing here
(the PNGs are committed):

    .venv/bin/python packaging/draw_tree_icons.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src" / "relaydesk" / "resources"


def draw(kind: str) -> object:
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QColor, QPainter, QPixmap

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
    elif kind == "folder":
        # A folder inside a connection: a filled amber folder.
        colour = QColor("#d9a62e")
        p.setBrush(colour.darker(115))
        p.drawRoundedRect(QRectF(3, 6, 12, 8), 2, 2)
        p.setBrush(colour)
        p.drawRoundedRect(QRectF(3, 9, 26, 18), 3, 3)
    else:
        # A group (a path segment above connections): the same amber folder, drawn as
        # an outline, so both read as folders and a group still looks lighter.
        from PySide6.QtGui import QPen

        p.setPen(QPen(QColor("#c8921f"), 2.5))
        p.setBrush(QColor(217, 166, 46, 60))
        p.drawRoundedRect(QRectF(4, 6.5, 10, 6), 2, 2)
        p.drawRoundedRect(QRectF(4, 10, 24, 16), 3, 3)
    p.end()
    return pixmap


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication(sys.argv[:1])  # noqa: F841 - pixmaps need an application
    for kind in ("group", "connection", "folder"):
        target = OUT / f"tree-{kind}.png"
        if not draw(kind).save(str(target), "PNG"):  # type: ignore[attr-defined]
            print(f"cannot write {target}", file=sys.stderr)
            return 1
        print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
