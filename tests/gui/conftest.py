"""GUI fixtures: offscreen Qt, a qasync loop per test, a window over a temp workspace.

How pytest-qt, qasync and pytest-asyncio coexist here: GUI tests are plain (sync)
tests. Each one gets a qasync ``QEventLoop`` created with ``already_running=True``,
which registers it as asyncio's running loop while Qt's event processing drives it.
So ``qtbot.waitUntil`` / ``qtbot.wait`` (which process Qt events) also run asyncio
tasks, exactly as in the app where Qt's loop is the asyncio loop. pytest-asyncio's
own loops are only used by ``async def`` tests elsewhere and never overlap.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

# Before any Qt import: the in-process GUI tests never need a display.
os.environ["QT_QPA_PLATFORM"] = "offscreen"

import pytest

from relaydesk.core.model import Connection, Request
from relaydesk.core.workspace import Workspace


@pytest.fixture(scope="session", autouse=True)
def _collect_on_gui_thread(qapp: Any) -> Iterator[None]:
    """As in the app: cyclic garbage is collected on the GUI thread only (ui/gc_guard.py)."""
    from relaydesk.ui.gc_guard import GuiThreadCollector

    collector = GuiThreadCollector()
    yield
    collector.stop()


@pytest.fixture
def qloop(qapp: Any) -> Iterator[asyncio.AbstractEventLoop]:
    import qasync

    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    yield loop
    # Finish what is still scheduled, then unregister the loop without calling
    # loop.stop(): that would call QApplication.exit() and break later waits.
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    deadline = loop.time() + 5
    from PySide6.QtWidgets import QApplication

    while any(not t.done() for t in pending) and loop.time() < deadline:
        QApplication.processEvents()
    asyncio.events._set_running_loop(None)
    loop._QEventLoop__is_running = False  # type: ignore[attr-defined]
    loop.close()
    asyncio.set_event_loop(None)


@pytest.fixture
def run(qloop: asyncio.AbstractEventLoop, qtbot: Any) -> Callable[..., Any]:
    """Run a coroutine to completion on the GUI loop and return its result."""

    def runner(coro: Any, timeout: float = 10.0) -> Any:
        task = qloop.create_task(coro)
        qtbot.waitUntil(task.done, timeout=int(timeout * 1000))
        return task.result()

    return runner


@pytest.fixture
def gui_workspace(tmp_path: Path, echo_server: str) -> Workspace:
    ws = Workspace.open(tmp_path / "ws")
    ws.save_connection(Connection(path="local/echo", base_url=echo_server), create=True)
    ws.save_request(Request(path="local/echo/Get echo", url="/echo/hello"), create=True)
    ws.save_request(Request(path="local/echo/Slow", url="/slow?delay=10"), create=True)
    ws.save_request(Request(path="local/echo/Json", url="/json"), create=True)
    return ws


@pytest.fixture
def service(gui_workspace: Workspace, memory_keyring: Any, qloop: Any, run: Any) -> Iterator[Any]:
    from relaydesk.core.cache import ResponseCache
    from relaydesk.core.session import Session
    from relaydesk.ui.service import Service

    # As the app builds it (app.py), with an in-memory keyring.
    svc = Service(Session(gui_workspace, keyring=memory_keyring, cache=ResponseCache(),
                          history_source="app"))
    yield svc
    run(svc.aclose())


@pytest.fixture
def window(service: Any, tmp_path: Path, qtbot: Any) -> Iterator[Any]:
    from relaydesk.ui.main_window import MainWindow
    from relaydesk.ui.settings import make_settings

    win = MainWindow(service, settings=make_settings(tmp_path / "settings.ini"))
    win.show()
    qtbot.waitExposed(win)
    win.finish_start()  # as app.py does after the first frame
    yield win
    for tab in win.tab_list():
        tab.set_modified(False)  # no save prompt at teardown
    win.close()
    win.deleteLater()
    qtbot.wait(10)
