"""The CLI builds only the parser of the command it runs (its start-up is most of what
a small `relaydesk ls` costs), and every parser whenever that is not plain."""

from __future__ import annotations

from pathlib import Path

import pytest

from relaydesk.cli.main import ALL_COMMANDS, _modules_for, _plain_ls, build_parser, main
from relaydesk.core.model import Connection, Request
from relaydesk.core.workspace import Workspace


@pytest.mark.parametrize(("argv", "modules"), [
    (["ls"], ("cmd_ls",)),
    (["--workspace", "/w", "run", "api"], ("cmd_run",)),
    (["--workspace=/w", "send", "api/get"], ("cmd_send",)),
    (["rm", "api/get"], ALL_COMMANDS),  # cmd_edit holds rm and mv
    (["describe", "api"], ("cmd_describe",)),
    (["--help"], ALL_COMMANDS),
    (["lss"], ALL_COMMANDS),
])
def test_which_parsers_are_built(argv: list[str], modules: tuple[str, ...]) -> None:
    assert tuple(_modules_for(argv)) == tuple(modules)


def test_an_unknown_command_still_lists_every_command(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lss"]) == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'lss'" in err and "'rm'" in err and "'run'" in err
    assert "'stubs'" in err


def test_the_only_parser_built_still_parses_and_helps(
        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["ls", "--help"])
    assert exc.value.code == 0
    assert "usage: relaydesk ls" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [
    ["ls"], ["ls", "api"], ["ls", ""], ["--workspace", "/w", "ls"],
    ["--workspace=/w", "ls", "api/get"], ["--workspace=", "ls"],
])
def test_a_plain_ls_is_read_as_the_parser_reads_it(argv: list[str]) -> None:
    fast = _plain_ls(argv)
    assert fast is not None
    parsed = build_parser().parse_args(argv)
    assert (fast.command, fast.workspace, fast.path) == (
        parsed.command, parsed.workspace, parsed.path)


@pytest.mark.parametrize("argv", [
    ["ls", "--help"], ["ls", "-h"], ["ls", "a", "b"], ["ls", "--workspace", "/w"],
    ["--workspace", "ls"], ["--workspace", "-x", "ls"], ["lss"], ["send", "api"], [],
    ["ls", "--", "-odd"],
])
def test_anything_else_goes_to_the_parser(argv: list[str]) -> None:
    assert _plain_ls(argv) is None


def test_plain_and_parsed_ls_print_the_same(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    ws = Workspace.open(tmp_path / "ws", create=True)
    ws.save_connection(Connection(path="api", base_url="http://127.0.0.1:9"), create=True)
    ws.save_request(Request(path="api/ping", url="/ping"), create=True)
    root = str(ws.root)
    assert main(["--workspace", root, "ls"]) == 0  # the plain way
    plain = capsys.readouterr()
    assert main(["ls", "--workspace", root]) == 0  # the parser's way
    parsed = capsys.readouterr()
    assert plain == parsed
    assert "GET     ping  /ping" in plain.out
    assert main(["--workspace", root, "ls", "nowhere"]) == 1
    assert "No connection at 'nowhere'" in capsys.readouterr().err
