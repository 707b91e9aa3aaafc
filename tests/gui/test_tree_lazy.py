"""The tree lists a folder's rows when the user opens it; the filter finds what was
never opened, and clearing it gives back the tree as the user had it."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt

from relaydesk.core.model import Connection, Request


@pytest.fixture
def big(window: Any) -> Any:
    """``big/api`` with folders ``f1`` (R1, R2) and ``f2`` (Other), made after the
    window opened: the tree shows them closed."""
    ws = window.service.workspace
    ws.save_connection(Connection(path="big/api", base_url="http://127.0.0.1:9"),
                       create=True)
    for path in ("big/api/f1/R1", "big/api/f1/R2", "big/api/f2/Other"):
        ws.save_request(Request(path=path, url="/x"), create=True)
    window.tree.reload()
    window.tree.expand_path("big/api")
    return window.tree


def _visible(tree: Any) -> dict[str, QModelIndex]:
    """What the user sees: every row under expanded rows, by path (once the view has
    laid out its rows, as it does before painting: an opened folder lists its rows
    then, through the model's fetchMore)."""
    view, model = tree.view, tree.view.model()
    view.executeDelayedItemsLayout()
    shown: dict[str, QModelIndex] = {}
    stack = [QModelIndex()]
    while stack:
        parent = stack.pop()
        for row in range(model.rowCount(parent)):
            index = model.index(row, 0, parent)
            shown[tree._node_at(index).path] = index
            if view.isExpanded(index):
                stack.append(index)
    return shown


def _listed(monkeypatch: Any, tree: Any) -> list[str]:
    """The containers whose rows the tree asks the workspace for, from now on."""
    calls: list[str] = []
    workspace = tree.model.workspace
    real = workspace.listing

    def listing(path: str) -> Any:
        calls.append(path)
        return real(path)

    monkeypatch.setattr(workspace, "listing", listing)
    return calls


def test_a_folder_is_listed_when_the_user_opens_it(big: Any, qtbot: Any,
                                                    monkeypatch: Any) -> None:
    tree = big
    tree.reload()
    listed = _listed(monkeypatch, tree)
    tree.expand_path("big/api")
    shown = _visible(tree)
    assert "big/api/f1" in shown and "big/api/f1/R1" not in shown
    # A closed folder draws its arrow without its rows being made.
    assert tree.view.model().hasChildren(shown["big/api/f1"])
    assert "big/api/f1" not in listed
    tree.select_path("big/api/f1")
    tree.view.setFocus()
    qtbot.keyClick(tree.view, Qt.Key.Key_Right)  # opens the selected folder
    assert tree.view.isExpanded(shown["big/api/f1"])
    assert listed.count("big/api/f1") == 1
    shown = _visible(tree)
    assert {"big/api/f1/R1", "big/api/f1/R2"} <= shown.keys()
    assert "big/api/f2/Other" not in shown and "big/api/f2" not in listed


def test_the_filter_finds_a_request_in_a_folder_never_opened(big: Any, qtbot: Any) -> None:
    tree = big
    assert "big/api/f1/R2" not in _visible(tree)
    qtbot.keyClicks(tree.filter, "r2")
    shown = _visible(tree)
    assert "big/api/f1/R2" in shown  # its folder opened to show it
    assert "big/api/f1/R1" not in shown and "big/api/f2" not in shown
    assert "local/echo" not in shown  # nothing in it matches
    tree.view.setCurrentIndex(shown["big/api/f1/R2"])
    assert tree.current_path() == "big/api/f1/R2"


def test_the_filter_makes_no_tree_items_for_what_it_finds(big: Any, qtbot: Any) -> None:
    # The filter lists rows from the workspace's index; the tree's own items (Qt
    # objects, kept until the filter is cleared) are made only for rows the tree
    # itself shows.
    tree = big
    qtbot.keyClicks(tree.filter, "r1")
    assert "big/api/f1/R1" in _visible(tree)
    model = tree.model
    assert model.canFetchMore(model.index_for_path("big/api/f1"))  # still a placeholder
    tree.filter.clear()
    tree.expand_path("big/api/f1")
    assert {"big/api/f1/R1", "big/api/f1/R2"} <= _visible(tree).keys()
    assert not model.canFetchMore(model.index_for_path("big/api/f1"))


def test_clearing_the_filter_selects_again_the_row_it_hid(big: Any, qtbot: Any) -> None:
    tree = big
    tree.select_path("big/api/f2/Other")
    qtbot.keyClicks(tree.filter, "r1")
    assert "big/api/f2/Other" not in _visible(tree) and tree.current_path() == ""
    tree.filter.clear()
    assert tree.current_path() == "big/api/f2/Other"
    # A row chosen while filtering stays chosen.
    qtbot.keyClicks(tree.filter, "r1")
    tree.select_path("big/api/f1/R1")
    tree.filter.clear()
    assert tree.current_path() == "big/api/f1/R1"


def test_clearing_the_filter_gives_back_the_expansion_the_user_had(big: Any,
                                                                  qtbot: Any) -> None:
    tree = big
    tree.expand_path("big/api/f2")
    tree.view.collapse(tree.model.index_for_path("local/echo"))
    before = {path for path, index in _visible(tree).items() if tree.view.isExpanded(index)}
    assert "big/api/f2" in before and "local/echo" not in before
    qtbot.keyClicks(tree.filter, "R")
    assert tree.view.model() is tree.proxy
    assert "big/api/f1/R1" in _visible(tree)
    tree.filter.clear()
    assert tree.view.model() is tree.model
    after = {path for path, index in _visible(tree).items() if tree.view.isExpanded(index)}
    assert after == before
    assert tree.proxy.rowCount() == 0  # the filter's rows are gone


def test_narrowing_a_fully_expanded_filter(big: Any, qtbot: Any) -> None:
    tree = big
    qtbot.keyClicks(tree.filter, "r")
    tree.view.expandAll()
    assert {"big/api/f1/R1", "big/api/f1/R2", "big/api/f2/Other"} <= _visible(tree).keys()
    qtbot.keyClicks(tree.filter, "1")
    shown = _visible(tree)
    assert "big/api/f1/R1" in shown
    assert not {"big/api/f1/R2", "big/api/f2/Other", "big/api/f2"} & shown.keys()
    qtbot.keyClick(tree.filter, Qt.Key.Key_Backspace)  # widening again
    assert {"big/api/f1/R2", "big/api/f2/Other"} <= _visible(tree).keys()


def test_a_change_while_filtering_shows_in_the_filtered_tree(big: Any, qtbot: Any) -> None:
    tree = big
    qtbot.keyClicks(tree.filter, "r1")
    tree.select_path("big/api/f1/R1")
    assert tree.rename("big/api/f1/R1", "R10") == "big/api/f1/R10"
    shown = _visible(tree)
    assert "big/api/f1/R10" in shown and "big/api/f1/R1" not in shown
    assert tree.current_path() == "big/api/f1/R10"


def test_a_matching_folder_shows_all_it_holds(big: Any, qtbot: Any) -> None:
    tree = big
    qtbot.keyClicks(tree.filter, "f2")
    shown = _visible(tree)
    assert "big/api/f2" in shown and "big/api/f1" not in shown
    tree.view.expand(shown["big/api/f2"])
    assert "big/api/f2/Other" in _visible(tree)


def test_quick_open_narrows_and_widens_as_typed(window: Any, qtbot: Any) -> None:
    from relaydesk.ui.quick_open import FuzzyMatcher

    ws = window.service.workspace
    for name in ("Get issue", "Get issues", "List users", "Delete issue"):
        ws.save_request(Request(path=f"local/echo/jira/{name}", url="/x"), create=True)
    items = window.service.request_paths()
    dialog = window.quick_open()

    def shown() -> list[str]:
        return [dialog.results.item(r).text() for r in range(dialog.results.count())]

    for letter in "issue":
        qtbot.keyClick(dialog.query, letter)
        text = dialog.query.text()
        assert shown() == FuzzyMatcher(items).filter(text)  # the same as from scratch
    assert dialog.query.text() == "issue"
    assert shown()[0] == "local/echo/jira/Get issue"  # the text found in a name first
    assert "local/echo/jira/List users" not in shown()
    for _ in range(3):
        qtbot.keyClick(dialog.query, Qt.Key.Key_Backspace)
    assert dialog.query.text() == "is"
    assert shown() == FuzzyMatcher(items).filter("is")
    assert "local/echo/jira/List users" in shown()
    dialog.reject()


# -- a workspace opened as the app opens it: folders listed when opened, or in steps --


@pytest.fixture
def lazy_window(tmp_path: Any, memory_keyring: Any, qloop: Any, run: Any,
                qtbot: Any) -> Any:
    """The window over a workspace written to disk beforehand and opened lazily, as
    app.py opens it: no folder below a connection is listed yet."""
    from relaydesk.core.cache import ResponseCache
    from relaydesk.core.session import Session
    from relaydesk.core.workspace import Workspace
    from relaydesk.ui.main_window import MainWindow
    from relaydesk.ui.service import Service
    from relaydesk.ui.settings import make_settings

    writer = Workspace.open(tmp_path / "ws")
    writer.save_connection(Connection(path="big/api", base_url="http://127.0.0.1:9"),
                           create=True)
    for path in ("big/api/f1/R1", "big/api/f1/R2", "big/api/f2/deep/Other",
                 "big/api/Top"):
        writer.save_request(Request(path=path, url="/x"), create=True)
    writer.create_folder("big/api/empty")
    ws = Workspace.open(writer.root, lazy=True)
    service = Service(Session(ws, keyring=memory_keyring, cache=ResponseCache(),
                              history_source="app"))
    win = MainWindow(service, settings=make_settings(tmp_path / "settings.ini"))
    win.show()
    qtbot.waitExposed(win)
    win.finish_start()
    yield win
    win.close()
    win.deleteLater()
    run(service.aclose())
    qtbot.wait(10)


def _listing_done(window: Any, qtbot: Any) -> None:
    """Let the stepped reading (started as app.py starts it) run to its end."""
    ws = window.service.workspace
    window.read_workspace(step=10)
    qtbot.waitUntil(lambda: not ws.pending_requests() and not ws.read_pending_folders(0))
    qtbot.wait(20)


def test_the_first_frame_lists_no_folder_and_opening_one_shows_its_requests(
        lazy_window: Any, qtbot: Any) -> None:
    tree, ws = lazy_window.tree, lazy_window.service.workspace
    shown = _visible(tree)
    assert {"big/api/f1", "big/api/f2", "big/api/Top"} <= shown.keys()
    assert not ws.is_listed("big/api/f1") and not ws.is_listed("big/api/f2")
    assert tree.view.model().hasChildren(shown["big/api/f1"])  # its arrow, unlisted
    tree.select_path("big/api/f1")
    tree.view.setFocus()
    qtbot.keyClick(tree.view, Qt.Key.Key_Right)  # the user opens it
    shown = _visible(tree)
    assert {"big/api/f1/R1", "big/api/f1/R2"} <= shown.keys()
    assert ws.is_listed("big/api/f1") and not ws.is_listed("big/api/f2")
    tree.view.setCurrentIndex(shown["big/api/f1/R2"])
    qtbot.keyClick(tree.view, Qt.Key.Key_Return)
    tab = lazy_window.current_tab()
    assert tab is not None and tab.path == "big/api/f1/R2"


def test_an_empty_folder_loses_its_arrow_once_all_is_listed(lazy_window: Any,
                                                             qtbot: Any) -> None:
    tree = lazy_window.tree
    assert tree.view.model().hasChildren(_visible(tree)["big/api/empty"])  # not known
    _listing_done(lazy_window, qtbot)
    assert not tree.view.model().hasChildren(_visible(tree)["big/api/empty"])
    assert tree.view.model().hasChildren(_visible(tree)["big/api/f2"])


def test_opening_an_empty_folder_before_it_was_listed_drops_its_arrow(
        lazy_window: Any, qtbot: Any) -> None:
    tree, ws = lazy_window.tree, lazy_window.service.workspace
    assert not ws.is_listed("big/api/empty")
    tree.select_path("big/api/empty")
    tree.view.setFocus()
    qtbot.keyClick(tree.view, Qt.Key.Key_Right)  # opened while still unknown
    index = tree.model.index_for_path("big/api/empty")
    # It lists nothing, and its arrow (its placeholder row) goes a moment later.
    qtbot.waitUntil(lambda: not tree.model.hasChildren(index), timeout=2000)
    assert ws.is_listed("big/api/empty")
    assert not any(p.startswith("big/api/empty/") for p in _visible(tree))
    assert tree.current_path() == "big/api/empty"


def test_the_filter_and_ctrl_p_find_a_request_in_a_folder_never_listed(
        lazy_window: Any, qtbot: Any) -> None:
    tree, ws = lazy_window.tree, lazy_window.service.workspace
    assert not ws.is_listed("big/api/f2/deep")
    qtbot.keyClicks(tree.filter, "other")
    assert "big/api/f2/deep/Other" in _visible(tree)
    tree.filter.clear()
    assert "big/api/f2/deep/Other" not in _visible(tree)
    dialog = lazy_window.quick_open()
    qtbot.keyClicks(dialog.query, "othr")
    assert dialog.results.currentItem().text() == "big/api/f2/deep/Other"
    qtbot.keyClick(dialog.query, Qt.Key.Key_Return)
    tab = lazy_window.current_tab()
    assert tab is not None and tab.path == "big/api/f2/deep/Other"


@pytest.mark.parametrize("when", ["before", "after"])
def test_rename_move_and_delete_before_and_after_the_background_listing(
        lazy_window: Any, qtbot: Any, when: str) -> None:
    tree, ws = lazy_window.tree, lazy_window.service.workspace
    files = ws.root / "connections/big/api"
    if when == "after":
        _listing_done(lazy_window, qtbot)
    # Renaming a request in a folder the tree never opened.
    assert tree.rename("big/api/f2/deep/Other", "Renamed") == "big/api/f2/deep/Renamed"
    assert (files / "f2/deep/Renamed.request.json").is_file()
    assert "big/api/f2/deep/Renamed" in _visible(tree)  # shown, selected
    # Moving a closed folder into another by drag and drop.
    model = tree.model
    mime = model.mimeData([model.index_for_path("big/api/f1")])
    target = model.index_for_path("big/api/f2/deep")
    assert model.dropMimeData(mime, Qt.DropAction.MoveAction, -1, 0, target)
    assert (files / "f2/deep/f1/R1.request.json").is_file() and not (files / "f1").exists()
    tree.expand_path("big/api/f2/deep/f1")
    assert {"big/api/f2/deep/f1/R1", "big/api/f2/deep/f1/R2"} <= _visible(tree).keys()
    # Deleting a folder: gone from the disk and the tree.
    assert tree.delete("big/api/f2")
    assert not (files / "f2").exists()
    assert not any(p.startswith("big/api/f2") for p in _visible(tree))
    _listing_done(lazy_window, qtbot)
    assert ws.request_paths() == ["big/api/Top"]
    assert ws.problems == []


def test_a_request_added_on_disk_appears_in_a_folder_never_listed(
        lazy_window: Any, qtbot: Any) -> None:
    from relaydesk.core import codec

    tree, ws = lazy_window.tree, lazy_window.service.workspace
    _listing_done(lazy_window, qtbot)
    added = ws.root / "connections/big/api/f2/deep/Added.request.json"
    added.write_text(codec.dumps(codec.request_to_doc(Request("x", "PUT", "/added"))))
    lazy_window.workflow.on_disk_changed()  # what the watcher calls
    assert not ws.is_listed("big/api/f2/deep")
    tree.expand_path("big/api/f2/deep")
    assert "big/api/f2/deep/Added" in _visible(tree)
    qtbot.keyClicks(tree.filter, "added")
    assert "big/api/f2/deep/Added" in _visible(tree)


def test_star_opens_every_folder_below_and_narrowing_keeps_the_selection(
        big: Any, qtbot: Any) -> None:
    tree = big
    qtbot.keyClicks(tree.filter, "r")
    tree.select_path("big/api")
    tree.view.setFocus()
    qtbot.keyClick(tree.view, Qt.Key.Key_Asterisk)  # open everything below
    shown = _visible(tree)
    assert {"big/api/f1/R1", "big/api/f1/R2", "big/api/f2/Other"} <= shown.keys()
    assert tree.view.isExpanded(shown["big/api/f1"])
    # Folders are recorded as open, not the requests inside them.
    assert not tree.view.isExpanded(shown["big/api/f1/R1"])
    tree.select_path("big/api/f1/R1")
    qtbot.keyClicks(tree.filter, "1")
    shown = _visible(tree)
    assert "big/api/f1/R1" in shown
    assert not {"big/api/f1/R2", "big/api/f2/Other"} & shown.keys()
    assert tree.current_path() == "big/api/f1/R1"
    tree.filter.clear()
    assert tree.current_path() == "big/api/f1/R1"
    assert "big/api/f1/R1" in _visible(tree)


def test_clearing_the_filter_keeps_the_rows_the_tree_had(big: Any, qtbot: Any,
                                                         monkeypatch: Any) -> None:
    tree = big
    tree.expand_path("big/api/f1")
    calls = _listed(monkeypatch, tree)
    qtbot.keyClicks(tree.filter, "other")
    assert "big/api/f2/Other" in _visible(tree)
    assert "big/api/f2" in calls  # listed for the filter
    calls.clear()
    tree.filter.clear()
    shown = _visible(tree)
    assert {"big/api/f1/R1", "big/api/f1/R2", "big/api/f2"} <= shown.keys()
    assert "big/api/f2/Other" not in shown  # f2 is closed again, as before
    assert "big/api/f1" not in calls  # the open folder's rows were kept, not relisted


def test_the_filter_opens_the_first_matches_themselves_on_screen(window: Any, qtbot: Any,
                                                                  gui_workspace: Any) -> None:
    # More connections holding matches than the screen has rows: opening level by level
    # filled the screen with closed connections, and no match showed.
    for i in range(120):
        gui_workspace.save_connection(Connection(path=f"many/c{i:03}",
                                                 base_url="http://127.0.0.1:9"), create=True)
        gui_workspace.save_request(Request(path=f"many/c{i:03}/f/Match {i}", url="/x"),
                                   create=True)
    tree = window.tree
    tree.reload()
    qtbot.keyClicks(tree.filter, "match")
    shown = _visible(tree)
    first = shown.get("many/c000/f/Match 0")
    assert first is not None, "the first match is not open"
    assert tree.view.viewport().rect().contains(tree.view.visualRect(first).center())


def test_each_row_shows_its_own_item_before_and_after_filtering(big: Any, qtbot: Any) -> None:
    # A row's node is made when first asked for, from its place under its parent:
    # what a row shows, its path and the index found for that path must agree, also
    # once the nodes the filter made are dropped again.
    tree = big
    tree.expand_path("big/api/f1")

    def check() -> set[str]:
        shown = _visible(tree)
        for path, index in shown.items():
            assert index.data() == path.rpartition("/")[2], path
            assert tree.model.index_for_path(path) == index, path
        return set(shown)

    before = check()
    assert {"big/api/f1/R1", "big/api/f1/R2", "big/api/f2"} <= before
    qtbot.keyClicks(tree.filter, "r")
    tree.filter.clear()
    assert check() == before
    tree.expand_path("big/api/f2")
    assert "big/api/f2/Other" in check()


def test_clearing_the_filter_drops_the_nodes_it_made_and_rows_still_answer(
        window: Any) -> None:
    # A connection's rows are listed when the tree is built, their nodes only when
    # asked for. The filter asks for them; clearing it drops them again (nothing the
    # filter made stays), and each row answers with its own path afterwards.
    from relaydesk.ui.tree_model import WorkspaceTreeModel

    ws = window.service.workspace
    ws.save_connection(Connection(path="solo", base_url="http://127.0.0.1:9"), create=True)
    for path in ("solo/a/R1", "solo/b/R2"):
        ws.save_request(Request(path=path, url="/x"), create=True)
    model = WorkspaceTreeModel(window.service)
    conn_index = model.index_for_path("solo")
    conn = model.node_of(conn_index)
    assert conn.children is None  # rows listed, no nodes yet
    folder_b = model.index(1, 0, conn_index)
    keep = model.listed()
    made = model.node_of(folder_b)  # as the filter's lookups make them
    assert made.path == "solo/b" and conn.children is not None
    model.unlist(keep)
    assert conn.children is None
    again = model.node_of(model.index(1, 0, model.index_for_path("solo")))
    assert again.path == "solo/b" and again is not made
    assert model.index(0, 0, model.index_for_path("solo")).data() == "a"
