"""The runner as a user drives it (issue 14): checks written in the request's Checks
tab, saved with Ctrl+S, judged by a run from the tree; a readable runner dock whose
failure reasons show at any width; Run again after fixing a check."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from relaydesk.core.workspace import Workspace

CTRL = Qt.KeyboardModifier.ControlModifier


def _type_in_cell(qtbot: Any, table: Any, row: int, column: int, text: str) -> None:
    """Select the cell, start editing with F2, type, Enter: as a user does."""
    table.setCurrentCell(row, column)
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert editor is not table and editor.isVisible(), "no cell editor opened"
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # Qt commits on the next event-loop turn
    qtbot.waitUntil(lambda: table.item(row, column).text() == text, timeout=2000)


def _open_checks_tab(qtbot: Any, editor: Any) -> Any:
    index = editor.tabs.indexOf(editor.checks_editor)
    bar = editor.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    assert editor.checks_editor.isVisible()
    return editor.checks_editor


def _add_check(qtbot: Any, checks: Any, label: str) -> int:
    combo = checks.add_kind
    combo.setCurrentIndex(combo.findText(label))
    qtbot.mouseClick(checks.add_button, Qt.MouseButton.LeftButton)
    return int(checks.table.rowCount() - 1)


def _rows(panel: Any) -> list[Any]:
    return [panel.tree.topLevelItem(i) for i in range(panel.tree.topLevelItemCount())]


def test_write_checks_in_the_app_run_them_and_run_again(
        window: Any, qtbot: Any, gui_workspace: Workspace) -> None:
    tab = window.open_request("local/echo/Json")  # answers {"name": "relaydesk", …}
    editor = tab.editor
    index = editor.tabs.indexOf(editor.checks_editor)
    checks = _open_checks_tab(qtbot, editor)
    row = _add_check(qtbot, checks, "Status is")
    _type_in_cell(qtbot, checks.table, row, 2, "201")  # wrong on purpose
    row = _add_check(qtbot, checks, "Body value is (JSONPath)")
    _type_in_cell(qtbot, checks.table, row, 1, "$.name")
    _type_in_cell(qtbot, checks.table, row, 2, "relaydesk")
    assert editor.tabs.tabText(index) == "Checks (2)" and tab.modified
    assert checks.problems() == []
    qtbot.keyClick(checks.table, Qt.Key.Key_S, CTRL)
    saved = json.loads((gui_workspace.root / "connections/local/echo/Json.request.json")
                       .read_text())["checks"]
    assert saved == [{"kind": "status_equals", "value": 201},
                     {"kind": "jsonpath_equals", "path": "$.name", "value": "relaydesk"}]

    window.resize(1000, 700)
    window.run_path("local/echo/Json")
    panel = window.docks.runner_panel()
    qtbot.waitUntil(lambda: panel.run_again_button.isEnabled(), timeout=10000)
    (result,) = _rows(panel)
    assert (result.text(0), result.text(1), result.text(3)) == (
        "local/echo/Json", "200", "failed")
    reasons = [result.child(i).text(0) for i in range(result.childCount())]
    assert reasons == ["✘ status is 201 — got status 200", '✔ $.name is "relaydesk"']
    # Readable: the request column takes the room, the reason spans the whole row.
    tree = panel.tree
    assert tree.columnWidth(0) > tree.viewport().width() // 2
    assert result.child(0).isFirstColumnSpanned()
    assert tree.visualItemRect(result.child(0)).width() >= tree.viewport().width() - 40

    # Fix the check, save, Run again: it passes.
    _type_in_cell(qtbot, checks.table, 0, 2, "200")
    qtbot.keyClick(checks.table, Qt.Key.Key_S, CTRL)
    qtbot.mouseClick(panel.run_again_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.run_again_button.isEnabled()
                    and _rows(panel) and _rows(panel)[0].text(3) == "passed", timeout=10000)
    assert "1 passed, 0 failed" in panel.summary.text()


def test_a_bad_check_is_marked_and_kept_as_typed(window: Any, qtbot: Any) -> None:
    tab = window.open_request("local/echo/Json")
    checks = _open_checks_tab(qtbot, tab.editor)
    row = _add_check(qtbot, checks, "Status between")
    _type_in_cell(qtbot, checks.table, row, 2, "299-200")
    problems = checks.problems()
    assert problems == ["Check 1: The status range 299–200 is empty (min > max)."]
    assert checks.table.item(row, 2).toolTip() == problems[0][len("Check 1: "):]
    assert tab.editor.request().checks == [{"kind": "status_in_range", "min": 299, "max": 200}]
    qtbot.mouseClick(checks.remove_button, Qt.MouseButton.LeftButton)
    assert checks.table.rowCount() == 0 and tab.editor.request().checks == []
    assert not tab.modified
