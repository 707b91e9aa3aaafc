"""Hostile files and inputs through the real `relaydesk` command (issue 18): files that
explode once expanded, a 3 GB file, names Windows cannot store, a port of 99999 and
a CR/LF in a header. Each ends bounded or with one clear line, nothing lost."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import relaydesk
from relaydesk.core.errors import ValidationError
from relaydesk.core.model import Connection, Environment, KeyValue
from relaydesk.core.session import Session
from relaydesk.core.workspace import Workspace
from tests.hostile_inputs import alias_bomb_openapi, ref_fanout_openapi, sparse_file
from tests.integration.clitools import assert_one_line_error, run_cli, snapshot


def _disk(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


@pytest.mark.parametrize("build", [alias_bomb_openapi, ref_fanout_openapi])
def test_an_openapi_bomb_imports_the_rest_with_a_note(tmp_path: Path, build: Any) -> None:
    spec = tmp_path / "bomb.yaml"
    spec.write_text(build())
    ws = tmp_path / "ws"
    result = run_cli(ws, "import", "openapi", str(spec), "--into", "bomb", timeout=120)
    assert result.code == 0, result.err
    assert "2 request(s)" in result.err and "Note: Examples left empty in '" in result.err
    assert _disk(ws) < 200_000  # was 1 GB and 495 MB
    listing = run_cli(ws, "ls", "bomb").text
    assert "Fine" in listing
    # The connection keeps its API description only when it stays within the budget.
    if build is alias_bomb_openapi:
        assert "API description was not kept" in result.err and "64 MB" in result.err
    else:
        assert "The description is kept beside" in result.err


def test_a_3_gb_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = sparse_file(tmp_path / "huge.json", 3 * 1024 ** 3, b'{"openapi": "3.0.0"}')
    ws = tmp_path / "ws"
    run_cli(ws, "new", "connection", "api", "--base-url", "https://a.example")
    before = snapshot(ws)
    for kind in ("openapi", "postman", "har"):
        result = run_cli(ws, "import", kind, str(big))
        assert_one_line_error(result, "too large", "3 GB", "200 MB")
    assert_one_line_error(run_cli(ws, "import", "curl", str(big), "--into", "api/r"),
                          "too large")
    assert snapshot(ws) == before


@pytest.mark.parametrize("name", ["CON", "nul.txt", "com1", "LPT9", "report.", "a<b"])
def test_names_windows_cannot_store_are_refused_when_typed(tmp_path: Path, name: str) -> None:
    ws = tmp_path / "ws"
    assert run_cli(ws, "new", "connection", "api", "--base-url", "https://a.example").code == 0
    assert run_cli(ws, "new", "request", "api/ok", "--url", "/x").code == 0
    before = snapshot(ws)
    assert_one_line_error(run_cli(ws, "new", "request", f"api/{name}", "--url", "/x"),
                          name.split(".")[0])
    assert_one_line_error(run_cli(ws, "new", "connection", name, "--base-url",
                                  "https://a.example"))
    assert_one_line_error(run_cli(ws, "mv", "api/ok", f"api/{name}"))
    assert snapshot(ws) == before


def test_an_import_of_reserved_names_renames_them_with_a_note(tmp_path: Path) -> None:
    har = tmp_path / "aux.har"
    har.write_text('{"log": {"entries": [{"request": {"method": "GET", '
                   '"url": "https://a.example/x", "headers": []}}]}}')
    ws = tmp_path / "ws"
    result = run_cli(ws, "import", "har", str(har), "--into", "api")
    assert result.code == 0, result.err
    spec = tmp_path / "s.yaml"
    spec.write_text("openapi: 3.0.0\ninfo: {title: CON, version: '1'}\npaths:\n"
                    "  /x: {get: {summary: nul.txt, tags: [Aux.]}}\n")
    result = run_cli(ws, "import", "openapi", str(spec))
    assert result.code == 0, result.err
    assert "Renamed so the files work on Windows" in result.err
    assert "'CON/Aux/nul.txt' → 'CON_/Aux_/nul_.txt'" in result.err
    assert "nul_.txt" in run_cli(ws, "ls", "CON_/Aux_").text


def test_the_session_rename_the_app_uses_refuses_a_reserved_name(tmp_path: Path) -> None:
    session = Session(Workspace.open(tmp_path / "ws"), history=False)
    session.workspace.save_connection(Connection("api", "https://a.example"), create=True)
    with pytest.raises(ValidationError, match=r"'PRN' cannot be used.*device name"):
        session.rename("api", "PRN")
    assert session.workspace.kind_of("api") == "connection"


def test_a_port_out_of_range_is_a_validation_message(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    run_cli(ws, "new", "connection", "api", "--base-url", "http://127.0.0.1/v1",
            "--var", "port=99999")
    run_cli(ws, "new", "request", "api/far", "--url", "http://127.0.0.1:{{port}}/x")
    line = assert_one_line_error(run_cli(ws, "send", "api/far"), "port 99999",
                                 "outside 1-65535")
    assert "Unexpected" not in line and "ExceptionGroup" not in line
    assert_one_line_error(run_cli(ws, "new", "connection", "zero", "--base-url",
                                  "http://127.0.0.1:0"), "port 0")


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A port that accepts connections, to prove none was made."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.settimeout(0.3)
    yield sock
    sock.close()


def _nothing_arrived(sock: socket.socket) -> bool:
    try:
        conn, _ = sock.accept()
    except TimeoutError:
        return True
    conn.close()
    return False


def test_a_line_break_in_a_header_is_refused_before_sending(
        tmp_path: Path, listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    ws = tmp_path / "ws"
    run_cli(ws, "new", "connection", "api", "--base-url", f"http://127.0.0.1:{port}")
    run_cli(ws, "new", "request", "api/r", "--url", "/x", "--header", "X-Note: {{note}}")
    result = run_cli(ws, "send", "api/r", "--var", "note=a\r\nX-Injected: 1")
    line = assert_one_line_error(result, "The header 'X-Note'", "line break")
    assert "protocol" not in line
    result = run_cli(None, "send", "--curl",
                     f"curl -H 'X-A: a\rb' http://127.0.0.1:{port}/")
    assert_one_line_error(result, "The header 'X-A'", "line break")
    assert_one_line_error(run_cli(ws, "new", "request", "api/r2", "--url", "/",
                                  "--header", "X-B: a\nb"),
                          "The header 'X-B'")
    assert _nothing_arrived(listener)


def test_connect_refuses_a_header_value_with_a_line_break(
        workspace: Workspace, memory_keyring: Any) -> None:
    workspace.save_connection(Connection("svc", "http://127.0.0.1:9/",
                                         headers=[KeyValue("X-Team", "{{team}}")]),
                              create=True)
    workspace.save_environment(Environment("bad", {"team": "a\r\nX-Injected: 1"}))
    with pytest.raises(ValidationError, match="The header 'X-Team' has a line break"):
        relaydesk.connect("svc", workspace=workspace, keyring=memory_keyring,
                          environment="bad")
    workspace.save_environment(Environment("good", {"team": "ops\tteam"}))
    with relaydesk.connect("svc", workspace=workspace, keyring=memory_keyring,
                           environment="good") as client:
        assert client.headers["x-team"] == "ops\tteam"  # a tab is a valid header byte
