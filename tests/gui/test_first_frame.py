"""What the window builds before its first frame, and what waits until after it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget

from relaydesk.core.workspace import Workspace


def test_the_first_frame_needs_no_core_session(gui_workspace: Workspace, memory_keyring: Any,
                                               tmp_path: Path, qtbot: Any) -> None:
    """The app builds its window over a service whose session (secrets, engine, OAuth,
    history) is made on first use: showing the window does not make it."""
    from relaydesk.core.session import Session
    from relaydesk.ui.main_window import MainWindow
    from relaydesk.ui.service import Service
    from relaydesk.ui.settings import make_settings

    made: list[Session] = []

    def make_session() -> Session:
        made.append(Session(gui_workspace, keyring=memory_keyring))
        return made[-1]

    service = Service(workspace=gui_workspace, make_session=make_session)
    window = MainWindow(service, settings=make_settings(tmp_path / "settings.ini"))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.finish_start()
    assert made == []
    assert window.tree.model.rowCount() == 1  # the workspace's "local" group is shown
    assert service.connection_for("local/echo/Json") is not None  # needs the session
    assert len(made) == 1 and service.session is made[0]
    service.connection_for("local/echo/Slow")
    assert len(made) == 1  # made once


def test_closed_docks_are_made_after_the_first_frame_where_they_were(
        window: Any, service: Any, tmp_path: Path, qtbot: Any) -> None:
    from relaydesk.ui.main_window import MainWindow
    from relaydesk.ui.settings import make_settings

    area = Qt.DockWidgetArea
    window.docks.history_action.trigger()
    window.addDockWidget(area.RightDockWidgetArea, window.docks.history_dock)
    window.docks.history_action.trigger()  # closed again, on the right
    assert window.docks.history_dock.isHidden()
    window.save_state()

    again = MainWindow(service, settings=make_settings(tmp_path / "settings.ini"))
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    assert again.findChildren(QDockWidget) == []  # none shown: none made yet
    again.finish_start()
    dock = again.docks.history_dock
    assert dock.isHidden() and not again.docks.history_action.isChecked()
    assert again.dockWidgetArea(dock) == area.RightDockWidgetArea
    again.docks.history_action.trigger()
    assert dock.isVisible() and not dock.isFloating()
    assert again.dockWidgetArea(dock) == area.RightDockWidgetArea
