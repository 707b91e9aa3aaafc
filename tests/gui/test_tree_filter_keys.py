"""The tree filter typed key by key shows what a filter made afresh for that text shows,
including after keys that keep the rows (the view is then left as it was, not reset)."""

from __future__ import annotations

import gc
import inspect
import sys
import tracemalloc
from typing import Any

import shiboken6
from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt

from relaydesk.core.model import Connection, Request
from relaydesk.ui import connection_tree, tree_filter
from relaydesk.ui.connection_tree import ConnectionTree
from relaydesk.ui.tree_filter import TreeFilterModel


def _dump(model: QAbstractItemModel, opened: Any) -> list[tuple[tuple[str, ...], bool]]:
    """Each row under the rows ``opened`` says are open: its names from the top and
    whether it has children (its expand arrow)."""
    out: list[tuple[tuple[str, ...], bool]] = []
    stack: list[tuple[QModelIndex, tuple[str, ...]]] = [(QModelIndex(), ())]
    while stack:
        parent, names = stack.pop()
        for row in reversed(range(model.rowCount(parent))):
            index = model.index(row, 0, parent)
            key = (*names, index.data(Qt.ItemDataRole.DisplayRole))
            out.append((key, model.hasChildren(index)))
            if opened(index, key):
                stack.append((index, key))
    return out


def _open_keys(tree: Any) -> set[tuple[str, ...]]:
    """The rows the view has open, by their names from the top."""
    return {key for key, _arrow in _dump(tree.view.model(), lambda index, _key:
                                          tree.view.isExpanded(index))
            if _is_open(tree, key)}


def _is_open(tree: Any, key: tuple[str, ...]) -> bool:
    model, index = tree.view.model(), QModelIndex()
    for name in key:
        index = next(model.index(r, 0, index) for r in range(model.rowCount(index))
                     if model.index(r, 0, index).data(Qt.ItemDataRole.DisplayRole) == name)
    return bool(tree.view.isExpanded(index))


def test_each_key_shows_the_rows_of_a_fresh_filter(window: Any, qtbot: Any) -> None:
    ws = window.service.workspace
    ws.save_connection(Connection(path="crm/api", base_url="http://127.0.0.1:9"),
                       create=True)
    for folder in ("reports", "folder1", "folder2"):
        for name in ("Request 1", "Request 12", "Request 2", "Other"):
            ws.save_request(Request(path=f"crm/api/{folder}/{name}", url="/x"), create=True)
    window.tree.reload()
    tree = window.tree
    resets: list[str] = []
    tree.proxy.modelReset.connect(lambda: resets.append(tree.filter.text()))
    for text in ("r", "re", "req", "requ", "reque", "request", "request ", "request 1",
                 "request 12", "request 1", "request", "rep", "repo", "o", "ot"):
        tree.filter.setText(text)
        qtbot.wait(1)
        shown = _dump(tree.view.model(), lambda index, _key: tree.view.isExpanded(index))
        opened = _open_keys(tree)
        fresh = TreeFilterModel(tree.model)
        fresh.set_filter_text(text)
        assert shown == _dump(fresh, lambda _index, key, o=opened: key in o), text
        assert shown, text
    # Typing on inside the names kept the rows: the view was not reset for those.
    assert "reques" not in resets and "request " not in resets
    assert "request 1" in resets  # the rows changed


def test_the_rows_a_key_drops_are_freed_a_few_at_a_time(window: Any, qtbot: Any,
                                                         monkeypatch: Any) -> None:
    import gc

    from relaydesk.ui import tree_filter

    ws = window.service.workspace
    ws.save_connection(Connection(path="crm/api", base_url="http://127.0.0.1:9"),
                       create=True)
    for folder in ("f1", "f2", "f3"):
        for n in range(12):
            ws.save_request(Request(path=f"crm/api/{folder}/Request {n}", url="/x"),
                            create=True)
    window.tree.reload()
    tree = window.tree
    monkeypatch.setattr(tree_filter, "_FREE_ROWS", 10)

    def live_rows() -> int:
        return sum(isinstance(o, tree_filter._Row) for o in gc.get_objects())

    tree.filter.setText("request")
    tree.view.expandAll()
    qtbot.waitUntil(lambda: not tree.proxy._dropped)
    gc.disable()  # what goes, goes by reference counts (no cycles left to collect)
    try:
        before = live_rows()
        tree.filter.setText("request 1")  # narrows: the rows of "request" are dropped
        dropped = sum(map(len, tree.proxy._dropped))
        assert dropped >= 36
        assert tree.proxy._trash  # the sets "request" matched, kept with its rows
        tree.proxy._free_some()  # a tick: those sets
        assert not tree.proxy._trash and sum(map(len, tree.proxy._dropped)) == dropped
        tree.proxy._free_some()
        assert sum(map(len, tree.proxy._dropped)) == dropped - 10  # one tick's worth
        qtbot.waitUntil(lambda: not tree.proxy._dropped)
        assert live_rows() <= before - dropped + len(tree.proxy._by_serial) + 1
    finally:
        gc.enable()
    shown = _dump(tree.view.model(), lambda index, _key: tree.view.isExpanded(index))
    fresh = TreeFilterModel(tree.model)
    fresh.set_filter_text("request 1")
    opened = _open_keys(tree)
    assert shown == _dump(fresh, lambda _index, key, o=opened: key in o)
    assert any(key[-1] == "Request 11" for key, _arrow in shown)


class _Named:
    value = 1


def test_clearing_the_filter_frees_its_rows_and_lets_go_of_cached_names(
        window: Any, qtbot: Any) -> None:
    """Typed into and cleared, the filter frees its rows after the frame and then gives
    memory back: the names the interpreter's attribute cache held (PySide makes one per
    enum it converts, and they pinned the rows' memory) are let go."""
    tree = _thirty_requests(window)
    qtbot.keyClicks(tree.filter, "request 1")
    assert tree.proxy.rowCount(QModelIndex()) > 0
    name = "".join(["val", "ue"])  # made at run time, as PySide makes its names
    before = sys.getrefcount(name)
    assert getattr(_Named, name) == 1
    assert sys.getrefcount(name) > before  # held by the cache
    tree.filter.clear()
    qtbot.waitUntil(lambda: sys.getrefcount(name) == before)
    assert not tree.proxy._dropped and not tree.proxy._by_serial
    assert tree.view.model() is tree.model


def _thirty_requests(window: Any) -> Any:
    """The window's tree over 30 requests in three folders, ready to filter."""
    ws = window.service.workspace
    ws.save_connection(Connection(path="crm/api", base_url="http://127.0.0.1:9"),
                       create=True)
    for i in range(30):
        ws.save_request(Request(path=f"crm/api/f{i % 3}/Request {i}", url="/x"), create=True)
    window.tree.reload()
    window.tree.prepare_filter()
    return window.tree


def _filter_cycle(tree: Any, qtbot: Any) -> None:
    """Type a filter, open every row it shows, clear it, wait until it is freed."""
    qtbot.keyClicks(tree.filter, "request 1")
    tree.view.expandAll()
    assert tree.view.model() is tree.proxy
    tree.filter.clear()
    assert tree.proxy.rowCount(QModelIndex()) == 0  # (as a view asks at the reset)
    qtbot.waitUntil(lambda: tree._filter_view is None and not tree.proxy._dropped)


def test_nothing_the_filter_makes_outlives_it(window: Any, qtbot: Any) -> None:
    """A Python object the filter makes during its keys or at the clear and still holds
    afterwards (a container made anew, a slot connected again) lands among the
    thousands of rows freed then and keeps their memory (whole 1 MiB arenas) from
    going back. What the filter's code allocated during a cycle is all gone after it,
    but what was open in the tree, taken when the filter began (before its rows)."""
    tree = _thirty_requests(window)
    _filter_cycle(tree, qtbot)  # (what a process makes once: types, caches)
    gc.collect()
    tracemalloc.start(30)
    try:
        _filter_cycle(tree, qtbot)
        gc.collect()
        snapshot = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    def lines_of(function: Any) -> range:
        lines, first = inspect.getsourcelines(function)
        return range(first, first + len(lines))

    def taken_when_it_began(caller: Any, where: Any) -> bool:
        return (where.filename == caller.filename == connection_tree.__file__
                and where.lineno in lines_of(ConnectionTree._remember_expanded)
                and caller.lineno in lines_of(ConnectionTree._filter_changed))

    ours = (tree_filter.__file__, connection_tree.__file__)
    held = []
    for trace in snapshot.traces:
        *_, caller, where = trace.traceback  # where: the line that allocated it
        if where.filename in ours and not taken_when_it_began(caller, where):
            held.append(f"{where.filename.rsplit('/', 1)[-1]}:{where.lineno}")
    assert held == [], sorted(set(held))


def test_the_filter_shows_its_own_view_and_the_tree_keeps_what_is_open(
        window: Any, qtbot: Any) -> None:
    """While filtering, a view of its own shows the filter; the tree's view, hidden,
    keeps what is open in it and is shown again at the clear. The filter's view is
    deleted then (with Qt's record of every row it laid out) and made again by the
    next filter."""
    tree = _thirty_requests(window)
    tree.expand_path("crm/api/f1")
    tree.select_path("crm/api/f1/Request 4")
    tree_view = tree.view
    opened = _open_keys(tree)
    assert ("crm", "api", "f1") in opened
    for _ in range(2):
        qtbot.keyClicks(tree.filter, "request 1")
        filter_view = tree.view
        assert filter_view is not tree_view and filter_view.model() is tree.proxy
        assert tree_view.isHidden() and not filter_view.isHidden()
        tree.view.expandAll()
        tree.filter.clear()
        assert tree.view is tree_view and not tree_view.isHidden()
        assert _open_keys(tree) == opened
        assert tree.current_path() == "crm/api/f1/Request 4"
        qtbot.waitUntil(lambda v=filter_view: not shiboken6.isValid(v))


def test_down_goes_into_the_rows_tab_too_and_escape_empties_the_box(
        window: Any, qtbot: Any) -> None:
    tree = _thirty_requests(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    tree.filter.setFocus()
    qtbot.keyClicks(tree.filter, "request 1")
    qtbot.keyClick(tree.filter, Qt.Key.Key_Down)
    assert tree.view is not tree._tree_view and window.focusWidget() is tree.view
    assert tree.current_path() == "crm"  # the first row shown
    assert not tree.act_rename.isEnabled()  # (a group: the actions follow the row)
    qtbot.keyClick(tree.view, Qt.Key.Key_Down)
    assert tree.current_path() == "crm/api"
    assert tree.act_rename.isEnabled() and tree.act_run.isEnabled()
    tree.filter.setFocus()
    qtbot.keyClick(tree.filter, Qt.Key.Key_Escape)
    assert tree.filter.text() == "" and tree.view is tree._tree_view
    assert tree.current_path() == "crm/api"  # chosen while filtering: kept
    qtbot.keyClicks(tree.filter, "request 2")
    qtbot.keyClick(tree.filter, Qt.Key.Key_Tab)  # (the tree's view, hidden, is skipped)
    assert window.focusWidget() is tree.view and tree.view is not tree._tree_view
    tree.filter.setFocus()
    qtbot.keyClick(tree.filter, Qt.Key.Key_Escape)
    qtbot.keyClick(tree.filter, Qt.Key.Key_Escape)  # empty: left to the window
    assert tree.filter.text() == "" and window.focusWidget() is tree.filter
