"""The CLI builds only the parser of the command it runs (its start-up is most of what
a small `relaydesk ls` costs), and every parser whenever that is not plain."""

from __future__ import annotations

import pytest

from relaydesk.cli.main import ALL_COMMANDS, _modules_for, main


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
