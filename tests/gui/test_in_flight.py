"""While a request is in flight (issue 14): a running elapsed time, and the previous
response dimmed with its status marked "previous"; the new answer replaces both."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import Qt

from relaydesk.ui.in_flight import waiting_text

from .helpers import status_text

CTRL = Qt.KeyboardModifier.ControlModifier


def _send_with_keys(tab: Any, qtbot: Any) -> None:
    tab.editor.focus_url()
    qtbot.keyClick(tab.editor.url_bar, Qt.Key.Key_Return, CTRL)


def test_timer_runs_and_the_previous_response_is_dimmed_and_marked(
        window: Any, qtbot: Any) -> None:
    tab = window.open_request("local/echo/Json")
    _send_with_keys(tab, qtbot)
    qtbot.waitUntil(lambda: not tab.busy() and tab.view.response() is not None, timeout=10000)
    first = tab.view.response()
    assert status_text(tab.view) == "200 OK"
    assert not tab.in_flight.elapsed_label.isVisible()

    tab.editor.url_bar.setText("/slow?delay=1.5")
    _send_with_keys(tab, qtbot)
    qtbot.waitUntil(tab.busy, timeout=2000)
    label = tab.in_flight.elapsed_label
    def seconds() -> float:  # "Waiting… 0.7 s — …": the time shown
        match = re.match(r"Waiting… ([\d.]+)", label.text())
        return float(match.group(1)) if match else -1.0

    # Some tenths of a second in (a fixed reading like "0.5" can be skipped under load).
    qtbot.waitUntil(lambda: label.isVisible() and seconds() >= 0.3, timeout=3000)
    later = label.text()
    qtbot.wait(400)
    assert label.text() != later  # it keeps running
    assert "previous response" in label.text()
    # The old answer is still there to read, but dimmed and marked as the previous one.
    assert tab.view.response() is first
    assert status_text(tab.view) == "previous: 200 OK"
    veil = tab.in_flight.dimmer
    assert veil.isVisible() and veil.geometry() == tab.view.pages.rect()
    assert not tab.view.time_label.isEnabled()

    qtbot.waitUntil(lambda: not tab.busy(), timeout=10000)
    assert tab.view.response() is not first
    assert status_text(tab.view) == "200 OK"
    assert not tab.in_flight.dimmer.isVisible()
    assert tab.view.time_label.isEnabled() and not label.isVisible()


def test_cancelled_send_leaves_no_dimming_and_no_stale_status(window: Any, qtbot: Any) -> None:
    tab = window.open_request("local/echo/Json")
    _send_with_keys(tab, qtbot)
    qtbot.waitUntil(lambda: not tab.busy() and tab.view.response() is not None, timeout=10000)
    tab.editor.url_bar.setText("/slow?delay=10")
    _send_with_keys(tab, qtbot)
    qtbot.waitUntil(tab.busy, timeout=2000)
    qtbot.keyClick(tab.editor.url_bar, Qt.Key.Key_Escape)  # at once, even before it left
    qtbot.waitUntil(lambda: status_text(tab.view).startswith("<b>Cancelled</b>"),
                    timeout=3000)
    assert not tab.busy() and tab.editor.send_button.text() == "Send"
    assert not tab.in_flight.dimmer.isVisible()
    assert not tab.in_flight.elapsed_label.isVisible()


def test_first_send_has_a_timer_and_nothing_to_dim(window: Any, qtbot: Any) -> None:
    tab = window.open_request("local/echo/Slow")  # /slow?delay=10
    _send_with_keys(tab, qtbot)
    qtbot.waitUntil(lambda: tab.in_flight.elapsed_label.isVisible(), timeout=2000)
    assert tab.in_flight.elapsed_label.text().startswith("Waiting… ")
    assert "previous" not in tab.in_flight.elapsed_label.text()
    assert not tab.in_flight.dimmer.isVisible()
    qtbot.keyClick(tab.editor.url_bar, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not tab.busy(), timeout=3000)


def test_waiting_text() -> None:
    assert waiting_text(0.04, False) == "Waiting… 0.0 s"
    assert waiting_text(3.25, True) == "Waiting… 3.2 s — below: the previous response"
    assert waiting_text(125, False) == "Waiting… 2 min 5 s"
