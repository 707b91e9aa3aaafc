"""The main window's keyboard actions, in one table so shortcuts are easy to audit."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

__all__ = ["WindowActions", "make_actions"]


class WindowActions:
    """The window's actions by name, each added to the window (their shortcuts with
    ``install_shortcuts``, after the first frame).

    A plain class: a dataclass would generate and compile its methods at start-up.
    """

    def __init__(self, window: QWidget, handlers: dict[str, Callable[[], object]]) -> None:
        self._keys: list[tuple[QAction, tuple[str, ...]]] = []

        def act(name: str, text: str, *keys: str) -> QAction:
            action = QAction(text, window)
            action.triggered.connect(lambda _checked=False: handlers[name]())
            window.addAction(action)
            self._keys.append((action, keys))
            return action

        self.send = act("send", "Send", "Ctrl+Return", "Ctrl+Enter")
        self.send_bypassing_cache = act("send_bypassing_cache", "Send, bypassing the cache",
                                        "Ctrl+Shift+Return", "Ctrl+Shift+Enter")
        # Enabled only while the current tab has a request in flight, so Escape stays
        # free for the widgets that use it (the response search bar, popups).
        self.cancel = act("cancel", "Cancel the request", "Escape")
        self.cancel.setEnabled(False)
        self.save = act("save", "Save", "Ctrl+S")
        self.focus_url = act("focus_url", "Go to URL", "Ctrl+L")
        self.quick_open = act("quick_open", "Open request…", "Ctrl+P")
        self.close_tab = act("close_tab", "Close tab", "Ctrl+W")
        # Ctrl+Tab is QTabWidget's own; these make Ctrl+PageDown/Up switch tabs too,
        # wherever the focus is (the method box would otherwise take them).
        self.next_tab = act("next_tab", "Next tab", "Ctrl+PgDown")
        self.previous_tab = act("previous_tab", "Previous tab", "Ctrl+PgUp")
        self.find = act("find", "Find in response", "Ctrl+F")
        self.new_request = act("new_request", "New request…", "Ctrl+N")
        self.new_connection = act("new_connection", "New connection…", "Ctrl+Shift+N")
        self.quit = act("quit", "Quit", "Ctrl+Q")

    def install_shortcuts(self) -> None:
        """Give the actions their keys: the window does once its first frame is painted,
        before it handles any input (no frame shows them; parsing them takes a while)."""
        for action, keys in self._keys:
            # Window-wide (QAction's default context), so the shortcut works whichever
            # child has focus.
            action.setShortcuts([QKeySequence(k) for k in keys])
        self._keys = []


def make_actions(window: QWidget, handlers: dict[str, Callable[[], object]]) -> WindowActions:
    return WindowActions(window, handlers)
