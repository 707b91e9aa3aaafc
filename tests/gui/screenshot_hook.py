"""Runs inside the real app (RELAYDESK_TEST_HOOK): show a sent request, save screenshots.

Environment: SHOT_DIR (where PNGs go), SHOT_REQUEST (the request to open and send).
Writes ``screenshot.png`` (system palette) and ``screenshot-dark.png`` (a dark palette).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any


def dark_palette() -> Any:
    from PySide6.QtGui import QColor, QPalette

    p = QPalette()
    role, group = QPalette.ColorRole, QPalette.ColorGroup
    colours = {
        role.Window: "#2b2d30", role.WindowText: "#dfe1e5", role.Base: "#1e1f22",
        role.AlternateBase: "#26282b", role.ToolTipBase: "#3c3f41", role.ToolTipText: "#dfe1e5",
        role.Text: "#dfe1e5", role.Button: "#393b40", role.ButtonText: "#dfe1e5",
        role.BrightText: "#ff6b68", role.Highlight: "#2f65ca", role.HighlightedText: "#ffffff",
        role.Link: "#589df6", role.PlaceholderText: "#868a91", role.Mid: "#4e5157",
        role.Dark: "#1b1c1e", role.Light: "#4a4d52",
    }
    for r, c in colours.items():
        p.setColor(r, QColor(c))
    for r in (role.Text, role.WindowText, role.ButtonText):
        p.setColor(group.Disabled, r, QColor("#6f737a"))
    return p


def _grab(window: Any, path: Path) -> None:
    from PySide6.QtWidgets import QApplication

    screen = window.screen() or QApplication.primaryScreen()
    pixmap = screen.grabWindow(window.winId())
    if pixmap.isNull() or pixmap.width() < 100:
        pixmap = window.grab()
    pixmap.save(str(path))


async def run(window: Any, service: Any) -> None:
    from PySide6.QtWidgets import QApplication

    out = Path(os.environ["SHOT_DIR"])
    out.mkdir(parents=True, exist_ok=True)
    window.resize(1280, 800)
    tab = window.open_request(os.environ["SHOT_REQUEST"])
    window.tree.select_path(tab.path)
    await _send(window, tab)
    _grab(window, out / "screenshot.png")
    # Dark mode as a dark system palette would give it: palette first, then the response.
    QApplication.instance().setPalette(dark_palette())
    tab.view.clear()
    await _send(window, tab)
    _grab(window, out / "screenshot-dark.png")
    window.close()


async def _send(window: Any, tab: Any) -> None:
    window.sending.send(tab)
    for _ in range(1000):
        await asyncio.sleep(0.01)
        if not tab.busy() and tab.view.body.is_loaded():
            break
    await asyncio.sleep(0.5)  # highlighting and the last repaints
