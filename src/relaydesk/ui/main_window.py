"""The main window: connection tree | tabs of request editors over response views.

The window composes its parts: the tree panel, the tabs, a ``SendController`` that
owns the sends in flight, the History and Runner ``Docks``, and one
``MessageBridge`` for status text and problems. The parts emit signals and never
call the window; ``_wire`` is the one place that connects them (``_wire_tab`` does
the same for each request tab as it opens).
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QModelIndex, QSettings, QSize, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QWidget,
)

from relaydesk.core.errors import RelaydeskError

from .actions import make_actions
from .connection_tree import ConnectionTree
from .dialogs import ask
from .docks import Docks
from .empty_state import EmptyState
from .messages import PROBLEM_MS, MessageBridge
from .service import Service
from .settings import make_settings

if TYPE_CHECKING:
    from collections.abc import Callable

    # QCloseEvent would make PySide build QEvent and its 180-value Type enum (13M
    # instructions) before the first frame; the handler only runs at close.
    from PySide6.QtGui import QCloseEvent
    from PySide6.QtWidgets import QTabWidget

    from relaydesk.core.model import Request

    # Imported on first use: editors and the workflow are not needed for the first frame.
    from .request_tab import RequestTab
    from .send_controller import SendController
    from .workflow import Workflow

__all__ = ["NO_ENVIRONMENT", "MainWindow"]

NO_ENVIRONMENT = "No environment"
TREE_MIN_WIDTH = 180
READ_STEP = 50  # request files read per event-loop turn after start (~5 ms)


class MainWindow(QMainWindow):
    closed = Signal()  # after the window accepted a close (the app then shuts down)

    def __init__(self, service: Service, settings: QSettings | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.settings = settings or make_settings()
        self.messages = MessageBridge(self)
        self._sending: SendController | None = None  # made on first use (``sending``)
        # Environments, live reload, Save As, Edit auth…: composed after the first frame.
        self.workflow: Workflow | None = None
        # "workspace name — Relaydesk": Qt appends the application display name itself.
        self.setWindowTitle(service.workspace.root.name or str(service.workspace.root))

        self.tree = ConnectionTree(service, self)
        self._tabs: QTabWidget | None = None  # made on first use (``tabs``)
        self.empty = EmptyState(self)
        self.right = QStackedWidget(self)
        self.right.addWidget(self.empty)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.tree)
        self.splitter.addWidget(self.right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([280, 920])
        self.tree.setMinimumWidth(TREE_MIN_WIDTH)  # a dock beside it must not crush it
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)

        self.window_actions = make_actions(self, {
            "send": self.send_current, "cancel": self.cancel_current,
            "send_bypassing_cache": lambda: self.send_current(bypass_cache=True),
            "save": self.save_current,
            "focus_url": self.focus_url, "quick_open": self.quick_open,
            "close_tab": lambda: self.close_tab(self.current_tab()),
            "find": self.find_in_response, "new_connection": self.tree.ask_new_connection,
            "new_request": self.new_request,
            "next_tab": lambda: self._step_tab(1), "previous_tab": lambda: self._step_tab(-1),
            "quit": self.close,
        })
        self._make_toolbar()
        self.docks = Docks(self, service)
        self._make_file_menu()
        self._make_run_menu()
        self._wire()
        self.resize(1200, 780)
        self.restore_state()
        self._update_empty()

    def _wire(self) -> None:
        """Every connection between the window's parts, in one place."""
        bar = self.statusBar()
        self.messages.statusShown.connect(bar.showMessage)
        self.messages.problemShown.connect(lambda m: bar.showMessage(m, PROBLEM_MS))

        tree = self.tree
        tree.requestActivated.connect(self.open_request)
        tree.connectionActivated.connect(tree.edit_connection)
        tree.moved.connect(self._path_moved)
        tree.deleted.connect(self._path_deleted)
        tree.errorOccurred.connect(self.messages.problem)
        tree.statusMessage.connect(self.messages.status)
        tree.fileDropped.connect(self.open_import)
        tree.runRequested.connect(self.run_path)

        self.empty.newConnectionRequested.connect(tree.ask_new_connection)
        self.empty.importRequested.connect(lambda: self.open_import())
        self.empty.pasteCurlRequested.connect(self.paste_curl_request)
        tree_model = tree.model  # the empty state follows the workspace's top level
        for changed in (tree_model.rowsInserted, tree_model.rowsRemoved):
            changed.connect(self._top_level_changed)
        tree_model.modelReset.connect(self._update_empty)

        docks = self.docks
        docks.requestActivated.connect(self.open_request)
        docks.historyOpened.connect(self.open_unsaved)
        docks.errorOccurred.connect(self.messages.problem)
        docks.statusMessage.connect(self.messages.status)


    @property
    def sending(self) -> SendController:
        """The sends in flight; made on first use (the first frame sends nothing)."""
        if self._sending is None:
            from .send_controller import SendController

            self._sending = SendController(self.service, self.messages, self.environment_name,
                                           self)
            self._sending.finished.connect(self.docks.refresh_history)
        return self._sending

    @property
    def tabs(self) -> QTabWidget:
        """The open requests; made on first use (the first frame shows the empty state)."""
        if self._tabs is None:
            from .request_tabs import make_request_tabs

            self._tabs = tabs = make_request_tabs(self)
            self.right.addWidget(tabs)
            tabs.tabCloseRequested.connect(lambda i: self.close_tab(self._tab_at(i)))
            tabs.currentChanged.connect(lambda _i: self._tabs_changed())
        return self._tabs

    def _order_focus(self) -> None:
        """Tab moves top to bottom, left to right: the toolbar's controls, the tree's
        filter and tree, the tab bar, then the open requests. Qt puts widgets made
        later (each tab's page) at the end of the chain, after the toolbar's: so the
        tree and the tab bar are moved behind the toolbar again when a page is added."""
        chain = [self.env_picker, self.copy_as_button, self.tree.filter, self.tree.view,
                 self.tabs.tabBar()]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _wire_tab(self, tab: RequestTab) -> None:
        """A new tab's signals (each tab is wired once, when it is added)."""
        tab.titleChanged.connect(lambda: self._update_title(tab))
        tab.busyChanged.connect(lambda _busy: self._update_cancel())
        tab.editor.sendRequested.connect(lambda: self.sending.send(tab))
        tab.editor.cancelRequested.connect(lambda: self.sending.cancel(tab))
        tab.editor.curlPasted.connect(lambda text: self.sending.paste_curl(tab, text))
        tab.fetchAllRequested.connect(lambda: self.sending.fetch_all_pages(tab))
        tab.bypassCacheRequested.connect(lambda: self.sending.send(tab, bypass_cache=True))
        if self.workflow is not None:
            self.workflow.wire_tab(tab)

    def install_workflow(self) -> Workflow:
        """Compose the features the first frame does not need (idempotent)."""
        if self.workflow is None:
            from .workflow import Workflow

            self.workflow = Workflow(self)
            self.workflow.install()
        return self.workflow

    def read_workspace(self, step: int = READ_STEP) -> None:
        """Read the request files the first frame did not need, a few per event-loop turn.

        When all are read, load problems are reported and broken files leave the tree.
        """
        from PySide6.QtCore import QTimer

        self.install_workflow()
        workspace = self.service.workspace
        if workspace.read_pending(step) or workspace.read_pending_folders(step):
            QTimer.singleShot(0, self, lambda: self.read_workspace(step))
            return
        self.tree.model.listing_done()  # empty folders lose the arrow drawn meanwhile
        self.tree.prepare_filter()
        if problems := workspace.problems:
            self.messages.problem("Some workspace files could not be read: "
                              + "; ".join(str(p) for p in problems[:3]))
            self.tree.model.reload()

    def _make_toolbar(self) -> None:
        bar = self.addToolBar("Main")
        bar.setObjectName("mainToolbar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        bar.setIconSize(QSize(18, 18))
        bar.addAction(self.window_actions.new_connection)
        bar.addAction(self.window_actions.save)
        bar.addSeparator()
        bar.addWidget(QLabel(" Environment: ", bar))
        self.env_picker = QComboBox(bar)
        self.env_picker.setObjectName("environmentPicker")
        self.env_picker.setAccessibleName("Environment")
        self.env_picker.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.env_picker.addItem(NO_ENVIRONMENT, None)
        for name in self.service.environment_names():
            self.env_picker.addItem(name, name)
        self.env_picker.currentIndexChanged.connect(lambda _i: self._environment_changed())
        bar.addWidget(self.env_picker)

    def _make_file_menu(self) -> None:
        from PySide6.QtGui import QKeySequence
        from PySide6.QtWidgets import QMenu, QToolBar, QToolButton

        file_menu = self.menuBar().addMenu("&File")
        self.act_import = QAction("Import…", self)
        self.act_import.setShortcuts([QKeySequence("Ctrl+I")])  # see actions.py
        self.act_import.triggered.connect(lambda _checked=False: self.open_import())
        file_menu.addActions([self.window_actions.new_request, self.window_actions.new_connection,
                              self.act_import])
        file_menu.addSeparator()
        file_menu.addAction(self.window_actions.quit)
        # "Copy as" for the request in the current tab, as edited (unsaved edits too).
        from .copy_as import build_copy_as_menu

        self.copy_as_button = QToolButton(self)
        self.copy_as_button.setText("Copy as")
        self.copy_as_button.setObjectName("copyAsButton")
        self.copy_as_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.copy_as_menu: QMenu = build_copy_as_menu(self.copy_as_button, self.copy_current_as)
        self.copy_as_button.setMenu(self.copy_as_menu)
        toolbar = self.findChild(QToolBar, "mainToolbar")
        if toolbar is not None:
            toolbar.addSeparator()
            toolbar.addWidget(self.copy_as_button)

    def _make_run_menu(self) -> None:
        from PySide6.QtWidgets import QToolBar

        menu = self.menuBar().addMenu("&Run")
        self.act_run = QAction("Run…", self)
        self.act_run.setToolTip("Run the selected connection or folder (or the current "
                                "request's connection) in the Runner panel")
        self.act_run.triggered.connect(lambda _c=False: self.run_selected())
        self.act_fetch_all = QAction("Fetch all pages", self)
        self.act_fetch_all.triggered.connect(lambda _c=False: self.fetch_all_current())
        actions = self.window_actions
        menu.addActions([actions.send, actions.send_bypassing_cache, self.act_fetch_all,
                         self.act_run])
        view = self.menuBar().addMenu("&View")
        view.addActions([self.docks.history_action, self.docks.runner_action])
        self.view_menu = view
        toolbar = self.findChild(QToolBar, "mainToolbar")
        if toolbar is not None:
            toolbar.addAction(self.act_run)
            toolbar.addAction(self.docks.history_action)

    def finish_start(self, between: Callable[[], object] | None = None) -> None:
        """What the first frame does not show, built right after it: the shortcuts, the
        focus ring, View → Theme and API operations, the closed docks, and the icons
        (they load QtSvg). ``between`` is called between the steps (the app paints)."""
        from .focus_ring import install_focus_ring
        from .theme_menu import ThemeChooser

        pause = between or (lambda: None)
        self.window_actions.install_shortcuts()
        self.focus_ring = install_focus_ring(self)  # focus visible on every widget
        self._order_focus()
        pause()
        self.view_menu.addSeparator()
        self.theme_chooser = ThemeChooser(self.view_menu, self.settings)
        self._make_operations_action()
        self.docks.build()
        pause()
        from .window_icons import apply_window_icons

        apply_window_icons(self, between)

    def run_selected(self) -> None:
        path = self.tree.current_path()
        if self.service.kind_of(path) not in ("connection", "folder"):
            tab = self.current_tab()
            conn = self.service.connection_for(tab.path) if tab is not None else None
            path = conn.path if conn is not None else ""
        if not path:
            self.messages.status("Select a connection or folder to run.")
            return
        self.run_path(path)

    def run_path(self, path: str) -> None:
        self.docks.run(path, self.environment_name())

    def copy_current_as(self, kind: str, include_secrets: bool = False) -> None:
        from PySide6.QtGui import QGuiApplication

        tab = self.current_tab()
        if tab is None:
            self.messages.status("Open a request first.", 4000)
            return
        try:
            text = self.service.snippet(kind, tab.edited_request(), self.environment_name(),
                                        include_secrets=include_secrets)
        except RelaydeskError as exc:
            self.messages.problem(str(exc))
            return
        QGuiApplication.clipboard().setText(text)
        self.messages.status(f"Copied the request as {kind}.", 4000)

    def open_import(self, path: str | None = None) -> QWidget | None:
        """File → Import… (or a dropped file): the preview dialog, writing on Import."""
        from PySide6.QtWidgets import QFileDialog

        from .import_dialog import ImportDialog

        if not path:
            path, _filter = QFileDialog.getOpenFileName(
                self, "Import", "", "API descriptions (*.json *.yaml *.yml *.har *.http "
                "*.rest *.txt *.sh);;All files (*)")
            if not path:
                return None
        dialog = ImportDialog(self.service, path, self)
        dialog.imported.connect(self._imported)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _imported(self, path: str, notes: list[str]) -> None:
        # The import wrote through a workspace of its own (in a worker thread).
        self.service.workspace.reload()
        self.tree.reload()
        self.read_workspace()  # request files are read again in steps
        if path:
            self.tree.expand_path(path)
            self.tree.select_path(path)
        message = f"Imported '{path}'." if path else "Imported."
        if notes:
            message += " " + " ".join(notes[:3])
        self.messages.status(message, 10000)

    # -- tabs --------------------------------------------------------------------------

    def current_tab(self) -> RequestTab | None:
        return self._tab_at(self.tabs.currentIndex())

    def _tab_at(self, index: int) -> RequestTab | None:
        widget = self.tabs.widget(index)
        if widget is None:
            return None
        from .request_tab import RequestTab

        return widget if isinstance(widget, RequestTab) else None

    def tab_list(self) -> list[RequestTab]:
        if self._tabs is None:  # none opened yet: not made for asking
            return []
        return [t for i in range(self.tabs.count()) if (t := self._tab_at(i)) is not None]

    def tab_for(self, path: str) -> RequestTab | None:
        return next((t for t in self.tab_list() if t.path == path), None)

    def open_request(self, path: str) -> RequestTab | None:
        tab = self.tab_for(path)
        if tab is None:
            try:
                request = self.service.request(path)
            except RelaydeskError as exc:
                self.messages.problem(str(exc))
                return None
            tab = self._add_tab(request)
            from .last_response import show_last_response

            show_last_response(tab, self.service)
        self.tabs.setCurrentWidget(tab)
        self._refresh_variables()
        self.tree.select_path(path)
        return tab

    def open_unsaved(self, request: Request) -> RequestTab:
        """A new tab for a request that is not in the workspace (e.g. from History)."""
        tab = self.tab_for(request.path)
        if tab is None:
            tab = self._add_tab(request)
            tab.set_modified(True)  # closing asks whether to save it
        self.tabs.setCurrentWidget(tab)
        self._refresh_variables()
        return tab

    def _add_tab(self, request: Request) -> RequestTab:
        from .request_tab import RequestTab
        from .request_tabs import add_close_button

        tab = RequestTab(request, self.tabs)
        self._wire_tab(tab)
        splitter_state = self.settings.value("window/requestSplitter")
        if isinstance(splitter_state, QByteArray):
            tab.split_restored = tab.splitter.restoreState(splitter_state)
        index = self.tabs.addTab(tab, tab.title())
        self.tabs.setTabToolTip(index, request.path)
        add_close_button(self.tabs, index, lambda: self.close_tab(tab))
        self._order_focus()  # the new page's controls follow the tab bar
        return tab

    def _update_title(self, tab: RequestTab) -> None:
        index = self.tabs.indexOf(tab)
        if index >= 0:
            self.tabs.setTabText(index, tab.title())
            self.tabs.setTabToolTip(index, tab.path)

    def close_tab(self, tab: RequestTab | None) -> bool:
        if tab is None or not self._confirm_discard(tab):
            return False
        self.sending.cancel(tab)
        self.settings.setValue("window/requestSplitter", tab.splitter.saveState())
        self.tabs.removeTab(self.tabs.indexOf(tab))
        tab.deleteLater()
        return True

    def _confirm_discard(self, tab: RequestTab) -> bool:
        """Ask Save / Discard / Cancel for a modified tab; True when it may close."""
        if not tab.modified:
            return True
        self.tabs.setCurrentWidget(tab)
        answer = ask(self, "Unsaved changes", f"'{tab.path}' has changes that are not saved.",
                      ("Save", "Discard", "Cancel"), "Save")
        if answer == "Save":
            return self.save_tab(tab)
        return answer == "Discard"

    def _path_moved(self, old: str, new: str) -> None:
        for tab in self.tab_list():
            if tab.path == old or tab.path.startswith(old + "/"):
                tab.set_path(new + tab.path[len(old):])

    def _path_deleted(self, path: str) -> None:
        for tab in self.tab_list():
            if tab.path == path or tab.path.startswith(path + "/"):
                tab.set_modified(False)  # nothing left to save it into
                self.close_tab(tab)

    # -- save --------------------------------------------------------------------------

    def save_current(self) -> bool:
        tab = self.current_tab()
        return self.save_tab(tab) if tab is not None else False

    def save_tab(self, tab: RequestTab) -> bool:
        if self.service.connection_for(tab.path) is None:  # e.g. from History: "Save to…"
            return self.install_workflow().save_as(tab)
        try:
            saved = self.service.save_request(tab.edited_request())
        except RelaydeskError as exc:
            self.messages.problem(str(exc))
            return False
        tab.mark_saved()
        self.tree.reload()
        self.tree.select_path(saved.path)
        self.messages.status(f"Saved {saved.path}", 4000)
        return True

    # -- send ----------------------------------------------------------------------------

    def send_current(self, *, bypass_cache: bool = False) -> None:
        """Send the current tab's request; a second Ctrl+Enter while it is in flight
        cancels it (as the Send button, which reads "Cancel" meanwhile)."""
        tab = self.current_tab()
        if tab is None:
            return
        if tab.busy():
            self.sending.cancel(tab)
        else:
            self.sending.send(tab, bypass_cache=bypass_cache)

    def cancel_current(self) -> None:
        self.sending.cancel(self.current_tab())

    def _update_cancel(self) -> None:
        tab = self.current_tab()
        self.window_actions.cancel.setEnabled(tab is not None and tab.editor.is_busy())

    def fetch_all_current(self) -> None:
        tab = self.current_tab()
        if tab is not None:
            self.sending.fetch_all_pages(tab)

    def environment_name(self) -> str | None:
        data = self.env_picker.currentData()
        return str(data) if data else None

    def paste_curl_request(self) -> QWidget:
        """The empty state's "Paste a curl command…": a scratch tab filled from it (the
        clipboard's command is offered when it holds one)."""
        from PySide6.QtGui import QGuiApplication
        from PySide6.QtWidgets import QInputDialog

        from relaydesk.core.model import Request

        dialog = QInputDialog(self)
        dialog.setOption(QInputDialog.InputDialogOption.UsePlainTextEditForTextInput)
        dialog.setWindowTitle("Paste a curl command")
        dialog.setLabelText("A curl command (from documentation, a browser's "
                            "\u201cCopy as cURL\u201d, a terminal):")
        clip = QGuiApplication.clipboard().text()
        dialog.setTextValue(clip if clip.lstrip().startswith("curl") else "")
        dialog.resize(640, 320)

        def chosen(text: str) -> None:
            if text.strip():
                tab = self.open_unsaved(Request(path="Scratch/Pasted request"))
                self.sending.paste_curl(tab, text)

        dialog.textValueSelected.connect(chosen)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    # -- keyboard helpers ---------------------------------------------------------------

    def new_request(self) -> None:
        """Ctrl+N: a new request in the tree's selected connection or folder (the name is
        asked), opened in a tab with the focus in the URL bar. With nothing selected it
        goes beside the current tab's request."""
        tab = self.current_tab()
        if not self.tree.current_path() and tab is not None \
                and self.service.kind_of(tab.path) == "request":
            self.tree.select_path(tab.path)
        if self.tree.ask_new_request() is not None:
            self.focus_url()

    def focus_url(self) -> None:
        tab = self.current_tab()
        if tab is None:
            return
        focus = getattr(tab.editor, "focus_url", None)
        if callable(focus):
            focus()
            return
        bar = tab.editor.findChild(QLineEdit, "urlBar") or tab.editor.findChild(QWidget,
                                                                                 "urlBar")
        if bar is not None:
            bar.setFocus()
            if isinstance(bar, QLineEdit):
                bar.selectAll()

    def find_in_response(self) -> None:
        tab = self.current_tab()
        if tab is not None:
            tab.open_search()

    def quick_open(self) -> QWidget:
        from .quick_open import QuickOpenDialog

        dialog = QuickOpenDialog(self.service.request_paths(), self)
        dialog.chosen.connect(self.open_request)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _environment_changed(self) -> None:
        self.tree.set_environment(self.environment_name())
        self._refresh_variables()

    def _step_tab(self, step: int) -> None:
        if count := self.tabs.count():
            self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % count)

    def _top_level_changed(self, parent: QModelIndex, *_rows: int) -> None:
        if not parent.isValid():
            self._update_empty()

    def _update_empty(self) -> None:
        if self._tabs is None or not self._tabs.count():
            self.empty.set_workspace_empty(not self.service.workspace.connections())

    def _tabs_changed(self) -> None:
        self._update_empty()
        self.right.setCurrentWidget(self.tabs if self.tabs.count() else self.empty)
        # Ctrl+Tab / Ctrl+PageDown move the focus into the new page, where Qt picks its
        # first editor: the method box, which the next PageDown or arrow would change.
        # Focus inside the pages goes to the URL bar instead (the tree and the tab bar
        # keep theirs).
        focus = self.focusWidget()
        tab = self.current_tab()
        if tab is not None and focus is not None and focus is not self.tabs.tabBar() \
                and self.tabs.isAncestorOf(focus):
            tab.editor.focus_url()
        self._refresh_variables()
        self._update_cancel()

    def _refresh_variables(self) -> None:
        tab = self.current_tab()
        if tab is not None:
            tab.editor.set_variables(self.service.variable_names(tab.path,
                                                                 self.environment_name()))

    # -- state -------------------------------------------------------------------------

    def restore_state(self) -> None:
        s = self.settings
        geometry, state = s.value("window/geometry"), s.value("window/state")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        if isinstance(state, QByteArray):
            # Docks the state shows open are made before it is restored; the others after
            # the first frame (``finish_start``), which puts them back where it had them.
            if s.value("window/openDocks") != "":
                self.docks.build()
            self.restoreState(state)
        splitter = s.value("window/splitter")
        if isinstance(splitter, QByteArray):
            self.splitter.restoreState(splitter)
        env = s.value("window/environment")
        if env and (index := self.env_picker.findData(str(env))) >= 0:
            self.env_picker.setCurrentIndex(index)
        paths = s.value("window/tabs") or []
        for path in [paths] if isinstance(paths, str) else list(paths):
            if self.service.kind_of(str(path)) == "request":
                self.open_request(str(path))
        current = s.value("window/currentTab")
        if current and (tab := self.tab_for(str(current))) is not None:
            self.tabs.setCurrentWidget(tab)

    def save_state(self) -> None:
        s = self.settings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.setValue("window/openDocks", ",".join(self.docks.open_names()))
        s.setValue("window/splitter", self.splitter.saveState())
        s.setValue("window/environment", self.environment_name() or "")
        s.setValue("window/tabs", [t.path for t in self.tab_list()])
        current = self.current_tab()
        s.setValue("window/currentTab", current.path if current else "")
        if current is not None:
            s.setValue("window/requestSplitter", current.splitter.saveState())
        s.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        for tab in self.tab_list():
            if not self._confirm_discard(tab):
                event.ignore()
                return
        self.save_state()
        if self._sending is not None:
            self._sending.shutdown()
        self.docks.shutdown()
        event.accept()
        self.closed.emit()

    # -- the managed API (issue 17) -----------------------------------------------------

    def _make_operations_action(self) -> None:
        """View → API operations… of the selected connection (or the current tab's)."""
        from PySide6.QtGui import QKeySequence

        self.act_operations = QAction("API operations…", self)
        self.act_operations.setObjectName("apiOperationsAction")
        self.act_operations.setShortcut(QKeySequence("Ctrl+Shift+O"))
        self.act_operations.triggered.connect(lambda _c=False: self.show_operations())
        self.addAction(self.act_operations)
        self.view_menu.addAction(self.act_operations)

    def show_operations(self, path: str = "") -> QWidget | None:
        from .operations_panel import OperationsDialog

        tab = self.current_tab()
        path = path or self.tree.current_path() or (tab.path if tab is not None else "")
        conn = self.service.connection_for(path) if path else None
        if conn is None:
            self.messages.status("Select a connection to see its API operations.", 4000)
            return None
        dialog = OperationsDialog(self.service.workspace, conn, self)
        dialog.opened.connect(self.open_unsaved)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog
