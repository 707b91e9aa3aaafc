"""The main window end to end (offscreen): real workspace files, real loopback server,
in-memory keyring. Modal prompts are answered by monkeypatching QMessageBox/QInputDialog."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel, QLineEdit, QMessageBox

from relaydesk.core.model import Request
from relaydesk.core.workspace import Workspace

from .helpers import body_text, highlighted, status_text

Answer = QMessageBox.StandardButton


def _ok(dialog: Any, qtbot: Any) -> None:
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok),
                     Qt.MouseButton.LeftButton)


def _send_and_wait(window: Any, tab: Any, qtbot: Any, timeout: int = 10000) -> None:
    window.sending.send(tab)
    assert tab.busy()
    qtbot.waitUntil(lambda: not tab.busy(), timeout=timeout)


def test_create_connection_add_request_send(window: Any, qtbot: Any, echo_server: str,
                                            gui_workspace: Workspace) -> None:
    dialog = window.tree.ask_new_connection()
    qtbot.keyClicks(dialog.path_edit, "demo/echo")
    qtbot.keyClicks(dialog.base_url, echo_server)
    dialog.headers.add_row("X-Team", "desk")
    _ok(dialog, qtbot)
    assert not dialog.isVisible()
    doc = json.loads((gui_workspace.root / "connections/demo/echo/connection.json").read_text())
    assert doc["base_url"] == echo_server
    assert window.tree.model.index_for_path("demo/echo").isValid()

    path = window.tree.new_request("demo/echo", "Ping")
    assert path == "demo/echo/Ping"
    assert (gui_workspace.root / "connections/demo/echo/Ping.request.json").is_file()
    tab = window.current_tab()
    assert tab is not None and tab.path == "demo/echo/Ping"
    tab.editor.set_request(Request(path=tab.path, method="POST", url="/echo/ping?x=1"))
    _send_and_wait(window, tab, qtbot)
    assert "200" in status_text(tab.view)
    qtbot.waitUntil(lambda: "/echo/ping" in body_text(tab.view), timeout=5000)
    body = body_text(tab.view)
    assert '"method"' in body and "POST" in body and "/echo/ping" in body
    assert "x-team" in body  # the connection's custom header went out
    qtbot.waitUntil(lambda: highlighted(tab.view), timeout=5000)


def test_cancel_slow_request(window: Any, qtbot: Any) -> None:
    tab = window.open_request("local/echo/Slow")
    window.sending.send(tab)
    qtbot.wait(300)
    assert tab.busy()
    started = time.monotonic()
    tab.editor.cancelRequested.emit()  # what the Cancel button emits
    qtbot.waitUntil(lambda: not tab.busy(), timeout=3000)
    assert time.monotonic() - started < 2
    assert "cancel" in status_text(tab.view).lower()


def test_error_is_shown_in_plain_words(window: Any, qtbot: Any, service: Any) -> None:
    # An unknown built-in is always an error (an unknown plain name would be sent).
    service.save_request(Request(path="local/echo/Bad", url="{{$missing}}/x"))
    window.tree.reload()
    tab = window.open_request("local/echo/Bad")
    _send_and_wait(window, tab, qtbot)
    shown = status_text(tab.view)
    assert "missing" in shown and "Traceback" not in shown


def test_paste_curl_fills_the_request(window: Any, qtbot: Any, monkeypatch: Any,
                                      memory_keyring: Any) -> None:
    tab = window.open_request("local/echo/Get echo")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: Answer.Yes)
    QApplication.clipboard().setText(
        "curl -X PUT 'https://api.example.com/v1/items?id=7' -H 'X-Trace: abc' "
        "-u alice:s3cret --data-raw '{\"a\": 1}'")
    window.window_actions.focus_url.trigger()  # Ctrl+L
    assert tab.editor.url_bar.hasFocus()
    qtbot.keyClick(tab.editor.url_bar, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    req = tab.editor.request()
    assert req.method == "PUT"
    assert "api.example.com/v1/items" in req.url
    assert any(h.name == "X-Trace" and h.value == "abc" for h in req.headers)
    assert tab.path == "local/echo/Get echo" and tab.modified
    # The -u password was offered to the keyring (answered yes), never to the files.
    assert "s3cret" in memory_keyring.passwords.values()


def test_basic_password_goes_to_keyring_and_is_never_shown(
        window: Any, qtbot: Any, memory_keyring: Any, gui_workspace: Workspace) -> None:
    dialog = window.tree.edit_connection("local/echo")
    editor = dialog.auth_editor
    dialog.tabs.setCurrentWidget(editor)
    editor.mode.setCurrentIndex(editor.mode.findData("basic"))
    qtbot.keyClicks(editor.public[("basic", "username")], "alice")
    field = editor.secret_fields[("basic", "password")]
    assert field.edit.isVisibleTo(dialog) and not field.is_saved_shown()
    qtbot.keyClicks(field.edit, "hunter2-secret")
    _ok(dialog, qtbot)
    assert "hunter2-secret" in memory_keyring.passwords.values()
    on_disk = "".join(p.read_text() for p in gui_workspace.iter_files())
    assert "hunter2-secret" not in on_disk and "alice" in on_disk

    again = window.tree.edit_connection("local/echo")
    again.tabs.setCurrentWidget(again.auth_editor)
    field = again.auth_editor.secret_fields[("basic", "password")]
    assert again.auth_editor.kind() == "basic"
    assert field.is_saved_shown() and field.replace_button.text() == "saved — replace…"
    assert field.edit.text() == "" and not field.edit.isVisibleTo(again)
    texts = [w.text() for w in again.findChildren(QLineEdit) + again.findChildren(QLabel)]
    assert not any("hunter2" in t for t in texts)
    qtbot.mouseClick(field.replace_button, Qt.MouseButton.LeftButton)
    assert field.edit.isVisibleTo(again) and field.edit.text() == ""
    again.reject()


def test_missing_keyring_is_explained(gui_workspace: Workspace, qtbot: Any, qloop: Any) -> None:
    from relaydesk.core.session import Session
    from relaydesk.ui.connection_editor import ConnectionEditor
    from relaydesk.ui.service import Service

    service = Service(Session(gui_workspace, keyring=None))  # no keyring at all
    dialog = ConnectionEditor(service, gui_workspace.connection("local/echo"))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.tabs.setCurrentWidget(dialog.auth_editor)
    dialog.auth_editor.mode.setCurrentIndex(dialog.auth_editor.mode.findData("bearer"))
    assert dialog.auth_editor.problem.isVisibleTo(dialog)
    assert "keyring" in dialog.auth_editor.problem.text()


def test_connection_form_validates_as_you_type(window: Any, qtbot: Any) -> None:
    dialog = window.tree.ask_new_connection()
    qtbot.keyClicks(dialog.base_url, "ftp://files.example.com")
    assert dialog.base_url_problem.isVisibleTo(dialog)
    assert "https://" in dialog.base_url_problem.text()
    dialog.base_url.clear()
    qtbot.keyClicks(dialog.base_url, "https://api.example.com")
    assert not dialog.base_url_problem.isVisibleTo(dialog)
    dialog.headers.add_row("Host", "evil")
    assert "cannot be set" in dialog.headers.problem.text()
    dialog.path_edit.setText("bad:name")
    _ok(dialog, qtbot)
    assert dialog.isVisible() and dialog.error.text()  # refused, nothing written
    dialog.reject()


def test_test_connection_button(window: Any, qtbot: Any) -> None:
    dialog = window.tree.edit_connection("local/echo")
    dialog.test_url.setText("/echo/health")
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=10000)
    assert dialog.test_result.text().startswith("✓"), dialog.test_result.text()
    dialog.test_url.setText("/status/503")
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=10000)
    assert dialog.test_result.text().startswith("✗")
    dialog.reject()


def test_rename_duplicate_delete_in_tree(window: Any, qtbot: Any, monkeypatch: Any,
                                         gui_workspace: Workspace) -> None:
    root: Path = gui_workspace.root / "connections/local/echo"
    tab = window.open_request("local/echo/Json")
    window.tree.select_path("local/echo/Json")
    monkeypatch.setattr("PySide6.QtWidgets.QInputDialog.getText",
                        lambda *a, **k: ("Json renamed", True))
    window.tree.ask_rename()
    assert (root / "Json renamed.request.json").is_file()
    assert not (root / "Json.request.json").exists()
    assert tab.path == "local/echo/Json renamed"  # the open tab followed

    assert window.tree.duplicate("local/echo/Json renamed") == "local/echo/Json renamed copy"
    assert (root / "Json renamed copy.request.json").is_file()

    window.tree.select_path("local/echo/Json renamed copy")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: Answer.No)
    window.tree.ask_delete()
    assert (root / "Json renamed copy.request.json").is_file()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: Answer.Yes)
    window.tree.ask_delete()
    assert not (root / "Json renamed copy.request.json").exists()


def test_move_by_drag_and_drop(window: Any, qtbot: Any, gui_workspace: Workspace) -> None:
    from PySide6.QtCore import QModelIndex

    tree = window.tree
    assert tree.new_folder("local/echo", "archive") == "local/echo/archive"
    model = tree.model
    mime = model.mimeData([model.index_for_path("local/echo/Get echo")])
    folder = model.index_for_path("local/echo/archive")
    assert model.canDropMimeData(mime, Qt.DropAction.MoveAction, -1, 0, folder)
    assert model.dropMimeData(mime, Qt.DropAction.MoveAction, -1, 0, folder)
    root = gui_workspace.root / "connections/local/echo"
    assert (root / "archive/Get echo.request.json").is_file()
    assert not (root / "Get echo.request.json").exists()
    assert model.index_for_path("local/echo/archive/Get echo").isValid()

    # A request cannot become a top-level item: refused with a reason, nothing moves.
    errors: list[str] = []
    tree.errorOccurred.connect(errors.append)
    mime = model.mimeData([model.index_for_path("local/echo/Slow")])
    assert not model.canDropMimeData(mime, Qt.DropAction.MoveAction, -1, 0, QModelIndex())
    assert not model.dropMimeData(mime, Qt.DropAction.MoveAction, -1, 0, QModelIndex())
    assert errors and (root / "Slow.request.json").is_file()

    # A connection dropped at the top level leaves its group.
    mime = model.mimeData([model.index_for_path("local/echo")])
    assert model.dropMimeData(mime, Qt.DropAction.MoveAction, -1, 0, QModelIndex())
    assert (gui_workspace.root / "connections/echo/archive/Get echo.request.json").is_file()


def test_groups_do_not_move_or_rename(window: Any, qtbot: Any) -> None:
    from relaydesk.ui.tree_model import MIME_PATHS

    # A group is a path prefix: it takes drops but cannot be dragged or renamed.
    model = window.tree.model
    group = model.index_for_path("local")
    assert model.node_of(group).kind == "group"
    assert not model.flags(group) & Qt.ItemFlag.ItemIsDragEnabled
    assert model.flags(group) & Qt.ItemFlag.ItemIsDropEnabled
    assert model.flags(model.index_for_path("local/echo")) & Qt.ItemFlag.ItemIsDragEnabled
    assert not model.mimeData([group]).hasFormat(MIME_PATHS)  # carries nothing to move
    assert not model.setData(group, "elsewhere", Qt.ItemDataRole.EditRole)
    assert model.index_for_path("local").isValid()
    # F2 on a group (Rename… is off for it) opens no editor in the tree either.
    from PySide6.QtWidgets import QAbstractItemView

    tree = window.tree
    tree.select_path("local")
    assert not tree.act_rename.isEnabled()
    tree.view.setFocus()
    qtbot.keyClick(tree.view, Qt.Key.Key_F2)
    assert tree.view.state() != QAbstractItemView.State.EditingState


def test_tree_index_kept_past_a_reload_finds_no_stale_node(window: Any, qtbot: Any) -> None:
    # A row kept past a reload is kept as Qt keeps rows (a persistent index, as the
    # selection does): it is invalid afterwards and answers as the root, not as a row
    # that is gone; the same path finds the new row.
    from PySide6.QtCore import QPersistentModelIndex

    model = window.tree.model
    old = QPersistentModelIndex(model.index_for_path("local/echo/Get echo"))
    assert model.path_of(old) == "local/echo/Get echo"
    model.reload()
    assert not old.isValid()
    assert model.path_of(old) == ""
    fresh = model.index_for_path("local/echo/Get echo")
    assert model.path_of(fresh) == "local/echo/Get echo"
    assert model.path_of(model.parent(fresh)) == "local/echo"


def test_tree_rows_leave_only_with_their_items(window: Any, qtbot: Any) -> None:
    # A view ending a move by drag and drop asks the model to remove the selected
    # rows (the drop already moved them on disk and rebuilt the tree): refused, so
    # no row disappears from the tree while its item is still in the workspace.
    model = window.tree.model
    echo = model.index_for_path("local/echo")
    rows = model.rowCount(echo)
    assert rows > 0
    assert not model.removeRows(0, 1, echo)
    assert model.rowCount(echo) == rows
    assert model.path_of(model.index(0, 0, echo)).startswith("local/echo/")


def test_tree_context_menu_and_shortcut_scope(window: Any, qtbot: Any) -> None:
    from PySide6.QtGui import QContextMenuEvent
    from PySide6.QtWidgets import QMenu

    tree = window.tree
    tree.select_path("local/echo/Get echo")
    pos = tree.view.visualRect(tree.model.index_for_path("local/echo/Get echo")).center()
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, tree.view.mapToGlobal(pos))
    QApplication.sendEvent(tree.view.viewport(), event)  # a right click on the row
    menus = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMenu) and w.isVisible()]
    assert len(menus) == 1
    texts = [a.text() for a in menus[0].actions()]
    assert "Rename…" in texts and "Copy as curl" in texts
    menus[0].close()
    # F2 and Del act on the tree only while it has the focus, not in the URL bar.
    for action in (tree.act_rename, tree.act_delete):
        assert action.shortcutContext() == Qt.ShortcutContext.WidgetWithChildrenShortcut
        assert action.shortcut().toString() in ("F2", "Del")


def test_docks_open_docked_at_the_bottom_from_the_view_menu(window: Any, qtbot: Any) -> None:
    docks, area = window.docks, Qt.DockWidgetArea
    assert not docks.history_dock.isVisible() and not docks.history_action.isChecked()
    docks.history_action.trigger()
    assert docks.history_dock.isVisible() and not docks.history_dock.isFloating()
    assert window.dockWidgetArea(docks.history_dock) == area.BottomDockWidgetArea
    assert docks.history_action.isChecked()
    docks.runner_action.trigger()  # joins the History dock as a tab
    assert window.dockWidgetArea(docks.runner_dock) == area.BottomDockWidgetArea
    assert docks.runner_dock in window.tabifiedDockWidgets(docks.history_dock)
    assert docks.history_action.isChecked()  # still open, as the tab behind
    docks.runner_action.trigger()
    assert docks.runner_dock.isHidden() and not docks.runner_action.isChecked()


def test_tree_filter_and_badges(window: Any, qtbot: Any) -> None:
    from relaydesk.ui.tree_model import ROLE_METHOD

    tree = window.tree
    tree.filter.setText("slow")
    visible: list[str] = []
    stack = [tree.view.rootIndex()]
    while stack:
        parent = stack.pop()
        for row in range(tree.proxy.rowCount(parent)):
            index = tree.proxy.index(row, 0, parent)
            visible.append(index.data())
            stack.append(index)
    assert "Slow" in visible and "Json" not in visible
    index = tree.model.index_for_path("local/echo/Json")
    assert index.data(ROLE_METHOD) == "GET"
    # The badge is the row's icon: drawn unscaled (it fits the view's icon size), in
    # the method's colour, and the same when the row is selected (no selection tint).
    from PySide6.QtGui import QColor, QIcon

    from relaydesk.ui.widgets.method_badge import method_colour

    badge = index.data(Qt.ItemDataRole.DecorationRole)
    assert isinstance(badge, QIcon)
    size = tree.view.iconSize()
    normal = badge.pixmap(size, QIcon.Mode.Normal).toImage()
    assert normal.width() <= size.width() * normal.devicePixelRatio()
    assert normal.width() > 2 * normal.height()  # a badge, not a square icon
    assert badge.pixmap(size, QIcon.Mode.Selected).toImage() == normal
    middle_left = normal.pixelColor(2, normal.height() // 2)
    assert middle_left.name() == QColor(method_colour("GET")).name()
    # Connection icons come from the package's PNG files, at small-icon size.
    conn_icon = tree.model.index_for_path("local/echo").data(Qt.ItemDataRole.DecorationRole)
    assert not conn_icon.isNull()
    assert conn_icon.pixmap(size).width() == 16 * normal.devicePixelRatio()
    # A matching ancestor keeps everything inside it.
    tree.filter.setText("echo")
    echo = tree.proxy.mapFromSource(tree.model.index_for_path("local/echo"))
    inside = {tree.proxy.index(row, 0, echo).data() for row in range(tree.proxy.rowCount(echo))}
    assert inside == {"Get echo", "Slow", "Json"}
    # Clearing the filter shows the model itself again, with the selection kept.
    tree.select_path("local/echo/Slow")
    tree.filter.setText("")
    assert tree.view.model() is tree.model
    assert tree.current_path() == "local/echo/Slow"
    assert tree.view.isExpanded(tree.model.index_for_path("local/echo"))


def _add_broken_request(ws: Workspace) -> None:
    """A fine PUT request and a broken file beside it, in ``local/echo/box``."""
    ws.save_request(Request(path="local/echo/box/Fine", method="PUT"), create=True)
    ws.save_request(Request(path="local/echo/box/Broken"), create=True)
    (ws.root / "connections/local/echo/box/Broken.request.json").write_text("{nope")
    ws.reload()


def test_broken_request_files_are_reported_after_start_and_leave_the_tree(
        window: Any, qtbot: Any) -> None:
    ws = window.service.workspace
    _add_broken_request(ws)
    window.tree.model.reload()
    model = window.tree.model
    assert model.index_for_path("local/echo/box/Broken").isValid()  # not read yet

    window.read_workspace(step=1)  # as the app does after its first frame, in steps
    qtbot.waitUntil(lambda: "could not be read" in window.statusBar().currentMessage(),
                    timeout=5000)
    assert "Broken.request.json" in window.statusBar().currentMessage()
    assert not model.index_for_path("local/echo/box/Broken").isValid()
    fine = model.index_for_path("local/echo/box/Fine")
    from relaydesk.ui.tree_model import ROLE_METHOD

    assert fine.data(ROLE_METHOD) == "PUT"
    assert ws.pending_requests() == 0


def test_broken_request_file_found_while_drawing_leaves_the_tree_keeping_the_selection(
        window: Any, qtbot: Any) -> None:
    ws = window.service.workspace
    _add_broken_request(ws)
    tree = window.tree
    tree.reload()
    tree.expand_path("local/echo/box")
    tree.select_path("local/echo/box/Fine")
    model = tree.model
    broken = model.index_for_path("local/echo/box/Broken")
    assert broken.isValid()
    tip = broken.data(Qt.ItemDataRole.ToolTipRole)  # what drawing the row asks first
    assert "Cannot be read" in tip
    qtbot.waitUntil(lambda: not model.index_for_path("local/echo/box/Broken").isValid(),
                    timeout=5000)
    assert tree.current_path() == "local/echo/box/Fine"
    assert tree.view.isExpanded(model.index_for_path("local/echo/box"))


def test_copy_import_snippet_and_curl(window: Any, qtbot: Any, echo_server: str) -> None:
    window.tree.select_path("local/echo/Get echo")
    window.tree.copy_import_line()
    assert QApplication.clipboard().text() == \
        'import relaydesk\necho = relaydesk.connect("local/echo")\n'
    window.tree.copy_curl()
    text = QApplication.clipboard().text()
    assert text.startswith("curl") and f"{echo_server}/echo/hello" in text


def test_quick_open(window: Any, qtbot: Any) -> None:
    dialog = window.quick_open()
    qtbot.keyClicks(dialog.query, "slw")
    assert dialog.results.currentItem().text() == "local/echo/Slow"
    qtbot.keyClick(dialog.query, Qt.Key.Key_Return)
    tab = window.current_tab()
    assert tab is not None and tab.path == "local/echo/Slow"


def test_fuzzy_ranking() -> None:
    from relaydesk.ui.quick_open import fuzzy_filter

    items = ["jira/cloud/issues/Get issue", "github/Get user", "jira/cloud/Search"]
    assert fuzzy_filter("getiss", items)[0] == "jira/cloud/issues/Get issue"
    assert fuzzy_filter("zzz", items) == []


@pytest.mark.parametrize("answer", [Answer.Cancel, Answer.Discard, Answer.Save])
def test_unsaved_changes_prompt(window: Any, qtbot: Any, monkeypatch: Any, answer: Any,
                                gui_workspace: Workspace) -> None:
    file = gui_workspace.root / "connections/local/echo/Json.request.json"
    before = file.read_text()
    tab = window.open_request("local/echo/Json")
    tab.editor.set_request(Request(path=tab.path, method="DELETE", url="/echo/changed"))
    tab.set_modified(True)
    assert window.tabs.tabText(window.tabs.indexOf(tab)).startswith("•")
    asked: list[str] = []

    def question(*args: Any, **kwargs: Any) -> Any:
        asked.append(args[1])
        return answer

    monkeypatch.setattr(QMessageBox, "question", question)
    closed = window.close_tab(tab)
    assert asked == ["Unsaved changes"]
    if answer == Answer.Cancel:
        assert not closed and window.tab_for("local/echo/Json") is tab
        assert file.read_text() == before
    elif answer == Answer.Discard:
        assert closed and file.read_text() == before
    else:
        assert closed and json.loads(file.read_text())["method"] == "DELETE"


def test_save_shortcut_and_state_restored(window: Any, qtbot: Any, service: Any,
                                          tmp_path: Path, gui_workspace: Workspace) -> None:
    from relaydesk.ui.main_window import MainWindow
    from relaydesk.ui.settings import make_settings

    window.open_request("local/echo/Json")
    tab = window.open_request("local/echo/Slow")
    tab.editor.set_request(Request(path=tab.path, method="PATCH", url="/echo/p"))
    tab.set_modified(True)
    window.window_actions.save.trigger()
    assert not tab.modified
    doc = json.loads((gui_workspace.root / "connections/local/echo/Slow.request.json")
                     .read_text())
    assert doc["method"] == "PATCH"
    window.splitter.setSizes([200, 1000])
    window.docks.history_action.trigger()  # left open: comes back docked, not floating
    window.save_state()

    again = MainWindow(service, settings=make_settings(tmp_path / "settings.ini"))
    qtbot.addWidget(again)
    assert [t.path for t in again.tab_list()] == ["local/echo/Json", "local/echo/Slow"]
    assert again.current_tab().path == "local/echo/Slow"
    again.show()  # the View menu's check follows the dock once the window is up
    qtbot.waitExposed(again)
    dock = again.docks.history_dock
    assert dock.isVisible() and not dock.isFloating()
    assert again.dockWidgetArea(dock) == Qt.DockWidgetArea.BottomDockWidgetArea
    assert again.docks.history_action.isChecked()


def test_exception_hook_shows_a_message_and_keeps_running(qapp: Any, qtbot: Any) -> None:
    from relaydesk.app import _ErrorReporter

    reporter = _ErrorReporter()
    try:
        raise ValueError("boom")
    except ValueError as exc:
        reporter.excepthook(ValueError, exc, exc.__traceback__)
    box = reporter._box
    assert box is not None and box.isVisible() and not box.isModal()
    assert "still running" in box.text()
    box.close()


def test_ctrl_f_opens_the_response_search(window: Any, qtbot: Any) -> None:
    tab = window.open_request("local/echo/Json")
    _send_and_wait(window, tab, qtbot)
    bar = tab.view.body.search_bar
    assert not bar.isVisible()
    tab.view.body.pretty_view.setFocus()
    qtbot.keyClick(tab.view.body.pretty_view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(bar.isVisible, timeout=2000)


def test_tree_lists_rows_without_reading_files_and_keeps_expansion_across_reloads(
        window: Any, qtbot: Any) -> None:
    service, tree = window.service, window.tree
    service.create_folder("local/echo", "box")
    service.create_request("local/echo/box", "Inner", url="/echo/inner")
    ws = service.workspace
    ws.reload()  # every request file unread again
    tree.reload()
    unread = ws.pending_requests()
    assert unread == 4
    model = tree.model
    box = model.index_for_path("local/echo/box")
    # A closed folder has an arrow; its rows are listed when a view opens it (Qt's
    # fetchMore, as for any model that lists rows incrementally).
    assert model.hasChildren(box) and model.canFetchMore(box)
    model.fetchMore(box)
    assert not model.canFetchMore(box) and model.rowCount(box) == 1
    assert model.path_of(model.index(0, 0, box)) == "local/echo/box/Inner"
    assert ws.pending_requests() == unread  # listing rows read no request file

    tree.expand_path("local/echo/box")
    tree.select_path("local/echo/box/Inner")
    tree.reload()
    assert tree.view.isExpanded(tree.model.index_for_path("local/echo/box"))
    assert tree.current_path() == "local/echo/box/Inner"
