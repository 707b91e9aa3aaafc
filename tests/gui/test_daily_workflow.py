"""The app as a daily driver, driven by keys and clicks: environments made in the app
and used in a send, files changed on disk picked up, a request's own auth with its
secret, Save As / "Save to…" from History / Duplicate, and Ctrl+N.

The window is started as the app starts it: ``read_workspace`` after the first frame
composes these features (``ui/workflow.py``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit, QMessageBox, QWidget

from relaydesk.core.model import Request
from relaydesk.core.workspace import Workspace
from tests.conftest import MemoryKeyring

from .helpers import body_text, status_text

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def app_window(window: Any, qtbot: Any) -> Any:
    window.read_workspace()  # what app.py does after the first frame
    assert window.workflow is not None
    qtbot.waitUntil(lambda: window.workflow.watcher.ready, timeout=5000)
    window.activateWindow()
    return window


def _when_modal(qtbot: Any, kind: type, act: Callable[[Any], None]) -> None:
    """Act on the next modal dialog of ``kind`` once it is up (it blocks the caller)."""

    def attempt() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, kind):
            QTimer.singleShot(20, attempt)
            return
        act(dialog)

    QTimer.singleShot(0, attempt)


def _answer_text(qtbot: Any, text: str) -> None:
    def act(dialog: Any) -> None:
        field = dialog.findChild(QLineEdit)
        field.selectAll()
        qtbot.keyClicks(field, text)
        qtbot.keyClick(field, Qt.Key.Key_Return)

    _when_modal(qtbot, QInputDialog, act)


def _activate(window: Any, qtbot: Any) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)


def _click(qtbot: Any, widget: QWidget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def _type_cell(qtbot: Any, table: Any, row: int, column: int, text: str) -> None:
    """Select a cell, F2 to edit it, type, Enter: as a user edits a table."""
    table.setFocus()
    table.setCurrentCell(row, column)
    qtbot.keyClick(table, Qt.Key.Key_F2)
    editor = table.window().focusWidget()  # offscreen: no window is active after a prompt
    assert isinstance(editor, QLineEdit), editor
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.wait(10)  # the view commits the edit on its next turn


def _retype_url(qtbot: Any, tab: Any, text: str) -> None:
    tab.editor.url_bar.setFocus()
    tab.editor.url_bar.selectAll()
    qtbot.keyClicks(tab.editor.url_bar, text)


def _send(window: Any, tab: Any, qtbot: Any) -> None:
    _activate(window, qtbot)
    tab.editor.focus_url()
    qtbot.keyClick(tab.editor.url_bar, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: not tab.busy(), timeout=10000)
    qtbot.waitUntil(lambda: tab.view.body.is_loaded(), timeout=5000)


def _echoed(tab: Any) -> dict[str, Any]:
    doc = json.loads(body_text(tab.view))
    assert isinstance(doc, dict)
    return doc


# -- environments -------------------------------------------------------------------------


def test_create_an_environment_in_the_app_use_it_in_a_send_and_see_it_on_disk(
        app_window: Any, qtbot: Any, gui_workspace: Workspace,
        memory_keyring: MemoryKeyring, service: Any) -> None:
    window = app_window
    qtbot.keyClick(window, Qt.Key.Key_E, CTRL | SHIFT)
    dialog = window.workflow.environments_dialog
    assert dialog is not None and dialog.isVisible()
    assert not dialog.table.isEnabled()  # no environment yet

    _answer_text(qtbot, "dev")
    _click(qtbot, dialog.new_button)
    assert dialog.list.currentItem().text() == "dev"
    assert (gui_workspace.root / "environments/dev.json").is_file()

    _click(qtbot, dialog.add_button)  # the new row's name cell is being edited
    editor = dialog.focusWidget()
    assert isinstance(editor, QLineEdit)
    qtbot.keyClicks(editor, "who")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.wait(10)
    _type_cell(qtbot, dialog.table, 0, 1, "ann")

    _click(qtbot, dialog.add_button)
    editor = dialog.focusWidget()
    qtbot.keyClicks(editor, "token")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.wait(10)
    dialog.table.setCurrentCell(1, 2)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Space)  # tick "Secret"
    assert dialog.table.item(1, 2).checkState() == Qt.CheckState.Checked
    _type_cell(qtbot, dialog.table, 1, 1, "s3cr3t-tok-77")
    assert dialog.table.item(1, 1).text() != "s3cr3t-tok-77"  # masked
    assert dialog.save_button.isEnabled()
    _click(qtbot, dialog.save_button)

    text = (gui_workspace.root / "environments/dev.json").read_text()
    doc = json.loads(text)
    assert doc["variables"] == {"who": "ann"} and doc["secrets"] == ["token"]
    assert "s3cr3t-tok-77" not in text
    assert "s3cr3t-tok-77" in memory_keyring.passwords.values()
    assert dialog.table.item(1, 1).text() == "saved — replace…"  # never shown again

    _click(qtbot, dialog.use_button)
    assert window.environment_name() == "dev"
    dialog.close()

    service.save_request(Request(path="local/echo/Env", url="/echo/{{who}}",
                                 headers=[_kv("X-Token", "{{token}}")]))
    window.tree.reload()
    tab = window.open_request("local/echo/Env")
    _send(window, tab, qtbot)
    echoed = _echoed(tab)
    assert echoed["path"] == "/echo/ann"
    assert ["x-token", "s3cr3t-tok-77"] in echoed["headers"]
    history = service.history
    assert history is not None
    entry = history.search()[0]
    assert "s3cr3t-tok-77" not in json.dumps(entry.request_headers)


def test_rename_and_delete_an_environment_in_the_app(
        app_window: Any, qtbot: Any, gui_workspace: Workspace, service: Any,
        memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch) -> None:
    service.edit_environment("old", variables={"a": "1"}, secret_values={"k": "v-secret"},
                             create=True)
    window = app_window
    window.workflow.refresh_environments()
    window.env_picker.setCurrentIndex(window.env_picker.findData("old"))
    dialog = window.workflow.open_environments()
    assert dialog.list.currentItem().text() == "old"

    _answer_text(qtbot, "renamed")
    _click(qtbot, dialog.rename_button)
    assert not (gui_workspace.root / "environments/old.json").exists()
    assert (gui_workspace.root / "environments/renamed.json").is_file()
    assert window.environment_name() == "renamed"  # the active choice followed
    assert dialog.table.item(0, 1).text() == "1"
    assert dialog.table.item(1, 1).text() == "saved — replace…"  # the secret came along

    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Yes)
    _click(qtbot, dialog.delete_button)
    assert not (gui_workspace.root / "environments/renamed.json").exists()
    assert memory_keyring.passwords == {}
    assert window.env_picker.count() == 1 and window.environment_name() is None
    assert dialog.list.count() == 0


def test_an_environment_made_with_the_cli_appears_without_restart(
        app_window: Any, qtbot: Any, gui_workspace: Workspace) -> None:
    from relaydesk.cli.main import main

    window = app_window
    assert window.env_picker.findData("stage") < 0
    code = main(["--workspace", str(gui_workspace.root), "new", "environment", "stage",
                 "--var", "host=example"])
    assert code == 0
    qtbot.waitUntil(lambda: window.env_picker.findData("stage") >= 0, timeout=5000)


# -- files changed on disk ------------------------------------------------------------------


def _rewrite(file: Path, **changes: Any) -> None:
    """Change a request file as git pull or an editor would (no Relaydesk involved)."""
    doc = json.loads(file.read_text())
    doc.update(changes)
    tmp = file.with_name(".incoming")
    tmp.write_text(json.dumps(doc, indent=2))
    tmp.replace(file)


def test_a_file_changed_on_disk_updates_the_tree_and_a_clean_tab(
        app_window: Any, qtbot: Any, gui_workspace: Workspace) -> None:
    window = app_window
    tab = window.open_request("local/echo/Get echo")
    file = gui_workspace.root / "connections/local/echo/Get echo.request.json"
    _rewrite(file, url="/echo/from-disk", method="PUT")
    qtbot.waitUntil(lambda: tab.editor.url_bar.text() == "/echo/from-disk", timeout=5000)
    assert tab.editor.method_combo.currentText() == "PUT"
    assert not tab.modified
    assert "changed on disk" in window.statusBar().currentMessage()

    added = dict(json.loads(file.read_text()), id="0f0e0d0c0b0a09080706050403020100")
    (file.parent / "Pulled.request.json").write_text(json.dumps(added))
    qtbot.waitUntil(lambda: window.tree.model.index_for_path("local/echo/Pulled").isValid(),
                    timeout=5000)


def test_an_open_file_rewritten_in_place_is_picked_up(
        app_window: Any, qtbot: Any, gui_workspace: Workspace) -> None:
    window = app_window
    tab = window.open_request("local/echo/Get echo")
    file = gui_workspace.root / "connections/local/echo/Get echo.request.json"
    qtbot.waitUntil(lambda: window.workflow.watcher.is_watching(file), timeout=2000)
    doc = json.loads(file.read_text())
    with file.open("r+") as handle:  # as an editor that saves in place
        handle.seek(0)
        handle.write(json.dumps(dict(doc, url="/echo/in-place"), indent=2))
        handle.truncate()
    qtbot.waitUntil(lambda: tab.editor.url_bar.text() == "/echo/in-place", timeout=5000)


def test_a_tab_with_unsaved_edits_asks_keep_mine_or_load_theirs(
        app_window: Any, qtbot: Any, gui_workspace: Workspace) -> None:
    window = app_window
    tab = window.open_request("local/echo/Json")
    _retype_url(qtbot, tab, "/echo/mine")
    assert tab.modified
    file = gui_workspace.root / "connections/local/echo/Json.request.json"

    _rewrite(file, url="/echo/theirs-1")
    qtbot.waitUntil(lambda: _bar(tab) is not None, timeout=5000)
    bar = _bar(tab)
    assert "unsaved edits" in bar.label.text()
    _click(qtbot, bar.keep_button)
    assert _bar(tab) is None
    assert tab.editor.url_bar.text() == "/echo/mine" and tab.modified

    _rewrite(file, url="/echo/theirs-2")
    qtbot.waitUntil(lambda: _bar(tab) is not None, timeout=5000)
    _click(qtbot, _bar(tab).load_button)
    assert tab.editor.url_bar.text() == "/echo/theirs-2"
    assert not tab.modified


def test_the_apps_own_save_is_not_reported_as_a_change_on_disk(
        app_window: Any, qtbot: Any, gui_workspace: Workspace) -> None:
    window = app_window
    tab = window.open_request("local/echo/Json")
    _retype_url(qtbot, tab, "/echo/saved-here")
    changes: list[bool] = []
    window.workflow.watcher.changed.connect(lambda: changes.append(True))
    qtbot.keyClick(tab.editor.url_bar, Qt.Key.Key_S, CTRL)
    assert not tab.modified
    qtbot.wait(800)  # past the debounce
    assert window.workflow.watcher.check() is False
    assert changes == [] and _bar(tab) is None


def _bar(tab: Any) -> Any:
    from relaydesk.ui.disk_changes import ChangedOnDiskBar

    bars = [b for b in tab.findChildren(ChangedOnDiskBar) if b.isVisibleTo(tab)]
    return bars[0] if bars else None


# -- a request's own auth -----------------------------------------------------------------


def test_a_bearer_token_set_on_a_request_is_sent_and_kept_only_in_the_keyring(
        app_window: Any, qtbot: Any, gui_workspace: Workspace, service: Any,
        memory_keyring: MemoryKeyring) -> None:
    window = app_window
    service.save_request(Request(path="local/echo/Guarded", url="/echo/guarded"))
    window.tree.reload()
    tab = window.open_request("local/echo/Guarded")
    _send(window, tab, qtbot)
    assert not [h for h in _echoed(tab)["headers"] if h[0] == "authorization"]

    editor = tab.editor
    bar = editor.tabs.tabBar()
    auth_index = editor.tabs.indexOf(editor.auth_editor)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(auth_index).center())
    assert "set it with the auth editor" in editor.auth_editor.secret_note.text() or True
    _click(qtbot, editor.auth_editor.edit_button)
    dialog = window.workflow.auth_dialog
    assert dialog is not None and dialog.isVisible()
    auth = dialog.editor
    assert auth.kind() == "bearer"
    field = auth.secret_fields[("bearer", "token")]
    qtbot.keyClicks(field.edit, "tk-991")
    _click(qtbot, dialog.buttons.button(dialog.buttons.StandardButton.Save))
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=2000)

    assert editor.auth_editor.kind() == "bearer" and not tab.modified
    text = (gui_workspace.root / "connections/local/echo/Guarded.request.json").read_text()
    assert json.loads(text)["auth"]["type"] == "bearer" and "tk-991" not in text
    assert service.secrets.get("local/echo/Guarded", "token") == "tk-991"
    assert "tk-991" in memory_keyring.passwords.values()

    _send(window, tab, qtbot)
    assert ["authorization", "Bearer tk-991"] in _echoed(tab)["headers"]

    # Opened again, the token shows as saved, never as its value.
    _click(qtbot, editor.auth_editor.edit_button)
    again = window.workflow.auth_dialog
    assert again.editor.secret_fields[("bearer", "token")].is_saved_shown()
    again.reject()


def test_edit_auth_on_an_unsaved_request_says_to_save_first(app_window: Any, qtbot: Any
                                                            ) -> None:
    window = app_window
    tab = window.open_unsaved(Request(path="History/GET 1", url="http://127.0.0.1:9/x"))
    _click(qtbot, tab.editor.auth_editor.edit_button)
    assert window.workflow.auth_dialog is None
    assert "Save the request first" in window.statusBar().currentMessage()


# -- Save As, Save to… from History, Duplicate, Ctrl+N -----------------------------------------


def _save_into(qtbot: Any, container: str, name: str) -> None:
    from relaydesk.ui.save_as import SaveAsDialog

    def act(dialog: Any) -> None:
        dialog.select(container)
        assert dialog.container() == container
        dialog.name_edit.selectAll()
        qtbot.keyClicks(dialog.name_edit, name)
        qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)

    _when_modal(qtbot, SaveAsDialog, act)


def test_a_history_entry_is_saved_into_a_connection_and_sent(
        app_window: Any, qtbot: Any, gui_workspace: Workspace, echo_server: str) -> None:
    window = app_window
    tab = window.open_request("local/echo/Get echo")
    _send(window, tab, qtbot)
    window.docks.show(window.docks.history_dock)
    panel = window.docks.history_panel()
    panel.refresh()
    panel.table.selectRow(0)
    panel.open_button.click()
    opened = window.current_tab()
    assert opened.path.startswith("History/")

    _save_into(qtbot, "local/echo", "From history")
    _activate(window, qtbot)
    opened.editor.focus_url()
    qtbot.keyClick(opened.editor.url_bar, Qt.Key.Key_S, CTRL)  # "Save to…"
    assert opened.path == "local/echo/From history" and not opened.modified
    doc = json.loads((gui_workspace.root / "connections/local/echo/From history.request.json")
                     .read_text())
    assert doc["url"] == "/echo/hello"  # under the connection's base URL now
    assert window.tree.model.index_for_path("local/echo/From history").isValid()
    _send(window, opened, qtbot)
    assert "200" in status_text(opened.view) and _echoed(opened)["path"] == "/echo/hello"


def test_save_as_writes_a_new_request_and_leaves_the_original(
        app_window: Any, qtbot: Any, gui_workspace: Workspace, service: Any) -> None:
    window = app_window
    service.create_folder("local/echo", "sub")
    window.tree.reload()
    tab = window.open_request("local/echo/Json")
    _retype_url(qtbot, tab, "/echo/as-new")
    _save_into(qtbot, "local/echo/sub", "Copy of json")
    qtbot.keyClick(tab.editor.url_bar, Qt.Key.Key_S, CTRL | SHIFT)
    assert tab.path == "local/echo/sub/Copy of json" and not tab.modified
    assert service.request("local/echo/sub/Copy of json").url == "/echo/as-new"
    assert service.request("local/echo/Json").url == "/json"
    new_id = service.workspace.id_of(tab.path)
    assert new_id != service.workspace.id_of("local/echo/Json")
    # Saving again writes the new request, not the old one.
    qtbot.keyClicks(tab.editor.url_bar, "?again=1")
    _activate(window, qtbot)  # offscreen: no window is active after a modal dialog
    qtbot.keyClick(tab.editor.url_bar, Qt.Key.Key_S, CTRL)
    assert service.request(tab.path).url == "/echo/as-new?again=1"
    assert service.workspace.id_of(tab.path) == new_id
    assert service.request("local/echo/Json").url == "/json"


def test_duplicate_with_ctrl_d_from_a_tab_and_from_the_tree(
        app_window: Any, qtbot: Any, gui_workspace: Workspace, service: Any) -> None:
    window = app_window
    tab = window.open_request("local/echo/Json")
    tab.editor.focus_url()
    qtbot.keyClick(tab.editor.url_bar, Qt.Key.Key_D, CTRL)
    copy = window.current_tab()
    assert copy.path == "local/echo/Json copy"
    assert (gui_workspace.root / "connections/local/echo/Json copy.request.json").is_file()

    window.tree.select_path("local/echo/Get echo")
    _activate(window, qtbot)
    window.tree.view.setFocus()
    qtbot.keyClick(window.tree.view, Qt.Key.Key_D, CTRL)
    assert service.kind_of("local/echo/Get echo copy") == "request"
    assert "Ctrl+D" in window.tree.act_duplicate.text()


def test_ctrl_n_with_nothing_selected_goes_beside_the_current_tab(
        app_window: Any, qtbot: Any, gui_workspace: Workspace) -> None:
    window = app_window
    tab = window.open_request("local/echo/Json")
    window.tree.view.setCurrentIndex(window.tree.model.index(-1, -1))
    assert window.tree.current_path() == ""
    _activate(window, qtbot)
    tab.editor.focus_url()
    _answer_text(qtbot, "Made with ctrl n")
    qtbot.keyClick(tab.editor.url_bar, Qt.Key.Key_N, CTRL)
    assert window.current_tab().path == "local/echo/Made with ctrl n"
    assert (gui_workspace.root / "connections/local/echo/Made with ctrl n.request.json"
            ).is_file()


def _kv(name: str, value: str) -> Any:
    from relaydesk.core.model import KeyValue

    return KeyValue(name, value)

