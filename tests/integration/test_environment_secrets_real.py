"""Secret variables of an environment against a real Secret Service: stored by the
session (as the app's Environments dialog does), sent by `relaydesk send --env`,
kept out of the workspace files and the history database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from relaydesk.core.secrets import SERVICE
from tests.integration.clitools import requires_secret_service, run_cli, snapshot

pytestmark = pytest.mark.keyring

TOKEN = "env-secret-real-41d9"


@requires_secret_service
def test_a_secret_variable_is_stored_sent_and_kept_out_of_files(
        tmp_path: Path, echo_server: str) -> None:
    from keyring.backends import SecretService

    from relaydesk.core.session import Session

    ws = tmp_path / "ws"
    assert run_cli(ws, "new", "connection", "api", "--base-url", echo_server).code == 0
    assert run_cli(ws, "new", "request", "api/who", "--url", "/echo/{{user}}",
                   "--header", "X-Tok: {{tok}}").code == 0
    session = Session.open(ws, history=False)
    env = session.edit_environment("dev", variables={"user": "ann"},
                                   secret_values={"tok": TOKEN}, create=True)
    key = f"{session.workspace.id}/@{env.id}#tok"
    assert SecretService.Keyring().get_password(SERVICE, key) == TOKEN

    history = tmp_path / "history.sqlite3"
    sent = run_cli(ws, "send", "api/who", "--env", "dev",
                   env={"RELAYDESK_HISTORY": str(history)})
    assert sent.code == 0, sent.err
    echoed = json.loads(sent.out)
    assert echoed["path"] == "/echo/ann"
    assert ["x-tok", TOKEN] in echoed["headers"]
    assert [n for n, data in snapshot(ws).items() if TOKEN.encode() in data] == []
    recorded = list(tmp_path.glob("history.sqlite3*"))  # the WAL too
    assert history.is_file() and b"/echo/ann" in b"".join(p.read_bytes() for p in recorded)
    assert [p for p in recorded if TOKEN.encode() in p.read_bytes()] == []

    # Renamed, the environment keeps its secret; deleted, the entry goes.
    session.rename_environment("dev", "stage")
    again = run_cli(ws, "send", "api/who", "--env", "stage")
    assert ["x-tok", TOKEN] in json.loads(again.out)["headers"]
    session.delete_environment("stage")
    assert SecretService.Keyring().get_password(SERVICE, key) is None
