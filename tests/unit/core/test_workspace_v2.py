"""Workspace format 2: stable ids, user order, unknown keys, local state, the lock."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import relaydesk
from relaydesk.cli.main import main
from relaydesk.core.errors import NotFoundError, ValidationError
from relaydesk.core.model import Connection, Environment, Request
from relaydesk.core.workspace import Workspace


def doc(path: Path) -> dict[str, object]:
    loaded = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def tree(ws: Workspace) -> Workspace:
    ws.save_connection(Connection("jira/cloud", "https://jira.example"), create=True)
    for path in ("jira/cloud/issues/Get", "jira/cloud/issues/Create", "jira/cloud/Top"):
        ws.save_request(Request(path, url="/x"), create=True)
    return ws


# -- ids ---------------------------------------------------------------------------------


def test_ids_are_stored_in_the_files_and_survive_rename_move_and_reload(
        workspace: Workspace) -> None:
    ws = tree(workspace)
    conn_id, folder_id = ws.id_of("jira/cloud"), ws.id_of("jira/cloud/issues")
    get_id = ws.id_of("jira/cloud/issues/Get")
    assert len({conn_id, folder_id, get_id}) == 3 and all(len(i) == 32 for i in
                                                           (conn_id, folder_id, get_id))
    assert doc(ws.file_of("jira/cloud/issues/Get"))["id"] == get_id
    assert doc(ws.root / "connections/jira/cloud/issues/folder.json")["id"] == folder_id

    ws.move("jira/cloud/issues/Get", "jira/cloud/Fetch")
    ws.move("jira/cloud/issues", "jira/cloud/tickets")
    ws.move("jira/cloud", "atlassian/jira")
    for fresh in (ws, Workspace.open(ws.root)):
        assert fresh.id_of("atlassian/jira") == conn_id
        assert fresh.id_of("atlassian/jira/tickets") == folder_id
        assert fresh.id_of("atlassian/jira/Fetch") == get_id
        assert fresh.path_of_id(get_id) == "atlassian/jira/Fetch"
        assert fresh.path_of_id(folder_id) == "atlassian/jira/tickets"
        assert fresh.path_of_id("no-such-id") is None
    # The grouping directory left empty by the connection's move goes too.
    assert not (ws.root / "connections/jira").exists()
    with pytest.raises(NotFoundError):
        ws.id_of("jira/cloud")


def test_a_new_item_never_inherits_an_old_id(workspace: Workspace) -> None:
    ws = tree(workspace)
    old_req, old_conn = ws.id_of("jira/cloud/Top"), ws.id_of("jira/cloud")
    saved = ws.request("jira/cloud/Top")
    ws.delete("jira/cloud/Top")
    again = ws.save_request(saved, create=True)  # even when handed the old object
    assert again.id and again.id != old_req
    ws.delete("jira/cloud")
    conn = ws.save_connection(Connection("jira/cloud", "https://jira.example"), create=True)
    assert conn.id and conn.id != old_conn
    assert Workspace.open(ws.root).path_of_id(old_conn) is None


def test_a_save_keeps_the_stored_id_when_the_object_has_none(workspace: Workspace) -> None:
    ws = tree(workspace)
    conn_id, req_id = ws.id_of("jira/cloud"), ws.id_of("jira/cloud/Top")
    env = ws.save_environment(Environment("dev", {"a": "1"}))
    assert ws.save_connection(Connection("jira/cloud", "https://other.example")).id == conn_id
    assert ws.save_request(Request("jira/cloud/Top", "POST", "/y")).id == req_id
    assert ws.save_environment(Environment("dev", {"b": "2"})).id == env.id
    fresh = Workspace.open(ws.root)
    assert fresh.connection("jira/cloud").id == conn_id
    assert fresh.request("jira/cloud/Top").id == req_id and fresh.request(
        "jira/cloud/Top").method == "POST"
    assert fresh.environment("dev").id == env.id


def test_a_file_written_without_an_id_gets_one_when_asked(workspace: Workspace) -> None:
    ws = tree(workspace)
    hand = ws.root / "connections/jira/cloud/Hand.request.json"
    hand.write_text('{"format": 2, "kind": "request", "url": "/h"}\n')
    fresh = Workspace.open(ws.root)
    made = fresh.id_of("jira/cloud/Hand")
    assert made and doc(hand)["id"] == made
    assert Workspace.open(ws.root).id_of("jira/cloud/Hand") == made


# -- unknown keys ------------------------------------------------------------------------


def test_unknown_top_level_keys_survive_a_re_save(workspace: Workspace) -> None:
    ws = tree(workspace)
    ws.save_environment(Environment("dev", {"a": "1"}))
    files = {
        "conn": ws.root / "connections/jira/cloud/connection.json",
        "req": ws.root / "connections/jira/cloud/Top.request.json",
        "env": ws.root / "environments/dev.json",
        "folder": ws.root / "connections/jira/cloud/issues/folder.json",
    }
    for name, file in files.items():
        d = doc(file)
        d["future_field"] = {"from": name, "n": [1, 2]}
        file.write_text(json.dumps(d))

    fresh = Workspace.open(ws.root)
    assert fresh.request("jira/cloud/Top").extra == {"future_field": {"from": "req", "n": [1, 2]}}
    fresh.save_connection(Connection("jira/cloud", "https://new.example"))  # no extra given
    fresh.save_request(fresh.request("jira/cloud/Top"))
    fresh.update_environment("dev", set={"b": "2"})
    fresh.reorder("jira/cloud/issues/Create", 0)  # rewrites folder.json

    for name, file in files.items():
        assert doc(file)["future_field"] == {"from": name, "n": [1, 2]}, name
    assert doc(files["conn"])["base_url"] == "https://new.example"
    assert doc(files["env"])["variables"] == {"a": "1", "b": "2"}


# -- order -------------------------------------------------------------------------------


def test_children_not_listed_follow_in_natural_order_folders_first(
        workspace: Workspace) -> None:
    ws = workspace
    ws.save_connection(Connection("api", "https://api.example"), create=True)
    conn_dir = ws.root / "connections/api"
    for name in ("req10", "req2", "Req1", "b"):  # made by hand: nobody listed them
        (conn_dir / f"{name}.request.json").write_text('{"format": 2, "kind": "request"}')
    (conn_dir / "zfolder").mkdir()
    fresh = Workspace.open(ws.root)
    assert fresh.children("api") == [("folder", "api/zfolder"), ("request", "api/b"),
                                     ("request", "api/Req1"), ("request", "api/req2"),
                                     ("request", "api/req10")]


def test_new_items_go_last_and_reorder_and_move_with_index_persist(
        workspace: Workspace) -> None:
    ws = workspace
    ws.save_connection(Connection("api", "https://api.example"), create=True)
    for name in ("zeta", "alpha", "mid"):
        ws.save_request(Request(f"api/{name}", url="/"), create=True)
    ws.create_folder("api/box")
    assert [p for _, p in ws.children("api")] == ["api/zeta", "api/alpha", "api/mid", "api/box"]

    ws.reorder("api/mid", 0)
    ws.move("api/alpha", "api/box/alpha")
    ws.move("api/zeta", "api/box/zeta", index=0)
    ws.move("api/mid", "api/middle")  # a rename keeps its place
    ws.create_folder("api/box/inner")
    ws.move("api/box/inner", "api/box/inner2", index=1)
    for fresh in (ws, Workspace.open(ws.root)):
        assert [p for _, p in fresh.children("api")] == ["api/middle", "api/box"]
        assert [p for _, p in fresh.children("api/box")] == [
            "api/box/zeta", "api/box/inner2", "api/box/alpha"]
        assert fresh.request_paths() == ["api/middle", "api/box/zeta", "api/box/alpha"]
        assert fresh.folders() == ["api/box", "api/box/inner2"]
    with pytest.raises(ValidationError):
        ws.reorder("api", 0)
    assert doc(ws.root / "connections/api/connection.json")["order"] == ["middle", "box"]


def test_run_follows_the_tree_order(workspace: Workspace, echo_server: str, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    ws = workspace
    ws.save_connection(Connection("echo", echo_server), create=True)
    for path in ("echo/b", "echo/f/z", "echo/f/a", "echo/a"):
        ws.save_request(Request(path, url="/json"), create=True)
    ws.reorder("echo/a", 0)
    report = tmp_path / "r.json"
    code = main(["--workspace", str(ws.root), "run", "echo", "--reporter", f"json={report}"])
    assert code == 0, capsys.readouterr()
    ran = [r["path"] for r in json.loads(report.read_text())["results"]]
    assert ran == ["echo/a", "echo/b", "echo/f/z", "echo/f/a"]


# -- format 1 migration ------------------------------------------------------------------


def write_v1(root: Path) -> dict[str, bytes]:
    """A workspace exactly as format 1 wrote it; returns its files' bytes."""
    def put(rel: str, value: object) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value, indent=2) + "\n", encoding="utf-8")

    put("relaydesk.json", {"format": 1, "kind": "workspace", "id": "ws-v1-id"})
    put("connections/jira/cloud/connection.json",
        {"format": 1, "kind": "connection", "base_url": "https://jira.example",
         "auth": {"type": "basic", "username": "ann"}})
    put("connections/jira/cloud/issues/folder.json", {"format": 1, "kind": "folder"})
    put("connections/jira/cloud/issues/Get.request.json",
        {"format": 1, "kind": "request", "method": "GET", "url": "/issue/1"})
    put("connections/jira/cloud/issues/deep/Put.request.json",  # folder with no folder.json
        {"format": 1, "kind": "request", "method": "PUT", "url": "/issue/2"})
    put("connections/jira/cloud/Top.request.json",
        {"format": 1, "kind": "request", "method": "GET", "url": "/top"})
    put("connections/gh/connection.json",
        {"format": 1, "kind": "connection", "base_url": "https://api.github.com"})
    put("environments/dev.json", {"format": 1, "kind": "environment", "variables": {"a": "1"}})
    (root / "connections/gh/Broken.request.json").write_text('{"format": 1, "kind": ')
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_a_v1_workspace_migrates_on_open_keeping_a_backup(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    v1 = write_v1(root)
    ws = Workspace.open(root)

    assert doc(root / "relaydesk.json") == {"format": 2, "kind": "workspace", "id": "ws-v1-id"}
    assert ws.id == "ws-v1-id"
    backups = list((root / ".relaydesk").glob("backup-v1-*"))
    assert len(backups) == 1
    assert {str(p.relative_to(backups[0])): p.read_bytes() for p in backups[0].rglob("*")
            if p.is_file()} == v1
    # Every readable item got an id; the broken file is untouched and still reported.
    broken = root / "connections/gh/Broken.request.json"
    assert broken.read_bytes() == v1["connections/gh/Broken.request.json"]
    assert [p.path for p in ws.problems] == [broken]
    for rel in ("connections/jira/cloud/connection.json", "connections/gh/connection.json",
                "connections/jira/cloud/issues/folder.json",
                "connections/jira/cloud/issues/deep/folder.json",
                "connections/jira/cloud/issues/Get.request.json", "environments/dev.json"):
        d = doc(root / rel)
        assert d["format"] == 2 and isinstance(d["id"], str) and d["id"], rel
    # Order seeded from what v1 showed: folders first, then requests, by name.
    assert doc(root / "connections/jira/cloud/connection.json")["order"] == ["issues", "Top"]
    assert ws.request_paths() == ["jira/cloud/issues/deep/Put", "jira/cloud/issues/Get",
                                  "jira/cloud/Top"]
    assert ws.connection("jira/cloud").auth.params == {"username": "ann"}

    legacy = ws.legacy_secret_owners()
    assert legacy == {ws.id_of("jira/cloud"): "jira/cloud", ws.id_of("gh"): "gh",
                      ws.id_of("jira/cloud/issues/Get"): "jira/cloud/issues/Get",
                      ws.id_of("jira/cloud/issues/deep/Put"): "jira/cloud/issues/deep/Put",
                      ws.id_of("jira/cloud/Top"): "jira/cloud/Top",
                      ws.environment("dev").id: "environments/dev"}
    ws.forget_legacy_secret_owners([ws.id_of("gh")])
    assert "gh" not in Workspace.open(root).legacy_secret_owners().values()
    assert (root / ".gitignore").read_text() == ".relaydesk/\n"

    # Round trip: a second open changes nothing, a save and reload keep everything.
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()
              and ".relaydesk" not in p.parts}
    again = Workspace.open(root)
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()
            and ".relaydesk" not in p.parts} == before
    req = again.save_request(again.request("jira/cloud/Top"))
    assert Workspace.open(root).request("jira/cloud/Top") == req
    assert len(list((root / ".relaydesk").glob("backup-v1-*"))) == 1


def test_an_interrupted_migration_completes_on_the_next_open(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from relaydesk.core import migrate

    root = tmp_path / "ws"
    write_v1(root)

    class Killed(BaseException):
        pass

    real = migrate.atomic_write_text
    writes: list[Path] = []

    def dies_on_the_fourth_write(path: Path, text: str, **kw: object) -> None:
        writes.append(path)
        if len(writes) == 4:
            raise Killed
        real(path, text, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(migrate, "atomic_write_text", dies_on_the_fourth_write)
    with pytest.raises(Killed):
        Workspace.open(root)
    monkeypatch.setattr(migrate, "atomic_write_text", real)
    assert doc(root / "relaydesk.json")["format"] == 1  # not bumped: it is redone
    early = {p: doc(p)["id"] for p in writes[:3]}

    ws = Workspace.open(root)
    assert doc(root / "relaydesk.json")["format"] == 2
    assert {p: doc(p)["id"] for p in early} == early  # ids given before the crash stay
    assert len(ws.requests()) == 3 and len(ws.legacy_secret_owners()) == 6
    assert len(list((root / ".relaydesk").glob("backup-v1-*"))) == 1


def test_a_newer_workspace_is_reported_and_left_alone(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    write_v1(root)
    (root / "relaydesk.json").write_text('{"format": 3, "kind": "workspace", "id": "x"}')
    (root / "connections/gh/.half-written.tmp").write_text("a newer version's business")

    def files() -> dict[Path, bytes]:  # the lock file aside
        return {p: p.read_bytes() for p in root.rglob("*") if p.is_file()
                and ".relaydesk" not in p.parts}

    before = files()
    ws = Workspace.open(root)
    assert any("newer Relaydesk" in p.reason for p in ws.problems)
    with pytest.raises(ValidationError, match="newer Relaydesk"):
        ws.save_environment(Environment("x"))
    assert files() == before


# -- local state -------------------------------------------------------------------------


def test_leftovers_of_killed_writers_are_swept_on_open(workspace: Workspace) -> None:
    ws = tree(workspace)
    root = ws.root
    leftovers = [
        root / ".relaydesk/tmp/.Top.request.json.abc.tmp",
        root / ".relaydesk/staging/import-1/api/connection.json",
        root / ".relaydesk/trash/0123/Top.request.json",
        root / "connections/.import-5d2/api/connection.json",  # where v1 staged imports
        root / "connections/jira/cloud/issues/.Get.request.json.x1.tmp",
        root / "environments/.dev.json.x2.tmp",
        root / ".relaydesk.json.x3.tmp",
    ]
    for path in leftovers:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}")
    fresh = Workspace.open(root)
    assert [p for p in leftovers if p.exists()] == []
    assert not (root / "connections/.import-5d2").exists()
    assert len(fresh.requests()) == 3 and fresh.problems == []
    names = [p.name for p in fresh.iter_files()]
    assert names.count("Top.request.json") == 1 and "lock" not in names


def test_gitignore_is_written_and_an_existing_one_kept(tmp_path: Path) -> None:
    Workspace.open(tmp_path / "new")
    assert (tmp_path / "new/.gitignore").read_text() == ".relaydesk/\n"
    root = tmp_path / "old"
    write_v1(root)
    (root / ".gitignore").write_text("*.bak")
    Workspace.open(root)
    Workspace.open(root)
    assert (root / ".gitignore").read_text() == "*.bak\n.relaydesk/\n"


# -- the writers' lock -------------------------------------------------------------------

UPDATER = """
import sys
from relaydesk.core.workspace import Workspace
ws = Workspace.open(sys.argv[1])
for i in range(30):
    ws.update_environment("shared", set={f"{sys.argv[2]}{i}": str(i)}, create=True)
"""


def test_concurrent_updates_from_two_processes_lose_nothing(workspace: Workspace) -> None:
    src = str(Path(relaydesk.__file__).parent.parent)
    env = {**os.environ, "PYTHONPATH": src}
    procs = [subprocess.Popen([sys.executable, "-c", UPDATER, str(workspace.root), tag],
                              env=env) for tag in ("a", "b")]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    variables = Workspace.open(workspace.root).environment("shared").variables
    assert variables == {f"{t}{i}": str(i) for t in "ab" for i in range(30)}


def test_a_transaction_sees_what_another_workspace_object_wrote(
        workspace: Workspace) -> None:
    other = Workspace.open(workspace.root)
    workspace.update_environment("dev", set={"a": "1"}, create=True)
    other.update_environment("dev", set={"b": "2"})  # reloads: it knew no "dev"
    assert workspace.update_environment("dev", unset=["a"]).variables == {"b": "2"}
    with pytest.raises(NotFoundError, match="known: dev"):
        workspace.update_environment("nope", set={"x": "1"})


def test_threads_sharing_one_workspace_lose_nothing(workspace: Workspace) -> None:
    from concurrent.futures import ThreadPoolExecutor

    other = Workspace.open(workspace.root)  # a second object on the same folder too

    def update(i: int) -> None:
        ws = workspace if i % 2 else other
        with ws.transaction(), ws.transaction():  # re-entrant
            ws.update_environment("shared", set={f"k{i}": str(i)}, create=True)

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(update, range(40)))
    assert Workspace.open(workspace.root).environment("shared").variables == {
        f"k{i}": str(i) for i in range(40)}
