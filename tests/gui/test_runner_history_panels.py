"""Runner and History panels, offscreen, against the loopback echo server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from relaydesk.core.engine import Engine
from relaydesk.core.history import History
from relaydesk.core.model import Connection, Request
from relaydesk.core.prepare import PreparedRequest
from relaydesk.core.runner import Runner
from relaydesk.core.workspace import Workspace


@pytest.fixture
def ws(tmp_path: Path, echo_server: str) -> Workspace:
    ws = Workspace.open(tmp_path / "ws")
    ws.save_connection(Connection(path="echo", base_url=echo_server), create=True)
    ws.save_request(Request(path="echo/a ok", url="/json", checks=[
        {"kind": "status_equals", "value": 200},
        {"kind": "jsonpath_equals", "path": "$.name", "value": "relaydesk"}]), create=True)
    ws.save_request(Request(path="echo/b bad", url="/json", checks=[
        {"kind": "status_equals", "value": 201}]), create=True)
    return ws


@pytest.fixture
def history(tmp_path: Path) -> Iterator[History]:
    h = History(tmp_path / "history.sqlite3")
    yield h
    h.close()


@pytest.fixture
def engine(qloop: Any, run: Any, history: History) -> Iterator[Engine]:
    eng = Engine(None, on_exchange=history.observer("runner"))
    yield eng
    run(eng.aclose())


def test_runner_panel_shows_rows_and_checks(qtbot: Any, qloop: Any, ws: Workspace,
                                            engine: Engine, history: History) -> None:
    from relaydesk.ui.runner_panel import RunnerPanel

    panel = RunnerPanel(lambda: Runner(engine, ws))
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.runFinished, timeout=10_000) as finished:
        panel.start("echo")
    summary = finished.args[0]
    assert (summary.passed, summary.failed) == (1, 1)
    assert panel.progress.value() == panel.progress.maximum() == 2
    rows = [panel.tree.topLevelItem(i) for i in range(panel.tree.topLevelItemCount())]
    assert [(r.text(0), r.text(1), r.text(3)) for r in rows] == [
        ("echo/a ok", "200", "passed"), ("echo/b bad", "200", "failed")]
    assert rows[0].childCount() == 2
    assert rows[1].child(0).text(0) == "✘ status is 201 — got status 200"
    assert rows[1].child(0).isFirstColumnSpanned()  # the reason gets the row's width
    assert "1 passed, 1 failed" in panel.summary.text()
    assert not panel.cancel_button.isEnabled()
    assert len(history.search()) == 2
    with qtbot.waitSignal(panel.requestActivated) as activated:
        panel.tree.itemDoubleClicked.emit(rows[1].child(0), 0)
    assert activated.args == ["echo/b bad"]


def test_runner_panel_cancel_keeps_window_responsive(qtbot: Any, qloop: Any, ws: Workspace,
                                                     engine: Engine) -> None:
    from relaydesk.ui.runner_panel import RunnerPanel

    for i in range(3):
        ws.save_request(Request(path=f"echo/slow {i}", url="/slow?delay=10"), create=True)
    panel = RunnerPanel(lambda: Runner(engine, ws))
    qtbot.addWidget(panel)
    panel.start("echo")
    qtbot.waitUntil(lambda: panel.tree.topLevelItemCount() == 2, timeout=5000)
    assert panel.cancel_button.isEnabled() and panel.running
    with qtbot.waitSignal(panel.runFinished, timeout=3000) as finished:
        qtbot.mouseClick(panel.cancel_button, __import__("PySide6.QtCore").QtCore.Qt
                         .MouseButton.LeftButton)
    assert finished.args[0].cancelled
    assert "Cancelled after 2 of 5" in panel.summary.text()
    qtbot.waitUntil(lambda: not panel.running, timeout=2000)


def test_runner_panel_reports_bad_path(qtbot: Any, qloop: Any, ws: Workspace,
                                       engine: Engine) -> None:
    from relaydesk.ui.runner_panel import RunnerPanel

    panel = RunnerPanel(lambda: Runner(engine, ws))
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.failed, timeout=3000) as failed:
        panel.start("nope")
    assert "Nothing to run at 'nope'" in failed.args[0]


def _record(history: History, url: str, method: str = "GET") -> None:
    history.record(PreparedRequest(method=method, url=url,
                                   headers=[("Content-Type", "application/json"),
                                            ("Authorization", "Bearer zzz-secret")],
                                   content=b'{"a": 1}'))


def test_history_panel_search_open_and_clear(qtbot: Any, history: History) -> None:
    from relaydesk.ui.history_panel import HistoryPanel

    _record(history, "http://api/users/1")
    _record(history, "http://api/items/2", "POST")
    panel = HistoryPanel(history, confirm=lambda _q: True)
    qtbot.addWidget(panel)
    assert panel.table.rowCount() == 2
    panel.search_edit.setText("users")
    qtbot.waitUntil(lambda: panel.table.rowCount() == 1, timeout=2000)
    assert panel.table.item(0, 4).text() == "http://api/users/1"
    panel.search_edit.setText("")
    panel.method_combo.setCurrentText("POST")
    assert panel.table.rowCount() == 1 and panel.table.item(0, 1).text() == "POST"
    panel.status_edit.setText("200")
    qtbot.waitUntil(lambda: panel.table.rowCount() == 0, timeout=2000)
    panel.status_edit.setText("")
    qtbot.waitUntil(lambda: panel.table.rowCount() == 1, timeout=2000)
    panel.since_check.setChecked(True)  # today: still there
    assert panel.table.rowCount() == 1
    panel.table.selectRow(0)
    with qtbot.waitSignal(panel.openRequested) as opened:
        panel.open_button.click()
    req = opened.args[0]
    assert (req.method, req.url, req.body.kind) == ("POST", "http://api/items/2", "json")
    assert [h.name for h in req.headers] == []  # Authorization was redacted, so left out
    with qtbot.waitSignal(panel.cleared):
        panel.clear_button.click()
    assert history.count() == 0 and panel.table.rowCount() == 0
