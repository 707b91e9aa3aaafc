"""The app's snippets for a described connection (issue 17): "Copy import snippet" adds an
example call of the selected request's operation, "Copy as → Relaydesk" writes the
managed call. Both are clicked as a user does and the clipboard's code is run against
the echo server (the connection's base URL is under /echo, which answers any path)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QToolBar

from relaydesk.core.api_description import attach_description
from relaydesk.core.model import Body, Connection, Request
from relaydesk.core.workspace import Workspace
from tests.gui.test_import_copy_as import _click_menu_entry

DESCRIPTION = (Path(__file__).resolve().parents[1]
               / "data/managed/ops-integration-actions.openapi.json")
ACTIONS = "/v1/integrations/i-1/actions"
NEW = {"type": "create", "name": "Alert", "domain": "alert", "direction": "incoming",
       "filter": {"conditionsEmpty": True, "conditionMatchType": "match-all",
                  "conditions": []}}


@pytest.fixture
def described(gui_workspace: Workspace, echo_server: str) -> Workspace:
    gui_workspace.save_connection(Connection("ops/jsm", echo_server + "/echo/ops"),
                                  create=True)
    attach_description(gui_workspace, "ops/jsm", DESCRIPTION.read_text(), "ops.json")
    gui_workspace.save_request(Request("ops/jsm/Delete one", "DELETE", ACTIONS + "/77"),
                               create=True)
    gui_workspace.save_request(Request("ops/jsm/Create", "POST", ACTIONS,
                                       body=Body.from_json(NEW)),
                               create=True)
    gui_workspace.save_request(Request("ops/jsm/Health", "GET", "/health"), create=True)
    return gui_workspace


def run_pasted(code: str, workspace: Workspace, monkeypatch: Any) -> Any:
    """The clipboard's code run as a script would: its ``result``."""
    monkeypatch.setenv("RELAYDESK_WORKSPACE", str(workspace.root))
    names: dict[str, Any] = {"__name__": "__main__"}
    exec(compile(code, "<clipboard>", "exec"), names)
    names["jsm"].close()
    return names["result"]


def click_import_button(window: Any, qtbot: Any, path: str) -> str:
    window.tree.select_path(path)
    button = window.tree.findChild(QToolBar).widgetForAction(window.tree.act_import_line)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    return str(QApplication.clipboard().text())


def test_copy_import_snippet_calls_the_selected_operation(
        described: Workspace, window: Any, qtbot: Any, monkeypatch: Any) -> None:
    snippet = click_import_button(window, qtbot, "ops/jsm/Delete one")
    lines = snippet.splitlines()
    assert lines[:2] == ["import relaydesk", 'jsm = relaydesk.connect("ops/jsm")'], snippet
    assert lines[2].startswith("result = jsm.IntegrationActions.deleteIntegrationAction("
                               "integrationId="), snippet
    answer = run_pasted(snippet, described, monkeypatch)  # the schema's example values
    assert (answer["method"], answer["path"]) == (
        "DELETE", "/echo/ops/v1/integrations/string/actions/string")

    # a request no operation matches, or the connection itself: the first operation
    for path in ("ops/jsm/Health", "ops/jsm"):
        first = click_import_button(window, qtbot, path).splitlines()
        assert first[2] == ("# An example: the first operation of the API "
                            "(IntegrationActions.listIntegrationActions)"), first
        assert first[3].startswith("result = jsm.IntegrationActions.listIntegrationActions(")

    plain = click_import_button(window, qtbot, "local/echo/Json")  # no description
    assert plain == 'import relaydesk\necho = relaydesk.connect("local/echo")\n'


def test_copy_as_relaydesk_uses_the_managed_call(
        described: Workspace, window: Any, qtbot: Any, monkeypatch: Any) -> None:
    def relaydesk_entry(actions: list[Any]) -> Any:
        return next(a for a in actions if a.data() == "relaydesk")

    window.open_request("ops/jsm/Create")
    window.copy_as_menu.aboutToShow.emit()  # filled on first opening
    _click_menu_entry(qtbot, window.copy_as_menu, relaydesk_entry)
    code = str(QApplication.clipboard().text())
    assert "result = jsm.IntegrationActions.createIntegrationAction(" in code, code
    assert 'integrationId="i-1"' in code and "body={" in code
    answer = run_pasted(code, described, monkeypatch)
    assert (answer["method"], answer["path"]) == ("POST", "/echo/ops" + ACTIONS)
    assert json.loads(base64.b64decode(answer["body_b64"])) == NEW

    window.open_request("ops/jsm/Health")  # matches no operation: the plain call
    _click_menu_entry(qtbot, window.copy_as_menu, relaydesk_entry)
    code = str(QApplication.clipboard().text())
    assert 'response = jsm.get("/health")' in code and "IntegrationActions" not in code
