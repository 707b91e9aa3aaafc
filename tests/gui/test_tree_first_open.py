"""The tree as the window first shows it: groups and connections open, folders closed,
whether the connections all sit at one depth (one ``expandToDepth`` pass) or not."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from PySide6.QtCore import QModelIndex

from relaydesk.core.model import Connection, Request
from relaydesk.core.workspace import Workspace
from relaydesk.ui.connection_tree import ConnectionTree
from relaydesk.ui.service import Service

if TYPE_CHECKING:
    from relaydesk.core.session import Session


def _no_session() -> Session:
    raise AssertionError("the tree's first frame needs no session")


def _rows(tree: ConnectionTree) -> dict[str, bool]:
    """Every row the view shows (under open rows), by path: whether it is open."""
    view, model = tree.view, tree.view.model()
    rows: dict[str, bool] = {}
    stack = [QModelIndex()]
    while stack:
        parent = stack.pop()
        for row in range(model.rowCount(parent)):
            index = model.index(row, 0, parent)
            rows[tree.model.path_of(index)] = view.isExpanded(index)
            if view.isExpanded(index):
                stack.append(index)
    return rows


@pytest.mark.parametrize("connections", [
    ["jira/cloud", "ops/prod"],  # one depth
    ["solo", "jira/cloud", "deep/er/api"],  # three depths
])
def test_groups_and_connections_open_folders_closed(tmp_path: Path, qtbot: Any,
                                                     connections: list[str]) -> None:
    ws = Workspace.open(tmp_path / "ws")
    for path in connections:
        ws.save_connection(Connection(path=path, base_url="http://127.0.0.1:9"), create=True)
        ws.save_request(Request(path=f"{path}/box/R", url="/x"), create=True)
        ws.save_request(Request(path=f"{path}/Top", url="/x"), create=True)
    lazy = Workspace.open(tmp_path / "ws", lazy=True)
    tree = ConnectionTree(Service(workspace=lazy, make_session=_no_session))
    qtbot.addWidget(tree)
    rows = _rows(tree)
    groups = {"/".join(p.split("/")[:i]) for p in connections
              for i in range(1, p.count("/") + 1)}
    expected = {path: True for path in [*groups, *connections]}
    for path in connections:  # a closed folder and a request, nothing inside the folder
        expected.update({f"{path}/box": False, f"{path}/Top": False})
    assert rows == expected
