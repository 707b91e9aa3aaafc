"""The main window's keyboard actions, in one table so shortcuts are easy to audit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

__all__ = ["WindowActions", "make_actions"]


@dataclass
class WindowActions:
    send: QAction
    send_bypassing_cache: QAction
    save: QAction
    focus_url: QAction
    quick_open: QAction
    close_tab: QAction
    find: QAction
    new_connection: QAction
    quit: QAction


def make_actions(window: QWidget, handlers: dict[str, Callable[[], object]]) -> WindowActions:
    def act(name: str, text: str, *keys: str | QKeySequence.StandardKey) -> QAction:
        action = QAction(text, window)
        # Window-wide (QAction's default context), so the shortcut works whichever
        # child has focus.
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.triggered.connect(lambda _checked=False: handlers[name]())
        window.addAction(action)
        return action

    return WindowActions(
        send=act("send", "Send", "Ctrl+Return", "Ctrl+Enter"),
        send_bypassing_cache=act("send_bypassing_cache", "Send, bypassing the cache",
                                 "Ctrl+Shift+Return", "Ctrl+Shift+Enter"),
        save=act("save", "Save", "Ctrl+S"),
        focus_url=act("focus_url", "Go to URL", "Ctrl+L"),
        quick_open=act("quick_open", "Open request…", "Ctrl+P"),
        close_tab=act("close_tab", "Close tab", "Ctrl+W"),
        find=act("find", "Find in response", "Ctrl+F"),
        new_connection=act("new_connection", "New connection…", "Ctrl+Shift+N"),
        quit=act("quit", "Quit", "Ctrl+Q"),
    )
