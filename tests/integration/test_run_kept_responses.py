"""`relaydesk run` keeps each request's last response (for the app to show when the
request is opened again), written once at the end of the run rather than per request."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from relaydesk.core.model import Connection, Request
from relaydesk.core.workspace import Workspace
from tests.integration.clitools import relaydesk_command


def test_a_run_keeps_the_last_response_of_each_request(tmp_path: Path,
                                                      echo_server: str) -> None:
    ws = Workspace.open(tmp_path / "ws", create=True)
    ws.save_connection(Connection(path="echo", base_url=echo_server), create=True)
    for n in range(5):
        ws.save_request(Request(path=f"echo/r{n}", url=f"/echo/item{n}"), create=True)
    ids = {ws.request(f"echo/r{n}").id for n in range(5)}
    env = {k: v for k, v in os.environ.items() if k != "RELAYDESK_WORKSPACE"}
    env["RELAYDESK_HISTORY"] = str(tmp_path / "data" / "history.sqlite3")
    done = subprocess.run([*relaydesk_command(), "--workspace", str(ws.root), "run", "echo"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    kept = {p.stem: json.loads(p.read_text()) for p in
            (tmp_path / "data" / "last-responses").glob("*.json")}
    assert set(kept) == ids
    assert {k["status"] for k in kept.values()} == {200}
    assert sorted(k["url"].rsplit("/", 1)[1] for k in kept.values()) == [
        f"item{n}" for n in range(5)]
