"""Copy as → Python (Relaydesk connection) keeps a request's own auth override
(issue 14): the copied snippet, run against the loopback echo, sends the request's
token, not the connection's."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from relaydesk.core.model import AuthSettings
from tests.integration.snippet_harness import run_snippet


def _copy_as(qtbot: Any, window: Any, kind: str) -> str:
    menu = window.copy_as_menu
    menu.popup(QPoint(0, 0))
    qtbot.waitUntil(menu.isVisible, timeout=2000)
    action = next(a for a in menu.actions() if a.data() == kind)
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())
    qtbot.waitUntil(lambda: not menu.isVisible(), timeout=2000)
    return str(QApplication.clipboard().text())


def _authorization(echoed: dict[str, Any]) -> list[str]:
    return [v for k, v in echoed["headers"] if k == "authorization"]


def test_relaydesk_snippet_keeps_the_requests_own_auth(
        window: Any, qtbot: Any, memory_keyring: Any, gui_workspace: Any,
        tmp_path: Path) -> None:
    svc = window.service
    conn = svc.connection("local/echo")
    conn.auth = AuthSettings("bearer")
    svc.save_connection(conn)
    svc.set_secret("local/echo", "token", "connection-token-1")
    req = svc.request("local/echo/Get echo")
    req.auth = AuthSettings("basic", {"username": "ann"})  # this request's own auth
    svc.save_request(req)
    svc.set_secret("local/echo/Get echo", "password", "request-pass-2")
    window.tree.reload()
    window.open_request("local/echo/Get echo")

    snippet = _copy_as(qtbot, window, "relaydesk")
    assert snippet.startswith('import relaydesk\n\nget_echo = relaydesk.connect('
                              '"local/echo/Get echo")\n')
    assert "request-pass-2" not in snippet and "connection-token-1" not in snippet
    echoed = run_snippet("relaydesk", snippet, tmp_path, {}, workspace=gui_workspace.root,
                         keyring_backend=memory_keyring)
    assert echoed["path"] == "/echo/hello"
    expected = "Basic " + base64.b64encode(b"ann:request-pass-2").decode()
    assert _authorization(echoed) == [expected]

    # A request without an override: the connection's client and its token.
    window.open_request("local/echo/Json")
    plain = _copy_as(qtbot, window, "relaydesk")
    assert 'echo = relaydesk.connect("local/echo")' in plain
