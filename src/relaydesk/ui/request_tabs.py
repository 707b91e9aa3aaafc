"""The tab widget of open requests, made when the window first needs it.

The first frame shows the empty state in its place, so the tab widget (with its
Python type and enums) waits until a request opens or the first frame is painted.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QTabBar, QTabWidget, QToolButton, QWidget

__all__ = ["add_close_button", "make_request_tabs"]


def make_request_tabs(parent: QWidget) -> QTabWidget:
    tabs = QTabWidget(parent)
    tabs.setTabsClosable(True)
    tabs.setMovable(True)
    tabs.setDocumentMode(True)
    tabs.setAccessibleName("Open requests")
    return tabs


def add_close_button(tabs: QTabWidget, index: int, close: Callable[[], object]) -> None:
    """A quiet grey cross (the style's own is a red box that reads as an error)."""
    from .icons import icon

    button = QToolButton(tabs)
    button.setObjectName("tabCloseButton")
    button.setAutoRaise(True)
    button.setIcon(icon("x", muted=True))
    button.setIconSize(QSize(14, 14))
    button.setToolTip("Close tab (Ctrl+W)")
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    button.clicked.connect(lambda _checked=False: close())
    tabs.tabBar().setTabButton(index, QTabBar.ButtonPosition.RightSide, button)
