"""Params tab ⇄ URL bar sync: unedited requests round-trip byte for byte, edits re-encode
only what was edited, and the request that is finally sent is the one shown."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtCore import Qt

from relaydesk.core.model import Connection, KeyValue, Request
from relaydesk.core.prepare import prepare
from relaydesk.core.query_text import fold_params
from relaydesk.ui.request_editor import RequestEditor

CONNECTION = Connection(path="local/echo", base_url="http://127.0.0.1:8080")


@pytest.fixture
def editor(qtbot: Any) -> RequestEditor:
    widget = RequestEditor()
    qtbot.addWidget(widget)
    widget.resize(800, 500)
    widget.show()
    widget.set_request(Request(path="local/echo/Items", url="/echo/items"))
    return widget


def rows(editor: RequestEditor) -> list[tuple[str, str, bool]]:
    return [(kv.name, kv.value, kv.enabled) for kv in editor.params_table.items()]


def set_cell(editor: RequestEditor, row: int, column: int, value: Any) -> None:
    model = editor.params_table.model
    if column == 0:
        state = Qt.CheckState.Checked if value else Qt.CheckState.Unchecked
        assert model.setData(model.index(row, 0), state.value, Qt.ItemDataRole.CheckStateRole)
    else:
        assert model.setData(model.index(row, column), value)


def sent_url(editor: RequestEditor) -> str:
    return prepare(editor.request(), CONNECTION, None, {}).url


TRICKY_URLS = [
    "/echo/items?notify=true",
    "/search?q=a+b&sep=%2C&sep=%2c",
    "/x?debug",
    "/x?k=1&k=2&k=1",
    "/x?token={{token}}&{{name}}={{ value }}",
    "{{base}}/x?raw=%7e~&sp=%20+&amp=%26",
    "https://api.example.test/v2/items?a=1&b=two#frag?not=query",
    "/x?a=1&&b=2&",
    "/x?",
    "/x?=orphan&==",
    "/x?bad=%FF%zz&utf=%C3%A9",
    "/x?path=/a/b?c=d&semi=a;b",
    " /padded?a=1 ",
    "/plain/path",
    "",
]


@pytest.mark.parametrize("url", TRICKY_URLS)
@pytest.mark.parametrize("params", [
    [],
    [KeyValue("extra", "1 2"), KeyValue("off", "x", enabled=False), KeyValue("", "")],
])
def test_unedited_request_round_trips_exactly(editor: RequestEditor, url: str,
                                              params: list[KeyValue]) -> None:
    req = Request(path="local/echo/Tricky", method="POST", url=url, params=params,
                  description="keep")
    editor.set_request(req)
    # The query in one place: enabled params join the URL, the others stay params.
    folded, rest = fold_params(url, params)
    assert editor.url_bar.text() == folded
    assert editor.request() == replace(req, url=folded, params=rest)
    assert not editor.is_modified()
    if not params:
        assert folded == url  # a URL alone is kept byte for byte
    # What goes on the wire is the same either way.
    assert prepare(editor.request(), CONNECTION, None, {}).url == \
        prepare(req, CONNECTION, None, {}).url
    # The remaining params rows come after the URL's items, untouched.
    items = editor.params_table.items()
    assert items[len(items) - len(rest):] == rest


def test_url_items_show_decoded(editor: RequestEditor) -> None:
    editor.set_request(Request(
        path="p", url="/x?q=a+b&sep=%2C&debug&t={{token}}&e=%C3%A9&k=1&k=2#f"))
    assert rows(editor) == [("q", "a+b", True), ("sep", ",", True), ("debug", "", True),
                            ("t", "{{token}}", True), ("e", "é", True), ("k", "1", True),
                            ("k", "2", True)]
    assert editor.tabs.tabText(0) == "Params (7)"


def test_typing_a_query_fills_the_table(editor: RequestEditor, qtbot: Any) -> None:
    editor.url_bar.setFocus()
    editor.url_bar.end(False)
    qtbot.keyClicks(editor.url_bar, "?a=1&b=x%20y")
    assert editor.url_bar.text() == "/echo/items?a=1&b=x%20y"
    assert rows(editor) == [("a", "1", True), ("b", "x y", True)]
    assert editor.is_modified()
    set_cell(editor, 1, 2, "z w")
    assert editor.url_bar.text() == "/echo/items?a=1&b=z%20w"
    assert rows(editor) == [("a", "1", True), ("b", "z w", True)]
    assert sent_url(editor) == "http://127.0.0.1:8080/echo/items?a=1&b=z%20w"


def test_editing_one_item_keeps_the_others_byte_for_byte(editor: RequestEditor) -> None:
    editor.set_request(Request(path="p", url="/x?a=%7e+1&b=old&c=%2c#top"))
    set_cell(editor, 1, 2, "new & more+")
    assert editor.url_bar.text() == "/x?a=%7e+1&b=new%20%26%20more%2B&c=%2c#top"
    set_cell(editor, 1, 1, "b b")
    assert editor.url_bar.text() == "/x?a=%7e+1&b%20b=new%20%26%20more%2B&c=%2c#top"
    # Edited back to what it was: the original raw text returns and nothing is modified.
    set_cell(editor, 1, 1, "b")
    set_cell(editor, 1, 2, "old")
    assert editor.url_bar.text() == "/x?a=%7e+1&b=old&c=%2c#top"
    assert not editor.is_modified()


def test_bare_flag_stays_bare_and_templates_stay_raw(editor: RequestEditor) -> None:
    editor.set_request(Request(path="p", url="/x?debug&t={{token}}"))
    set_cell(editor, 0, 1, "verbose")
    assert editor.url_bar.text() == "/x?verbose&t={{token}}"
    set_cell(editor, 1, 2, "{{ token }}-{{$timestamp}} x")
    assert editor.url_bar.text() == "/x?verbose&t={{ token }}-{{$timestamp}}%20x"
    editor.set_variables({"token"})
    spans = editor.url_bar.variable_spans()
    assert [(name, known) for _s, _e, name, known in spans] == [
        ("token", True), ("$timestamp", True)]


def test_adding_a_row_appends_to_the_url(editor: RequestEditor) -> None:
    editor.set_request(Request(path="p", url="/echo/items?notify=true"))
    model = editor.params_table.model
    model.add_row()
    assert editor.url_bar.text() == "/echo/items?notify=true"  # nameless: not yet in it
    set_cell(editor, 1, 1, "page")
    assert editor.url_bar.text() == "/echo/items?notify=true&page="
    set_cell(editor, 1, 2, "{{n}}/2")
    assert editor.url_bar.text() == "/echo/items?notify=true&page={{n}}/2"
    req = editor.request()
    assert req.url == "/echo/items?notify=true&page={{n}}/2" and req.params == []
    # Also onto a URL with no query yet.
    editor.set_request(Request(path="p", url="/echo"))
    editor.params_table.add_row()
    set_cell(editor, 0, 1, "q")
    set_cell(editor, 0, 2, "a b")
    assert editor.url_bar.text() == "/echo?q=a%20b"


def test_disabling_a_row_removes_it_from_the_url(editor: RequestEditor) -> None:
    original = Request(path="p", url="/echo/items?a=1&secret=s%2Bx&b=2")
    editor.set_request(original)
    set_cell(editor, 1, 0, False)
    assert editor.url_bar.text() == "/echo/items?a=1&b=2"
    assert rows(editor) == [("a", "1", True), ("secret", "s+x", False), ("b", "2", True)]
    saved = editor.request()
    assert saved.url == "/echo/items?a=1&b=2"
    assert saved.params == [KeyValue("secret", "s+x", enabled=False)]
    assert prepare(saved, CONNECTION, None, {}).url == \
        "http://127.0.0.1:8080/echo/items?a=1&b=2"
    assert editor.is_modified()
    set_cell(editor, 1, 0, True)  # back in its place, raw text as before
    assert editor.request() == original
    assert not editor.is_modified()
    # Disabling every row drops the '?' too; the disabled rows survive in params.
    for row in range(3):
        set_cell(editor, row, 0, False)
    assert editor.url_bar.text() == "/echo/items"
    assert [kv.enabled for kv in editor.request().params] == [False, False, False]
    # Reloading the saved request shows them as separate disabled params.
    editor.set_request(saved)
    assert rows(editor) == [("a", "1", True), ("b", "2", True), ("secret", "s+x", False)]
    assert editor.request() == saved


def test_removing_a_row_removes_it_from_the_url(editor: RequestEditor) -> None:
    editor.set_request(Request(path="p", url="/x?a=1&b=2&c=3"))
    editor.params_table.model.remove_rows([1])
    assert editor.url_bar.text() == "/x?a=1&c=3"
    assert editor.request().params == []


def test_separate_params_join_the_url_and_disabled_ones_stay_separate(
        editor: RequestEditor) -> None:
    editor.set_request(Request(path="p", url="/echo/items?a=1",
                               params=[KeyValue("b", "x y"), KeyValue("c", "3", False)]))
    assert editor.url_bar.text() == "/echo/items?a=1&b=x%20y"
    assert rows(editor) == [("a", "1", True), ("b", "x y", True), ("c", "3", False)]
    editor.url_bar.setText("/echo/items?a=1&b=x%20y&z=9")
    assert rows(editor) == [("a", "1", True), ("b", "x y", True), ("z", "9", True),
                            ("c", "3", False)]
    set_cell(editor, 1, 2, "w")
    assert editor.url_bar.text() == "/echo/items?a=1&b=w&z=9"
    req = editor.request()
    assert req.url == "/echo/items?a=1&b=w&z=9"
    assert req.params == [KeyValue("c", "3", False)]
    assert sent_url(editor) == "http://127.0.0.1:8080/echo/items?a=1&b=w&z=9"
    model = editor.params_table.model
    assert "URL" in model.data(model.index(0, 1), Qt.ItemDataRole.ToolTipRole)
    assert "separate" in model.data(model.index(3, 1), Qt.ItemDataRole.ToolTipRole)


def test_url_edit_keeps_disabled_url_rows(editor: RequestEditor) -> None:
    editor.set_request(Request(path="p", url="/x?a=1&b=2"))
    set_cell(editor, 0, 0, False)
    editor.url_bar.setText("/y?b=2&c=3")
    assert rows(editor) == [("b", "2", True), ("c", "3", True), ("a", "1", False)]
    set_cell(editor, 2, 0, True)
    assert editor.url_bar.text() == "/y?b=2&c=3&a=1"


def test_modified_flag_follows_edits(editor: RequestEditor, qtbot: Any) -> None:
    editor.set_request(Request(path="p", url="/x?a=1+1&b=%2C"))
    seen: list[bool] = []
    editor.modifiedChanged.connect(seen.append)
    assert not editor.is_modified()
    set_cell(editor, 0, 2, "2")
    assert editor.is_modified() and seen == [True]
    assert editor.url_bar.text() == "/x?a=2&b=%2C"
    set_cell(editor, 0, 2, "1+1")
    assert not editor.is_modified() and seen == [True, False]
    assert editor.url_bar.text() == "/x?a=1+1&b=%2C"
    editor.url_bar.setText("/x?a=1+1&b=%2C&c")
    assert editor.is_modified() and rows(editor)[-1] == ("c", "", True)
    editor.url_bar.setText("/x?a=1+1&b=%2C")
    assert not editor.is_modified() and seen == [True, False, True, False]


def test_no_feedback_loops(editor: RequestEditor, qtbot: Any) -> None:
    editor.set_request(Request(path="p", url="/x?a=1"))
    resets: list[int] = []
    urls: list[str] = []
    editor.params_table.model.modelReset.connect(lambda: resets.append(1))
    editor.url_bar.textChanged.connect(urls.append)
    set_cell(editor, 0, 2, "2")  # table → bar once, and the table is not rebuilt
    assert urls == ["/x?a=2"] and resets == []
    editor.url_bar.setFocus()
    editor.url_bar.setCursorPosition(2)
    qtbot.keyClicks(editor.url_bar, "yz")  # typing in the path leaves the rows alone
    assert editor.url_bar.text() == "/xyz?a=2" and resets == []
    assert rows(editor) == [("a", "2", True)]
