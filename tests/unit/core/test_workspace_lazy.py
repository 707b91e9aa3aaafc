"""A lazy workspace (the app's): folders listed when first asked for or in steps, and
every answer the same as a workspace read whole."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from relaydesk.core import codec
from relaydesk.core.model import Connection, Request
from relaydesk.core.workspace import Workspace


def build(ws: Workspace) -> Workspace:
    """Two connections; folders three deep, a stored order, a broken request file deep
    down, a broken folder.json and a link the walk must skip."""
    ws.save_connection(Connection("jira/cloud", "https://jira.example"), create=True)
    ws.save_connection(Connection("api", "https://api.example"), create=True)
    for path in ("jira/cloud/Top", "jira/cloud/issues/Get", "jira/cloud/issues/Create",
                 "jira/cloud/issues/old/v1/Legacy", "jira/cloud/issues/old/Older",
                 "jira/cloud/boards/List", "api/users/list", "api/get"):
        ws.save_request(Request(path, method="POST" if "Create" in path else "GET",
                                url=f"/{path.rpartition('/')[2].lower()}"), create=True)
    ws.reorder("jira/cloud/issues/Create", 0)
    conn = ws.root / "connections/jira/cloud"
    (conn / "issues/old/v1/Broken.request.json").write_text("{oops")
    (conn / "boards/folder.json").write_text("[not an object")
    (conn / "issues/old/elsewhere").symlink_to("/")
    return ws


def lazy(root: Path) -> Workspace:
    return Workspace.open(root, lazy=True)


def test_opening_lists_only_the_connections_own_directories(workspace: Workspace) -> None:
    root = build(workspace).root
    ws = lazy(root)
    assert ws.is_listed("jira/cloud") and ws.is_listed("api")
    assert not ws.is_listed("jira/cloud/issues") and not ws.is_listed("jira/cloud/issues/old")
    # What a tree shows first (connections open, folders closed) needs nothing more.
    assert ws.listing("jira/cloud") == [("request", "jira/cloud/Top"),
                                        ("folder", "jira/cloud/issues"),
                                        ("folder", "jira/cloud/boards")]
    assert not ws.is_listed("jira/cloud/issues")
    # A request deep down is found by asking for it: the folders above it are listed.
    assert ws.request("jira/cloud/issues/old/v1/Legacy").url == "/legacy"
    assert ws.is_listed("jira/cloud/issues") and ws.is_listed("jira/cloud/issues/old")
    assert not ws.is_listed("jira/cloud/boards")


QUERIES: dict[str, Callable[[Workspace], object]] = {
    "request_paths": lambda ws: ws.request_paths(),
    "request_paths under a folder": lambda ws: ws.request_paths("jira/cloud/issues/old"),
    "request_paths under a group": lambda ws: ws.request_paths("jira"),
    "items": lambda ws: ws.items(),
    "folders": lambda ws: ws.folders(),
    "folders under a connection": lambda ws: ws.folders("jira/cloud"),
    "requests": lambda ws: [(r.path, r.method, r.url, r.id) for r in ws.requests()],
    "kind_of deep": lambda ws: [ws.kind_of(p) for p in (
        "jira/cloud/issues/old/v1", "jira/cloud/issues/old/v1/Legacy",
        "jira/cloud/issues/old/v1/Broken", "jira/cloud/nothing/here", "jira")],
    "children": lambda ws: ws.children("jira/cloud/issues"),
    "listing deep": lambda ws: ws.listing("jira/cloud/issues/old"),
    "has_children": lambda ws: [ws.has_children(p) for p in (
        "jira/cloud/issues/old/v1", "api/users", "jira/cloud/boards")],
    "item_paths": lambda ws: sorted(ws.item_paths()),
    "problems": lambda ws: sorted(str(p) for p in ws.problems),
    "problem_for": lambda ws: str(ws.problem_for("jira/cloud/issues/old/v1/Broken")),
    "link_at": lambda ws: ws.link_at("jira/cloud/issues/old/elsewhere"),
    # Not the broken request, nor the folder whose folder.json is unreadable.
    "ids": lambda ws: {p: ws.id_of(p) for _k, p in ws.items()
                       if not p.endswith(("Broken", "boards"))},
    "pending after all": lambda ws: (ws.read_pending(), ws.pending_requests()),
}


@pytest.mark.parametrize("query", QUERIES)
def test_each_query_answers_as_a_workspace_read_whole(workspace: Workspace,
                                                      query: str) -> None:
    root = build(workspace).root
    whole = Workspace.open(root)
    assert QUERIES[query](lazy(root)) == QUERIES[query](whole)


def test_path_of_id_finds_items_in_folders_never_listed(workspace: Workspace) -> None:
    ws = build(workspace)
    ids = {p: ws.id_of(p) for p in ("jira/cloud/issues/old/v1/Legacy",
                                   "jira/cloud/issues/old", "api/users/list")}
    fresh = lazy(ws.root)
    assert {p: fresh.path_of_id(i) for p, i in ids.items()} == {p: p for p in ids}
    assert fresh.path_of_id("0" * 32) is None


def test_the_stepped_reading_lists_folders_then_reads_files_keeping_ids(
        workspace: Workspace) -> None:
    root = build(workspace).root
    ws = lazy(root)
    left = [ws.read_pending(10)]  # a step lists one folder per ten files
    while left[-1]:
        left.append(ws.read_pending(10))
    assert all(ws.is_listed(f) for f in ws.folders())
    assert ws.pending_requests() == 0 and len(left) > 3
    # A file read in steps is kept as its id, and parsed again when asked for.
    whole = Workspace.open(root)
    assert ws.request("jira/cloud/issues/Create") == whole.request("jira/cloud/issues/Create")
    assert ws.id_of("jira/cloud/Top") == whole.id_of("jira/cloud/Top")
    kept = ws._requests  # what a lazy view keeps in memory per request
    assert isinstance(kept["jira/cloud/Top"], str)
    assert not isinstance(kept["jira/cloud/issues/Create"], str)
    assert sorted(p.path.name for p in ws.problems if not p.skipped) == [
        "Broken.request.json", "folder.json"]


def test_a_request_file_broken_after_the_stepped_reading_drops_out(
        workspace: Workspace) -> None:
    ws = lazy(build(workspace).root)
    assert ws.read_pending() == 0
    (ws.root / "connections/api/get.request.json").write_text("{")
    assert ws.kind_of("api/get") == "request"  # read once, good then
    with pytest.raises(Exception, match="No request"):
        ws.request("api/get")
    assert ws.kind_of("api/get") is None and "api/get" not in ws.request_paths()
    assert ws.problem_for("api/get") is not None


@pytest.mark.parametrize("change", ["move folder", "rename request", "delete folder",
                                    "create inside", "move into", "reorder"])
# Each change is made before any folder below a connection was listed.
def test_changes_before_the_listing_is_done_see_the_whole_workspace(
        workspace: Workspace, change: str) -> None:
    root = build(workspace).root
    old_id = json.loads((root / "connections/jira/cloud/issues/old/folder.json")
                        .read_text())["id"]
    ws = lazy(root)
    if change == "move folder":  # from one folder never listed into another
        ws.move("api/users", "jira/cloud/issues/old/users")
    elif change == "rename request":
        ws.move("jira/cloud/issues/old/v1/Legacy", "jira/cloud/issues/old/v1/Renamed")
    elif change == "delete folder":
        ws.delete("jira/cloud/issues/old")
    elif change == "create inside":
        ws.save_request(Request("jira/cloud/issues/old/New", url="/new"), create=True)
    elif change == "move into":
        ws.move("api/get", "jira/cloud/issues/old/v1/get")
    else:
        ws.reorder("jira/cloud/issues/old/Older", 0)
    def answers(view: Workspace) -> object:  # items() first: requests() drops Broken
        return view.items(), [(r.path, r.id) for r in view.requests()]

    whole = Workspace.open(root)
    assert answers(ws) == answers(lazy(root)) == answers(whole)
    if change in ("create inside", "reorder", "rename request"):
        # The folder's own file was kept (its id), not written anew.
        assert whole.id_of("jira/cloud/issues/old") == old_id
    if change == "move folder":
        assert whole.request("jira/cloud/issues/old/users/list").url == "/list"


def test_a_file_added_on_disk_shows_after_a_reload(workspace: Workspace) -> None:
    ws = lazy(build(workspace).root)
    ws.read_pending()
    added = ws.root / "connections/jira/cloud/issues/old/v1/Added.request.json"
    added.write_text(codec.dumps(codec.request_to_doc(Request("x", "PUT", "/added"))))
    ws.reload()
    assert not ws.is_listed("jira/cloud/issues/old/v1")
    assert ws.kind_of("jira/cloud/issues/old/v1/Added") == "request"
    assert "jira/cloud/issues/old/v1/Added" in ws.request_paths()


def test_leftovers_deep_in_a_lazy_workspace_are_swept_once_all_is_listed(
        workspace: Workspace) -> None:
    root = build(workspace).root
    deep = root / "connections/jira/cloud/issues/old/.Older.request.json.x1.tmp"
    shallow = root / "connections/jira/cloud/.Top.request.json.x2.tmp"
    for path in (deep, shallow):
        path.write_text("{}")
    ws = lazy(root)
    assert not shallow.exists() and deep.exists()  # found by the open's own listing
    while ws.read_pending(10):
        pass
    assert not deep.exists()
    assert "jira/cloud/issues/old/Older" in ws.request_paths()
