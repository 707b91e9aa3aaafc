"""Params and URL always hold the same query (issue 14), driven through the real window:
a pasted curl command, typing ``?z=9``, and the file Ctrl+S writes."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from relaydesk.core.model import KeyValue, Request
from relaydesk.core.workspace import Workspace

CTRL = Qt.KeyboardModifier.ControlModifier


def _rows(tab: Any) -> list[tuple[str, str, bool]]:
    return [(kv.name, kv.value, kv.enabled) for kv in tab.editor.params_table.items()]


def _request_file(ws: Workspace, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (ws.root / f"connections/local/echo/{name}.request.json").read_text())
    return data


def test_pasted_curl_query_is_in_the_url_bar_and_the_table(
        window: Any, qtbot: Any, echo_server: str, gui_workspace: Workspace) -> None:
    tab = window.open_request("local/echo/Get echo")
    QApplication.clipboard().setText(f"curl '{echo_server}/echo/items?a=1&b=x%20y' -H 'X: 1'")
    window.window_actions.focus_url.trigger()  # Ctrl+L
    qtbot.keyClick(tab.editor.url_bar, Qt.Key.Key_V, CTRL)
    assert tab.editor.url_bar.text() == f"{echo_server}/echo/items?a=1&b=x%20y"
    assert _rows(tab) == [("a", "1", True), ("b", "x y", True)]
    # Typing more query at the end keeps every item in both places.
    tab.editor.url_bar.end(False)
    qtbot.keyClicks(tab.editor.url_bar, "&z=9")
    assert tab.editor.url_bar.text() == f"{echo_server}/echo/items?a=1&b=x%20y&z=9"
    assert _rows(tab) == [("a", "1", True), ("b", "x y", True), ("z", "9", True)]
    # Saved: the whole query in the URL, nothing split off into params.
    qtbot.keyClick(tab.editor.url_bar, Qt.Key.Key_S, CTRL)
    saved = _request_file(gui_workspace, "Get echo")
    assert saved["url"] == f"{echo_server}/echo/items?a=1&b=x%20y&z=9"
    assert not saved.get("params")
    # And that is what the server gets.
    qtbot.keyClick(tab.editor.url_bar, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: tab.view.response() is not None, timeout=10000)
    echoed = json.loads(tab.view.response().content())
    assert echoed["query"] == "a=1&b=x%20y&z=9"


def test_typing_a_query_on_a_request_with_separate_params_keeps_them_all(
        window: Any, qtbot: Any, gui_workspace: Workspace) -> None:
    """A file written by an older version (or by hand) with ``params`` beside ``url``:
    the bar shows those params too, and typing ``?z=9`` adds to them."""
    gui_workspace.save_request(Request(
        path="local/echo/Split", url="/echo/split",
        params=[KeyValue("a", "1"), KeyValue("b", "2"), KeyValue("off", "x", enabled=False)]),
        create=True)
    window.tree.reload()
    tab = window.open_request("local/echo/Split")
    bar = tab.editor.url_bar
    assert bar.text() == "/echo/split?a=1&b=2"
    assert not tab.modified  # the same request, shown with its query in one place
    bar.setFocus()
    bar.setText("/echo/split")  # the user clears the query by hand…
    bar.end(False)
    qtbot.keyClicks(bar, "?a=1&b=2&z=9")  # …and types it back with one more
    assert _rows(tab) == [("a", "1", True), ("b", "2", True), ("z", "9", True),
                          ("off", "x", False)]
    qtbot.keyClick(bar, Qt.Key.Key_S, CTRL)
    saved = _request_file(gui_workspace, "Split")
    assert saved["url"] == "/echo/split?a=1&b=2&z=9"
    assert [p["name"] for p in saved["params"]] == ["off"]  # only the disabled one
