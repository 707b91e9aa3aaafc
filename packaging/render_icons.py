"""Render resources/relaydesk.svg into the PNG sizes launchers use.

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/render_icons.py

Writes resources/icons/hicolor/NxN/apps/relaydesk.png for every size below and copies the
SVG plus the 256 px PNG into src/relaydesk/resources/ so the installed package carries them.
The PNGs are committed; rerun this only after editing the SVG.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

__all__ = ["SIZES", "main"]

SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "resources" / "relaydesk.svg"


def main() -> int:
    app = QGuiApplication(sys.argv[:1])  # QImage/QPainter need a Gui application
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        print(f"cannot parse {SVG}", file=sys.stderr)
        return 1
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        out = ROOT / "resources" / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "relaydesk.png"
        out.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(out), "PNG"):
            print(f"cannot write {out}", file=sys.stderr)
            return 1
    package_dir = ROOT / "src" / "relaydesk" / "resources"
    package_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SVG, package_dir / "relaydesk.svg")
    shutil.copyfile(
        ROOT / "resources" / "icons" / "hicolor" / "256x256" / "apps" / "relaydesk.png",
        package_dir / "relaydesk.png",
    )
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
