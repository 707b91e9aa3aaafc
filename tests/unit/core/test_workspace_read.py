"""Reading a workspace cheaply gives the same answers: connections made on first use,
``connection_urls`` for a tree, JSON read without json.loads' wrapper, natural order."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from relaydesk.cli._common import Context
from relaydesk.core import codec
from relaydesk.core.errors import FileFormatError, ValidationError
from relaydesk.core.model import AuthSettings, Connection, KeyValue
from relaydesk.core.ordering import natural_key
from relaydesk.core.workspace import Workspace
from relaydesk.core.workspace_scan import FolderMeta, LoadProblem, read_json


def _workspace(root: Path) -> Workspace:
    ws = Workspace.open(root)
    ws.save_connection(Connection("jira/cloud10", "https://ten.example"), create=True)
    ws.save_connection(Connection("jira/cloud9", "https://nine.example"), create=True)
    ws.save_connection(Connection(
        "ops", "https://ops.example", headers=[KeyValue("X-Team", "a")],
        auth=AuthSettings("basic", {"username": "me"}), timeout=5.0), create=True)
    ws.create_folder("jira/cloud9/issues")
    return ws


@pytest.mark.parametrize("lazy", [False, True])
def test_connections_read_back_as_saved(tmp_path: Path, lazy: bool) -> None:
    saved = {c.path: c for c in _workspace(tmp_path / "ws").connections()}
    ws = Workspace.open(tmp_path / "ws", lazy=lazy)
    read = ws.connections()
    assert [c.path for c in read] == ["jira/cloud9", "jira/cloud10", "ops"]
    assert {c.path: c for c in read} == saved
    assert all(c.id for c in read)
    assert ws.connection("ops").auth.kind == "basic"
    assert ws.connection_of("jira/cloud9/issues") is ws.connection("jira/cloud9")
    assert ws.path_of_id(saved["jira/cloud10"].id) == "jira/cloud10"


def test_connection_urls_are_what_connections_say(tmp_path: Path) -> None:
    _workspace(tmp_path / "ws")
    ws = Workspace.open(tmp_path / "ws", lazy=True)
    urls = ws.connection_urls()
    assert urls == [("jira/cloud9", "https://nine.example"),
                    ("jira/cloud10", "https://ten.example"), ("ops", "https://ops.example")]
    assert urls == [(c.path, c.base_url) for c in ws.connections()]
    assert ws.listing("jira/cloud9") == [("folder", "jira/cloud9/issues")]


def test_a_change_is_seen_by_connection_urls(tmp_path: Path) -> None:
    ws = _workspace(tmp_path / "ws")
    ws.connection_urls()
    ws.move("jira/cloud9", "jira/cloud1")
    ws.save_connection(Connection("jira/cloud1", "https://one.example"))
    assert ws.connection_urls()[0] == ("jira/cloud1", "https://one.example")
    ws.delete("ops")
    assert [p for p, _ in ws.connection_urls()] == ["jira/cloud1", "jira/cloud10"]
    again = Workspace.open(ws.root, lazy=True)
    assert again.connection("jira/cloud1").id == ws.connection("jira/cloud1").id


def test_plain_connection_documents_are_checked_as_full_ones() -> None:
    doc = codec.connection_to_doc(Connection("a", "https://a.example", id="x1"), ["f"])
    assert codec.plain_connection_from_doc(doc) == ("https://a.example", "x1")
    assert codec.connection_from_doc("a", doc) == Connection("a", "https://a.example",
                                                             id="x1")
    assert codec.plain_connection_from_doc({**doc, "timeout": 5}) is None
    for bad in ({**doc, "base_url": 3}, {**doc, "id": 3}, {**doc, "kind": "folder"}):
        with pytest.raises(ValidationError):
            codec.plain_connection_from_doc(bad)


@pytest.mark.parametrize("text", ['{"a": [1, 2]}\n', ' \n{"a": 1}  ', '[1]', '"s"',
                                  '{"a": 1}\n\t\r '])
def test_read_json_reads_what_json_loads_reads(tmp_path: Path, text: str) -> None:
    file = tmp_path / "f.json"
    file.write_text(text)
    assert read_json(file) == json.loads(text)


@pytest.mark.parametrize("text", ['{"a": 1} x', '{"a": 1}{}', '{"a": }', '{', '',
                                  '{"a": 1}\x0b'])
def test_read_json_reports_what_json_loads_reports(tmp_path: Path, text: str) -> None:
    file = tmp_path / "f.json"
    file.write_text(text)
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(text)
    with pytest.raises(FileFormatError) as found:
        read_json(file)
    want = expected.value
    assert found.value.reason == (f"invalid JSON at line {want.lineno}, column "
                                  f"{want.colno}: {want.msg}")


def test_natural_key_orders_numbers_by_value_and_letters_without_case() -> None:
    names = ["req10", "Req2", "req2", "Straße 3", "strasse 20", "b", "A1b2", "a1b10", "٣"]
    assert sorted(names, key=natural_key) == [
        "٣", "A1b2", "a1b10", "b", "Req2", "req2", "req10", "Straße 3", "strasse 20"]


def test_load_problems_are_immutable_values() -> None:
    a = LoadProblem(Path("/w/x.json"), "is broken")
    assert a == LoadProblem(Path("/w/x.json"), "is broken")
    assert a != LoadProblem(Path("/w/x.json"), "is broken", skipped=True)
    assert len({a, LoadProblem(Path("/w/x.json"), "is broken")}) == 1
    assert repr(a) == "LoadProblem(path=PosixPath('/w/x.json'), reason='is broken', skipped=False)"
    assert str(a) == "/w/x.json: is broken"
    with pytest.raises(AttributeError):
        a.reason = "fine"  # type: ignore[misc]


def test_a_plain_model_class_becomes_a_dataclass_when_asked() -> None:
    ctx = Context(workspace_arg="/w")
    assert repr(ctx) == "Context(workspace_arg='/w')"  # _session: repr=False
    assert ctx == Context(workspace_arg="/w") and ctx != Context()
    names = {f.name: f for f in dataclasses.fields(Context)}
    assert list(names) == ["workspace_arg", "_session"]
    assert names["_session"].repr is False and names["_session"].default is None
    assert dataclasses.replace(ctx, workspace_arg="/v").workspace_arg == "/v"
    meta = FolderMeta(id="f1")
    assert dataclasses.asdict(meta) == {"id": "f1", "order": [], "extra": {},
                                        "broken": False}
    assert FolderMeta().order is not FolderMeta().order  # a fresh list each
