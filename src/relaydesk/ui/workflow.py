"""The window's daily-driver features, composed after the first frame: the
Environments dialog, live reload of files changed on disk, Save As / "Save to…",
Duplicate, and Edit auth… of a request.

``Workflow`` owns their actions and controllers and is wired to the window in one
place (``install``); the window calls it for each new tab (``wire_tab``) and when a
request cannot be saved where it is (one opened from History).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QMenu, QToolBar, QWidgetAction

from relaydesk.core.errors import RelaydeskError
from relaydesk.core.model import AuthSettings, Request, join_path, split_path

from .file_watch import WorkspaceWatcher

if TYPE_CHECKING:
    from .environments_panel import EnvironmentsDialog
    from .main_window import MainWindow
    from .request_auth import RequestAuthDialog
    from .request_tab import RequestTab
    from .save_as import SaveAsDialog

__all__ = ["Workflow"]


class Workflow(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.main = window
        self.service = window.service
        self.watcher = WorkspaceWatcher(window.service.workspace, self)
        self.watcher.changed.connect(self.on_disk_changed)
        self.environments_dialog: EnvironmentsDialog | None = None
        self.auth_dialog: RequestAuthDialog | None = None
        self._kept: dict[int, Request] = {}  # per tab: the disk version "Keep mine" kept

    # -- composition ---------------------------------------------------------------------

    def install(self) -> None:
        w = self.main

        def act(text: str, slot: object, *keys: str) -> QAction:
            action = QAction(text, w)
            action.setShortcuts([QKeySequence(k) for k in keys])
            action.triggered.connect(lambda _checked=False: slot())  # type: ignore[operator]
            w.addAction(action)
            return action

        self.act_save_as = act("Save as…", lambda: self.save_as(w.current_tab()),
                               "Ctrl+Shift+S")
        self.act_save_as.setToolTip("Save the request under a new name or in another "
                                    "connection or folder (Ctrl+Shift+S)")
        self.act_duplicate = act("Duplicate", self.duplicate_current, "Ctrl+D")
        self.act_environments = act("Environments…", self.open_environments, "Ctrl+Shift+E")
        self.act_environments.setToolTip("Create, edit, rename and delete environments "
                                         "(Ctrl+Shift+E)")
        file_menu = self._menu("&File")
        before: QAction | None = getattr(w, "act_import", None)
        if file_menu is not None and before is not None:
            file_menu.insertActions(before, [w.window_actions.save, self.act_save_as,
                                             self.act_duplicate])
            file_menu.insertSeparator(w.window_actions.save)
            file_menu.insertSeparator(before)
            file_menu.insertAction(before, self.act_environments)
        elif file_menu is not None:
            file_menu.addActions([self.act_save_as, self.act_duplicate,
                                  self.act_environments])
        toolbar = w.findChild(QToolBar, "mainToolbar")
        if toolbar is not None:
            actions = toolbar.actions()
            # The picker's own action, not widgetForAction: that would make PySide set
            # up the type (and 60 enums) of each tool button it returns.
            after = next((i for i, a in enumerate(actions) if isinstance(a, QWidgetAction)
                          and a.defaultWidget() is w.env_picker), None)
            if after is not None and after + 1 < len(actions):
                toolbar.insertAction(actions[after + 1], self.act_environments)
            else:
                toolbar.addAction(self.act_environments)
        # The tree's own Duplicate (context menu) names the window-wide shortcut.
        w.tree.act_duplicate.setText("Duplicate\tCtrl+D")
        for tab in w.tab_list():
            self.wire_tab(tab)
        self.watcher.start()
        self._watch_open_files()

    def _menu(self, title: str) -> QMenu | None:
        for action in self.main.menuBar().actions():
            if action.text() == title and action.menu() is not None:
                menu = action.menu()
                return menu if isinstance(menu, QMenu) else None
        return None

    def wire_tab(self, tab: RequestTab) -> None:
        tab.editor.auth_editor.editRequested.connect(lambda: self.edit_auth(tab))
        QTimer.singleShot(0, self, self._watch_open_files)  # once the tab is in the tabs

    def _watch_open_files(self) -> None:
        ws = self.service.workspace
        self.watcher.watch_files([ws.file_of(t.path) for t in self.main.tab_list()
                                  if ws.kind_of(t.path) == "request"])

    # -- files changed on disk -----------------------------------------------------------

    def on_disk_changed(self) -> None:
        from .disk_changes import reconcile_tab

        w = self.main
        self.service.workspace.reload()
        w.tree.reload()
        w.read_workspace()
        self.refresh_environments()
        outcomes = [reconcile_tab(tab, self.service, self._kept) for tab in w.tab_list()]
        reloaded, asked = outcomes.count("reloaded"), outcomes.count("asked")
        if asked:
            w.messages.status("A request you are editing changed on disk: choose "
                              "“Load theirs” or “Keep mine” above it.", 10000)
        elif reloaded:
            w.messages.status(f"Reloaded {reloaded} open request"
                              f"{'s' if reloaded != 1 else ''} changed on disk.", 6000)
        else:
            w.messages.status("The workspace changed on disk; reloaded.", 4000)
        self._watch_open_files()

    def refresh_environments(self, renamed: tuple[str, str] | None = None) -> None:
        from .environments_panel import fill_picker
        from .main_window import NO_ENVIRONMENT

        w = self.main
        active = w.environment_name()
        if renamed is not None and active == renamed[0]:
            active = renamed[1]
        fill_picker(w.env_picker, self.service.environment_names(), NO_ENVIRONMENT, active)
        dialog = self.environments_dialog
        if dialog is not None and dialog.isVisible():
            dialog.mark_active(w.environment_name())
            if not dialog.is_dirty():
                dialog.reload()

    # -- environments --------------------------------------------------------------------

    def open_environments(self) -> EnvironmentsDialog:
        from .environments_panel import EnvironmentsDialog

        if self.environments_dialog is not None and self.environments_dialog.isVisible():
            self.environments_dialog.raise_()
            return self.environments_dialog
        dialog = EnvironmentsDialog(self.service, self.main.environment_name(), self.main)
        dialog.environmentsChanged.connect(lambda: self.refresh_environments())
        dialog.renamed.connect(lambda old, new: self.refresh_environments((old, new)))
        dialog.activeChosen.connect(self.use_environment)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda: setattr(self, "environments_dialog", None))
        self.environments_dialog = dialog
        dialog.open()
        return dialog

    def use_environment(self, name: str) -> None:
        picker = self.main.env_picker
        if (index := picker.findData(name)) >= 0:
            picker.setCurrentIndex(index)
            if self.environments_dialog is not None:
                self.environments_dialog.mark_active(name)
            self.main.messages.status(f"Environment “{name}” is active.", 4000)

    # -- Save As, Save to…, Duplicate ------------------------------------------------------

    def save_as_dialog(self, tab: RequestTab | None) -> SaveAsDialog | None:
        """The Save As / "Save to…" dialog for ``tab`` (None, with the reason shown,
        when there is nothing to save or nowhere to save it)."""
        from .save_as import SaveAsDialog, suggested_name

        w = self.main
        if tab is None:
            w.messages.status("Open a request first.", 4000)
            return None
        ws = self.service.workspace
        containers = [(c.path, ws.folders(c.path)) for c in ws.connections()]
        if not containers:
            w.messages.problem("Create a connection first (Ctrl+Shift+N): a request is "
                               "saved inside one.")
            return None
        saved_here = self.service.kind_of(tab.path) == "request"
        start = join_path(*split_path(tab.path)[:-1]) if saved_here else w.tree.current_path()
        edited = tab.edited_request()
        name = tab.name if saved_here else suggested_name(edited.method, edited.url)
        return SaveAsDialog(containers, name=name, parent_path=start,
                            title="Save request as" if saved_here else "Save to…", parent=w)

    def save_as(self, tab: RequestTab | None) -> bool:
        """Ask where (a connection or folder) and under which name; the tab then edits
        the new request. A request from History is "Saved to…" the same way."""
        w = self.main
        dialog = self.save_as_dialog(tab)
        if tab is None or dialog is None:
            return False
        chosen = dialog.exec() == QDialog.DialogCode.Accepted
        path = dialog.chosen_path()
        dialog.deleteLater()
        if not chosen:
            return False
        try:
            saved = self.service.save_request_as(tab.edited_request(), path)
        except RelaydeskError as exc:
            w.messages.problem(str(exc))
            return False
        # The tab now edits the new request (its id and anything the editor keeps).
        tab.editor.set_request(saved)
        tab.set_path(saved.path)
        tab.mark_saved()
        w.tree.reload()
        w.tree.expand_path(saved.path)
        w.tree.select_path(saved.path)
        w.messages.status(f"Saved as {saved.path}", 4000)
        self._watch_open_files()
        return True

    def duplicate_current(self) -> str | None:
        """Ctrl+D: the tree's selection when the tree has the focus, else the current
        tab's request as edited, saved next to it as '<name> copy' and opened."""
        w = self.main
        if w.tree.view.hasFocus() and w.tree.current_path():
            return w.tree.duplicate(w.tree.current_path())
        tab = w.current_tab()
        if tab is None or self.service.kind_of(tab.path) != "request":
            self.save_as(tab)  # nothing saved to copy: save it somewhere first
            return None
        try:
            path = self.service.free_path(tab.path + " copy")
            saved = self.service.save_request_as(tab.edited_request(), path)
        except RelaydeskError as exc:
            w.messages.problem(str(exc))
            return None
        w.tree.reload()
        w.open_request(saved.path)
        w.messages.status(f"Duplicated as {saved.path} (secrets are not copied).", 4000)
        return saved.path

    # -- a request's own auth ---------------------------------------------------------------

    def edit_auth(self, tab: RequestTab) -> RequestAuthDialog | None:
        from .request_auth import RequestAuthDialog

        w = self.main
        if self.service.kind_of(tab.path) != "request":
            w.messages.problem("Save the request first (Ctrl+S): its secrets are kept "
                               "under it in the system keyring.")
            return None
        conn = self.service.connection_for(tab.path)
        dialog = RequestAuthDialog(self.service, tab.path, tab.editor.auth_editor.auth(),
                                   conn.auth.kind if conn is not None else None, w)
        dialog.applied.connect(lambda auth, secrets: self._apply_auth(tab, dialog, auth,
                                                                      secrets))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda: setattr(self, "auth_dialog", None))
        self.auth_dialog = dialog
        dialog.open()
        return dialog

    def _apply_auth(self, tab: RequestTab, dialog: RequestAuthDialog, auth: AuthSettings,
                    secrets: dict[str, str]) -> None:
        try:
            saved = self.service.set_request_auth(tab.path, auth, secrets)
        except RelaydeskError as exc:
            dialog.show_problem(str(exc))
            return
        clean = not tab.modified
        tab.editor.auth_editor.set_auth(saved.auth)
        if clean:  # only the auth changed, and it is on disk now
            tab.mark_saved()
        dialog.accept()
        kept = " (its secret is in the system keyring)" if secrets else ""
        self.main.messages.status(f"Saved the authentication of {tab.path}{kept}.", 6000)
