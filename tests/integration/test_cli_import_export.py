"""`relaydesk import KIND SOURCE` and `relaydesk export PATH --to KIND`, run for real."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.clitools import (
    assert_one_line_error,
    requires_secret_service,
    run_cli,
    snapshot,
)
from tests.unit.core.test_importers import DATA, HAR, SWAGGER_2


def test_import_openapi_then_export_snippets_and_collections(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    spec = tmp_path / "legacy.yaml"
    spec.write_text(SWAGGER_2)
    result = run_cli(ws, "import", "openapi", str(spec), "--into", "legacy")
    assert result.code == 0, result.err
    assert "2 request(s)" in result.err
    listing = run_cli(ws, "ls", "legacy").text
    assert "Create user" in listing
    curl = run_cli(ws, "export", "legacy/users/Create user", "--to", "curl")
    assert curl.code == 0, curl.err
    assert curl.text.startswith("curl ") and "LEGACY_ACCESS_TOKEN" in curl.text
    go = run_cli(ws, "export", "legacy/users/Create user", "--to", "go")
    assert "package main" in go.text
    line = run_cli(ws, "export", "legacy/users/Create user", "--to", "relaydesk")
    # The operation has OAuth of its own (the connection has Basic): connect() is
    # pointed at the request, which carries that auth.
    assert 'relaydesk.connect("legacy/users/Create user")' in line.text
    out = tmp_path / "legacy.postman.json"
    saved = run_cli(ws, "export", "legacy", "--to", "postman", "-o", str(out))
    assert saved.code == 0 and json.loads(out.read_text())["info"]["name"] == "legacy"
    har = run_cli(ws, "export", "legacy", "--to", "har")
    assert len(json.loads(har.text)["log"]["entries"]) == 2


def test_import_from_stdin(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    har = dict(HAR)
    har["log"] = {"entries": [HAR["log"]["entries"][1]]}  # no credentials in it
    result = run_cli(ws, "import", "har", "-", input=json.dumps(har))
    assert result.code == 0, result.err
    assert "cdn.example.com" in run_cli(ws, "ls").text


@pytest.mark.parametrize(("kind", "content", "needles"), [
    ("postman", "{not json", ("not valid JSON",)),
    ("openapi", "swagger: '2.0'\npaths: [1, 2]\n", ("paths",)),
    ("har", '{"log": {"entries": [{"request": {"url": "ftp://x"}}]}}', ("http(s)",)),
    ("insomnia", "just words", ("Insomnia",)),
    ("http", "", ("no request",)),
])
def test_bad_files_are_one_line_and_write_nothing(tmp_path: Path, kind: str, content: str,
                                                  needles: tuple[str, ...]) -> None:
    ws = tmp_path / "ws"
    run_cli(ws, "import", "openapi", _write(tmp_path, SWAGGER_2), "--into", "keep")
    before = snapshot(ws)
    result = run_cli(ws, "import", kind, _write(tmp_path, content))
    assert_one_line_error(result, *needles)
    assert snapshot(ws) == before


def test_conflicting_import_writes_nothing(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    source = _write(tmp_path, SWAGGER_2)
    assert run_cli(ws, "import", "openapi", source, "--into", "api").code == 0
    before = snapshot(ws)
    assert_one_line_error(run_cli(ws, "import", "openapi", source, "--into", "api"),
                          "already exists")
    assert snapshot(ws) == before


def test_export_errors(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    run_cli(ws, "import", "openapi", _write(tmp_path, SWAGGER_2), "--into", "api")
    assert_one_line_error(run_cli(ws, "export", "api", "--to", "curl"), "not a request")
    assert_one_line_error(run_cli(ws, "export", "api/nope", "--to", "curl"), "No request")
    assert_one_line_error(run_cli(ws, "export", "api", "--to", "postman", "-o",
                                  str(tmp_path)), "Cannot write")  # a directory
    assert_one_line_error(run_cli(ws, "export", "api", "--to", "yaml"), "invalid choice")


@requires_secret_service
def test_import_with_secrets_uses_the_real_keyring(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    collection = (DATA / "postman_v21.json").read_text()
    result = run_cli(ws, "import", "postman", _write(tmp_path, collection), "--into", "echo")
    assert result.code == 0, result.err
    assert "Stored the token of 'echo' in the system keyring" in result.err
    for data in snapshot(ws).values():
        for secret in (b"coll-token-123", b"folder-pass-456", b"qkey-789", b"hkey-321"):
            assert secret not in data
    shown = run_cli(ws, "export", "echo/Items/List items", "--to", "curl",
                    "--include-secrets")
    assert "coll-token-123" in shown.text
    hidden = run_cli(ws, "export", "echo/Items/List items", "--to", "curl")
    assert "coll-token-123" not in hidden.text and "${ECHO_TOKEN}" in hidden.text


def _write(tmp_path: Path, content: str) -> str:
    path = tmp_path / f"input-{abs(hash(content))}.txt"
    path.write_text(content)
    return str(path)
