"""The workspace on disk: round trips, atomic saves, broken files, validation, moves."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from relaydesk.core import codec
from relaydesk.core.errors import AlreadyExistsError, NotFoundError, ValidationError
from relaydesk.core.fileio import atomic_write_text
from relaydesk.core.model import (
    MAX_CUSTOM_HEADERS,
    AuthSettings,
    Body,
    Connection,
    Environment,
    KeyValue,
    MultipartField,
    Request,
    RequestOptions,
    TlsSettings,
)
from relaydesk.core.workspace import ENV_WORKSPACE, Workspace, resolve_workspace_dir


def full_connection(path: str = "jira/cloud") -> Connection:
    return Connection(
        path=path,
        base_url="https://example.atlassian.net/rest/api/3",
        docs_url="https://developer.atlassian.com/",
        test_url="/myself",
        description="Jira Cloud",
        headers=[KeyValue("X-Atlassian-Token", "no-check"), KeyValue("X-Off", "1", False)],
        auth=AuthSettings("basic", {"username": "alice@example.com"}),
        tls=TlsSettings(verify=False, ca_bundle="/etc/ca.pem", https_only=True),
        timeout=12.5,
        cache_ttl=0.0,
        proxy="http://proxy.local:3128",
        variables={"project": "OPS", "a": "1"},
    )


def full_request(path: str = "jira/cloud/issues/Create issue") -> Request:
    return Request(
        path=path,
        method="POST",
        url="/issue?notify={{notify}}",
        params=[KeyValue("expand", "names"), KeyValue("x", "", False)],
        headers=[KeyValue("Accept", "application/json")],
        cookies=[KeyValue("session", "abc")],
        body=Body.from_json({"fields": {"summary": "Ünïcode ✓", "labels": ["a", "b"]}}),
        auth=AuthSettings("token", {"scheme": "Token"}),
        options=RequestOptions(response_format="json", raise_for_status=True,
                               follow_redirects=False, timeout=5.0, bypass_cache=True),
        description="Creates an issue",
    )


def files_under(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


# -- round trips -------------------------------------------------------------------------


def test_connection_and_request_round_trip_through_disk(workspace: Workspace) -> None:
    conn = workspace.save_connection(full_connection(), create=True)
    req = workspace.save_request(full_request(), create=True)
    workspace.save_environment(Environment("dev", {"notify": "false", "b": "2"}))

    fresh = Workspace.open(workspace.root)
    assert fresh.problems == []
    assert fresh.id == workspace.id
    assert fresh.connection("jira/cloud") == conn
    assert fresh.request("jira/cloud/issues/Create issue") == req
    env = fresh.environment("dev")
    assert env == Environment("dev", {"notify": "false", "b": "2"}, id=env.id) and env.id
    assert fresh.folders() == ["jira/cloud/issues"]
    assert fresh.children("jira/cloud") == [("folder", "jira/cloud/issues")]


@pytest.mark.parametrize("body", [
    Body(),
    Body.from_json([1, 2, {"x": None}]),
    Body(kind="json", text='{"count": {{n}}}'),  # not JSON until rendered: kept as text
    Body(kind="raw", text="line1\nline2", content_type="text/plain"),
    Body(kind="form", form=[KeyValue("a", "1"), KeyValue("b", "x y")]),
    Body(kind="multipart", multipart=[MultipartField("f", file="/tmp/x.bin",
                                                     content_type="image/png"),
                                      MultipartField("n", value="v", enabled=False)]),
    Body(kind="binary", file="/tmp/data.bin", content_type="application/octet-stream"),
])
def test_every_body_kind_round_trips(workspace: Workspace, body: Body) -> None:
    workspace.save_connection(Connection("api", "https://api.example.com"), create=True)
    req = workspace.save_request(Request("api/r", method="PUT", url="/x", body=body),
                                 create=True)
    assert Workspace.open(workspace.root).request("api/r") == req


def test_files_are_stable_sorted_json_with_format_version(workspace: Workspace) -> None:
    workspace.save_connection(full_connection(), create=True)
    file = workspace.root / "connections" / "jira" / "cloud" / "connection.json"
    first = file.read_bytes()
    doc = json.loads(first)
    assert doc["format"] == codec.FORMAT_VERSION and doc["kind"] == "connection"
    assert list(doc["variables"]) == sorted(doc["variables"])
    assert first.endswith(b"\n")
    # Saving the same thing again writes the very same bytes (diff-friendly).
    workspace.save_connection(Workspace.open(workspace.root).connection("jira/cloud"))
    assert file.read_bytes() == first


def test_defaults_are_left_out_of_files(workspace: Workspace) -> None:
    workspace.save_connection(Connection("plain", "https://a.example"), create=True)
    doc = json.loads((workspace.root / "connections/plain/connection.json").read_text())
    assert doc == {"format": 2, "kind": "connection", "id": doc["id"],
                   "base_url": "https://a.example"}


# -- atomic saves ------------------------------------------------------------------------


def test_atomic_save_leaves_no_temporary_files(workspace: Workspace) -> None:
    workspace.save_connection(full_connection(), create=True)
    for i in range(5):
        workspace.save_request(full_request(f"jira/cloud/r{i}"), create=True)
    leftovers = [p for p in workspace.root.rglob("*") if p.name.endswith(".tmp")
                 or p.name.startswith(".")]
    # Only the local state and the .gitignore that keeps it out of git.
    assert sorted(p.name for p in leftovers) == [".gitignore", ".relaydesk"]
    assert list((workspace.root / ".relaydesk" / "tmp").iterdir()) == []


def test_failed_atomic_write_cleans_up_and_keeps_the_old_content(tmp_path: Path) -> None:
    target = tmp_path / "doc.json"
    atomic_write_text(target, "old\n")
    # The final rename fails (the target is a non-empty directory): the temp file the
    # write went to must be gone and the old content untouched.
    blocker = tmp_path / "blocked"
    (blocker / "inside").mkdir(parents=True)
    with pytest.raises(OSError):
        atomic_write_text(blocker, "new\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocked", "doc.json"]
    assert target.read_text() == "old\n"


# -- broken files ------------------------------------------------------------------------


def test_a_broken_file_is_reported_with_path_and_reason_and_the_rest_loads(
        workspace: Workspace) -> None:
    workspace.save_connection(full_connection(), create=True)
    workspace.save_connection(Connection("github", "https://api.github.com"), create=True)
    workspace.save_request(full_request("jira/cloud/good"), create=True)
    workspace.save_request(full_request("jira/cloud/bad"), create=True)
    workspace.save_environment(Environment("dev", {"a": "1"}))
    bad_request = workspace.root / "connections/jira/cloud/bad.request.json"
    bad_request.write_text('{"format": 1, "kind": "request", "method": ', encoding="utf-8")
    bad_conn = workspace.root / "connections/github/connection.json"
    bad_conn.write_text(json.dumps({"format": 1, "kind": "connection", "base_url": 42}))
    bad_env = workspace.root / "environments/broken.json"
    bad_env.write_bytes(b"\xff\xfe not utf-8")

    ws = Workspace.open(workspace.root)
    reasons = {p.path: p.reason for p in ws.problems}
    assert set(reasons) == {bad_request, bad_conn, bad_env}
    assert "invalid JSON at line 1" in reasons[bad_request]
    assert "base_url" in reasons[bad_conn] and "string" in reasons[bad_conn]
    assert "UTF-8" in reasons[bad_env]
    assert str(bad_request) in str(ws.problems[0]) or any(
        str(p.path) in str(p) for p in ws.problems)
    # Everything else still loads.
    assert [c.path for c in ws.connections()] == ["jira/cloud"]
    assert [r.path for r in ws.requests()] == ["jira/cloud/good"]
    assert [e.name for e in ws.environments()] == ["dev"]
    assert ws.problem_for("jira/cloud/bad") is not None


def test_request_files_are_read_on_first_use_and_broken_ones_drop_out_then(
        workspace: Workspace) -> None:
    workspace.save_connection(full_connection(), create=True)
    for name in ("a", "b", "c"):
        workspace.save_request(full_request(f"jira/cloud/f/{name}"), create=True)
    (workspace.root / "connections/jira/cloud/f/c.request.json").write_text("{oops")

    ws = Workspace.open(workspace.root)
    assert ws.pending_requests() == 3  # opening read none of them
    # The structure is known without reading: the tree can be drawn from it.
    assert ws.request_paths() == ["jira/cloud/f/a", "jira/cloud/f/b", "jira/cloud/f/c"]
    assert ws.folders() == ["jira/cloud/f"]
    assert ws.request("jira/cloud/f/a").method == "POST"
    assert ws.pending_requests() == 2
    # Asking about the broken one reads it: it is no request, and its problem is kept.
    assert ws.kind_of("jira/cloud/f/c") is None
    assert ws.request_paths() == ["jira/cloud/f/a", "jira/cloud/f/b"]
    assert ws.problem_for("jira/cloud/f/c") is not None
    assert ws.read_pending(10) == 0 and ws.pending_requests() == 0
    assert [p.path.name for p in ws.problems] == ["c.request.json"]


def test_read_pending_works_in_steps(workspace: Workspace) -> None:
    workspace.save_connection(full_connection(), create=True)
    for i in range(5):
        workspace.save_request(full_request(f"jira/cloud/r{i}"), create=True)
    ws = Workspace.open(workspace.root)
    assert ws.read_pending(2) == 3
    assert ws.read_pending(2) == 1
    assert ws.read_pending(2) == 0
    assert ws.pending_requests() == 0 and len(ws.requests()) == 5


def test_moving_a_folder_holding_a_broken_file_is_refused_and_loses_nothing(
        workspace: Workspace) -> None:
    workspace.save_connection(full_connection(), create=True)
    workspace.save_request(full_request("jira/cloud/old/good"), create=True)
    workspace.save_request(full_request("jira/cloud/old/bad"), create=True)
    bad = workspace.root / "connections/jira/cloud/old/bad.request.json"
    bad.write_text('{"format": 1, "kind": "request", "method": ')
    before = {p: p.read_bytes() for p in workspace.root.rglob("*") if p.is_file()}

    ws = Workspace.open(workspace.root)
    with pytest.raises(ValidationError, match=r"bad\.request\.json"):
        ws.move("jira/cloud/old", "jira/cloud/new")
    assert {p: p.read_bytes() for p in workspace.root.rglob("*") if p.is_file()} == before
    assert ws.kind_of("jira/cloud/new") is None
    assert ws.kind_of("jira/cloud/old/good") == "request"


def test_a_file_from_a_newer_format_says_to_upgrade(workspace: Workspace) -> None:
    workspace.save_connection(Connection("api", "https://api.example.com"), create=True)
    file = workspace.root / "connections/api/connection.json"
    file.write_text(json.dumps({"format": 99, "kind": "connection", "base_url": "https://a"}))
    ws = Workspace.open(workspace.root)
    assert len(ws.problems) == 1 and "upgrade Relaydesk" in ws.problems[0].reason


# -- validation --------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "why"), [
    ("Host", "taken from the URL"),
    ("content-length", "computed from the body"),
    ("Connection", "connection management"),
    ("Transfer-Encoding", "transfer encoding"),
    ("Upgrade", "upgrades"),
])
def test_forbidden_headers_are_refused_with_the_reason(
        workspace: Workspace, name: str, why: str) -> None:
    conn = Connection("api", "https://api.example.com", headers=[KeyValue(name, "x")])
    with pytest.raises(ValidationError, match=why) as info:
        workspace.save_connection(conn, create=True)
    assert name in str(info.value)
    assert not (workspace.root / "connections").exists()


def test_more_than_twenty_headers_are_refused(workspace: Workspace) -> None:
    ok = [KeyValue(f"X-H{i}", str(i)) for i in range(MAX_CUSTOM_HEADERS)]
    workspace.save_connection(Connection("api", "https://a.example", headers=ok), create=True)
    too_many = [*ok, KeyValue("X-One-More", "1")]
    with pytest.raises(ValidationError, match="at most 20 custom headers"):
        workspace.save_connection(Connection("api", "https://a.example", headers=too_many))
    assert len(Workspace.open(workspace.root).connection("api").headers) == 20


def test_nested_connections_are_refused(workspace: Workspace) -> None:
    workspace.save_connection(Connection("jira", "https://a.example"), create=True)
    with pytest.raises(ValidationError, match="cannot nest"):
        workspace.save_connection(Connection("jira/cloud", "https://b.example"), create=True)
    workspace.save_connection(Connection("ops/jsm", "https://c.example"), create=True)
    with pytest.raises(ValidationError, match="cannot nest"):
        workspace.save_connection(Connection("ops", "https://d.example"), create=True)
    assert [c.path for c in Workspace.open(workspace.root).connections()] == ["jira", "ops/jsm"]


@pytest.mark.parametrize("url", ["", "ftp://x", "https://", "not a url", "https://h:99999"])
def test_bad_base_urls_are_refused(workspace: Workspace, url: str) -> None:
    with pytest.raises(ValidationError):
        workspace.save_connection(Connection("api", url), create=True)


def test_https_only_refuses_plain_http(workspace: Workspace) -> None:
    conn = Connection("api", "http://a.example", tls=TlsSettings(https_only=True))
    with pytest.raises(ValidationError, match="HTTPS-only"):
        workspace.save_connection(conn, create=True)


def test_secret_auth_fields_never_reach_a_file(workspace: Workspace) -> None:
    conn = Connection("api", "https://a.example",
                      auth=AuthSettings("basic", {"username": "u", "password": "hunter2"}))
    with pytest.raises(ValidationError, match="secret set"):
        workspace.save_connection(conn, create=True)
    assert not any(b"hunter2" in p.read_bytes() for p in workspace.iter_files())


@pytest.mark.parametrize("path", ["../escape", ".hidden/x", "a/b:c", "  ", "a/ b"])
def test_paths_that_cannot_be_file_names_are_refused(workspace: Workspace, path: str) -> None:
    with pytest.raises(ValidationError):
        workspace.save_connection(Connection(path, "https://a.example"), create=True)


def test_a_request_needs_an_existing_connection(workspace: Workspace) -> None:
    with pytest.raises(NotFoundError, match="No connection"):
        workspace.save_request(Request("nowhere/r", url="/x"), create=True)


def test_creating_twice_is_refused(workspace: Workspace) -> None:
    workspace.save_connection(Connection("api", "https://a.example"), create=True)
    with pytest.raises(AlreadyExistsError):
        workspace.save_connection(Connection("api", "https://b.example"), create=True)


# -- move, rename, delete ----------------------------------------------------------------


def populated(ws: Workspace) -> Workspace:
    ws.save_connection(full_connection("jira/cloud"), create=True)
    ws.save_request(full_request("jira/cloud/issues/Create issue"), create=True)
    ws.save_request(full_request("jira/cloud/issues/deep/Get"), create=True)
    ws.save_request(full_request("jira/cloud/Top"), create=True)
    return ws


def test_rename_a_request_moves_its_file(workspace: Workspace) -> None:
    ws = populated(workspace)
    ws.move("jira/cloud/Top", "jira/cloud/issues/Renamed")
    conn_dir = ws.root / "connections/jira/cloud"
    assert not (conn_dir / "Top.request.json").exists()
    assert (conn_dir / "issues/Renamed.request.json").is_file()
    fresh = Workspace.open(ws.root)
    assert fresh.request("jira/cloud/issues/Renamed").method == "POST"
    assert fresh.kind_of("jira/cloud/Top") is None


def test_move_a_folder_carries_everything_inside(workspace: Workspace) -> None:
    ws = populated(workspace)
    ws.move("jira/cloud/issues", "jira/cloud/tickets")
    root = ws.root / "connections/jira/cloud"
    assert not (root / "issues").exists()
    assert (root / "tickets/Create issue.request.json").is_file()
    assert (root / "tickets/deep/Get.request.json").is_file()
    fresh = Workspace.open(ws.root)
    # Tree order: the renamed folder keeps its place, before the later-made Top.
    assert [r.path for r in fresh.requests()] == [
        "jira/cloud/tickets/Create issue", "jira/cloud/tickets/deep/Get", "jira/cloud/Top"]
    assert fresh.problems == []


def test_rename_a_connection_moves_its_whole_tree(workspace: Workspace) -> None:
    ws = populated(workspace)
    before = files_under(ws.root / "connections/jira/cloud")
    ws.move("jira/cloud", "atlassian/jira")
    assert not (ws.root / "connections/jira/cloud").exists()
    after = files_under(ws.root / "connections/atlassian/jira")
    assert set(after) == set(before)
    fresh = Workspace.open(ws.root)
    assert [c.path for c in fresh.connections()] == ["atlassian/jira"]
    assert fresh.connection("atlassian/jira").base_url == full_connection().base_url
    assert len(fresh.requests("atlassian/jira")) == 3


def test_move_onto_an_existing_item_is_refused_and_changes_nothing(
        workspace: Workspace) -> None:
    ws = populated(workspace)
    before = files_under(ws.root)
    with pytest.raises(AlreadyExistsError):
        ws.move("jira/cloud/Top", "jira/cloud/issues/Create issue")
    with pytest.raises(ValidationError, match="into itself"):
        ws.move("jira/cloud/issues", "jira/cloud/issues/sub")
    assert files_under(ws.root) == before


def test_delete_removes_files_from_disk(workspace: Workspace) -> None:
    ws = populated(workspace)
    ws.delete("jira/cloud/Top")
    assert not (ws.root / "connections/jira/cloud/Top.request.json").exists()
    ws.delete("jira/cloud/issues")
    assert not (ws.root / "connections/jira/cloud/issues").exists()
    assert Workspace.open(ws.root).requests() == []
    ws.delete("jira/cloud")
    assert not (ws.root / "connections/jira/cloud").exists()
    assert Workspace.open(ws.root).connections() == []
    with pytest.raises(NotFoundError):
        ws.delete("jira/cloud")


def test_empty_folders_survive_a_reload(workspace: Workspace) -> None:
    ws = populated(workspace)
    ws.create_folder("jira/cloud/empty")
    assert "jira/cloud/empty" in Workspace.open(ws.root).folders()


# -- where the workspace is --------------------------------------------------------------


def test_workspace_dir_from_flag_then_environment_then_default(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(ENV_WORKSPACE, str(tmp_path / "from-env"))
    assert resolve_workspace_dir(tmp_path / "flag") == tmp_path / "flag"
    assert resolve_workspace_dir(None) == tmp_path / "from-env"
    monkeypatch.delenv(ENV_WORKSPACE)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert resolve_workspace_dir(None) == tmp_path / "xdg" / "relaydesk" / "workspace"


def test_open_without_create_does_not_write(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        Workspace.open(tmp_path / "nothing", create=False)
    assert not (tmp_path / "nothing").exists()
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("text", [
    '{"compact":true}',                 # not the stored indentation
    '{\n  "big": 1e5\n}',                # would come back as 100000.0
    '{\n  "id": {{id}}\n}',              # a template where a number goes
    '[\n  1,\n  2\n]',                   # canonical: stored structured
])
def test_json_bodies_reload_byte_for_byte(workspace: Workspace, text: str) -> None:
    # What is sent is the body text, so a reload must not reformat it.
    workspace.save_connection(Connection("c", "https://h"), create=True)
    workspace.save_request(Request("c/r", "POST", "/x", body=Body("json", text=text)),
                           create=True)
    doc = json.loads(workspace.file_of("c/r").read_text())
    assert ("json" in doc["body"]) == (text.startswith("[")), doc["body"]
    assert Workspace.open(workspace.root).request("c/r").body.text == text


def test_id_of_a_request_read_already_is_its_own_and_a_folder_beside_it_wins(
        workspace: Workspace) -> None:
    """A run asks for the id of each request it sent: a request already read answers
    from memory, under any spelling of its path; a folder at the very same path
    (made by hand beside the request file) is still what the path names."""
    ws = workspace
    ws.save_connection(Connection(path="api", base_url="http://127.0.0.1:9"), create=True)
    made = ws.save_request(Request(path="api/Dup", url="/a"), create=True)
    plain = ws.save_request(Request(path="api/Plain", url="/b"), create=True)
    again = Workspace.open(ws.root)
    again.request("api/Plain")
    assert again.id_of("api/Plain") == again.id_of("/api//Plain/") == plain.id
    (ws.root / "connections" / "api" / "Dup").mkdir()
    beside = Workspace.open(ws.root)
    beside.request("api/Dup")  # read: the request is in memory
    assert beside.kind_of("api/Dup") == "folder"
    folder_id = beside.id_of("api/Dup")
    assert folder_id and folder_id != made.id
