"""RequestEditor: edits become the right Request, modified flag, JSON checks, curl paste."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from relaydesk.core.model import (
    AuthSettings,
    Body,
    KeyValue,
    MultipartField,
    Request,
    RequestOptions,
)
from relaydesk.ui.request_editor import RequestEditor


@pytest.fixture
def editor(qtbot: Any) -> RequestEditor:
    widget = RequestEditor()
    qtbot.addWidget(widget)
    widget.resize(800, 500)
    widget.show()
    widget.set_request(Request(path="jira/cloud/Get issue", url="/issue/1",
                               description="keep me"))
    return widget


def test_set_request_round_trips_everything(editor: RequestEditor) -> None:
    req = Request(
        path="jira/cloud/Create", method="POST", url="/rest/{{id}}",
        params=[KeyValue("q", "1"), KeyValue("off", "x", enabled=False)],
        headers=[KeyValue("Accept", "application/json")],
        cookies=[KeyValue("sid", "abc")],
        body=Body(kind="json", text='{"a": 1}'),
        auth=AuthSettings("basic", {"username": "ann"}),
        options=RequestOptions(response_format="json", raise_for_status=True,
                               follow_redirects=False, timeout=5.0, bypass_cache=True),
        description="d",
    )
    editor.set_request(req)
    # The query in one place: the enabled param joins the URL, the disabled one stays.
    assert editor.request() == replace(req, url="/rest/{{id}}?q=1",
                                       params=[KeyValue("off", "x", enabled=False)])
    assert not editor.is_modified()


def test_method_url_and_tables_edit(editor: RequestEditor, qtbot: Any) -> None:
    editor.method_combo.setCurrentText("PATCH")
    editor.url_bar.clear()
    qtbot.keyClicks(editor.url_bar, "/issue/{{key}}")
    model = editor.headers_table.model
    model.add_row()
    model.setData(model.index(0, 1), "X-Trace")
    model.setData(model.index(0, 2), "on")
    params = editor.params_table.model
    params.add_row()
    params.setData(params.index(0, 1), "expand")
    params.setData(params.index(0, 2), "names")
    params.setData(params.index(0, 0), Qt.CheckState.Unchecked.value,
                   Qt.ItemDataRole.CheckStateRole)
    req = editor.request()
    assert (req.method, req.url) == ("PATCH", "/issue/{{key}}")
    assert req.headers == [KeyValue("X-Trace", "on")]
    assert req.params == [KeyValue("expand", "names", enabled=False)]
    assert req.path == "jira/cloud/Get issue" and req.description == "keep me"


@pytest.mark.parametrize("kind", ["none", "json", "form", "multipart", "raw", "binary"])
def test_every_body_kind(editor: RequestEditor, kind: str, tmp_path: Any) -> None:
    body = editor.body_editor
    body.set_kind(kind)
    expected = Body(kind=kind)
    if kind == "json":
        body.json_editor.set_text('{"name": "x"}')
        expected = Body(kind="json", text='{"name": "x"}')
    elif kind == "form":
        m = body.form_table.model
        m.add_row()
        m.setData(m.index(0, 1), "user")
        m.setData(m.index(0, 2), "ann")
        expected = Body(kind="form", form=[KeyValue("user", "ann")])
    elif kind == "multipart":
        f = tmp_path / "a.txt"
        f.write_text("hi")
        m = body.multipart_table.model
        m.add_row()
        m.setData(m.index(0, 1), "upload")
        m.setData(m.index(0, 3), str(f))
        m.setData(m.index(0, 4), "text/plain")
        expected = Body(kind="multipart", multipart=[
            MultipartField("upload", file=str(f), content_type="text/plain")])
    elif kind == "raw":
        body.raw_text.setPlainText("<a/>")
        body.raw_type.setCurrentText("application/xml")
        expected = Body(kind="raw", text="<a/>", content_type="application/xml")
    elif kind == "binary":
        body.binary_path.setText("/tmp/blob.bin")
        body.binary_type.setText("application/pdf")
        expected = Body(kind="binary", file="/tmp/blob.bin", content_type="application/pdf")
    assert editor.request().body == expected
    assert editor.is_modified() == (kind != "none")


def test_auth_override_and_settings(editor: RequestEditor) -> None:
    assert editor.request().auth is None  # inherit
    auth = editor.auth_editor
    auth.kind_combo.setCurrentIndex(auth.kind_combo.findData("apikey"))
    auth.field("name").setText("X-Api-Key")
    auth.field("in").setCurrentText("query")
    settings = editor.settings_panel
    settings.timeout_override.setChecked(True)
    settings.timeout.setValue(7.5)
    settings.follow_redirects.setChecked(False)
    settings.response_format.setCurrentText("bytes")
    settings.raise_for_status.setChecked(True)
    settings.bypass_cache.setChecked(True)
    req = editor.request()
    assert req.auth == AuthSettings("apikey", {"name": "X-Api-Key", "in": "query"})
    assert req.options == RequestOptions(response_format="bytes", raise_for_status=True,
                                         follow_redirects=False, timeout=7.5,
                                         bypass_cache=True)
    auth.kind_combo.setCurrentIndex(auth.kind_combo.findData("inherit"))
    assert editor.request().auth is None


def test_modified_flag_and_mark_saved(editor: RequestEditor, qtbot: Any) -> None:
    seen: list[bool] = []
    editor.modifiedChanged.connect(seen.append)
    with qtbot.waitSignal(editor.modifiedChanged):
        editor.url_bar.setText("/issue/2")
    assert editor.is_modified() and seen == [True]
    editor.url_bar.setText("/issue/1")  # back to the saved state
    assert not editor.is_modified() and seen == [True, False]
    editor.url_bar.setText("/issue/3")
    editor.mark_saved()
    assert not editor.is_modified() and seen[-1] is False
    editor.url_bar.setText("/issue/4")
    assert editor.is_modified()


def test_json_validation_shows_line_and_column(editor: RequestEditor, qtbot: Any) -> None:
    json_editor = editor.body_editor.json_editor
    editor.tabs.setCurrentWidget(editor.body_editor)
    editor.body_editor.set_kind("json")
    json_editor.editor.setPlainText('{\n  "a": 1,\n  "b": ]\n}')
    qtbot.waitUntil(lambda: json_editor.error_text() != "", timeout=2000)
    assert json_editor.error_text().startswith("Line 3, column 8")
    assert json_editor.error_label.isVisible()
    assert not json_editor.pretty_print()
    json_editor.editor.setPlainText('{"id": {{id}}, "n": "{{name}}"}')  # variables are fine
    qtbot.waitUntil(lambda: json_editor.error_text() == "", timeout=2000)


def test_pretty_print_keeps_variables(editor: RequestEditor) -> None:
    json_editor = editor.body_editor.json_editor
    json_editor.set_text('{"id":{{id}},"tags":["a"],"s":"{{x}}"}')
    assert json_editor.pretty_print()
    assert json_editor.text() == (
        '{\n  "id": {{id}},\n  "tags": [\n    "a"\n  ],\n  "s": "{{x}}"\n}')


def test_curl_paste_emits_signal_and_inserts_nothing(editor: RequestEditor,
                                                      qtbot: Any) -> None:
    editor.url_bar.setText("/before")
    editor.url_bar.setFocus()
    command = "curl -X POST https://example.test/api -H 'Accept: application/json'"
    QGuiApplication.clipboard().setText(command)
    with qtbot.waitSignal(editor.curlPasted) as blocker:
        qtbot.keyClick(editor.url_bar, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert blocker.args == [command]
    assert editor.url_bar.text() == "/before"
    QGuiApplication.clipboard().setText("/plain/path")
    qtbot.keyClick(editor.url_bar, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert editor.url_bar.text() == "/before/plain/path"


def test_unknown_variables_are_marked(editor: RequestEditor) -> None:
    editor.set_variables({"base", "id"})
    editor.url_bar.setText("{{base}}/x/{{id}}/{{nope}}?t={{$timestamp}}")
    spans = editor.url_bar.variable_spans()
    assert [(name, known) for _s, _e, name, known in spans] == [
        ("base", True), ("id", True), ("nope", False), ("$timestamp", True)]
    assert editor.url_bar.unknown_variables() == ["nope"]
    assert "nope" in editor.url_bar.toolTip()
    editor.set_variables({"base", "id", "nope"})
    assert editor.url_bar.unknown_variables() == []


def test_send_and_cancel(editor: RequestEditor, qtbot: Any) -> None:
    with qtbot.waitSignal(editor.sendRequested):
        editor.send_button.click()
    editor.set_busy(True)
    assert editor.send_button.text() == "Cancel"
    with qtbot.waitSignal(editor.cancelRequested):
        editor.send_button.click()
    editor.set_busy(False)
    assert editor.send_button.text() == "Send"
