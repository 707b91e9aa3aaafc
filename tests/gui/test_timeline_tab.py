"""The Timeline tab (issue 14): the request as sent with secrets masked, each redirect
hop, the phase times; and the last response of a request kept across a restart,
outside the workspace, redacted, shown again when the request is reopened."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from relaydesk.core.model import AuthSettings, Connection, Request
from relaydesk.core.workspace import Workspace

from .helpers import status_text

SECRET = "tl-secret-9c41d"
CTRL = Qt.KeyboardModifier.ControlModifier


def _setup(service: Any, gui_workspace: Workspace, echo_server: str) -> None:
    gui_workspace.save_connection(Connection(
        path="local/echo", base_url=echo_server,
        auth=AuthSettings("bearer", {})))
    service.set_secret("local/echo", "token", SECRET)
    gui_workspace.save_request(Request(path="local/echo/Hop",
                                       url="/redirect?to=/echo/landed&code=302"), create=True)


def _click_tab(qtbot: Any, tabs: Any, title: str) -> None:
    index = next(i for i in range(tabs.count()) if tabs.tabText(i).startswith(title))
    bar = tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    assert tabs.currentIndex() == index


def _send(tab: Any, qtbot: Any) -> None:
    tab.editor.focus_url()
    qtbot.keyClick(tab.editor.url_bar, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: not tab.busy() and tab.view.response() is not None,
                    timeout=10000)


def _shown(view: Any) -> dict[str, Any]:
    tl = view.timeline_view
    tree = tl.phases
    hops = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    table = tl.headers_table
    return {
        "summary": tl.summary.text(),
        "hops": [h.text(0) for h in hops],
        "phases": [[(h.child(j).text(0), h.child(j).text(1)) for j in range(h.childCount())]
                   for h in hops],
        "headers": [(table.item(r, 0).text(), table.item(r, 1).text())
                    for r in range(table.rowCount())],
    }


def test_timeline_tab_shows_hops_times_and_masked_headers(
        window: Any, qtbot: Any, service: Any, gui_workspace: Workspace,
        echo_server: str) -> None:
    _setup(service, gui_workspace, echo_server)
    window.tree.reload()
    tab = window.open_request("local/echo/Hop")
    _send(tab, qtbot)
    assert status_text(tab.view) == "200 OK"
    _click_tab(qtbot, tab.view.tabs, "Timeline")
    shown = _shown(tab.view)
    assert shown["hops"] == [
        f"1. GET {echo_server}/redirect?to=/echo/landed&code=302 → 302 → /echo/landed",
        f"2. GET {echo_server}/echo/landed → 200"]
    assert "1 redirect" in shown["summary"]
    names = [name for name, _ in shown["phases"][1]]
    assert names == ["DNS", "Connect", "TLS", "Request sent", "First byte (waiting)",
                     "Download"]
    first_byte = dict(shown["phases"][1])["First byte (waiting)"]
    assert first_byte.endswith(" ms") and float(first_byte.split()[0]) > 0
    headers = dict(shown["headers"])
    assert headers["Authorization"] == "[redacted]"
    assert headers["Host"].startswith("127.0.0.1:")
    assert SECRET not in repr(shown)


def test_last_response_survives_a_restart_outside_the_workspace(
        window: Any, qtbot: Any, service: Any, gui_workspace: Workspace, echo_server: str,
        memory_keyring: Any, tmp_path: Path, run: Any) -> None:
    from relaydesk.core.cache import ResponseCache
    from relaydesk.core.session import Session
    from relaydesk.ui.main_window import MainWindow
    from relaydesk.ui.service import Service
    from relaydesk.ui.settings import make_settings

    gui_workspace.save_request(Request(path="local/echo/Tell", url="/echo/tell?x=1"),
                               create=True)
    gui_workspace.save_connection(Connection(path="local/echo", base_url=echo_server,
                                             auth=AuthSettings("bearer", {})))
    service.set_secret("local/echo", "token", SECRET)
    window.tree.reload()
    tab = window.open_request("local/echo/Tell")
    _send(tab, qtbot)
    body = tab.view.response().content()
    assert SECRET.encode() in body  # the echo shows the Authorization header it got

    # Kept in the user data folder (beside history), never in the workspace, redacted.
    kept = Path(os.environ["RELAYDESK_HISTORY"]).parent / "last-responses"
    files = list(kept.glob("*.json"))
    assert len(files) == 1
    assert SECRET not in files[0].read_text()
    assert not any("last-responses" in str(p) for p in gui_workspace.root.rglob("*"))

    # "Restart": a new session and window over the same workspace and user folder.
    second = Service(Session(gui_workspace, keyring=memory_keyring, cache=ResponseCache(),
                             history_source="app"))
    again = MainWindow(second, settings=make_settings(tmp_path / "settings2.ini"))
    again.show()
    qtbot.waitExposed(again)
    try:
        reopened = again.open_request("local/echo/Tell")
        qtbot.waitUntil(lambda: reopened.view.response() is not None, timeout=3000)
        view = reopened.view
        assert status_text(view) == "200 OK"
        assert view.restored_label.isVisible() and view.restored_label.text().startswith(
            "received ")
        restored = view.response().content()
        assert b"/echo/tell" in restored and SECRET.encode() not in restored
        assert b"[redacted]" in restored
        _click_tab(qtbot, view.tabs, "Timeline")
        assert _shown(view)["hops"] == [f"1. GET {echo_server}/echo/tell?x=1 → 200"]
        # Sending again replaces it with a current answer (no "received …" badge).
        _send(reopened, qtbot)
        qtbot.waitUntil(lambda: not view.restored_label.isVisible(), timeout=5000)
    finally:
        again.close()
        run(second.aclose())
