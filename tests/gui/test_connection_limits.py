"""The connection editor's size limit, total time limit and HTTP version rows."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from relaydesk.core.workspace import Workspace


def test_the_limits_are_edited_and_saved(window: Any, qtbot: Any,
                                         gui_workspace: Workspace, tmp_path: Path) -> None:
    dialog = window.tree.edit_connection("local/echo")
    limits = dialog.limits
    assert (limits.max_size.value(), limits.max_time.value()) == (1024, 1800.0)
    assert limits.http_version.currentData() == "auto"
    dialog.tabs.setCurrentWidget(limits.max_size.parentWidget())  # Advanced
    dialog.resize(640, 520)
    shots = Path(os.environ.get("SHOT_DIR", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    dialog.grab().save(str(shots / "connection-limits.png"))
    limits.max_size.setValue(2048)
    limits.max_time.setValue(90)
    limits.http_version.setCurrentIndex(limits.http_version.findData("1.1"))
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok),
                     Qt.MouseButton.LeftButton)
    saved = gui_workspace.connection("local/echo")
    assert (saved.max_size, saved.max_time, saved.http_version) == (2 * 1024 ** 3, 90.0, "1.1")


def test_a_size_written_by_hand_survives_an_edit_of_something_else(
        window: Any, gui_workspace: Workspace) -> None:
    conn = gui_workspace.connection("local/echo")
    gui_workspace.save_connection(replace(conn, max_size=500_000_000))
    dialog = window.tree.edit_connection("local/echo")
    dialog.description.setText("changed")
    assert dialog.connection().max_size == 500_000_000
    dialog.limits.max_size.setValue(10)
    assert dialog.connection().max_size == 10 * 1024 * 1024
    dialog.reject()
