"""Send always reaches the server unless the connection's cache is on; a cached
answer is marked in the response view with its age; "Send, bypassing the cache"
(Ctrl+Shift+Enter, or the menu beside Send) asks the server again.

Driven with clicks and keys against the loopback echo server, whose ``/counter``
answers how many times it was really called.
"""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import Qt

from relaydesk.core.model import Connection
from relaydesk.core.response import Response
from relaydesk.ui.response_view import cache_badge_text

CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = CTRL | Qt.KeyboardModifier.ShiftModifier


def _tab_for(window: Any, service: Any, echo_server: str, path: str, ttl: float) -> Any:
    # cache_ttl set explicitly: the test holds whatever the default is.
    service.create_connection(Connection(path=path, base_url=echo_server, cache_ttl=ttl))
    service.create_request(path, "Count", url="/counter")
    window.tree.reload()
    tab = window.open_request(f"{path}/Count")
    assert tab is not None
    return tab


def _count(qtbot: Any, tab: Any) -> int:
    qtbot.waitUntil(lambda: not tab.busy() and tab.view.response() is not None,
                    timeout=10000)
    count: int = tab.view.response().json()["count"]
    return count


def _click_send(qtbot: Any, tab: Any) -> int:
    tab.view.clear()
    qtbot.mouseClick(tab.editor.send_button, Qt.MouseButton.LeftButton)
    return _count(qtbot, tab)


def _keys(qtbot: Any, window: Any, tab: Any, modifiers: Any) -> int:
    tab.view.clear()
    window.activateWindow()
    tab.editor.url_bar.setFocus()
    qtbot.keyClick(tab.editor.url_bar, Qt.Key.Key_Return, modifiers)
    return _count(qtbot, tab)


def test_two_sends_reach_the_server_twice_without_the_cache(
        window: Any, service: Any, qtbot: Any, echo_server: str) -> None:
    tab = _tab_for(window, service, echo_server, "local/nocache", 0)
    first = _click_send(qtbot, tab)
    second = _click_send(qtbot, tab)
    assert second == first + 1
    third = _keys(qtbot, window, tab, CTRL)  # Ctrl+Enter sends too
    assert third == second + 1
    assert not tab.view.response().from_cache and tab.view.cache_label.isHidden()


def test_cached_answer_is_marked_and_bypass_reaches_the_server(
        window: Any, service: Any, qtbot: Any, echo_server: str) -> None:
    tab = _tab_for(window, service, echo_server, "local/cached", 300)
    first = _click_send(qtbot, tab)
    assert tab.view.cache_label.isHidden()

    again = _click_send(qtbot, tab)
    assert again == first  # the server was not asked
    assert tab.view.response().from_cache and tab.view.cache_label.isVisible()
    assert re.fullmatch(r"from cache · \d+ s old", tab.view.cache_label.text())

    bypassed = _keys(qtbot, window, tab, CTRL_SHIFT)  # Ctrl+Shift+Enter
    assert bypassed == first + 1
    assert not tab.view.response().from_cache and tab.view.cache_label.isHidden()

    tab.view.clear()
    tab.bypass_cache_action.trigger()  # the menu beside Send
    assert _count(qtbot, tab) == bypassed + 1
    menu = next(m for m in window.menuBar().actions() if m.text() == "&Run").menu()
    assert window.window_actions.send_bypassing_cache in menu.actions()


def _cached(age: float) -> Response:
    return Response(status=200, reason="OK", http_version="HTTP/1.1", method="GET",
                    url="http://x/", headers=[], from_cache=True, cache_age=age)


def test_cache_badge_tells_how_long_the_answer_was_cached() -> None:
    assert cache_badge_text(_cached(42.4)) == "from cache · 42 s old"
    assert cache_badge_text(_cached(300)) == "from cache · 5 min old"
    assert cache_badge_text(_cached(5400)) == "from cache · 1.5 h old"
