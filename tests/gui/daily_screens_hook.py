"""Runs inside the real app (RELAYDESK_TEST_HOOK): shows each daily-driver screen and
saves a screenshot of it to SHOT_DIR (Environments, Edit auth… for bearer and OAuth
2.0, the request's Auth tab, "Save to…" from History, a file changed on disk under
unsaved edits; the Environments dialog and the bar once more in a dark palette).
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any


def _grab(widgets: list[Any], path: Path) -> None:
    """The screen area covering ``widgets`` (a window and the dialog over it)."""
    from PySide6.QtCore import QRect
    from PySide6.QtWidgets import QApplication

    area = QRect()
    for w in widgets:
        area = area.united(w.frameGeometry())
    screen = QApplication.primaryScreen()
    pixmap = screen.grabWindow(0, area.x(), area.y(), area.width(), area.height())
    if pixmap.isNull() or pixmap.width() < 100:
        pixmap = widgets[-1].grab()
    pixmap.save(str(path))


async def _settle(seconds: float = 0.4) -> None:
    await asyncio.sleep(seconds)


async def run(window: Any, service: Any) -> None:

    from relaydesk.core.errors import RelaydeskError
    from relaydesk.core.model import Request

    out = Path(os.environ["SHOT_DIR"])
    out.mkdir(parents=True, exist_ok=True)
    window.resize(1280, 800)
    window.move(0, 0)
    await _settle()
    flow = window.install_workflow()
    request = os.environ["SHOT_REQUEST"]

    try:
        service.edit_environment("staging", variables={
            "base": "https://staging.example.com", "user": "ann", "region": "eu-west-1"},
            secret_values={"api_key": "shot-secret-1"}, create=True)
    except RelaydeskError:  # no keyring: the dialog explains it inline
        service.edit_environment("staging", variables={"base": "https://staging.example.com"},
                                 secrets=["api_key"], create=True)
    service.edit_environment("production", variables={"base": "https://api.example.com"},
                             create=True)
    flow.refresh_environments()
    flow.use_environment("staging")

    async def environments(name: str) -> None:
        dialog = flow.open_environments()
        dialog.move(260, 140)
        dialog.add_variable("token", "typed-not-saved", secret=True)
        await _settle()
        _grab([window, dialog], out / name)
        dialog._set_dirty(False)
        dialog.close()

    await environments("environments.png")

    menu = flow._menu("&File")
    if menu is not None:
        menu.popup(window.mapToGlobal(window.menuBar().geometry().bottomLeft()))
        await _settle()
        _grab([window], out / "file-menu.png")
        menu.hide()

    tab = window.open_request(request)
    tab.editor.tabs.setCurrentWidget(tab.editor.auth_editor)
    tab.editor.auth_editor.set_auth(None)
    await _settle()
    _grab([window], out / "auth-tab.png")

    dialog = flow.edit_auth(tab)
    if dialog is not None:
        dialog.move(360, 160)
        await _settle()
        _grab([window, dialog], out / "auth-dialog-bearer.png")
        editor = dialog.editor
        editor.mode.setCurrentIndex(editor.mode.findData("oauth2"))
        dialog.resize(600, 640)
        await _settle()
        _grab([window, dialog], out / "auth-dialog-oauth.png")
        dialog.reject()

    history = window.open_unsaved(Request(path="History/GET 14",
                                          url="https://example.atlassian.net/rest/api/3/search"))
    window.tree.select_path("jira/cloud/issues")
    save_to = flow.save_as_dialog(history)
    ws = service.workspace
    save_to.move(400, 180)
    save_to.show()
    await _settle()
    _grab([window, save_to], out / "save-to.png")
    save_to.close()
    history.set_modified(False)
    window.close_tab(history)

    async def changed_on_disk(name: str, url: str) -> None:
        tab = window.open_request(request)
        tab.editor.tabs.setCurrentIndex(0)
        tab.editor.url_bar.setText("/echo/items?notify=false&mine=1")
        file = ws.file_of(tab.path)
        doc = json.loads(file.read_text())
        doc["url"] = url
        incoming = file.with_name(".incoming")
        incoming.write_text(json.dumps(doc, indent=2))
        incoming.replace(file)
        for _ in range(300):
            await asyncio.sleep(0.02)
            if _bar_shown(tab):
                break
        await _settle()
        _grab([window], out / name)

    await changed_on_disk("changed-on-disk.png", "/echo/items?notify=true&theirs=1")

    window.theme_chooser.choose("dark")
    await _settle()
    await environments("environments-dark.png")
    await changed_on_disk("changed-on-disk-dark.png", "/echo/items?theirs=2")

    for t in window.tab_list():
        t.set_modified(False)
    window.close()


def _bar_shown(tab: Any) -> bool:
    from relaydesk.ui.disk_changes import ChangedOnDiskBar

    return any(b.isVisibleTo(tab) for b in tab.findChildren(ChangedOnDiskBar))
