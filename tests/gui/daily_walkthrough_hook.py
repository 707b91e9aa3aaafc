"""Runs inside the real app (RELAYDESK_TEST_HOOK) under Xvfb: walks the issue-14 screens
as a user would and saves a screenshot of each in SHOT_DIR.

in-flight.png   the previous response dimmed, "previous: 200 OK", the running timer
timeline.png    the Timeline tab of a redirected request
restored.png    a request reopened: its last response, marked with when it arrived
query.png       a pasted curl command: its query in the URL bar and the Params table
checks.png      the Checks tab with a refused row marked
runner.png      the Runner dock with a failed check's reason across the row
focus.png       the focus ring on the method box
*-dark.png      the in-flight and timeline screens with a dark palette
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from tests.gui.screenshot_hook import _grab


async def _until(test: Any, timeout: float = 15.0) -> None:
    for _ in range(int(timeout / 0.02)):
        if test():
            return
        await asyncio.sleep(0.02)
    raise TimeoutError("the walkthrough waited too long")


async def _send(window: Any, tab: Any) -> None:
    window.sending.send(tab)
    await _until(lambda: not tab.busy() and tab.view.response() is not None)
    await _until(tab.view.body.is_loaded)
    await asyncio.sleep(0.3)


async def run(window: Any, service: Any) -> None:
    from PySide6.QtWidgets import QApplication

    out = Path(os.environ["SHOT_DIR"])
    out.mkdir(parents=True, exist_ok=True)
    window.resize(1280, 800)
    await asyncio.sleep(0.3)

    # In flight: a JSON answer on screen, then a slow send.
    tab = window.open_request("local/echo/Json")
    await _send(window, tab)
    tab.editor.url_bar.setText("/slow?delay=3")
    window.sending.send(tab)
    await asyncio.sleep(1.3)
    _grab(window, out / "in-flight.png")
    await _until(lambda: not tab.busy())
    tab.editor.url_bar.setText("/json")
    tab.mark_saved()

    # Timeline of a redirected request.
    hop = window.open_request("local/echo/Redirected")
    await _send(window, hop)
    hop.view.tabs.setCurrentWidget(hop.view.timeline_view)
    window.tabs.setCurrentWidget(hop)
    await asyncio.sleep(0.3)
    _grab(window, out / "timeline.png")

    # Reopened: the kept response, marked with its time.
    window.close_tab(hop)
    again = window.open_request("local/echo/Redirected")
    await _until(lambda: again.view.response() is not None)
    await asyncio.sleep(0.5)
    _grab(window, out / "restored.png")

    # A pasted curl command.
    curl = window.open_request("local/echo/Pasted")
    window.sending.paste_curl(curl, "curl 'http://127.0.0.1:9/echo/items?page=2&sort=name"
                                    "&q=a%20b' -H 'Accept: application/json'")
    curl.editor.tabs.setCurrentWidget(curl.editor.params_table)
    await asyncio.sleep(0.3)
    _grab(window, out / "query.png")
    curl.set_modified(False)

    # Checks: one good, one refused; then a run whose check fails.
    checked = window.open_request("local/echo/Checked")
    editor = checked.editor
    editor.tabs.setCurrentWidget(editor.checks_editor)
    checks = editor.checks_editor
    row = checks.add_check("status_in_range")
    checks.table.item(row, 2).setText("299-200")
    checks.table.setCurrentCell(0, 2)  # the refused row unselected: its red shows
    await asyncio.sleep(0.3)
    _grab(window, out / "checks.png")
    checks.table.setCurrentCell(row, 0)
    checks.remove_button.click()
    checked.mark_saved()
    window.docks.runner_dock.show()
    window.run_path("local/echo")
    panel = window.docks.runner_panel()
    await _until(lambda: panel.run_again_button.isEnabled())
    await asyncio.sleep(0.5)
    _grab(window, out / "runner.png")

    # Focus ring on the method box.
    window.tabs.setCurrentWidget(tab)
    window.activateWindow()
    await asyncio.sleep(0.2)
    tab.editor.method_combo.setFocus()
    await asyncio.sleep(0.4)
    QApplication.processEvents()
    _grab(window, out / "focus.png")

    # The dark theme: the timeline, then the veil over a previous answer.
    window.theme_chooser.choose("dark")
    window.tabs.setCurrentWidget(again)
    again.view.tabs.setCurrentWidget(again.view.timeline_view)
    await asyncio.sleep(0.4)
    _grab(window, out / "timeline-dark.png")
    window.tabs.setCurrentWidget(tab)
    tab.editor.url_bar.setText("/slow?delay=2")
    window.sending.send(tab)
    await asyncio.sleep(1.0)
    _grab(window, out / "in-flight-dark.png")
    await _until(lambda: not tab.busy())
    for t in window.tab_list():
        t.set_modified(False)
    window.close()
