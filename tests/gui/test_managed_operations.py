"""View → API operations: a described connection's operations, searchable by group;
opening one makes a request tab with its path template, parameters and example body."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from relaydesk.core.api_description import attach_description
from relaydesk.core.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]
DESCRIPTION = REPO / "tests/data/managed/ops-integration-actions.openapi.json"


def visible_operations(dialog: Any) -> list[str]:
    tree = dialog.tree
    names = []
    for i in range(tree.topLevelItemCount()):
        group = tree.topLevelItem(i)
        for j in range(group.childCount()):
            item = group.child(j)
            if not item.isHidden() and not group.isHidden():
                names.append(f"{group.text(0)}.{item.text(0)}")
    return names


def test_operations_open_as_requests(window: Any, gui_workspace: Workspace, qtbot: Any
                                     ) -> None:
    from relaydesk.ui.operations_panel import OperationsDialog

    attach_description(gui_workspace, "local/echo", DESCRIPTION.read_text(), "ops.json")
    window.tree.select_path("local/echo")
    window.act_operations.trigger()
    dialog = window.findChild(OperationsDialog)
    assert dialog is not None and dialog.windowTitle() == "Operations of local/echo"
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == 1, timeout=5000)
    assert len(visible_operations(dialog)) == 6
    assert "6 operation(s) in 1 group(s)" in dialog.status.text()
    (REPO / "artifacts").mkdir(exist_ok=True)
    dialog.grab().save(str(REPO / "artifacts/operations-dialog.png"))  # look at it

    dialog.search.setText("ORDER")
    assert visible_operations(dialog) == ["IntegrationActions.reorderIntegrationAction"]
    dialog.search.setText("actions/{id}")
    assert len(visible_operations(dialog)) == 4
    dialog.search.setText("create")
    group = dialog.tree.topLevelItem(0)
    create = next(group.child(j) for j in range(group.childCount())
                  if not group.child(j).isHidden())
    dialog.tree.setCurrentItem(create)
    dialog.open_button.click()

    tab = window.current_tab()
    assert tab is not None
    assert tab.path == "local/echo/IntegrationActions/Create integration action"
    request = tab.edited_request()
    assert (request.method, request.url) == ("POST",
                                             "/v1/integrations/{{integrationId}}/actions")
    body = json.loads(request.body.text)
    assert body["direction"] == "incoming" and set(body) >= {"type", "name", "filter"}
    assert tab.modified  # not saved until the user saves it

    window.tree.select_path("local/echo/Get echo")  # a connection without operations
    gui_workspace.file_of("local/echo").with_name("openapi.json").unlink()
    window.act_operations.trigger()
    qtbot.waitUntil(lambda: "no API description" in window.findChildren(
        OperationsDialog)[-1].status.text(), timeout=5000)


def test_an_openapi_import_in_the_app_keeps_its_operations(window: Any, qtbot: Any) -> None:
    from relaydesk.ui.operations_panel import OperationsDialog

    dialog = window.open_import(str(DESCRIPTION))
    qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=10000)
    dialog.into.setText("ops/jsm")
    with qtbot.waitSignal(dialog.imported, timeout=10000):
        dialog.import_button.click()
    assert window.service.workspace.file_of("ops/jsm").with_name("openapi.json").is_file()
    window.show_operations("ops/jsm")
    shown = window.findChildren(OperationsDialog)[-1]
    qtbot.waitUntil(lambda: len(visible_operations(shown)) == 6, timeout=5000)
