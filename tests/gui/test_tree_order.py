"""The tree lists in natural order (``req2`` before ``req10``) where it sorts by name
(groups, connections, files nobody ordered) and keeps the user's order elsewhere."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QModelIndex, Qt

from relaydesk.core.model import Connection


def _shown(tree: Any, path: str) -> list[str]:
    """The names the tree view shows under ``path``, top to bottom, after expanding it."""
    tree.expand_path(path)
    view = tree.view
    model = view.model()
    parent: QModelIndex = QModelIndex()
    for name in path.split("/"):
        parent = next(model.index(r, 0, parent) for r in range(model.rowCount(parent))
                      if model.index(r, 0, parent).data(Qt.ItemDataRole.DisplayRole) == name)
    assert view.isExpanded(parent)
    return [model.index(r, 0, parent).data(Qt.ItemDataRole.DisplayRole)
            for r in range(model.rowCount(parent))]


def test_natural_order_by_name_and_user_order_inside(window: Any, qtbot: Any) -> None:
    ws = window.service.workspace
    for name in ("api10", "api2"):
        ws.save_connection(Connection(path=f"local/{name}", base_url="http://127.0.0.1:9"),
                           create=True)
    folder = ws.root / "connections/local/echo"
    for name in ("req10", "req2", "req1"):  # written by hand (or git): nobody ordered them
        (folder / f"{name}.request.json").write_text(json.dumps(
            {"format": 2, "kind": "request", "method": "GET", "url": f"/echo/{name}"}))
    ws.reload()
    window.tree.reload()
    assert _shown(window.tree, "local") == ["api2", "api10", "echo"]
    # The ones the app created keep their (creation) order; the rest follow, naturally.
    assert _shown(window.tree, "local/echo") == ["Get echo", "Slow", "Json",
                                                 "req1", "req2", "req10"]
    ws.reorder("local/echo/req10", 0)
    window.tree.reload()
    assert _shown(window.tree, "local/echo") == ["req10", "Get echo", "Slow", "Json",
                                                 "req1", "req2"]


def test_quick_open_lists_ties_in_tree_order(window: Any, qtbot: Any) -> None:
    from PySide6.QtWidgets import QApplication

    from relaydesk.ui.quick_open import QuickOpenDialog

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    qtbot.keyClick(window.tree.view, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    dialog = QApplication.activeModalWidget() or window.findChild(QuickOpenDialog)
    assert isinstance(dialog, QuickOpenDialog)
    shown = [dialog.results.item(r).text() for r in range(dialog.results.count())]
    assert shown == ["local/echo/Get echo", "local/echo/Slow", "local/echo/Json"]
    dialog.reject()
