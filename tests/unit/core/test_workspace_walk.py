"""Walking a workspace: symbolic links are never followed, the children index answers
like a plain scan of every path, and the stepped reader reads each file once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from relaydesk.cli.main import main
from relaydesk.core import codec
from relaydesk.core.errors import ValidationError
from relaydesk.core.model import Connection, Request
from relaydesk.core.ordering import natural_key
from relaydesk.core.workspace import Workspace


@pytest.fixture
def ws(workspace: Workspace) -> Workspace:
    workspace.save_connection(Connection(path="api", base_url="https://api.example.com"),
                              create=True)
    workspace.save_request(Request(path="api/users/list", url="/users"), create=True)
    workspace.save_request(Request(path="api/get", url="/get"), create=True)
    return workspace


def conn_dir(ws: Workspace) -> Path:
    return ws.root / "connections" / "api"


def outside(tmp_path: Path) -> Path:
    """A folder outside the workspace holding what looks like requests."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    doc = codec.request_to_doc(Request(path="x/secret", url="/from-outside"))
    (folder / "secret.request.json").write_text(codec.dumps(doc))
    return folder


def ls(ws: Workspace, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--workspace", str(ws.root), "ls", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# -- symbolic links ------------------------------------------------------------------------


def test_a_link_to_the_root_of_the_disk_is_skipped_and_noted_once(
        ws: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    (conn_dir(ws) / "disk").symlink_to("/")
    code, out, err = ls(ws, capsys)
    assert code == 0
    assert "users/" in out and "disk" not in out
    notes = [line for line in err.splitlines() if "disk" in line]
    assert len(notes) == 1 and "symbolic link (to /)" in notes[0] and "skipped" in notes[0]
    reopened = Workspace.open(ws.root)
    assert reopened.folders() == ["api/users"]
    assert [p.skipped for p in reopened.problems] == [True]


def test_a_link_loop_does_not_break_commands(
        ws: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    (conn_dir(ws) / "users" / "again").symlink_to("..")
    (conn_dir(ws) / "self").symlink_to(conn_dir(ws) / "self")  # a link to itself
    code, out, err = ls(ws, capsys)
    assert code == 0 and "GET     list  /users" in out
    assert err.count("symbolic link") == 2
    # Other commands work as before: a send-free one that reads the whole workspace.
    assert Workspace.open(ws.root).request_paths() == ["api/users/list", "api/get"]


def test_links_out_of_the_workspace_are_not_read_nor_written_through(
        ws: Workspace, tmp_path: Path) -> None:
    elsewhere = outside(tmp_path)
    (conn_dir(ws) / "shared").symlink_to(elsewhere)
    (conn_dir(ws) / "one.request.json").symlink_to(elsewhere / "secret.request.json")
    (ws.root / "connections" / "linked").symlink_to(elsewhere)  # a "connection"
    reopened = Workspace.open(ws.root)
    assert reopened.request_paths() == ["api/users/list", "api/get"]
    assert reopened.kind_of("api/one") is None
    assert all("/from-outside" not in r.url for r in reopened.requests())
    assert not any(str(elsewhere) in str(f) for f in reopened.iter_files())
    assert reopened.link_at("api/shared") and reopened.link_at("api/one")
    before = sorted(p.name for p in elsewhere.iterdir())
    for path in ("api/shared/new", "api/one"):
        with pytest.raises(ValidationError, match="symbolic link"):
            reopened.save_request(Request(path=path, url="/x"), create=True)
    with pytest.raises(ValidationError, match="symbolic link"):
        reopened.create_folder("api/shared")
    assert sorted(p.name for p in elsewhere.iterdir()) == before


def test_rm_on_a_linked_folder_refuses_and_says_why(
        ws: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    elsewhere = outside(tmp_path)
    link = conn_dir(ws) / "shared"
    link.symlink_to(elsewhere)
    code = main(["--workspace", str(ws.root), "rm", "-r", "api/shared"])
    err = capsys.readouterr().err
    assert code != 0
    assert "Deleted" not in err and "symbolic link" in err and "nothing was" in err
    assert len(err.strip().splitlines()) == 1
    assert link.is_symlink() and (elsewhere / "secret.request.json").exists()


def test_rm_of_a_folder_holding_a_link_removes_the_link_not_its_target(
        ws: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    elsewhere = outside(tmp_path)
    (conn_dir(ws) / "users" / "shared").symlink_to(elsewhere)
    code = main(["--workspace", str(ws.root), "rm", "-r", "api/users"])
    assert code == 0 and "Deleted folder 'api/users'" in capsys.readouterr().err
    assert not (conn_dir(ws) / "users").exists()
    assert (elsewhere / "secret.request.json").exists()
    assert Workspace.open(ws.root).request_paths() == ["api/get"]


# -- the children index ----------------------------------------------------------------------


def build_mixed(ws: Workspace) -> None:
    """Folders with a stored order and folders without one (files added by hand)."""
    ws.save_connection(Connection(path="team/b", base_url="https://b.example.com"),
                       create=True)
    for name in ("z", "req10", "req2", "a"):
        ws.save_request(Request(path=f"team/b/ordered/{name}", url=f"/{name}"), create=True)
    ws.save_request(Request(path="team/b/ordered/sub/deep", url="/deep"), create=True)
    ws.reorder("team/b/ordered/a", 0)
    by_hand = ws.root / "connections" / "team" / "b" / "by hand"
    by_hand.mkdir()
    for name in ("req10", "Req9", "req1", "b"):
        doc = codec.request_to_doc(Request(path="x/y", url=f"/{name}"))
        (by_hand / f"{name}.request.json").write_text(codec.dumps(doc))
    (by_hand / "inner").mkdir()


def naive_children(ws: Workspace, container: str) -> list[str]:
    """What a scan of every path says: stored order first, then folders, then the rest,
    each in natural order."""
    everything = [*ws._folders, *ws._requests]
    kids = [p for p in everything if p.rpartition("/")[0] == container]
    order = ws._stored_order(container)
    listed = [f"{container}/{n}" for n in order if f"{container}/{n}" in kids]
    rest = sorted((p for p in kids if p not in listed),
                  key=lambda p: (p not in ws._folders, natural_key(p.rpartition("/")[2])))
    return listed + rest


def test_children_and_subtrees_match_a_scan_of_every_path(ws: Workspace) -> None:
    build_mixed(ws)
    reopened = Workspace.open(ws.root)
    containers = ["api", "team/b", *reopened.folders()]
    for container in containers:
        assert [p for _, p in reopened.children(container)] == \
            naive_children(reopened, container), container
    assert [p for _, p in reopened.children("team/b/by hand")] == [
        "team/b/by hand/inner", "team/b/by hand/b", "team/b/by hand/req1",
        "team/b/by hand/Req9", "team/b/by hand/req10"]
    assert [p for _, p in reopened.children("team/b/ordered")][:2] == [
        "team/b/ordered/a", "team/b/ordered/z"]
    everything = reopened.items()
    for under in (*containers, "team", "api/get"):
        expected = [(k, p) for k, p in everything if p == under or p.startswith(under + "/")]
        assert reopened.items(under) == expected, under
        assert reopened.request_paths(under) == [p for k, p in expected if k == "request"]
        assert reopened.folders(under) == [p for k, p in expected
                                           if k == "folder" and p != under]


def test_a_change_reorders_the_cached_children(ws: Workspace) -> None:
    build_mixed(ws)
    assert ws.children("team/b/ordered")[0] == ("request", "team/b/ordered/a")
    ws.reorder("team/b/ordered/z", 0)
    ws.move("team/b/ordered/req2", "team/b/by hand/req2")
    assert [p for _, p in ws.children("team/b/ordered")][:2] == [
        "team/b/ordered/z", "team/b/ordered/a"]
    assert "team/b/by hand/req2" in ws.request_paths("team/b/by hand")
    assert "team/b/ordered/req2" not in ws.request_paths()


def test_a_broken_request_leaves_the_children_and_the_rest_in_order(ws: Workspace) -> None:
    build_mixed(ws)
    (ws.root / "connections/team/b/ordered/req2.request.json").write_text("{oops")
    reopened = Workspace.open(ws.root)
    before = [p for _, p in reopened.children("team/b/ordered") if not p.endswith("req2")]
    reopened.request("team/b/ordered/z")
    assert reopened.kind_of("team/b/ordered/req2") is None  # read now: broken
    assert [p for _, p in reopened.children("team/b/ordered")] == before
    reopened.save_request(Request(path="team/b/ordered/new", url="/n"), create=True)
    assert [p for _, p in reopened.children("team/b/ordered")] == [
        *before, "team/b/ordered/new"]


# -- the stepped reader ----------------------------------------------------------------------


def test_stepped_reading_reads_every_file_once_whatever_happens_meanwhile(
        ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(30):
        ws.save_request(Request(path=f"api/many/r{i}", url=f"/{i}"), create=True)
    reopened = Workspace.open(ws.root)
    reads: list[str] = []
    real = codec.request_from_doc

    def counting(path: str, doc: object) -> Request:
        reads.append(path)
        return real(path, doc)

    monkeypatch.setattr(codec, "request_from_doc", counting)
    assert reopened.read_pending(7) > 0
    reopened.request("api/many/r29")  # read out of turn by another query
    reopened.move("api/many/r28", "api/moved")  # an unread one changes its path
    steps = 0
    while reopened.read_pending(7):
        steps += 1
        assert steps < 10
    assert reopened.pending_requests() == 0
    assert len(reads) == len(set(reads)) == 32  # each once (r28 read by the move)
    assert len(reopened.requests()) == 32


def test_a_fifo_in_the_tree_is_a_problem_not_a_hang(ws: Workspace) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this system")
    os.mkfifo(conn_dir(ws) / "pipe.request.json")
    reopened = Workspace.open(ws.root)
    assert reopened.kind_of("api/pipe") is None
    assert reopened.problem_for("api/pipe") is not None
