"""The CLI and the app are faces over one core session, so they leave the same marks.

Against the real Secret Service: `relaydesk mv`/`rm` and the app's rename/delete
(``ui.service.Service``, what the tree's actions call) leave the keyring identical on
a move and forget exactly the item's entries on a delete, OAuth tokens included.
`relaydesk set` changes only what it is given.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from relaydesk.core.oauth.tokens import TOKENS_FIELD
from relaydesk.core.secrets import SERVICE
from relaydesk.core.session import Session
from relaydesk.core.workspace import Workspace
from tests.integration.clitools import (
    assert_one_line_error,
    requires_secret_service,
    run_cli,
    snapshot,
)


def keyring_entries(workspace_id: str) -> dict[str, str]:
    """Every Relaydesk entry of this workspace in the real Secret Service."""
    import secretstorage

    bus = secretstorage.dbus_init()
    try:
        collection = secretstorage.get_default_collection(bus)
        found = {}
        for item in collection.search_items({"service": SERVICE}):
            key = item.get_attributes().get("username", "")
            if key.startswith(workspace_id + "/"):
                found[key] = item.get_secret().decode()
        return found
    finally:
        bus.close()


def workspace_id(ws: Path) -> str:
    value: str = json.loads((ws / "relaydesk.json").read_text())["id"]
    return value


def make_items(ws: Path, base_url: str) -> None:
    steps = [
        ["new", "connection", "team/idp", "--base-url", base_url, "--auth", "oauth2",
         "--set", "grant=client_credentials", "--set", "token_url=https://idp.example/t",
         "--set", "client_id=c"],
        ["new", "request", "team/idp/users/List", "--url", "/echo/users"],
        ["new", "request", "team/idp/users/Admin", "--url", "/echo/admin"],
    ]
    for args in steps:
        assert run_cli(ws, *args).code == 0, args
    assert run_cli(ws, "secret", "set", "team/idp", "client_secret", input="cs-1").code == 0


@requires_secret_service
@pytest.mark.keyring
def test_cli_mv_and_rm_keep_the_keyring_right(tmp_path: Path, echo_server: str) -> None:
    ws = tmp_path / "ws"
    make_items(ws, echo_server)
    session = Session(Workspace.open(ws), history=False)
    session.secrets.set("team/idp", TOKENS_FIELD, '{"access_token": "at"}')
    wid = workspace_id(ws)
    before = keyring_entries(wid)
    assert set(before.values()) == {'{"access_token": "at"}', "cs-1"}

    assert run_cli(ws, "mv", "team/idp", "ops/idp").code == 0
    assert run_cli(ws, "mv", "ops/idp/users/Admin", "ops/idp/Administer").code == 0
    assert keyring_entries(wid) == before  # nothing rewritten, nothing left behind
    status = run_cli(ws, "secret", "status", "ops/idp")
    assert "client_secret: saved" in status.text, status

    assert run_cli(ws, "rm", "-r", "ops/idp").code == 0
    assert keyring_entries(wid) == {}


@requires_secret_service
@pytest.mark.keyring
def test_app_rename_and_delete_keep_the_keyring_right(tmp_path: Path, echo_server: str) -> None:
    from relaydesk.core.secrets import system_keyring
    from relaydesk.ui.service import Service

    ws = tmp_path / "ws"
    make_items(ws, echo_server)
    service = Service(Session(Workspace.open(ws), keyring=system_keyring(), history=False))
    service.secrets.set("team/idp", TOKENS_FIELD, '{"access_token": "at"}')
    wid = workspace_id(ws)
    before = keyring_entries(wid)

    assert service.rename("team/idp", "idp2") == "team/idp2"
    assert service.move("team/idp2/users", "team/idp2/people") == "team/idp2/people"
    assert keyring_entries(wid) == before
    assert service.secrets.get("team/idp2", "client_secret") == "cs-1"

    service.delete("team/idp2")
    assert keyring_entries(wid) == {}


def test_rm_without_a_keyring_leaves_nothing_a_new_item_could_inherit(
        tmp_path: Path, echo_server: str, memory_keyring: Any) -> None:
    ws = tmp_path / "ws"
    assert run_cli(ws, "new", "connection", "svc", "--base-url", echo_server,
                   "--auth", "bearer").code == 0
    session = Session(Workspace.open(ws), keyring=memory_keyring, history=False)
    session.set_secret("svc", "token", "old-token")
    no_keyring = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    removed = run_cli(ws, "rm", "svc", env=no_keyring)
    assert removed.code == 0 and "stay in the keyring" in removed.err, removed

    assert run_cli(ws, "new", "connection", "svc", "--base-url", echo_server,
                   "--auth", "bearer").code == 0
    fresh = Session(Workspace.open(ws), keyring=memory_keyring, history=False)
    assert fresh.secrets.get("svc", "token") is None
    assert "old-token" in memory_keyring.passwords.values()


def test_set_changes_only_what_is_given(tmp_path: Path, echo_server: str) -> None:
    ws = tmp_path / "ws"
    assert run_cli(ws, "new", "connection", "api", "--base-url", echo_server + "/echo/v1",
                   "--header", "X-Team: ops", "--var", "k=1", "--auth", "basic",
                   "--set", "username=alice").code == 0
    assert run_cli(ws, "new", "request", "api/Get", "--url", "/items/{{k}}",
                   "--param", "a=1").code == 0
    conn_file = ws / "connections" / "api" / "connection.json"
    doc = json.loads(conn_file.read_text())
    doc["x-future"] = {"kept": True}  # a key a newer Relaydesk wrote
    conn_file.write_text(json.dumps(doc))
    ident = Workspace.open(ws).id_of("api")

    changed = run_cli(ws, "set", "api", "--base-url", echo_server + "/echo/v2",
                      "--header", "X-Trace: 1", "--var", "k=2")
    assert changed.code == 0, changed
    assert "base url" in changed.err and "headers" in changed.err, changed.err
    after = Workspace.open(ws)
    conn = after.connection("api")
    assert json.loads(conn_file.read_text()).get("x-future") == {"kept": True}
    assert after.id_of("api") == ident
    assert [(h.name, h.value) for h in conn.headers] == [("X-Team", "ops"), ("X-Trace", "1")]
    assert conn.auth.params == {"username": "alice"}

    assert run_cli(ws, "set", "api/Get", "--param", "b=2", "-X", "post").code == 0
    assert run_cli(ws, "set", "api", "--auth", "none").code == 0
    assert Workspace.open(ws).connection("api").auth.params == {}
    sent = run_cli(ws, "send", "api/Get")
    assert sent.code == 0, sent
    echoed = json.loads(sent.out)
    assert echoed["method"] == "POST" and echoed["path"] == "/echo/v2/items/2"
    assert echoed["query"] == "a=1&b=2"

    before = snapshot(ws)
    assert_one_line_error(run_cli(ws, "set", "api", "--url", "/x"), "--url", "connection",
                          code=2)
    assert_one_line_error(run_cli(ws, "set", "api", "--timeout", "-1"), "timeout")
    assert_one_line_error(run_cli(ws, "set", "nope", "--timeout", "5"), "nope")
    # HTTPS-only with the http:// base URL would be refused by every send: refused now.
    assert_one_line_error(run_cli(ws, "set", "api", "--https-only"), "HTTPS-only")
    assert snapshot(ws) == before

    assert run_cli(ws, "set", "--environment", "prod", "--var", "k=3").code != 0
    assert run_cli(ws, "new", "environment", "prod", "--var", "k=3").code == 0
    assert run_cli(ws, "set", "--environment", "prod", "--var", "z=9",
                   "--unset-var", "k").code == 0
    assert json.loads((ws / "environments" / "prod.json").read_text())["variables"] == {
        "z": "9"}


async def test_history_follows_a_request_through_renames(
        workspace: Workspace, memory_keyring: Any, echo_server: str) -> None:
    from relaydesk.core.model import Connection, Request

    session = Session(workspace, keyring=memory_keyring, history_source="app")
    session.create_connection(Connection("svc", echo_server))
    req = session.create_request(Request("svc/Ping", url="/echo/ping"))
    try:
        await session.send(req)
        session.move("svc/Ping", "svc/checks/Health ping")
        assert session.history is not None
        entry = session.history.search()[0]
        assert entry.request_path == "svc/Ping"  # what it was called when sent
        assert session.history_path(entry) == "svc/checks/Health ping"
        from relaydesk.core.history import HistoryQuery

        moved_id = workspace.id_of("svc/checks/Health ping")
        found = session.history.search(HistoryQuery(item_id=moved_id))
        assert [e.id for e in found] == [entry.id]
    finally:
        await session.aclose()


def test_an_older_history_database_gains_the_item_column(tmp_path: Path) -> None:
    import sqlite3

    from relaydesk.core.history import History

    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    old.executescript("""
        CREATE TABLE entries (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            ts REAL NOT NULL, source TEXT NOT NULL, request_path TEXT NOT NULL,
            method TEXT NOT NULL, url TEXT NOT NULL, status INTEGER, elapsed_ms REAL,
            error TEXT, req_headers TEXT NOT NULL, req_body BLOB, req_size INTEGER NOT NULL,
            resp_headers TEXT NOT NULL, resp_body BLOB, resp_size INTEGER NOT NULL,
            stored INTEGER NOT NULL);
        INSERT INTO entries VALUES (1, 1.0, 'cli', 'a/b', 'GET', 'http://x/', 200, 1.0,
            NULL, '[]', NULL, 0, '[]', NULL, 0, 10);
    """)
    old.commit()
    old.close()
    with History(path) as history:
        [entry] = history.search()
    assert entry.request_path == "a/b" and entry.item_id == ""
