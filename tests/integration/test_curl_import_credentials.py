"""`relaydesk import curl` never writes a credential to a workspace file.

The credentials are found in each command by the test itself (regular expressions over
the text, independent of the parser), the command is imported through the CLI, and
every file of the workspace is then scanned for each value.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from relaydesk.cli.main import main
from tests.corpus import MISSING_REASON
from tests.integration.clitools import requires_secret_service
from tests.integration.test_curl_corpus import CORPUS, expected

pytestmark = [requires_secret_service]

_PATTERNS = [
    r"(?:-u|--user)\s+['\"]?[^:'\"\s]*:([^'\"\s]+)",  # -u user:password
    r"(?i)authorization:\s*\w+\s+([^'\"\n]+?)['\"]",  # -H 'Authorization: Bearer X'
    r"(?i)(?:x-api-key|api-key|x-auth-token|private-token):\s*([^'\"\n]+?)['\"]",
    r"--oauth2-bearer\s+['\"]?([^'\"\s]+)",
    r"[?&](?:api_key|access_token|token)=([^&'\"\s]+)",
    r"(?i)(?:-b|--cookie)\s+['\"]?[\w-]+=([^;'\"\s]+)",  # -b name=value
    r"(?i)cookie:\s*[\w-]+=([^;'\"\n]+)",  # -H 'Cookie: name=value'
]


def credentials_in(command: str) -> set[str]:
    found: set[str] = set()
    for pattern in _PATTERNS:
        found.update(m.group(1).strip() for m in re.finditer(pattern, command))
    return {v for v in found if len(v) >= 3}


def workspace_text(root: Path) -> str:
    return "\n".join(p.read_text("utf-8", "replace") for p in root.rglob("*") if p.is_file())


def _snapshot(root: Path) -> dict[Path, str]:
    return {p: p.read_text("utf-8", "replace") for p in root.rglob("*") if p.is_file()}


def _new_workspace(tmp_path: Path, base_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RELAYDESK_HISTORY", "off")
    root = tmp_path / "ws"
    assert main(["--workspace", str(root), "new", "connection", "c", "--base-url",
                 base_url]) == 0
    return root


def _import(root: Path, source: Path, command: str, into: str) -> int:
    source.write_text(command)
    return main(["--workspace", str(root), "import", "curl", str(source), "--into", into])


def test_credentials_of_one_command_go_to_the_keyring_or_are_dropped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = _new_workspace(tmp_path, "https://api.example.com", monkeypatch)
    command = ("curl -u ada:pw-one-9 -H 'X-Api-Key: key-two-9' -b 'sid=cookie-three-9' "
               "'https://api.example.com/v1/items?page=2&access_token=tok-four-9'")
    assert _import(root, tmp_path / "cmd.txt", command, "c/Items") == 0
    err = capsys.readouterr().err
    text = workspace_text(root)
    assert credentials_in(command) == {"pw-one-9", "key-two-9", "cookie-three-9", "tok-four-9"}
    for value in credentials_in(command):
        assert value not in text, value
    assert '"page"' in text and "/v1/items" in text  # the rest of the request is kept
    assert "Stored the password of 'c/Items'" in err
    assert "X-Api-Key header was not saved" in err and "cookies (sid) were not saved" in err
    assert "access_token was not saved" in err


def test_query_token_becomes_api_key_auth_in_the_keyring(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = _new_workspace(tmp_path, "https://api.example.com", monkeypatch)
    assert _import(root, tmp_path / "cmd.txt",
                   "curl 'https://api.example.com/v1/x?q=1&api_key=abc-secret-77'", "c/X") == 0
    err = capsys.readouterr().err
    assert "abc-secret-77" not in workspace_text(root)
    assert "Stored the value of 'c/X'" in err and "became the request's API-key auth" in err


@pytest.mark.skipif(not CORPUS, reason=MISSING_REASON)
def test_no_corpus_command_leaves_a_credential_in_the_workspace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = _new_workspace(tmp_path, "https://api.openai.com", monkeypatch)
    monkeypatch.chdir(tmp_path)
    leaks: list[tuple[str, str]] = []
    looked_for = 0
    imported = 0
    for entry in CORPUS:
        if expected(entry)[0] == "refused":
            continue
        for name, content in entry.get("files", {}).items():
            (tmp_path / name).write_text(content, "utf-8")
        before = _snapshot(root)
        code = _import(root, tmp_path / "cmd.txt",
                       entry["command"].replace("$URL", "https://example.com/doc"),
                       f"c/{entry['id']}")
        capsys.readouterr()
        if code != 0:
            continue
        imported += 1
        # what this import wrote, scanned for this command's credentials
        after = _snapshot(root)
        written = "\n".join(t for p, t in after.items() if before.get(p) != t)
        values = credentials_in(entry["command"])
        looked_for += len(values)
        leaks += [(entry["id"], v) for v in values if v in written]
    assert imported >= 200
    assert looked_for >= 90  # the corpus does hold credentials to look for
    assert leaks == []
