"""`relaydesk run`, `relaydesk history` and `send --all-pages` from the command line."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from relaydesk.cli import cmd_history, cmd_paginate, cmd_run
from relaydesk.core.history import History
from relaydesk.core.model import AuthSettings, Connection, Request
from relaydesk.core.oauth import OAuthTokenProvider
from relaydesk.core.oauth.tokens import TOKENS_FIELD, TokenSet
from relaydesk.core.secrets import SecretStore
from relaydesk.core.workspace import Workspace
from tests.oauth_server import CLIENTS, OAuthServer, client_factory, start_oauth_server
from tests.paging_server import ITEMS, make_app
from tests.servers import start_uvicorn


@pytest.fixture(autouse=True)
def history_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "history.sqlite3"
    monkeypatch.setenv("RELAYDESK_HISTORY", str(path))
    return path


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Callable[..., int]:
    """The real `main` (its error funnel and exit codes), with `run`/`history` added to
    its parser if the CLI does not register them yet."""
    from relaydesk.cli import _common, main

    build = main.build_parser

    def build_with_mine(*args: Any, **kwargs: Any) -> argparse.ArgumentParser:
        parser = build(*args, **kwargs)
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parent = main._Parser(add_help=False)
        _common.add_workspace_option(parent, top=False)
        for name, module in (("run", cmd_run), ("history", cmd_history)):
            if name not in sub.choices:
                module.register(sub, parent)
        return parser

    monkeypatch.setattr(main, "build_parser", build_with_mine)
    return main.main


@pytest.fixture
def ws(workspace: Workspace, echo_server: str) -> Workspace:
    workspace.save_connection(Connection(path="echo", base_url=echo_server), create=True)
    workspace.save_request(Request(path="echo/a", url="/json", checks=[
        {"kind": "jsonpath_equals", "path": "$.name", "value": "relaydesk"}]), create=True)
    workspace.save_request(Request(path="echo/b", url="/echo/{{id}}", checks=[
        {"kind": "status_equals", "value": 200}]), create=True)
    return workspace


def test_run_passes_and_writes_reports(cli: Callable[..., int], ws: Workspace, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    junit, report = tmp_path / "j.xml", tmp_path / "r.json"
    code = cli(["--workspace", str(ws.root), "run", "echo", "--var", "id=7",
                "--reporter", f"junit={junit}", "--reporter", f"json={report}",
                "--concurrency", "2"])
    out = capsys.readouterr()
    assert code == 0, out
    assert "2 passed, 0 failed" in out.out
    assert 'tests="2" failures="0"' in junit.read_text()
    assert json.loads(report.read_text())["results"][1]["url"].endswith("/echo/7")


def test_run_exits_1_when_a_check_fails(cli: Callable[..., int], ws: Workspace,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    ws.save_request(Request(path="echo/c", url="/status/500"), create=True)
    assert cli(["--workspace", str(ws.root), "run", "echo", "--var", "id=1"]) == 1
    assert "echo/c" in capsys.readouterr().out


def test_run_bail_and_data(cli: Callable[..., int], ws: Workspace, tmp_path: Path,
                           capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "d.csv"
    data.write_text("id\n1\n2\n")
    assert cli(["--workspace", str(ws.root), "run", "echo", "--data", str(data)]) == 0
    assert "4 passed" in capsys.readouterr().out
    ws.save_request(Request(path="echo/0", url="/status/404"), create=True)
    ws.reorder("echo/0", 0)  # runs first
    assert cli(["--workspace", str(ws.root), "run", "echo", "--data", str(data),
                "--bail"]) == 1
    assert "after 1 of 6 requests" in capsys.readouterr().out


@pytest.mark.parametrize(("argv", "message"), [
    (["run", "nope"], "Nothing to run at 'nope'"),
    (["run", "echo", "--reporter", "xml=f"], "Unknown reporter 'xml'"),
    (["run", "echo", "--data", "/nonexistent.csv"], "no such file"),
    (["run", "echo", "--concurrency", "0"], "at least 1"),
])
def test_run_bad_input_is_one_line(cli: Callable[..., int], ws: Workspace,
                                   capsys: pytest.CaptureFixture[str], argv: list[str],
                                   message: str) -> None:
    assert cli(["--workspace", str(ws.root), *argv]) != 0
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_history_lists_and_clears(cli: Callable[..., int], ws: Workspace,
                                  history_file: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    cli(["--workspace", str(ws.root), "run", "echo", "--var", "id=42"])
    capsys.readouterr()
    assert cli(["history", "--search", "echo/42"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and "GET" in lines[0] and "200" in lines[0]
    assert cli(["history", "--json", "--method", "get", "--status", "200"]) == 0
    docs = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert {d["path"] for d in docs} == {"echo/a", "echo/b"}
    assert cli(["history", "--since", "2000-01-01", "--until", "2000-01-02"]) == 0
    assert capsys.readouterr().out == ""
    assert cli(["history", "--since", "yesterday"]) == 2
    assert cli(["history", "clear"]) == 0
    assert "Cleared 2" in capsys.readouterr().err
    assert cli(["history"]) == 0 and capsys.readouterr().out == ""


@pytest.fixture(scope="module")
def paging() -> Iterator[str]:
    server = start_uvicorn(make_app())
    yield server.base_url
    server.stop()


def test_send_all_pages(paging: str, tmp_path: Path,
                        capsys: pytest.CaptureFixture[str]) -> None:
    conn = Connection(path="p", base_url=paging)
    code = cmd_paginate.send_all_pages(Request(path="p/r", url="/cursor"), conn,
                                       environment=None, variables={}, secrets=None)
    out = capsys.readouterr()
    assert code == 0
    assert json.loads(out.out) == ITEMS
    assert "page 3: 1 items" in out.err and "7 items from 3 pages (cursor)" in out.err
    target = tmp_path / "all.json"
    cmd_paginate.send_all_pages(Request(path="p/r", url="/links"), conn, environment=None,
                                variables={}, secrets=None, max_pages=2, output=str(target),
                                silent=True)
    assert json.loads(target.read_text()) == ITEMS[:6]
    assert capsys.readouterr().err == ""


def _relaydesk_has(command: str) -> bool:
    exe = shutil.which("relaydesk", path=str(Path(sys.executable).parent))
    if exe is None:
        return False
    probe = subprocess.run([exe, command, "--help"], capture_output=True, text=True,
                           timeout=60)
    return probe.returncode == 0


def test_relaydesk_run_subprocess_exit_codes(ws: Workspace, tmp_path: Path,
                                             history_file: Path) -> None:
    if not _relaydesk_has("run"):
        pytest.skip("`relaydesk run` is not registered in cli/main.py yet")
    exe = str(Path(sys.executable).parent / "relaydesk")
    env: dict[str, Any] = {**os.environ, "RELAYDESK_HISTORY": str(history_file)}
    ok = subprocess.run([exe, "--workspace", str(ws.root), "run", "echo", "--var", "id=1"],
                        capture_output=True, text=True, env=env, timeout=60)
    assert ok.returncode == 0, ok.stderr
    ws.save_request(Request(path="echo/z", url="/status/503"), create=True)
    bad = subprocess.run([exe, "--workspace", str(ws.root), "run", "echo", "--var", "id=1"],
                         capture_output=True, text=True, env=env, timeout=60)
    assert bad.returncode == 1 and "echo/z" in bad.stdout


def _history(path: Path) -> list[tuple[str, int | None, str]]:
    """(request path, status, source) of every entry, oldest first."""
    with History(path) as h:
        return [(e.request_path, e.status, e.source) for e in reversed(h.search())]


def test_send_all_pages_records_every_page(paging: str, history_file: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    conn = Connection(path="p", base_url=paging)
    assert cmd_paginate.send_all_pages(Request(path="p/r", url="/cursor"), conn,
                                       environment=None, variables={}, secrets=None) == 0
    capsys.readouterr()
    assert _history(history_file) == [("p/r", 200, "cli")] * 3


def test_run_records_history_as_cli_run(cli: Callable[..., int], ws: Workspace,
                                        history_file: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["--workspace", str(ws.root), "run", "echo", "--var", "id=3"]) == 0
    capsys.readouterr()
    assert _history(history_file) == [("echo/a", 200, "cli run"), ("echo/b", 200, "cli run")]


@pytest.fixture(scope="module")
def oauth() -> Iterator[OAuthServer]:
    server = start_oauth_server()
    yield server
    server.stop()


def test_send_retries_once_after_an_oauth_401(
        cli: Callable[..., int], workspace: Workspace, secret_store: SecretStore,
        memory_keyring: Any, oauth: OAuthServer, history_file: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """`relaydesk send` on a client-credentials connection whose saved token the server
    has revoked: the 401 is answered by one retry with a new token (it used to exit 22)."""
    from relaydesk.core import secrets as secrets_module

    monkeypatch.setattr(secrets_module, "system_keyring", lambda: memory_keyring)
    settings = AuthSettings("oauth2", {
        "grant": "client_credentials", "token_url": f"{oauth.base_url}/token",
        "client_id": "basic-client"})
    workspace.save_connection(Connection(path="api/main", base_url=oauth.base_url,
                                         auth=settings), create=True)
    workspace.save_request(Request(path="api/main/me", url="/api/me"), create=True)
    secret_store.set("api/main", "client_secret", CLIENTS["basic-client"]["secret"])
    provider = OAuthTokenProvider(secret_store, client_factory)
    first = asyncio.run(provider.access_token("api/main", settings))  # saved in the keyring
    oauth.state.by_access(first).revoked = True  # type: ignore[union-attr]

    code = cli(["--workspace", str(workspace.root), "send", "api/main/me", "--fail"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert json.loads(out.out)["client_id"] == "basic-client"
    saved = TokenSet.from_json(secret_store.get("api/main", TOKENS_FIELD) or "")
    assert saved is not None and saved.access_token != first
    assert _history(history_file) == [("api/main/me", 401, "cli"), ("api/main/me", 200, "cli")]
