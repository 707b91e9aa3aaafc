"""History: recorded, redacted, limited, searchable — against the echo server."""

from __future__ import annotations

import base64
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from relaydesk.core.engine import Engine
from relaydesk.core.errors import HttpStatusError
from relaydesk.core.history import History, HistoryQuery
from relaydesk.core.model import (
    AuthSettings,
    Body,
    Connection,
    KeyValue,
    Request,
    RequestOptions,
)
from relaydesk.core.redact import REDACTED
from relaydesk.core.runner import Runner, RunOptions
from relaydesk.core.secrets import SecretStore
from relaydesk.core.workspace import Workspace

CANARY_TOKEN = "canary-TOKEN-7f3a9e"
CANARY_KEY = "canary+KEY/q&x=1"  # needs percent-encoding in a query string
CANARY_PASS = "canary-PASS-51c0"


@pytest.fixture
def history(tmp_path: Path) -> Iterator[History]:
    h = History(tmp_path / "data" / "history.sqlite3")
    yield h
    h.close()


@pytest.fixture
async def engine(secret_store: SecretStore, history: History) -> AsyncIterator[Engine]:
    """An engine whose every exchange is recorded in ``history`` (as the CLI and the
    app build theirs)."""
    eng = Engine(secret_store, on_exchange=history.observer("runner"))
    yield eng
    await eng.aclose()


def _db_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


async def test_history_is_redacted_everywhere(workspace: Workspace, secret_store: SecretStore,
                                              engine: Engine, history: History,
                                              echo_server: str) -> None:
    ws = workspace
    ws.save_connection(Connection(path="bearer", base_url=echo_server,
                                  auth=AuthSettings("bearer")), create=True)
    ws.save_connection(Connection(path="key", base_url=echo_server, auth=AuthSettings(
        "apikey", {"name": "api_key", "in": "query"})), create=True)
    ws.save_connection(Connection(path="hkey", base_url=echo_server, auth=AuthSettings(
        "apikey", {"name": "X-Custom-Key", "in": "header"})), create=True)
    ws.save_connection(Connection(path="basic", base_url=echo_server, auth=AuthSettings(
        "basic", {"username": "ann"})), create=True)
    secret_store.set("bearer", "token", CANARY_TOKEN)
    secret_store.set("key", "value", CANARY_KEY)
    secret_store.set("hkey", "value", CANARY_TOKEN)
    secret_store.set("basic", "password", CANARY_PASS)
    for conn in ("bearer", "key", "hkey", "basic"):
        ws.save_request(Request(
            path=f"{conn}/echo", method="POST", url="/echo/x?keep=visible",
            cookies=[KeyValue("session", "cookie-value-123")],
            body=Body(kind="raw", text="body mentions nothing secret")), create=True)
    summary = await Runner(engine, ws).run("", RunOptions())
    assert summary.executed == 4 and summary.ok
    entries = history.search()
    assert len(entries) == 4
    for e in entries:
        assert "keep=visible" in e.url
        assert e.status == 200 and e.source == "runner"
        assert e.response_body  # the echo was stored …
        assert b"body mentions nothing secret" in e.request_body
        cookie = dict((k.lower(), v) for k, v in e.request_headers)["cookie"]
        assert cookie == REDACTED
    by_path = {e.request_path: e for e in entries}
    assert dict(by_path["bearer/echo"].request_headers)["Authorization"] == REDACTED
    assert dict(by_path["hkey/echo"].request_headers)["X-Custom-Key"] == REDACTED
    assert f"api_key={REDACTED}" in by_path["key/echo"].url.replace("%5B", "[").replace(
        "%5D", "]")
    # … and the echoed credentials inside it are gone.
    data = _db_bytes(history.path)
    basic = base64.b64encode(f"ann:{CANARY_PASS}".encode())
    for canary in (CANARY_TOKEN.encode(), CANARY_KEY.encode(), b"canary%2BKEY",
                   CANARY_PASS.encode(), basic, b"cookie-value-123"):
        assert canary not in data, canary


async def test_set_cookie_and_errors(workspace: Workspace, engine: Engine, history: History,
                                     echo_server: str) -> None:
    workspace.save_connection(Connection(path="c", base_url=echo_server), create=True)
    workspace.save_request(Request(path="c/set", url="/set-cookie?sid=abc"), create=True)
    workspace.save_request(Request(path="c/bad", url="/echo/{{nope}}"), create=True)
    workspace.save_request(Request(path="c/down", url="http://127.0.0.1:9/x"), create=True)
    await Runner(engine, workspace).run("c", RunOptions(strict_variables=True))
    entries = {e.request_path: e for e in history.search()}
    assert "c/bad" not in entries  # never prepared, never sent
    assert entries["c/down"].status is None and entries["c/down"].error
    set_cookie = [v for k, v in entries["c/set"].response_headers if k.lower() == "set-cookie"]
    assert set_cookie == [REDACTED]


async def test_bodies_truncated(tmp_path: Path, workspace: Workspace,
                                echo_server: str) -> None:
    workspace.save_connection(Connection(path="c", base_url=echo_server), create=True)
    workspace.save_request(Request(path="c/big", url="/bytes?n=5000"), create=True)
    with History(tmp_path / "h.db", body_limit=1000) as h:
        engine = Engine(None, on_exchange=h.observer("runner"))
        try:
            await Runner(engine, workspace).run("c", RunOptions())
        finally:
            await engine.aclose()
        (e,) = h.search()
        assert len(e.response_body) == 1000 and e.response_size == 5000


async def test_status_is_recorded_before_raise_for_status(
        engine: Engine, history: History, echo_server: str) -> None:
    conn = Connection(path="c", base_url=echo_server)
    req = Request(path="c/missing", url="/status/404",
                  options=RequestOptions(raise_for_status=True))
    with pytest.raises(HttpStatusError):
        await engine.send(req, conn)
    (e,) = history.search()
    assert (e.request_path, e.status, e.error, e.source) == ("c/missing", 404, None, "runner")


async def test_a_failing_history_never_fails_a_send(
        tmp_path: Path, echo_server: str, caplog: pytest.LogCaptureFixture) -> None:
    h = History(tmp_path / "h.db")
    engine = Engine(None, on_exchange=h.observer("cli"))
    h.close()  # every write now raises sqlite3.ProgrammingError inside the observer
    try:
        resp = await engine.send(Request(path="c/r", url=f"{echo_server}/echo/ok"), None)
    finally:
        await engine.aclose()
    assert resp.status == 200 and resp.json()["path"] == "/echo/ok"
    assert "could not record history" in caplog.text


def _fake_prepared(url: str, method: str = "GET") -> Any:
    from relaydesk.core.prepare import PreparedRequest

    return PreparedRequest(method=method, url=url, headers=[("Accept", "*/*")],
                           content=b"x" * 100)


def test_count_and_size_limits_prune_oldest(tmp_path: Path) -> None:
    with History(tmp_path / "h.db", max_entries=10) as h:
        counts = []
        for i in range(25):
            h.record(_fake_prepared(f"http://h/{i}"))
            counts.append(h.count())
        # Past the limit it drops to 90% of it, so a full history is not pruned on
        # every request; it never holds more than the limit.
        assert max(counts) == 10 and counts[10] == 9
        newest_first = [f"http://h/{i}" for i in range(24, 24 - h.count(), -1)]
        assert [e.url for e in h.search()] == newest_first
    with History(tmp_path / "s.db", max_bytes=2000) as h:
        for i in range(40):
            h.record(_fake_prepared(f"http://h/{i}"))
        assert h.total_stored() <= 2000
        assert 5 < h.count() < 40
        assert h.search(HistoryQuery(limit=1))[0].url == "http://h/39"
    # Limits lowered between sessions apply when the database is opened.
    with History(tmp_path / "h.db", max_entries=3) as h:
        assert h.count() == 3


def test_search_filters_and_clear(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    with History(path) as h:
        h.record(_fake_prepared("http://api/users/1"))
        h.record(_fake_prepared("http://api/users/2", "DELETE"))
        h.record(_fake_prepared("http://api/items_100%"))
        assert [e.url for e in h.search(HistoryQuery(text="users"))] == [
            "http://api/users/2", "http://api/users/1"]
        assert [e.method for e in h.search(HistoryQuery(method="delete"))] == ["DELETE"]
        assert [e.url for e in h.search(HistoryQuery(text="_100%"))] == ["http://api/items_100%"]
        assert h.search(HistoryQuery(text="rs_1")) == []  # _ is literal, not a wildcard
        assert h.search(HistoryQuery(status=200)) == []
        assert len(h.search(HistoryQuery(since=time.time() - 60))) == 3
        assert h.search(HistoryQuery(until=time.time() - 60)) == []
        req = h.search(HistoryQuery(method="DELETE"))[0].to_request()
        assert (req.method, req.url, req.body.kind) == ("DELETE", "http://api/users/2", "raw")
        h.clear()
        assert h.count() == 0
    assert b"api/users" not in _db_bytes(path)
