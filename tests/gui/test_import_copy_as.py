"""GUI: "Copy as" (references, not secrets, by default), File → Import with a preview,
and files dropped on the tree opening the same preview."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from relaydesk.core.model import AuthSettings
from tests.unit.core.test_importers import DATA, SWAGGER_2


def _with_bearer(window: Any) -> None:
    svc = window.service
    conn = svc.connection("local/echo")
    conn.auth = AuthSettings("bearer")
    svc.save_connection(conn)
    svc.set_secret("local/echo", "token", "gui-secret-token")


def test_copy_as_references_secrets_by_default(window: Any, qtbot: Any) -> None:
    _with_bearer(window)
    window.tree.select_path("local/echo/Get echo")
    window.tree.copy_curl()
    text = QApplication.clipboard().text()
    assert "${LOCAL_ECHO_TOKEN}" in text and "gui-secret-token" not in text
    window.tree.copy_as("python-httpx")
    assert 'os.environ["LOCAL_ECHO_TOKEN"]' in QApplication.clipboard().text()
    window.tree.copy_as("go", include_secrets=True)
    assert "gui-secret-token" in QApplication.clipboard().text()


def _click_menu_entry(qtbot: Any, menu: Any, pick: Any) -> None:
    """Open ``menu`` and click the entry ``pick(actions)`` chooses, as a user does."""
    menu.popup(QPoint(0, 0))
    qtbot.waitUntil(menu.isVisible, timeout=2000)
    action = pick(menu.actions())
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())
    qtbot.waitUntil(lambda: not menu.isVisible(), timeout=2000)


def test_include_secrets_is_for_one_copy_only(window: Any, qtbot: Any) -> None:
    _with_bearer(window)
    window.open_request("local/echo/Get echo")
    menu = window.copy_as_menu
    secrets = "gui-secret-token"

    def curl(actions: list[Any]) -> Any:
        return next(a for a in actions if a.data() == "curl")

    def tick(actions: list[Any]) -> Any:
        return next(a for a in actions if a.objectName() == "includeSecrets")

    _click_menu_entry(qtbot, menu, tick)
    assert tick(menu.actions()).isChecked()
    _click_menu_entry(qtbot, menu, curl)
    assert secrets in QApplication.clipboard().text()
    assert not tick(menu.actions()).isChecked()  # reset after the copy
    _click_menu_entry(qtbot, menu, curl)
    text = QApplication.clipboard().text()
    assert secrets not in text and "${LOCAL_ECHO_TOKEN}" in text


def test_copy_import_snippet_runs_as_pasted(window: Any, qtbot: Any, monkeypatch: Any,
                                            gui_workspace: Any) -> None:
    """The tree's "Copy import snippet" button: two lines, named after the connection,
    that give a working client when run."""
    from PySide6.QtWidgets import QToolBar

    window.tree.select_path("local/echo/Json")
    toolbar = window.tree.findChild(QToolBar)
    button = toolbar.widgetForAction(window.tree.act_import_line)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    snippet = QApplication.clipboard().text()
    assert snippet == 'import relaydesk\necho = relaydesk.connect("local/echo")\n'
    monkeypatch.setenv("RELAYDESK_WORKSPACE", str(gui_workspace.root))
    names: dict[str, Any] = {}
    exec(compile(snippet, "<snippet>", "exec"), names)  # nothing imported beforehand
    with names["echo"] as client:
        assert client.get("/json").json()["name"] == "relaydesk"


def test_copy_as_menu_lists_every_kind(window: Any, qtbot: Any) -> None:
    from relaydesk.core.exporters.snippets import SNIPPET_KINDS

    assert window.copy_as_menu.actions() == []  # filled when first opened
    window.copy_as_menu.aboutToShow.emit()
    window.copy_as_menu.aboutToShow.emit()  # opened again: no second set of entries
    kinds = [a.data() for a in window.copy_as_menu.actions() if a.data()]
    assert kinds == list(SNIPPET_KINDS)
    window.open_request("local/echo/Get echo")
    node = next(a for a in window.copy_as_menu.actions() if a.data() == "node")
    node.trigger()
    assert QApplication.clipboard().text().startswith('const http = require("node:http")')


def test_file_import_previews_before_writing(window: Any, qtbot: Any, tmp_path: Path) -> None:
    source = tmp_path / "legacy.yaml"
    source.write_text(SWAGGER_2)
    before = sorted(p.name for p in window.service.workspace.iter_files())
    dialog = window.open_import(str(source))
    qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=10000)
    assert dialog.kind.currentText() == "openapi"
    lines = [dialog.preview.item(i).text() for i in range(dialog.preview.count())]
    assert "Connection 'Legacy' (https://legacy.example.com/api)" in lines
    assert any("Create user" in line for line in lines)
    assert sorted(p.name for p in window.service.workspace.iter_files()) == before
    dialog.into.setText("apis/legacy")
    with qtbot.waitSignal(dialog.imported, timeout=10000):
        dialog.import_button.click()
    assert window.service.kind_of("apis/legacy/users/Create user") == "request"
    assert window.tree.current_path() == "apis/legacy"


def test_import_worker_leaves_the_windows_workspace_to_the_gui_thread(
        window: Any, qtbot: Any, tmp_path: Path) -> None:
    # The GUI thread reads its workspace while painting (request files are read on
    # first use); a worker changing the same object at the same time could break a walk.
    import threading

    gui_ws = window.service.workspace
    calls_from_workers: list[str] = []

    def watch(frame: Any, event: str, _arg: Any) -> None:
        if (event == "call" and frame.f_locals.get("self") is gui_ws
                and threading.current_thread() is not threading.main_thread()):
            calls_from_workers.append(frame.f_code.co_name)

    source = tmp_path / "legacy.yaml"
    source.write_text(SWAGGER_2)
    threading.setprofile(watch)  # profiles the threads started from now on
    try:
        dialog = window.open_import(str(source))
        qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=10000)
        dialog.into.setText("apis/legacy")
        with qtbot.waitSignal(dialog.imported, timeout=10000):
            dialog.import_button.click()
    finally:
        threading.setprofile(None)  # type: ignore[arg-type]
    assert calls_from_workers == []
    assert gui_ws.kind_of("apis/legacy/users/Create user") == "request"  # reloaded


def test_bad_file_shows_the_problem_and_writes_nothing(window: Any, qtbot: Any,
                                                       tmp_path: Path) -> None:
    source = tmp_path / "broken.json"
    source.write_text('{"info": {"name": "x"}, "item": [1]}')
    before = sorted(str(p) for p in window.service.workspace.iter_files())
    dialog = window.open_import(str(source))
    qtbot.waitUntil(lambda: "broken.json" in dialog.status.text(), timeout=10000)
    assert "not an object" in dialog.status.text()
    assert not dialog.import_button.isEnabled()
    assert sorted(str(p) for p in window.service.workspace.iter_files()) == before
    dialog.reject()


def test_dropping_a_file_on_the_tree_opens_the_preview(window: Any, qtbot: Any,
                                                       tmp_path: Path) -> None:
    source = tmp_path / "collection.json"
    source.write_text((DATA / "postman_v21.json").read_text())
    opened: list[str] = []
    window.tree.fileDropped.connect(opened.append)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(source))])
    viewport = window.tree.view.viewport()
    enter = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(viewport, enter)
    assert enter.isAccepted()  # the tree takes files from outside
    # Qt only delivers a Drop after a real platform drag, so the drop goes straight to
    # the view's drop handler — the same call Qt makes.
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.tree.view.dropEvent(drop)
    assert drop.isAccepted()
    assert opened == [str(source)]
    dialogs = [w for w in QApplication.topLevelWidgets()
               if w.objectName() == "importDialog" and w.isVisible()]
    assert len(dialogs) == 1
    target = dialogs[-1]
    qtbot.waitUntil(lambda: target.import_button.isEnabled(), timeout=10000)
    assert target.kind.currentText() == "postman"
    assert json.loads(source.read_text())["info"]["name"] == "Echo API"
    target.reject()
