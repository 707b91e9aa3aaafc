"""Runs inside the real app (RELAYDESK_TEST_HOOK): show a sent request, save screenshots.

Environment: SHOT_DIR (where PNGs go), SHOT_REQUEST (the request to open and send).
Writes ``screenshot.png`` (light theme) and ``screenshot-dark.png`` (dark theme).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any


def _grab(window: Any, path: Path) -> None:
    from PySide6.QtWidgets import QApplication

    screen = window.screen() or QApplication.primaryScreen()
    pixmap = screen.grabWindow(window.winId())
    if pixmap.isNull() or pixmap.width() < 100:
        pixmap = window.grab()
    pixmap.save(str(path))


async def run(window: Any, service: Any) -> None:

    out = Path(os.environ["SHOT_DIR"])
    out.mkdir(parents=True, exist_ok=True)
    window.resize(1280, 800)
    tab = window.open_request(os.environ["SHOT_REQUEST"])
    window.tree.select_path(tab.path)
    await _send(window, tab)
    _grab(window, out / "screenshot.png")
    # The dark variant, as View → Theme → Dark gives it: theme first, then the response.
    window.theme_chooser.choose("dark")
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
