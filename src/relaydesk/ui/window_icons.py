"""The main window's icons, set once its first frame is painted (they load QtSvg)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction

from .icons import icon

if TYPE_CHECKING:
    from .main_window import MainWindow

__all__ = ["apply_window_icons"]


def apply_window_icons(window: MainWindow) -> None:
    """Toolbar, menu, tree and empty-state icons (Lucide, tinted by the theme)."""

    actions = window.window_actions
    for action, name in ((actions.new_connection, "plug"), (actions.save, "save"),
                         (actions.send, "send"), (actions.new_request, "plus"),
                         (actions.quick_open, "search"), (window.act_import, "import"),
                         (window.act_run, "play"), (window.docks.history_action, "history"),
                         (window.docks.runner_action, "list-checks")):
        action.setIcon(icon(name))
    window.copy_as_button.setIcon(icon("copy"))
    window.copy_as_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    tree = window.tree
    for name, attribute in (("plus", "act_new_request"), ("plug", "act_new_connection"),
                            ("trash-2", "act_delete"), ("terminal", "act_import_line"),
                            ("copy", "act_duplicate"), ("play", "act_run")):
        if isinstance(tree_action := getattr(tree, attribute, None), QAction):
            tree_action.setIcon(icon(name))
    if (workflow := window.workflow) is not None:
        for action, name in ((workflow.act_environments, "globe"),
                             (workflow.act_save_as, "save"),
                             (workflow.act_duplicate, "copy")):
            action.setIcon(icon(name))
    window.act_operations.setIcon(icon("braces"))
    window.empty.new_button.setIcon(icon("plug"))
    window.empty.import_button.setIcon(icon("import"))
    window.empty.curl_button.setIcon(icon("clipboard-paste"))
