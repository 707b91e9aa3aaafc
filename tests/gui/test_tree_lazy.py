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
    """What the user sees: every row under expanded rows, by path."""
    view, model = tree.view, tree.view.model()
    shown: dict[str, QModelIndex] = {}
    stack = [QModelIndex()]
    while stack:
        parent = stack.pop()
        for row in range(model.rowCount(parent)):
            index = model.index(row, 0, parent)
            shown[tree.model.path_of(tree._to_source(index))] = index
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
