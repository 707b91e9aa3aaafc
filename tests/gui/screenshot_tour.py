"""Runs inside the real app (RELAYDESK_TEST_HOOK) and photographs its main screens.

Environment: SHOT_DIR (where PNGs go), SHOT_PREFIX (e.g. ``light-1600x1000``),
SHOT_SIZE (``WIDTHxHEIGHT``), SHOT_SCREENS (comma-separated, from ``SCREENS``).
``scripts/screenshots`` starts the app once per theme and size with this hook.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

SCREENS = ("empty", "json", "error", "connection", "runner")


def _grab(window: Any, path: Path) -> None:
    """The window's area of the screen, so dialogs over it are in the picture."""
    from PySide6.QtWidgets import QApplication

    screen = window.screen() or QApplication.primaryScreen()
    frame = window.frameGeometry()
    pixmap = screen.grabWindow(0, frame.x(), frame.y(), frame.width(), frame.height())
    if pixmap.isNull() or pixmap.width() < 100:
        pixmap = window.grab()
    pixmap.save(str(path))


async def _settle(seconds: float = 0.6) -> None:
    await asyncio.sleep(seconds)  # layouts, highlighting and the last repaints


async def _send(window: Any, path: str) -> Any:
    tab = window.open_request(path)
    window.tree.select_path(path)
    window.sending.send(tab)
    for _ in range(1000):
        await asyncio.sleep(0.01)
        if not tab.busy() and (tab.view.body.is_loaded()
                                  or tab.view.pages.currentWidget() is tab.view.error_label):
            break
    await _settle()
    return tab


async def run(window: Any, service: Any) -> None:
    out = Path(os.environ["SHOT_DIR"])
    out.mkdir(parents=True, exist_ok=True)
    prefix = os.environ.get("SHOT_PREFIX", "shot")
    width, height = (int(n) for n in os.environ.get("SHOT_SIZE", "1600x1000").split("x"))
    screens = os.environ.get("SHOT_SCREENS", ",".join(SCREENS)).split(",")
    window.move(0, 0)
    window.resize(width, height)
    await _settle()

    def shot(name: str) -> None:
        _grab(window, out / f"{prefix}-{name}.png")

    if "empty" in screens:
        shot("empty")
    if "json" in screens:
        await _send(window, "local/echo/Create item")
        shot("json")
    if "error" in screens:
        await _send(window, "local/echo/Read reports")
        shot("error")
    if "connection" in screens:
        dialog = window.tree.edit_connection("jira/cloud")
        await _settle()
        shot("connection")
        dialog.reject()
    if "runner" in screens:
        window.run_path("local/echo")
        for _ in range(1000):
            await asyncio.sleep(0.01)
            panel = window.docks.runner_panel()
            if not panel.running:
                break
        await _settle()
        shot("runner")
    window.close()
