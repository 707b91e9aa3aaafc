"""History written in batches by `relaydesk run`: complete on every ending a process
can see (normal end, Ctrl+C, SIGTERM), and bounded by the last batch on a SIGKILL."""

from __future__ import annotations

import contextlib
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from relaydesk.core.history import History
from relaydesk.core.model import Connection, Request
from relaydesk.core.prepare import PreparedRequest
from relaydesk.core.workspace import Workspace
from tests.integration.clitools import relaydesk_command, requires_secret_service, run_cli


def rows_on_disk(path: Path) -> int:
    """What another process reading the database sees."""
    with contextlib.closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return int(db.execute("SELECT COUNT(*) FROM entries").fetchone()[0])


def prepared(i: int) -> PreparedRequest:
    return PreparedRequest("GET", f"http://127.0.0.1:9/item/{i}", [("accept", "*/*")])


def test_buffered_records_wait_and_every_read_or_close_writes_them(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    history = History(path)
    history.buffer(rows=10, seconds=3600)
    for i in range(25):
        assert history.record(prepared(i), error="refused") == 0
    assert rows_on_disk(path) == 20  # two full batches
    assert history.count() == 25  # a read writes what waits first
    assert rows_on_disk(path) == 25
    for i in range(3):
        history.record(prepared(100 + i), error="refused")
    history.close()
    assert rows_on_disk(path) == 28
    with History(path) as again:
        urls = [e.url for e in again.search()][:3]
    assert urls == [f"http://127.0.0.1:9/item/{i}" for i in (102, 101, 100)]


def test_a_batch_also_goes_when_its_oldest_record_is_old_enough(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    with History(path) as history:
        history.buffer(rows=1000, seconds=0.2)
        history.record(prepared(1), error="refused")
        assert rows_on_disk(path) == 0
        time.sleep(0.3)
        history.record(prepared(2), error="refused")
        assert rows_on_disk(path) == 2


def test_the_observer_records_every_exchange_in_order_off_the_request_path(
        tmp_path: Path) -> None:
    """Buffered, the observer records an exchange a turn of the event loop later (the
    next request goes first); a spooled body, removed after its reader, is recorded
    at once, after those waiting. Whatever the mix, every exchange is there, in order."""
    import asyncio

    from relaydesk.core.response import Response

    path = tmp_path / "history.sqlite3"
    spooled = tmp_path / "body.bin"
    spooled.write_bytes(b"spooled body")

    async def run(history: History) -> list[int]:
        observe = history.observer("cli run")
        waiting = []
        for i in range(130):
            body_file = spooled if i % 7 == 3 else None
            response = Response(status=200, reason="OK", http_version="HTTP/1.1",
                                method="GET", url=f"http://127.0.0.1:9/item/{i}",
                                headers=[], body=b"" if body_file else b"in memory",
                                body_file=body_file)
            observe(f"api/r{i}", prepared(i), response, None)
            waiting.append(len(history._deferred))
            if i % 5 == 0:
                await asyncio.sleep(0.001)
        return waiting

    history = History(path)
    history.buffer(rows=50, seconds=3600)
    waiting = asyncio.run(run(history))
    assert max(waiting) > 0  # some were put off
    history.close()
    with contextlib.closing(sqlite3.connect(path)) as db:
        rows = list(db.execute("SELECT url, resp_body FROM entries ORDER BY id"))
    assert [url for url, _ in rows] == [f"http://127.0.0.1:9/item/{i}" for i in range(130)]
    assert {bytes(body) for _, body in rows} == {b"in memory", b"spooled body"}


def test_a_killed_writer_keeps_every_batch_it_wrote(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    script = textwrap.dedent(f"""
        import os, signal
        from relaydesk.core.history import History
        from relaydesk.core.prepare import PreparedRequest
        h = History({str(path)!r})
        h.buffer(rows=10, seconds=3600)
        for i in range(25):
            h.record(PreparedRequest("GET", f"http://127.0.0.1:9/{{i}}", []), error="x")
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert rows_on_disk(path) == 20  # the 5 of the unfinished batch are the bound


def slow_workspace(root: Path, echo_server: str, n: int) -> Path:
    ws = Workspace.open(root)
    ws.save_connection(Connection(path="slow", base_url=echo_server), create=True)
    for i in range(n):
        ws.save_request(Request(path=f"slow/r{i:03d}", url="/slow?delay=0.02",
                                checks=[{"kind": "status_equals", "value": 200}]),
                        create=True)
    return root


def start_run(workspace: Path, history: Path, *args: str) -> subprocess.Popen[str]:
    import os

    env = {k: v for k, v in os.environ.items() if k != "RELAYDESK_WORKSPACE"}
    env["RELAYDESK_HISTORY"] = str(history)
    return subprocess.Popen(
        [*relaydesk_command(), "--workspace", str(workspace), "run", "slow", "-v", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_run_stopped_midway_keeps_every_completed_request(
        tmp_path: Path, echo_server: str, sig: signal.Signals, code: int) -> None:
    total = 300
    ws = slow_workspace(tmp_path / "ws", echo_server, total)
    history = tmp_path / "history.sqlite3"
    proc = start_run(ws, history)
    assert proc.stdout is not None
    printed = 0
    try:
        for line in proc.stdout:  # one line per completed request (-v)
            printed += line.startswith(("✔", "✘"))
            if printed == 15:
                proc.send_signal(sig)
                break
        rest, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    printed += sum(line.startswith(("✔", "✘")) for line in rest.splitlines())
    assert proc.returncode == code, err
    assert "Traceback" not in err
    rows = rows_on_disk(history)
    # Every request the report showed as done is in the history (the last batch was
    # written on the way out), and the run did stop midway.
    assert printed <= rows < total
    assert rows <= printed + 4  # at most the few exchanges ahead of the report


def test_a_whole_run_is_all_in_the_history(tmp_path: Path, echo_server: str) -> None:
    ws = slow_workspace(tmp_path / "ws", echo_server, 130)
    history = tmp_path / "history.sqlite3"
    proc = start_run(ws, history, "--concurrency", "4")
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert rows_on_disk(history) == 130


@requires_secret_service
def test_a_batched_run_keeps_its_secret_out_of_history_and_kept_responses(
        tmp_path: Path, echo_server: str) -> None:
    """The echo server sends the token back in every body: each copy is masked in the
    batched history rows and in the last responses written at the end of the run."""
    ws, token, total = tmp_path / "ws", "run-b4tch-t0ken-canary", 230
    assert run_cli(ws, "new", "connection", "api", "--base-url", echo_server,
                   "--auth", "bearer").code == 0
    workspace = Workspace.open(ws)
    for i in range(total):
        workspace.save_request(Request(path=f"api/r{i:03d}", url=f"/echo/{i}",
                                       checks=[{"kind": "status_equals", "value": 200}]),
                               create=True)
    assert run_cli(ws, "secret", "set", "api", "token", input=token).code == 0
    history = tmp_path / "data" / "history.sqlite3"
    done = run_cli(ws, "run", "api", env={"RELAYDESK_HISTORY": str(history)}, timeout=120)
    assert done.code == 0, done.err
    assert rows_on_disk(history) == total
    with contextlib.closing(sqlite3.connect(history)) as db:
        bodies = [row[0] for row in db.execute("SELECT resp_body FROM entries")]
    assert all(b'["authorization", "[redacted]"]' in body for body in bodies), bodies[0]
    kept = list((history.parent / "last-responses").glob("*.json"))
    assert len(kept) == 200  # the newest of each request, up to the store's limit
    files = [history, *history.parent.glob("history.sqlite3*"), *kept]
    assert all(token.encode() not in f.read_bytes() for f in files)
