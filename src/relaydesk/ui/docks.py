"""The main window's bottom docks: History and Runner, tabified and hidden at start.

Their panels load the HTTP stack and open the history database, so each is built the
first time its dock is shown (or a run starts), never before the window's first paint.
The dock widgets themselves are made on first use too (``build``): before the first
frame only when the window's saved state shows one open, else right after it, where
``restoreDockWidget`` puts them back where that state had them. A dock joins the
window's bottom area when it is first shown, unless the window's saved state already
placed it. The View menu's entries are this module's actions, because a dock's own
``toggleViewAction`` would show an unplaced dock floating.

The docks know their host only as a ``QMainWindow`` (to place themselves); what the
panels ask of the app (open a request, report a problem) leaves as signals, which
the window wires in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QMainWindow, QWidget

if TYPE_CHECKING:
    import asyncio

    from PySide6.QtWidgets import QDockWidget

    from .history_panel import HistoryPanel
    from .runner_panel import RunnerPanel
    from .service import Service

__all__ = ["DOCK_HEIGHT", "Docks"]

DOCK_HEIGHT = 220  # first-show height: the editor keeps most of the window
DOCK_WIDTH = 300  # first-show width beside a short window
DOCK_MIN_WIDTH = 220
SHORT_WINDOW = 760  # below this height the docks go to the right: the response keeps
# its height (at 1000×700 a bottom dock left it four lines)


class Docks(QObject):
    requestActivated = Signal(str)  # a runner row: open the saved request
    historyOpened = Signal(object)  # a History entry as a core Request: open it unsaved
    errorOccurred = Signal(str)
    statusMessage = Signal(str)

    def __init__(self, window: QMainWindow, service: Service) -> None:
        super().__init__(window)
        self._window = window
        self._service = service
        self._history: HistoryPanel | None = None
        self._runner: RunnerPanel | None = None
        self._sized = False
        self._run_task: asyncio.Task[Any] | None = None
        self._docks: tuple[QDockWidget, QDockWidget] | None = None
        self.history_action = self._toggle("History", lambda: self.history_dock)
        self.runner_action = self._toggle("Runner", lambda: self.runner_dock)

    @property
    def history_dock(self) -> QDockWidget:
        return self.build()[0]

    @property
    def runner_dock(self) -> QDockWidget:
        return self.build()[1]

    def build(self) -> tuple[QDockWidget, QDockWidget]:
        """The History and Runner dock widgets, made on first use (idempotent)."""
        if self._docks is None:
            history, runner = self._docks = (self._dock("History", "historyDock"),
                                             self._dock("Runner", "runnerDock"))
            for dock, action, panel in ((history, self.history_action, self.history_panel),
                                        (runner, self.runner_action, self.runner_panel)):
                # Checked while the dock is open, even as a tab behind the other one.
                dock.visibilityChanged.connect(
                    lambda _v, d=dock, a=action: a.setChecked(not d.isHidden()))
                dock.visibilityChanged.connect(
                    lambda shown, p=panel: self._shown(shown, p))
                # Where the window's saved state had it, when that was restored before.
                self._window.restoreDockWidget(dock)
        return self._docks

    def _dock(self, title: str, name: str) -> QDockWidget:
        from PySide6.QtWidgets import QDockWidget

        dock = QDockWidget(title, self._window)
        dock.setObjectName(name)  # saveState/restoreState key
        dock.setAllowedAreas(Qt.DockWidgetArea.BottomDockWidgetArea
                             | Qt.DockWidgetArea.RightDockWidgetArea)
        dock.setWidget(QLabel("Loading…", dock))
        dock.hide()
        return dock

    def _toggle(self, title: str, dock: Callable[[], QDockWidget]) -> QAction:
        action = QAction(title, self)
        action.setCheckable(True)
        action.triggered.connect(
            lambda checked: self.show(dock()) if checked else dock().hide())
        return action

    def open_names(self) -> list[str]:
        """The object names of the open docks (kept with the window's state)."""
        return [d.objectName() for d in self._docks or () if not d.isHidden()]

    def _place(self, dock: QDockWidget) -> None:
        area = Qt.DockWidgetArea
        window = self._window
        if window.dockWidgetArea(dock) != area.NoDockWidgetArea:
            return  # placed before, or by the window's saved state
        other = self.runner_dock if dock is self.history_dock else self.history_dock
        if window.dockWidgetArea(other) != area.NoDockWidgetArea and not other.isHidden():
            target = window.dockWidgetArea(other)
        else:
            target = (area.RightDockWidgetArea if window.height() < SHORT_WINDOW
                      else area.BottomDockWidgetArea)
        window.addDockWidget(target, dock)
        if window.dockWidgetArea(other) == target:
            window.tabifyDockWidget(other, dock)

    def _shown(self, shown: bool, build: Callable[[], object]) -> None:
        if shown:
            build()

    def show(self, dock: QDockWidget) -> None:
        self._place(dock)
        dock.show()
        dock.raise_()
        if not self._sized:  # docks must not eat the editor
            self._sized = True
            # Once the window has laid the new dock out (a size asked for before is
            # overridden by the first layout).
            QTimer.singleShot(0, self, lambda: self._first_size(dock))

    def _first_size(self, dock: QDockWidget) -> None:
        if self._window.dockWidgetArea(dock) == Qt.DockWidgetArea.RightDockWidgetArea:
            self._window.resizeDocks([dock], [DOCK_WIDTH], Qt.Orientation.Horizontal)
        else:
            self._window.resizeDocks([dock], [DOCK_HEIGHT], Qt.Orientation.Vertical)

    # -- panels (built on first use) ----------------------------------------------------

    def history_panel(self) -> HistoryPanel | None:
        """The History panel, or None when history is off (a note says so)."""
        if self._history is None and isinstance(self.history_dock.widget(), QLabel):
            history = self._service.history
            if history is None:
                note = QLabel("History is off (RELAYDESK_HISTORY=off) or its database "
                              "could not be opened.", self.history_dock)
                note.setEnabled(False)
                self._set(self.history_dock, note)
                return None
            from .history_panel import HistoryPanel

            self._history = HistoryPanel(history, parent=self.history_dock)
            self._history.openRequested.connect(self.historyOpened)
            self._set(self.history_dock, self._history)
        return self._history

    def runner_panel(self) -> RunnerPanel:
        if self._runner is None:
            from .runner_panel import RunnerPanel

            self._runner = RunnerPanel(self._service.runner, self.runner_dock)
            self._runner.requestActivated.connect(self.requestActivated)
            self._runner.failed.connect(self.errorOccurred)
            self._runner.runFinished.connect(lambda _s: self.refresh_history())
            self._set(self.runner_dock, self._runner)
        return self._runner

    @staticmethod
    def _set(dock: QDockWidget, widget: QWidget) -> None:
        # An explicit minimum overrides the panel's row of filters and buttons, which
        # would otherwise push a 1000 px window wider when the dock sits beside it.
        widget.setMinimumWidth(DOCK_MIN_WIDTH)
        old = dock.widget()
        dock.setWidget(widget)
        if old is not None and old is not widget:
            old.deleteLater()

    def refresh_history(self) -> None:
        if self._history is not None:
            self._history.refresh()

    # -- runs ---------------------------------------------------------------------------

    def run(self, path: str, environment_name: str | None) -> bool:
        """Run a connection or folder in the Runner dock; False if one is running."""
        from relaydesk.core.runner import RunOptions

        panel = self.runner_panel()
        self.show(self.runner_dock)
        if panel.running:
            self.statusMessage.emit("A run is in progress: cancel it first.")
            return False
        self._run_task = panel.start(
            path, RunOptions(environment=self._service.environment(environment_name)))
        return True

    def shutdown(self) -> None:
        """The window is closing: stop a run before the engine is closed under it."""
        if self._run_task is not None and not self._run_task.done():
            self._run_task.cancel()
