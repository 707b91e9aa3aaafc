"""The tree panel: filter box, toolbar, context menu, and the actions behind them.

Every change goes through the service, which writes it to disk at once. The panel
never shows modal error boxes itself: it emits ``errorOccurred`` with the message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import shiboken6
from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QPoint,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QGuiApplication, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLineEdit,
    QMenu,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from relaydesk.core.errors import RelaydeskError
from relaydesk.core.model import split_path

from .dialogs import ask_text, confirm
from .service import Service
from .tree_model import TreeNode, WorkspaceTreeModel
from .tree_view import ConnectionTreeView
from .widgets.method_badge import badge_box

if TYPE_CHECKING:
    from .tree_filter import TreeFilterModel

__all__ = ["ConnectionTree"]

# While filtering, rows are expanded breadth-first until about this many screens of
# rows show (at least FILTER_EXPAND_ROWS): a filter matching 50,000 requests shows its
# first folders open, not every row (the view lays out every row under an expanded
# one, through Python calls: each keystroke costs ~2 ms per hundred rows, so the
# screen and a margin to scroll into, not more).
FILTER_EXPAND_SCREENS = 2
FILTER_EXPAND_ROWS = 40

T = TypeVar("T")


class ConnectionTree(QWidget):
    requestActivated = Signal(str)
    connectionActivated = Signal(str)
    moved = Signal(str, str)  # old path, new path (tabs follow renamed requests)
    deleted = Signal(str)
    errorOccurred = Signal(str)
    statusMessage = Signal(str)
    fileDropped = Signal(str)  # a file dragged onto the tree from outside: import it
    runRequested = Signal(str)  # "Run…" on a connection or folder

    def __init__(self, service: Service, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._environment: str | None = None
        self._expanded: set[str] = set()
        self._current = ""  # the selected path while the model is rebuilt
        self._dialog: QWidget | None = None
        self.model = WorkspaceTreeModel(service, self)
        # The tree's view shows the model. While filtering, a view of its own shows
        # the filter model (both made on first use) in its place: the tree's view
        # keeps what is open in it, and the filter's view, deleted when the filter is
        # cleared, takes its record of every row it laid out with it (Qt keeps that
        # record's largest size, ~2 MB for a filter of 50,000 rows opened all the way).
        self._proxy: TreeFilterModel | None = None
        self._filter_view: ConnectionTreeView | None = None
        self._filtering = False
        self._listed: dict[int, bool] = {}  # the model's listed rows when filtering began
        self._selected_before = ""  # the selected row's path when filtering began
        self._release_free_memory: Callable[[], None] | None = None  # (prepare_filter)
        self._filter_keys: QObject | None = None  # Down and Escape in the box (idem)

        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("Filter connections and requests")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._filter_changed)

        self._view_actions: list[QAction] = []  # (added to each view: F2, Del)
        self._make_actions()
        self._tree_view = self._make_view(self.model)
        # Request rows show a method badge as their icon (no Python delegate per row).
        self.model.request_icon = self._badge

        self.model.modelAboutToBeReset.connect(self._remember_state)
        self.model.modelReset.connect(self._restore_state)
        self.model.moved.connect(self.moved)
        self.model.failed.connect(self.errorOccurred)

        self._layout = layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 2, 0, 6)
        layout.setSpacing(4)
        layout.addWidget(self._toolbar)
        layout.addWidget(self.filter)
        layout.addWidget(self._tree_view)
        self._expand_defaults()
        self._update_actions()

    @property
    def view(self) -> ConnectionTreeView:
        """The view shown: the tree's, or the filter's while filtering."""
        if self._filtering and self._filter_view is not None:
            return self._filter_view
        return self._tree_view

    def _make_view(self, model: QAbstractItemModel) -> ConnectionTreeView:
        view = ConnectionTreeView(self)
        view.setObjectName("connectionTree")
        view.setAccessibleName("Connections and requests")
        view.setModel(model)
        view.setHeaderHidden(True)
        view.setUniformRowHeights(True)
        view.setIconSize(badge_box(view.fontMetrics()))
        # Drags move (the model supports no other action), so no default action is set.
        view.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        view.setDropIndicatorShown(True)
        # Renames go through the Rename… dialog (F2); no editor opens in the tree, where
        # a group (a path prefix, not an item) would look renamable.
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.addActions(self._view_actions)
        view.menuRequested.connect(self._context_menu)
        view.activated.connect(self._activated)
        view.fileDropped.connect(self.fileDropped)
        view.currentMoved.connect(self._update_actions)
        return view

    # -- actions -----------------------------------------------------------------------

    def _make_actions(self) -> None:
        def act(text: str, slot: Callable[[], object], shortcut: str | None = None) -> QAction:
            action = QAction(text, self)
            action.triggered.connect(lambda _checked=False: slot())
            if shortcut:  # only while the tree has focus (F2, Del)
                action.setShortcut(QKeySequence(shortcut))
                action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                self._view_actions.append(action)
            return action

        self.act_new_connection = act("New connection…", self.ask_new_connection)
        self.act_new_folder = act("New folder…", self.ask_new_folder)
        self.act_new_request = act("New request…", self.ask_new_request)
        self.act_edit = act("Edit connection…", self._edit_current)
        self.act_rename = act("Rename…", self.ask_rename, "F2")
        self.act_duplicate = act("Duplicate", self._duplicate_current)
        self.act_delete = act("Delete…", self.ask_delete, "Del")
        self.act_import_line = act("Copy import snippet", self.copy_import_line)
        self.act_curl = act("Copy as curl", self.copy_curl)
        self.act_run = act("Run…", self._run_current)
        self.act_run.setToolTip("Send every request inside, with their checks, in the "
                                "Runner panel")

        self._toolbar = QToolBar(self)
        self._toolbar.setIconSize(self._toolbar.iconSize() * 0.8)
        new_button = QToolButton(self._toolbar)
        new_button.setText("New")
        new_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        new_menu = QMenu(new_button)
        new_menu.addActions([self.act_new_connection, self.act_new_folder, self.act_new_request])
        new_button.setMenu(new_menu)
        self._toolbar.addWidget(new_button)
        self._toolbar.addAction(self.act_import_line)
        self._toolbar.addAction(self.act_delete)

    def _update_actions(self) -> None:
        kind = self._service.kind_of(self.current_path()) if self.current_path() else None
        inside = kind in ("connection", "folder", "request")
        self.act_new_folder.setEnabled(inside)
        self.act_new_request.setEnabled(inside)
        self.act_edit.setEnabled(kind == "connection")
        for a in (self.act_rename, self.act_duplicate, self.act_delete, self.act_import_line):
            a.setEnabled(inside)
        self.act_curl.setEnabled(kind == "request")
        self.act_run.setEnabled(kind in ("connection", "folder"))

    def _context_menu(self, pos: QPoint) -> None:
        self._update_actions()
        menu = QMenu(self)
        kind = self._service.kind_of(self.current_path()) if self.current_path() else None
        menu.addActions([self.act_new_connection, self.act_new_folder, self.act_new_request])
        menu.addSeparator()
        if kind == "connection":
            menu.addAction(self.act_edit)
        if kind in ("connection", "folder"):
            menu.addAction(self.act_run)
        menu.addActions([self.act_rename, self.act_duplicate, self.act_delete])
        menu.addSeparator()
        menu.addAction(self.act_import_line)
        if kind == "request":
            menu.addAction(self.act_curl)
            from .copy_as import build_copy_as_menu

            menu.addMenu(build_copy_as_menu(menu, self.copy_as))
        menu.popup(self.view.viewport().mapToGlobal(pos))

    # -- selection ---------------------------------------------------------------------

    def current_path(self) -> str:
        index = self.view.currentIndex()
        return self._node_at(index).path if index.isValid() else ""

    def select_path(self, path: str) -> None:
        index = self._to_view(self.model.index_for_path(path))
        if index.isValid():
            self.view.setCurrentIndex(index)
            self.view.scrollTo(index)

    def _badge(self, method: str) -> QIcon:
        from .widgets.method_badge import badge_icon

        view = self.view
        return badge_icon(method, view.font(), view.iconSize(), view.devicePixelRatioF())

    def set_environment(self, name: str | None) -> None:
        self._environment = name

    def reload(self) -> None:
        self.model.reload()

    def _container(self) -> str:
        """The connection or folder new items go into (a request's parent)."""
        path = self.current_path()
        if self._service.kind_of(path) == "request":
            return "/".join(split_path(path)[:-1])
        return path

    def _activated(self, index: QModelIndex) -> None:
        node = self._node_at(index)
        kind, path = node.kind, node.path
        if kind == "request":
            self.requestActivated.emit(path)
        elif kind == "connection":
            self.connectionActivated.emit(path)

    # -- expansion survives model resets ----------------------------------------------

    def _filter_changed(self, text: str) -> None:
        current = self.current_path()
        if bool(text) != self._filtering:
            # Into the filter's view, or back to the tree's, as it was.
            if text:
                self._remember_expanded()  # (kept while the tree's view is hidden)
                self._listed = self.model.listed()
                self._selected_before = current
            elif not current:  # the filter hid the row selected before it: select it again
                current = self._selected_before
            self._filtering = bool(text)
            if text:
                self._show_filter_view(True)
        if text:
            # A reset, not row removals: the view forgets its rows at once (and none
            # when the rows stay: the view keeps its rows and what is open).
            if self.proxy.set_filter_text(text):
                self._expand_matches()
        else:
            # Drops the rows listed while filtering, keeping the rows from before (not
            # rebuilt; the tree's view opens again what was open), then the filter's.
            self.model.unlist(self._listed)
            self.proxy.clear()
            self._show_filter_view(False)
            # Freed after this frame, and the memory given back.
            QTimer.singleShot(0, self, self._free_filter_rows)
        if current:
            self.select_path(current)

    def prepare_filter(self) -> None:
        """Make now, while the app is idle, what the first filter keystroke would make
        once: the filter model and its first view, the memory release, the request
        badges (and the Qt types and modules behind them). Made during a keystroke,
        these long-lived objects land among its thousands of short-lived rows and keep
        their memory from going back to the system when the filter is cleared; and the
        keystroke pays for them."""
        from relaydesk.core.model import METHODS

        from .heap import release_free_memory

        # Kept, not imported at the clear: an import statement runs PySide's import
        # hook, which reads and keeps this module's source, among the freed rows.
        self._release_free_memory = release_free_memory
        self._make_filter_view()
        for method in METHODS:
            self._badge(method)
        if self._filter_keys is None:
            from .widgets.filter_box_keys import FilterBoxKeys

            self._filter_keys = FilterBoxKeys(self.filter, self._enter_rows)
            self.filter.setToolTip("Down: go to the rows shown. Escape: empty the box.")

    def _enter_rows(self) -> None:
        """From the filter box into the rows shown, on the current row or the first."""
        view = self.view
        view.setFocus()
        if not view.currentIndex().isValid():
            first = view.model().index(0, 0)
            if first.isValid():
                view.setCurrentIndex(first)

    def _make_filter_view(self) -> ConnectionTreeView:
        if self._filter_view is None:
            self._filter_view = view = self._make_view(self.proxy)
            view.hide()
            self._layout.insertWidget(self._layout.indexOf(self._tree_view) + 1, view)
            QWidget.setTabOrder(self._tree_view, view)  # (the one hidden is skipped)
        return self._filter_view

    def _show_filter_view(self, filtering: bool) -> None:
        shown, hidden = self._make_filter_view(), self._tree_view
        if not filtering:
            shown, hidden = hidden, shown
        focused = hidden.hasFocus()
        shown.show()
        hidden.hide()
        if focused:
            shown.setFocus()

    def _free_filter_rows(self) -> None:
        if self._release_free_memory is None:  # (filtered before the workspace was read)
            self.prepare_filter()
        assert self._release_free_memory is not None
        self.model.free_dropped()
        self.proxy.free_dropped()
        if not self._filtering and self._filter_view is not None:
            # Deleted now, with the record of the rows it laid out. The next filter's
            # view is made when it starts, before its rows: made here, among objects
            # about to be freed, it would keep their memory.
            shiboken6.delete(self._filter_view)
            self._filter_view = None
        self._release_free_memory()

    def _expand_matches(self) -> None:
        """Open the filtered rows in display order until about two screens of rows
        show, so the first matches themselves are on screen (opening level by level
        would fill the screen with the connections that hold matches, all closed)."""
        model, view = self.proxy, self.view
        # (The font's height is less than a row's: the count errs on the generous side.
        # The view's height, not its viewport's: the first QWidget a Python call gets
        # back makes PySide set up all of QtWidgets' types, ~20 ms, mid-keystroke.)
        screen = view.height() // max(1, view.fontMetrics().height())
        enough = max(FILTER_EXPAND_ROWS, FILTER_EXPAND_SCREENS * screen)
        shown = 0
        # Rows still to visit, the next one last: (parent, row).
        todo = [(QModelIndex(), row) for row in reversed(range(model.rowCount(QModelIndex())))]
        while todo and shown < enough:
            parent, row = todo.pop()
            shown += 1
            index = model.index(row, 0, parent)
            if model.hasChildren(index):
                view.expand(index)
                todo.extend((index, r) for r in reversed(range(model.rowCount(index))))

    @property
    def proxy(self) -> TreeFilterModel:
        if self._proxy is None:
            from .tree_filter import TreeFilterModel

            self._proxy = TreeFilterModel(self.model, self)
        return self._proxy

    def _node_at(self, index: QModelIndex) -> TreeNode:
        """The node a row of the view shows, from whichever model the view shows (a
        source index would make the tree's items for a row only the filter lists)."""
        return self.proxy.node_of(index) if self._filtering else self.model.node_of(index)

    def _to_view(self, index: QModelIndex) -> QModelIndex:
        return self.proxy.mapFromSource(index) if self._filtering else index

    def _remember_state(self) -> None:  # the model is about to be rebuilt
        self._current = self.current_path()
        if self._filtering:  # the filter's rows go with the model's
            self.proxy.begin_source_reset()
        # What is open in the tree's view. Not while it is hidden (filtering, or the
        # filter being cleared): nothing opens or closes in it then, and what was open
        # was taken when the filter began (a set made at the clear would outlive the
        # filter's rows among them and keep their memory).
        if not self._tree_view.isHidden():
            self._remember_expanded()

    def _restore_state(self) -> None:
        self._restore_expanded()
        if self._filtering:
            self.proxy.end_source_reset()
            self._expand_matches()
        if self._current:
            self.select_path(self._current)

    def _remember_expanded(self) -> None:
        model, view = self.model, self._tree_view
        self._expanded = set()
        stack = [QModelIndex()]
        while stack:
            parent = stack.pop()
            for row in range(model.rowCount(parent)):
                index = model.index(row, 0, parent)
                if view.isExpanded(index):
                    self._expanded.add(model.node_of(index).path)
                    stack.append(index)

    def _restore_expanded(self) -> None:
        for path in sorted(self._expanded):
            index = self.model.index_for_path(path)
            if index.isValid():
                self._tree_view.expand(index)

    def _expand_defaults(self) -> None:
        """Show groups and connections open, folders closed."""
        depth = self.model.connection_depth()
        if depth is not None and not self._filtering:
            # Every row above that depth is a group: one pass in Qt, no Python per row.
            self.view.expandToDepth(depth)
            return
        stack = [QModelIndex()]
        while stack:
            parent = stack.pop()
            for row in range(self.view.model().rowCount(parent)):
                index = self.view.model().index(row, 0, parent)
                if self._node_at(index).kind in ("group", "connection"):
                    self.view.expand(index)
                    stack.append(index)

    def expand_path(self, path: str) -> None:
        segs = split_path(path)
        for i in range(1, len(segs) + 1):
            index = self._to_view(self.model.index_for_path("/".join(segs[:i])))
            if index.isValid():
                self.view.expand(index)

    # -- operations (non-interactive; the ask_* wrappers prompt first) ----------------

    def _run(self, fn: Callable[[], T]) -> T | None:
        """``fn()``, or None after reporting its error."""
        try:
            return fn()
        except RelaydeskError as exc:
            self.errorOccurred.emit(str(exc))
            return None

    def new_folder(self, parent: str, name: str) -> str | None:
        path = self._run(lambda: self._service.create_folder(parent, name))
        if path is not None:
            self.reload()
            self.expand_path(parent)
            self.select_path(path)
            return path
        return None

    def new_request(self, parent: str, name: str) -> str | None:
        req = self._run(lambda: self._service.create_request(parent, name))
        if req is None:
            return None
        path = req.path
        self.reload()
        self.expand_path(parent)
        self.select_path(path)
        self.requestActivated.emit(path)
        return path

    def rename(self, path: str, name: str) -> str | None:
        new_path = self._run(lambda: self._service.rename(path, name))
        if new_path is not None:
            self.reload()
            self.select_path(new_path)
            self.moved.emit(path, new_path)
            return new_path
        return None

    def duplicate(self, path: str) -> str | None:
        new_path = self._run(lambda: self._service.duplicate(path))
        if new_path is not None:
            self.reload()
            self.select_path(new_path)
            return new_path
        return None

    def delete(self, path: str) -> bool:
        try:
            self._service.delete(path)
        except RelaydeskError as exc:
            self.errorOccurred.emit(str(exc))
            return False
        self.reload()
        self.deleted.emit(path)
        return True

    def copy_import_line(self) -> None:
        conn = self._service.connection_for(self.current_path())
        if conn is None:
            return
        selected = self.current_path()
        snippet = self._run(lambda: self._service.import_snippet(conn.path, selected))
        if snippet is not None:
            QGuiApplication.clipboard().setText(snippet)
            self.statusMessage.emit(f"Copied: {snippet.splitlines()[-1]}")

    def copy_curl(self) -> None:
        path = self.current_path()
        if self._service.kind_of(path) != "request":
            return
        text = self._run(lambda: self._service.curl_for(self._service.request(path),
                                                        self._environment))
        if text is not None:
            QGuiApplication.clipboard().setText(text)
            self.statusMessage.emit("Copied the request as a curl command.")

    def copy_as(self, kind: str, include_secrets: bool = False) -> None:
        path = self.current_path()
        if self._service.kind_of(path) != "request":
            return
        text = self._run(lambda: self._service.snippet(
            kind, self._service.request(path), self._environment,
            include_secrets=include_secrets))
        if text is not None:
            QGuiApplication.clipboard().setText(text)
            self.statusMessage.emit(f"Copied the request as {kind}"
                                    + (" (with secrets)." if include_secrets else "."))

    # -- interactive wrappers ------------------------------------------------------------

    def ask_new_connection(self) -> QWidget:
        return self.edit_connection(None)

    def edit_connection(self, path: str | None) -> QWidget:
        from .connection_editor import ConnectionEditor

        conn = self._service.connection(path) if path else None
        dialog = ConnectionEditor(self._service, conn, self)
        dialog.saved.connect(self._connection_saved)
        dialog.finished.connect(lambda _r: setattr(self, "_dialog", None))
        self._dialog = dialog
        dialog.open()
        return dialog

    def _connection_saved(self, old_path: str, new_path: str) -> None:
        self.reload()
        self.expand_path(new_path)
        self.select_path(new_path)
        if old_path and old_path != new_path:
            self.moved.emit(old_path, new_path)

    def _edit_current(self) -> None:
        if self._service.kind_of(self.current_path()) == "connection":
            self.edit_connection(self.current_path())

    def ask_new_folder(self) -> None:
        parent = self._container()
        if parent and (name := ask_text(self, "New folder", f"Folder name inside {parent}:")):
            self.new_folder(parent, name)

    def ask_new_request(self) -> str | None:
        """Ask a name and create the request in the selected connection or folder; its
        path (it opens in a tab), or None."""
        parent = self._container()
        if not parent:
            self.statusMessage.emit("Select a connection or folder for the new request.")
            return None
        if name := ask_text(self, "New request", f"Request name inside {parent}:"):
            return self.new_request(parent, name)
        return None

    def ask_rename(self) -> None:
        path = self.current_path()
        if path and self._service.kind_of(path):
            name = ask_text(self, "Rename", f"New name for {path}:", split_path(path)[-1])
            if name:
                self.rename(path, name)

    def _run_current(self) -> None:
        path = self.current_path()
        if path and self._service.kind_of(path) in ("connection", "folder"):
            self.runRequested.emit(path)

    def _duplicate_current(self) -> None:
        if self.current_path():
            self.duplicate(self.current_path())

    def ask_delete(self) -> None:
        path = self.current_path()
        kind = self._service.kind_of(path) if path else None
        if not kind:
            return
        extra = "" if kind == "request" else " and everything inside it"
        if confirm(self, "Delete",
                   f"Delete the {kind} '{path}'{extra}? This cannot be undone."):
            self.delete(path)
