"""The main window's icons, set once its first frame is painted (they load QtSvg)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QAbstractButton, QToolBar

from .icons import icon

if TYPE_CHECKING:
    from .main_window import MainWindow

__all__ = ["apply_window_icons"]


def apply_window_icons(window: MainWindow,
                       between: Callable[[], object] | None = None) -> None:
    """Toolbar, menu, tree and empty-state icons (Lucide, tinted by the theme).

    The shown ones are set in groups with ``between`` called after each (the app
    paints there: each SVG drawn costs 1-2 ms, all of them at once made one long
    gap); an icon used twice is one ``QIcon``, drawn once per size."""
    made: dict[str, QIcon] = {}

    def get(name: str) -> QIcon:
        if (found := made.get(name)) is None:
            found = made[name] = icon(name)
        return found

    def pause() -> None:
        if between is not None:
            between()

    def shown(pairs: list[tuple[QAction | QAbstractButton, str]], size: QSize) -> None:
        # Drawn first at the size the paint asks for (the icon keeps it), then set:
        # the drawing and the window's new layout are two steps.
        for widget, name in pairs:
            mode = QIcon.Mode.Normal if widget.isEnabled() else QIcon.Mode.Disabled
            get(name).pixmap(size, mode)
        pause()
        for widget, name in pairs:
            widget.setIcon(get(name))
        pause()

    importlib.import_module("PySide6.QtSvg")  # the library loads in a step of its own
    pause()
    actions = window.window_actions
    toolbar = window.findChild(QToolBar, "mainToolbar")
    bar_size = toolbar.iconSize() if toolbar is not None else QSize(18, 18)
    shown([(actions.new_connection, "plug"), (actions.save, "save"),
           (window.act_run, "play")], bar_size)
    shown([(window.docks.history_action, "history"),
           (window.docks.runner_action, "list-checks"), (window.copy_as_button, "copy")],
          bar_size)
    window.copy_as_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    if (workflow := window.workflow) is not None:
        shown([(workflow.act_environments, "globe"), (workflow.act_save_as, "save"),
               (workflow.act_duplicate, "copy")], bar_size)
    empty = window.empty
    shown([(empty.new_button, "plug"), (empty.import_button, "import"),
           (empty.curl_button, "clipboard-paste")], empty.new_button.iconSize())
    # In menus only: drawn when a menu first opens.
    for action, name in ((actions.send, "send"), (actions.new_request, "plus"),
                         (actions.quick_open, "search"), (window.act_import, "import")):
        action.setIcon(get(name))
    tree = window.tree
    for name, attribute in (("plus", "act_new_request"), ("plug", "act_new_connection"),
                            ("trash-2", "act_delete"), ("terminal", "act_import_line"),
                            ("copy", "act_duplicate"), ("play", "act_run")):
        if isinstance(tree_action := getattr(tree, attribute, None), QAction):
            tree_action.setIcon(get(name))
    window.act_operations.setIcon(get("braces"))
