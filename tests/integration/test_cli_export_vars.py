"""`relaydesk export` fills {{variables}} from --env and --var exactly as `send` does."""

from __future__ import annotations

from pathlib import Path

from tests.integration.clitools import assert_one_line_error, run_cli


def _workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    for args in (("new", "connection", "svc", "--base-url", "https://api.example.test/v2"),
                 ("new", "request", "svc/Get item", "--url", "/items/{{id}}?lang={{lang}}"),
                 ("new", "environment", "prod", "--var", "id=1", "--var", "lang=en")):
        result = run_cli(ws, *args)
        assert result.code == 0, result
    return ws


def test_var_beats_env_in_a_snippet(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    result = run_cli(ws, "export", "svc/Get item", "--to", "curl", "--env", "prod",
                     "--var", "id=42")
    assert result.code == 0, result
    assert "https://api.example.test/v2/items/42?lang=en" in result.text


def test_var_alone_and_the_same_errors_as_send(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    result = run_cli(ws, "export", "svc/Get item", "--to", "python-httpx",
                     "--var", "id=7", "--var", "lang=fr")
    assert result.code == 0, result
    assert "/items/7" in result.text and "fr" in result.text
    # As in send: an undefined {{name}} goes out as written, a near miss is a typo.
    missing = run_cli(ws, "export", "svc/Get item", "--to", "curl", "--var", "id=7")
    assert missing.code == 0 and "lang={{lang}}" in missing.text, missing
    typo = run_cli(ws, "export", "svc/Get item", "--to", "curl", "--var", "id=7",
                   "--var", "Lang=fr")
    assert_one_line_error(typo, "{{lang}}", "did you mean {{Lang}}")
    bad = run_cli(ws, "export", "svc/Get item", "--to", "curl", "--var", "novalue")
    assert_one_line_error(bad, "--var expects NAME=VALUE", code=2)
