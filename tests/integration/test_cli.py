"""The real `relaydesk` command, driven as a user would, against loopback servers.

Each test runs the installed console script in a subprocess with ``--workspace``
pointing at a temporary folder, and checks what the server received, what landed on
stdout/stderr, the exit status, and the files on disk.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.integration.clitools import (
    assert_one_line_error,
    requires_secret_service,
    run_cli,
    snapshot,
)
from tests.servers import closed_port, expected_bytes


def echoed(out: bytes) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(out)
    return data


def header(data: dict[str, Any], name: str) -> str | None:
    return next((v for k, v in data["headers"] if k == name), None)


@pytest.fixture
def ws(tmp_path: Path, echo_server: str) -> Path:
    """A workspace with one connection to the echo server, made through the CLI."""
    root = tmp_path / "ws"
    result = run_cli(root, "new", "connection", "local/echo", "--base-url", echo_server,
                     "--header", "X-Conn: {{team}}", "--var", "team=conn-team",
                     "--test-url", "/status/204")
    assert result.code == 0, result
    assert "Created connection 'local/echo'" in result.err
    return root


# -- the happy path ------------------------------------------------------------------------


def test_new_request_then_send_with_vars_and_env(ws: Path) -> None:
    assert run_cli(ws, "new", "request", "local/echo/issues/Create", "--method", "post",
                   "--url", "/echo/{{project}}/issue", "--param", "notify={{notify}}",
                   "--header", "X-Req: 1", "--json", '{"summary": "{{summary}}", "n": 2}'
                   ).code == 0
    assert run_cli(ws, "new", "environment", "dev", "--var", "project=OPS",
                   "--var", "notify=false", "--var", "team=env-team").code == 0

    result = run_cli(ws, "send", "local/echo/issues/Create", "--env", "dev",
                     "--var", "summary=Disk full", "--var", "notify=true")
    assert result.code == 0, result
    data = echoed(result.out)
    assert data["method"] == "POST"
    assert data["path"] == "/echo/OPS/issue"
    assert data["query"] == "notify=true"  # --var beats the environment
    assert header(data, "x-conn") == "env-team"  # the environment beats the connection
    assert header(data, "x-req") == "1"
    assert header(data, "content-type") == "application/json"
    assert json.loads(base64.b64decode(data["body_b64"])) == {"summary": "Disk full", "n": 2}
    # Diagnostics on stderr, not stdout.
    assert "200 OK" in result.err
    assert " ms" in result.err


def test_include_prints_status_line_and_headers_before_the_body(ws: Path) -> None:
    run_cli(ws, "new", "request", "local/echo/get", "--url", "/echo/x")
    result = run_cli(ws, "send", "local/echo/get", "-i")
    assert result.code == 0
    head, _, body = result.out.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0] == "HTTP/1.1 200 OK"
    assert "content-type: application/json" in lines[1:]
    assert echoed(body)["path"] == "/echo/x"


def test_body_bytes_are_exact_on_stdout_and_in_a_file(ws: Path, tmp_path: Path) -> None:
    run_cli(ws, "new", "request", "local/echo/bytes", "--url", "/bytes?n=70000")
    result = run_cli(ws, "send", "local/echo/bytes")
    assert result.code == 0
    assert result.out == expected_bytes(70000)

    target = tmp_path / "out.bin"
    result = run_cli(ws, "send", "local/echo/bytes", "-o", str(target))
    assert result.code == 0 and result.out == b""
    assert target.read_bytes() == expected_bytes(70000)
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_a_large_body_spooled_to_disk_is_copied_whole(ws: Path, tmp_path: Path) -> None:
    n = 9 * 1024 * 1024  # past the engine's 8 MiB spool threshold
    run_cli(ws, "new", "request", "local/echo/big", "--url", f"/bytes?n={n}")
    target = tmp_path / "big.bin"
    spool = tmp_path / "tmp"
    spool.mkdir()
    env = {"TMPDIR": str(spool)}
    assert run_cli(ws, "send", "local/echo/big", "-o", str(target), env=env).code == 0
    assert target.stat().st_size == n and target.read_bytes() == expected_bytes(n)
    result = run_cli(ws, "send", "local/echo/big", "-s", env=env)
    assert result.code == 0 and result.err == ""
    assert len(result.out) == n and result.out[-1000:] == expected_bytes(n)[-1000:]
    assert list(spool.rglob("*.body")) == []  # the spooled body was removed


def test_http_errors_exit_0_or_22_with_fail_and_explain_on_stderr(ws: Path) -> None:
    run_cli(ws, "new", "request", "local/echo/missing", "--url", "/status/404")
    run_cli(ws, "new", "request", "local/echo/invalid", "-X", "POST", "--url", "/invalid-values")
    plain = run_cli(ws, "send", "local/echo/missing")
    assert plain.code == 0
    assert b"404" in plain.out
    assert "404 Not Found" in plain.err and "Not found (404)" in plain.err

    failed = run_cli(ws, "send", "local/echo/missing", "--fail")
    assert failed.code == 22
    assert failed.out == b""
    assert "Traceback" not in failed.err

    invalid = run_cli(ws, "send", "local/echo/invalid", "--fail")
    assert invalid.code == 22
    assert "Invalid values" in invalid.err


def test_raise_on_status_saved_in_the_request_exits_22(ws: Path) -> None:
    run_cli(ws, "new", "request", "local/echo/strict", "--url", "/status/500",
            "--fail-on-error")
    result = assert_one_line_error(run_cli(ws, "send", "local/echo/strict"), "500", code=22)
    assert "server" in result


def test_send_curl_from_argument_and_stdin(echo_server: str, tmp_path: Path) -> None:
    command = (f"curl -X PUT '{echo_server}/echo/one?a=1' -H 'X-Custom: yes' "
               "--data-raw 'plain body'")
    result = run_cli(tmp_path / "unused", "send", "--curl", command)
    assert result.code == 0, result
    data = echoed(result.out)
    assert (data["method"], data["path"], data["query"]) == ("PUT", "/echo/one", "a=1")
    assert header(data, "x-custom") == "yes"
    assert base64.b64decode(data["body_b64"]) == b"plain body"
    assert not (tmp_path / "unused").exists()  # a one-off request touches no workspace

    piped = run_cli(None, "send", "--curl", "-",
                    input=f"curl \\\n  -u bob:pw \\\n  {echo_server}/echo/two\n")
    assert piped.code == 0, piped
    data = echoed(piped.out)
    assert data["path"] == "/echo/two"
    assert header(data, "authorization") == "Basic " + base64.b64encode(b"bob:pw").decode()


def test_import_curl_into_a_connection(ws: Path, echo_server: str, tmp_path: Path) -> None:
    source = tmp_path / "cmd.txt"
    source.write_text(f"curl '{echo_server}/echo/imported?x=1' -H 'Accept: text/plain' "
                      "--json '{\"k\": [1, 2]}'\n")
    result = run_cli(ws, "import", "curl", str(source), "--into", "local/echo/imp/Created")
    assert result.code == 0, result
    file = ws / "connections/local/echo/imp/Created.request.json"
    doc = json.loads(file.read_text())
    assert doc["method"] == "POST"
    assert doc["url"].startswith("/echo/imported")  # relative to the connection
    sent = run_cli(ws, "send", "local/echo/imp/Created")
    data = echoed(sent.out)
    assert data["path"] == "/echo/imported" and "x=1" in data["query"]
    assert header(data, "x-conn") == "conn-team"  # the connection's headers apply
    assert json.loads(base64.b64decode(data["body_b64"])) == {"k": [1, 2]}

    # From stdin, into a place no connection owns: said clearly, nothing written.
    before = snapshot(ws)
    orphan = run_cli(ws, "import", "curl", "-", "--into", "elsewhere/req",
                     input=f"curl {echo_server}/echo")
    assert_one_line_error(orphan, "no connection owns 'elsewhere/req'")
    assert snapshot(ws) == before


def test_check_healthy_and_unhealthy(ws: Path, echo_server: str) -> None:
    healthy = run_cli(ws, "check", "local/echo")
    assert healthy.code == 0, healthy
    assert "Healthy: 204" in healthy.text and " ms" in healthy.text

    run_cli(ws, "new", "connection", "broken", "--base-url", echo_server,
            "--test-url", "/status/503")
    sick = run_cli(ws, "check", "broken")
    assert sick.code == 1
    assert "Unhealthy: 503" in sick.text

    run_cli(ws, "new", "connection", "down", "--base-url", f"http://127.0.0.1:{closed_port()}")
    down = run_cli(ws, "check", "down")
    assert down.code == 1
    assert "refused" in down.text and "Traceback" not in down.err


def test_ls_mv_rm_change_the_files(ws: Path) -> None:
    run_cli(ws, "new", "request", "local/echo/a/Get one", "--url", "/echo/1")
    run_cli(ws, "new", "request", "local/echo/Top", "-X", "DELETE", "--url", "/echo/2")
    listing = run_cli(ws, "ls").text
    assert "local/echo" in listing
    assert "  a/" in listing
    assert "GET     Get one" in listing and "DELETE  Top" in listing
    assert run_cli(ws, "ls", "local/echo/a").text.splitlines()[0] == "local/echo/a/"

    assert run_cli(ws, "mv", "local/echo/a/Get one", "local/echo/b/Renamed").code == 0
    conn_dir = ws / "connections/local/echo"
    assert (conn_dir / "b/Renamed.request.json").is_file()
    assert not (conn_dir / "a/Get one.request.json").exists()

    assert run_cli(ws, "mv", "local/echo", "moved/echo").code == 0
    assert (ws / "connections/moved/echo/connection.json").is_file()
    assert not (ws / "connections/local/echo").exists()

    assert run_cli(ws, "rm", "moved/echo/Top").code == 0
    assert not (ws / "connections/moved/echo/Top.request.json").exists()
    assert_one_line_error(run_cli(ws, "rm", "moved/echo"), "rm -r", code=2)
    assert run_cli(ws, "rm", "-r", "moved/echo").code == 0
    assert not (ws / "connections/moved/echo").exists()
    assert "No connections" in run_cli(ws, "ls").err


def test_ls_reports_broken_files_and_lists_the_rest(ws: Path) -> None:
    run_cli(ws, "new", "request", "local/echo/good", "--url", "/echo")
    run_cli(ws, "new", "request", "local/echo/bad", "--url", "/echo")
    broken = ws / "connections/local/echo/bad.request.json"
    broken.write_text('{"format": 1, "kind": "request", "method": ')
    result = run_cli(ws, "ls")
    assert result.code == 0
    assert "good" in result.text and "bad" not in result.text
    assert str(broken) in result.err and "invalid JSON" in result.err
    assert_one_line_error(run_cli(ws, "send", "local/echo/bad"), "bad.request.json",
                          "invalid JSON")


def test_workspace_from_environment_variable_and_after_the_subcommand(
        ws: Path, tmp_path: Path) -> None:
    by_env = run_cli(None, "ls", env={"RELAYDESK_WORKSPACE": str(ws)})
    assert "local/echo" in by_env.text
    after = run_cli(None, "ls", "--workspace", str(ws))
    assert "local/echo" in after.text
    empty = run_cli(tmp_path / "none", "ls")
    assert empty.code == 0 and "empty" in empty.err
    assert not (tmp_path / "none").exists()


# -- bad input: one line, non-zero, workspace untouched -----------------------------------


BAD_INPUTS: list[tuple[list[str], tuple[str, ...], int | None]] = [
    (["send", "local/echo/nope"], ("No request at 'local/echo/nope'",), 1),
    (["send"], ("either a request PATH or --curl",), 2),
    (["send", "--curl", "curl 'unterminated"], ("quote",), 2),
    (["send", "--curl", "wget http://x"], ("must start with 'curl'",), 2),
    (["send", "local/echo/ok", "--var", "novalue"], ("--var expects NAME=VALUE",), 2),
    (["send", "local/echo/ok", "--env", "prod"], ("No environment named 'prod'",), 1),
    (["send", "local/echo/templated", "--strict-variables"], ("{{undefined_var}}",), 2),
    (["send", "local/echo/ok", "-o", "/nonexistent-dir/out"], ("does not exist",), 2),
    (["new", "request", "local/echo/x", "--url", "/x", "--json", '{"a": '],
     ("--json is not valid JSON",), 2),
    (["new", "request", "nowhere/x", "--url", "/x"], ("No connection owns 'nowhere/x'",), 1),
    (["new", "request", "local/echo/ok", "--url", "/x"], ("already exists",), 1),
    (["new", "connection", "c", "--base-url", "https://a.example", "--auth", "basic",
      "--set", "password=hunter2"], ("secret set",), 2),
    (["new", "connection", "c", "--base-url", "https://a.example", "--auth", "bearer",
      "--set", "token=hunter2"], ("secret set",), 2),
    (["new", "connection", "c", "--base-url", "ftp://a.example"], ("https://",), 2),
    (["new", "connection", "c", "--base-url", "https://a.example", "--header", "Host: x"],
     ("Host", "taken from the URL"), 2),
    (["new", "connection", "local/echo/nested", "--base-url", "https://a.example"],
     ("nest",), 2),
    (["new", "connection", "c", "--base-url", "https://a.example", "--timeout", "soon"],
     ("invalid float value",), 2),
    (["new", "connection", "c"], ("--base-url",), 2),
    (["import", "curl", "/nonexistent/cmd.txt", "--into", "local/echo/i"],
     ("no such file",), 2),
    (["import", "curl", "/", "--into", "local/echo/i"], ("directory",), 2),
    (["import", "soap", "x", "--into", "local/echo/i"], ("invalid choice",), 2),
    (["import", "curl", "/nonexistent/cmd.txt"], ("--into",), 2),
    (["secret", "set", "local/echo", "password"], ("none authentication",), 2),
    (["secret", "set", "nowhere", "password"], ("nowhere",), 1),
    (["rm", "local/echo/nothing"], ("Nothing at 'local/echo/nothing'",), 1),
    (["mv", "local/echo/ok", "local/echo/templated"], ("already exists",), 1),
    (["frobnicate"], ("invalid choice",), 2),
    (["check", "nowhere"], ("nowhere",), 1),
]


@pytest.mark.parametrize(("args", "needles", "code"), BAD_INPUTS,
                         ids=[" ".join(a)[:60] for a, _, _ in BAD_INPUTS])
def test_bad_input_is_one_clear_line_and_changes_nothing(
        ws: Path, args: list[str], needles: tuple[str, ...], code: int | None) -> None:
    run_cli(ws, "new", "request", "local/echo/ok", "--url", "/echo")
    run_cli(ws, "new", "request", "local/echo/templated", "--url", "/echo/{{undefined_var}}")
    before = snapshot(ws)
    result = run_cli(ws, *args)
    assert_one_line_error(result, *needles, code=code)
    assert result.out == b""
    assert snapshot(ws) == before


def test_unreadable_file_is_one_line(ws: Path, tmp_path: Path) -> None:
    source = tmp_path / "secret-cmd.txt"
    source.write_bytes(b"\xff\xfe\x00 not text")
    before = snapshot(ws)
    assert_one_line_error(run_cli(ws, "import", "curl", str(source), "--into", "local/echo/i"),
                          "not UTF-8", code=2)
    assert snapshot(ws) == before


def test_refused_connection_on_send_is_one_line(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    run_cli(ws, "new", "connection", "down", "--base-url", f"http://127.0.0.1:{closed_port()}")
    run_cli(ws, "new", "request", "down/r", "--url", "/x")
    assert_one_line_error(run_cli(ws, "send", "down/r"), "refused the connection", code=1)


def test_failing_validation_does_not_create_a_workspace(tmp_path: Path) -> None:
    result = run_cli(tmp_path / "fresh", "new", "connection", "c", "--base-url", "nope")
    assert_one_line_error(result, code=2)
    assert not (tmp_path / "fresh").exists()


def test_unexpected_errors_are_one_line_unless_debugging(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    args = ["new", "connection", "c", "--base-url", "https://a.example"]
    result = run_cli(blocker / "ws", *args)
    line = assert_one_line_error(result, "RELAYDESK_DEBUG=1")
    assert str(blocker) in line or "directory" in line.lower()
    debug = run_cli(blocker / "ws", *args, env={"RELAYDESK_DEBUG": "1"})
    assert debug.code != 0 and "Traceback" in debug.err


# -- secrets (real Secret Service) ------------------------------------------------------------


@requires_secret_service
def test_import_curl_with_password_stores_it_in_the_keyring(
        ws: Path, echo_server: str, tmp_path: Path) -> None:
    password = "imp0rted-Pa55-canary"
    result = run_cli(ws, "import", "curl", "-", "--into", "local/echo/withpw",
                     input=f"curl -u carol:{password} {echo_server}/echo/pw")
    assert result.code == 0, result
    assert "Stored the password of 'local/echo/withpw'" in result.err
    assert password not in result.err
    assert all(password.encode() not in data for data in snapshot(ws).values())
    status = run_cli(ws, "secret", "status", "local/echo/withpw")
    assert status.text == "password: saved\n"
    sent = echoed(run_cli(ws, "send", "local/echo/withpw").out)
    expected = base64.b64encode(f"carol:{password}".encode()).decode()
    assert header(sent, "authorization") == f"Basic {expected}"


@requires_secret_service
def test_secret_set_status_delete_and_send(tmp_path: Path, echo_server: str) -> None:
    ws = tmp_path / "ws"
    token = "cli-t0ken-canary"
    run_cli(ws, "new", "connection", "api", "--base-url", echo_server, "--auth", "token",
            "--set", "scheme=Token")
    run_cli(ws, "new", "request", "api/me", "--url", "/echo/me")
    assert run_cli(ws, "secret", "status", "api").text == "token: not saved\n"
    missing = run_cli(ws, "send", "api/me")
    assert_one_line_error(missing, "relaydesk secret set api token")

    stored = run_cli(ws, "secret", "set", "api", "token", input=token + "\n")
    assert stored.code == 0 and token not in stored.err and "Saved the token" in stored.err
    assert run_cli(ws, "secret", "status", "api").text == "token: saved\n"
    data = echoed(run_cli(ws, "send", "api/me").out)
    assert header(data, "authorization") == f"Token {token}"  # the newline was not kept

    # A move carries the secret along; a delete forgets it.
    assert run_cli(ws, "mv", "api", "team/api").code == 0
    assert echoed(run_cli(ws, "send", "team/api/me").out)["path"] == "/echo/me"
    assert run_cli(ws, "secret", "delete", "team/api", "token").code == 0
    assert run_cli(ws, "secret", "status", "team/api").text == "token: not saved\n"
    assert all(token.encode() not in data for data in snapshot(ws).values())

    wrong = run_cli(ws, "secret", "set", "team/api", "password", input="x")
    assert_one_line_error(wrong, "not a secret of token authentication", code=2)


def test_cli_startup_imports_no_gui_and_no_http_stack() -> None:
    code = ("import sys; from relaydesk.cli.main import build_parser; build_parser(); "
            "print([m for m in ('PySide6', 'qasync', 'httpx', 'asyncio') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


@pytest.mark.parametrize(("argv", "expected"), [
    ([], (None, None, [])),
    (["--workspace", "/w"], ("/w", None, [])),
    (["--workspace=/w"], ("/w", None, [])),
    (["--workspace="], (None, None, [])),
    (["--theme", "dark", "-style", "fusion"], (None, "dark", ["-style", "fusion"])),
    (["-style=windows", "--workspace", "/w"], ("/w", None, ["-style", "windows"])),
    (["--workspace"], None),  # the full parser says what is missing
    (["--workspace", "--help"], None),
    (["--theme", "pink"], None),  # the full parser names the choices
    (["--help"], None),
    (["ls"], None),
    (["--workspace", "/w", "ls"], None),
])
def test_only_a_bare_command_line_takes_the_app_fast_path(
        argv: list[str], expected: tuple[str | None, str | None, list[str]] | None) -> None:
    from relaydesk.cli.main import _app_launch

    launch = _app_launch(argv)
    got = None if launch is None else (launch.workspace, launch.theme, launch.qt_args)
    assert got == expected


def test_a_workspace_option_without_a_value_is_still_a_usage_error(
        capsys: pytest.CaptureFixture[str]) -> None:
    from relaydesk.cli.main import main

    assert main(["--workspace"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--workspace" in err and "argument" in err
