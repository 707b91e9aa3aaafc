"""The keyboard as a daily user drives it (issue 14): cancel, new request, tab switching."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from tests.servers import SLOW_ARRIVALS, SLOW_HANGUPS

from .helpers import status_text


def _start_slow(window: Any, qtbot: Any) -> Any:
    arrived = SLOW_ARRIVALS[0]
    tab = window.open_request("local/echo/Slow")  # /slow?delay=10
    tab.editor.focus_url()
    qtbot.keyClick(tab.editor.url_bar, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(tab.busy, timeout=2000)
    # The request reached the server (on a loaded machine that can take a while).
    qtbot.waitUntil(lambda: SLOW_ARRIVALS[0] > arrived, timeout=10000)
    return tab


@pytest.mark.parametrize("how", ["escape", "second ctrl+enter"])
def test_escape_or_second_ctrl_enter_cancels_and_the_server_sees_the_hangup(
        window: Any, qtbot: Any, how: str) -> None:
    hangups = SLOW_HANGUPS[0]
    tab = _start_slow(window, qtbot)
    assert tab.busy() and window.window_actions.cancel.isEnabled()
    if how == "escape":
        qtbot.keyClick(tab.editor.url_bar, Qt.Key.Key_Escape)
    else:
        qtbot.keyClick(tab.editor.url_bar, Qt.Key.Key_Return,
                       Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not tab.busy(), timeout=3000)
    assert status_text(tab.view).startswith("<b>Cancelled</b>")
    qtbot.waitUntil(lambda: SLOW_HANGUPS[0] == hangups + 1, timeout=3000)
    assert not window.window_actions.cancel.isEnabled()  # Escape is free again


def test_escape_in_the_response_search_closes_the_bar_not_the_request(
        window: Any, qtbot: Any) -> None:
    tab = window.open_request("local/echo/Json")
    ctrl = Qt.KeyboardModifier.ControlModifier
    qtbot.keyClick(tab.editor.url_bar, Qt.Key.Key_Return, ctrl)
    qtbot.waitUntil(lambda: tab.task is None and "200" in status_text(tab.view), timeout=5000)
    tab.editor.url_bar.setText("/slow?delay=10")
    qtbot.keyClick(tab.editor.url_bar, Qt.Key.Key_Return, ctrl)
    qtbot.waitUntil(tab.busy, timeout=2000)
    tab.open_search()
    bar = tab.view.body.search_bar
    qtbot.waitUntil(bar.isVisible, timeout=2000)
    qtbot.keyClick(bar.field, Qt.Key.Key_Escape)
    assert not bar.isVisible()
    assert tab.busy()  # still in flight
    qtbot.keyClick(tab.editor.url_bar, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not tab.busy(), timeout=3000)


def _answer_next_prompt(qtbot: Any, text: str) -> None:
    """Type ``text`` into the next modal input dialog and press Enter, as a user does."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QInputDialog):
            QTimer.singleShot(20, answer)
            return
        field = dialog.findChild(QLineEdit)
        qtbot.keyClicks(field, text)
        qtbot.keyClick(field, Qt.Key.Key_Return)

    QTimer.singleShot(0, answer)


def test_ctrl_n_creates_a_request_in_the_selected_folder_and_focuses_the_url(
        window: Any, qtbot: Any, gui_workspace: Any) -> None:
    window.tree.select_path("local/echo/Json")  # a request: the new one goes beside it
    window.activateWindow()
    window.tree.view.setFocus()
    _answer_next_prompt(qtbot, "Created")
    qtbot.keyClick(window.tree.view, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    tab = window.current_tab()
    assert tab is not None and tab.path == "local/echo/Created"
    assert (gui_workspace.root / "connections/local/echo/Created.request.json").is_file()
    # The offscreen platform leaves no window active once the dialog closes: the focus
    # is where the window will give it back.
    assert window.focusWidget() is tab.editor.url_bar
    window.activateWindow()
    qtbot.waitUntil(tab.editor.url_bar.hasFocus, timeout=2000)


@pytest.mark.parametrize("key", [Qt.Key.Key_Tab, Qt.Key.Key_PageDown])
def test_ctrl_tab_lands_on_the_url_bar_so_page_keys_never_change_the_method(
        window: Any, qtbot: Any, key: Any) -> None:
    first = window.open_request("local/echo/Get echo")
    second = window.open_request("local/echo/Json")
    third = window.open_request("local/echo/Slow")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    window.tabs.setCurrentWidget(first)
    first.editor.focus_url()
    ctrl = Qt.KeyboardModifier.ControlModifier
    for expected in (second, third, first):
        qtbot.keyClick(window.focusWidget(), key, ctrl)
        assert window.current_tab() is expected
        assert window.focusWidget() is expected.editor.url_bar
        for nudge in (Qt.Key.Key_PageDown, Qt.Key.Key_Down, Qt.Key.Key_Up):
            qtbot.keyClick(window.focusWidget(), nudge)
    assert [t.editor.request().method for t in (first, second, third)] == ["GET"] * 3
    assert not any(t.modified for t in (first, second, third))
