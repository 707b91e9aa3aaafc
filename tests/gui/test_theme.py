"""The theme, the empty states and the layout, driven as a user would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QInputDialog, QPlainTextEdit

from relaydesk.core.model import Connection
from relaydesk.ui.theme_tokens import DARK, LIGHT


def _base() -> str:
    return QGuiApplication.palette().color(QPalette.ColorRole.Base).name()


def test_view_theme_switches_the_whole_app_and_is_remembered(window: Any, qtbot: Any) -> None:
    from relaydesk.ui.settings import make_settings
    from relaydesk.ui.theme import SETTING, apply_theme
    from relaydesk.ui.widgets.method_badge import method_colour

    app = QApplication.instance()
    try:
        window.theme_chooser.choices["dark"].trigger()
        assert _base() == DARK.surface
        assert window.theme_chooser.choices["dark"].isChecked()
        assert method_colour("GET") == DARK.methods["GET"]
        # The response's highlighter follows: JSON keys in the dark syntax colour.
        from relaydesk.ui.highlight import theme_for

        assert theme_for(QGuiApplication.palette())["tag"].name() == DARK.syntax["tag"]
        window.theme_chooser.choices["light"].trigger()
        assert _base() == LIGHT.surface
        assert make_settings(window.settings.fileName()).value(SETTING) == "light"
    finally:
        apply_theme(app, "light")


def test_title_names_the_workspace_not_its_path(window: Any) -> None:
    root = window.service.workspace.root
    assert window.windowTitle() == root.name
    assert str(root.parent) not in window.windowTitle()


def test_an_empty_workspace_offers_its_starts(tmp_path: Path, memory_keyring: Any,
                                              qtbot: Any, run: Any) -> None:
    from relaydesk.core.session import Session
    from relaydesk.core.workspace import Workspace
    from relaydesk.ui.main_window import MainWindow
    from relaydesk.ui.service import Service
    from relaydesk.ui.settings import make_settings

    service = Service(Session(Workspace.open(tmp_path / "empty"), keyring=memory_keyring))
    win = MainWindow(service, settings=make_settings(tmp_path / "s.ini"))
    win.show()
    qtbot.waitExposed(win)
    try:
        assert win.right.currentWidget() is win.empty
        assert "Start with a connection" in win.empty.title.text()
        assert "Postman" in win.empty.hint.text() and "HAR" in win.empty.hint.text()
        hint = win.empty.hint  # the whole text shows: not cut to two lines
        assert hint.height() >= hint.heightForWidth(hint.width())
        # "Paste a curl command…": type one in, OK, and a tab holds the request.
        qtbot.mouseClick(win.empty.curl_button, Qt.MouseButton.LeftButton)
        dialog = win.findChild(QInputDialog)
        assert dialog is not None and dialog.isVisible()
        editor = dialog.findChild(QPlainTextEdit)
        editor.setFocus()
        qtbot.keyClicks(editor, "curl -X PUT 'https://api.example.com/items/7?dry=1' "
                                "-H 'Accept: application/json'")
        dialog.accept()
        tab = win.current_tab()
        assert tab is not None
        sent = tab.edited_request()
        assert sent.method == "PUT" and "api.example.com/items/7" in sent.url
        assert win.right.currentWidget() is win.tabs
        # Once the workspace has a connection, the empty state says how to open a request.
        tab.set_modified(False)
        win.close_tab(tab)
        service.workspace.save_connection(Connection(path="demo", base_url="https://x.test"),
                                          create=True)
        win.tree.reload()
        assert win.right.currentWidget() is win.empty
        assert "No request open" in win.empty.title.text()
    finally:
        for tab in win.tab_list():
            tab.set_modified(False)
        win.close()
        run(service.aclose())


def test_the_response_gets_most_of_the_height(window: Any, qtbot: Any) -> None:
    window.resize(1000, 700)
    tab = window.open_request("local/echo/Json")
    qtbot.waitUntil(lambda: tab.splitter.sizes()[1] > 0)
    editor, response = tab.splitter.sizes()
    assert response > editor


def test_docks_beside_a_short_window_leave_the_response_its_height(window: Any,
                                                                   qtbot: Any) -> None:
    window.resize(1000, 700)
    tab = window.open_request("local/echo/Json")
    qtbot.wait(50)
    before = tab.view.height()
    window.docks.history_action.trigger()
    qtbot.waitUntil(lambda: window.docks.history_dock.isVisible())
    qtbot.wait(50)
    assert window.dockWidgetArea(window.docks.history_dock) == Qt.DockWidgetArea.RightDockWidgetArea
    assert tab.view.height() >= before * 0.9
    # Beside the dock, the window still fits 1000 px and the tree keeps its room.
    qtbot.wait(50)
    assert window.width() <= 1000 and window.tree.width() >= 150
    # An empty History says what will appear there.
    panel = window.docks.history_panel()
    assert panel is not None
    assert panel.empty_note.isVisible() and "Every request you send" in panel.empty_note.text()


def test_tab_close_buttons_are_a_quiet_cross_not_a_red_box(window: Any, qtbot: Any) -> None:
    from PySide6.QtWidgets import QTabBar

    tab = window.open_request("local/echo/Json")
    button = window.tabs.tabBar().tabButton(window.tabs.indexOf(tab),
                                            QTabBar.ButtonPosition.RightSide)
    image = button.icon().pixmap(16, 16).toImage()
    colours = [image.pixelColor(x, y) for x in range(16) for y in range(16)]
    opaque = [c for c in colours if c.alpha() > 200]
    assert opaque, "the icon draws something"
    assert all(abs(c.red() - c.green()) < 40 and abs(c.green() - c.blue()) < 40
               for c in opaque), "a grey cross, not a coloured box"
    assert len(opaque) < 16 * 16 * 0.5  # a cross, not a filled square
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.tab_for("local/echo/Json") is None


def _unnamed_controls(root: Any) -> list[str]:
    """Focusable, visible controls a screen reader could not name."""
    from PySide6.QtWidgets import QAbstractButton, QLineEdit, QTabBar, QTabWidget, QWidget

    unnamed = []
    for widget in root.findChildren(QWidget):
        if not widget.isVisible() or widget.focusPolicy() == Qt.FocusPolicy.NoFocus:
            continue
        if widget.accessibleName():
            continue
        if isinstance(widget, QAbstractButton) and (widget.text() or widget.toolTip()):
            continue
        if isinstance(widget, QLineEdit) and widget.placeholderText():
            continue
        if isinstance(widget, QTabBar) and isinstance(widget.parent(), QTabWidget) \
                and widget.parent().accessibleName():
            continue  # its tabs have their texts; the tab widget names the whole
        unnamed.append(f"{type(widget).__name__} {widget.objectName()!r}")
    return unnamed


def test_every_control_has_a_name_for_screen_readers(window: Any, qtbot: Any) -> None:
    assert _unnamed_controls(window) == []
    window.open_request("local/echo/Json")
    qtbot.wait(20)
    assert _unnamed_controls(window) == []


def test_tab_moves_through_the_window_in_reading_order(window: Any, qtbot: Any) -> None:
    tab = window.open_request("local/echo/Json")
    window.tree.filter.setFocus()
    order = []
    for _ in range(6):
        order.append(QApplication.focusWidget())
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    # Filter → tree → the request's method and URL: left to right, top to bottom.
    assert order[0] is window.tree.filter
    assert order[1] is window.tree.view
    later = order[2:]
    assert tab.editor.url_bar in later
    assert later.index(tab.editor.url_bar) > next(
        i for i, w in enumerate(later) if w is tab.editor.method_combo
        or w is tab.editor.method_combo.lineEdit())


def test_a_theme_switch_recolours_what_was_coloured_before(window: Any, qtbot: Any) -> None:
    """The method box (a style sheet) and the runner's verdicts (item colours) take the
    new theme's colours, not only what is drawn afterwards."""
    from relaydesk.ui.theme import apply_theme
    from relaydesk.ui.theme_tokens import DARK, LIGHT

    app = QApplication.instance()
    tab = window.open_request("local/echo/Json")
    window.run_path("local/echo")
    panel = window.docks.runner_panel()
    qtbot.waitUntil(lambda: panel.tree.topLevelItemCount() >= 1, timeout=10000)
    panel.cancel()  # the workspace's "Slow" request would take 10 s
    qtbot.waitUntil(lambda: not panel.running, timeout=10000)
    row = panel.tree.topLevelItem(0)
    assert row.text(3) == "passed"
    assert row.foreground(3).color().name() == LIGHT.success
    try:
        window.theme_chooser.choices["dark"].trigger()
        qtbot.waitUntil(lambda: row.foreground(3).color().name() == DARK.success,
                        timeout=3000)
        assert DARK.method_text["GET"] in tab.editor.method_combo.styleSheet()
    finally:
        apply_theme(app, "light")
