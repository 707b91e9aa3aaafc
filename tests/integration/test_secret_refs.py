"""Secrets referenced from `pass`, the environment and a command: sent, stored nowhere.

`pass` is the real one (Debian package), over a GnuPG key the test makes in a
throwaway GNUPGHOME; the keyring is the real Secret Service; `send` and `export`
are the real CLI. After the sends, every workspace file, the history database, the
snippets and the keyring entries are scanned for the secret values.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from relaydesk.core.errors import AuthError
from relaydesk.core.secret_refs import REF_MARKER, SecretRef, parse_ref, resolve_ref
from tests.integration.clitools import (
    assert_one_line_error,
    requires_secret_service,
    run_cli,
    snapshot,
)

PASS_SECRET = "pass-canary-Ab12-Zz"
ENV_SECRET = "env-canary-Cd34-Yy"
CMD_SECRET = "cmd-canary-Ef56-Xx"


@pytest.fixture
def password_store(tmp_path: Path) -> dict[str, str]:
    """A throwaway GnuPG key and a `pass` store holding one entry; the env to use them."""
    if shutil.which("pass") is None or shutil.which("gpg") is None:
        pytest.fail("`pass` and `gpg` are needed (Debian packages pass, gnupg; "
                    "scripts/_setup.sh installs them)")
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    env = {**os.environ, "GNUPGHOME": str(home), "PASSWORD_STORE_DIR": str(tmp_path / "store")}
    subprocess.run(["gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", "",
                    "--quick-gen-key", "Relaydesk Test <relaydesk@example.test>", "default",
                    "default", "never"], env=env, check=True, capture_output=True)
    subprocess.run(["pass", "init", "relaydesk@example.test"], env=env, check=True,
                   capture_output=True)
    subprocess.run(["pass", "insert", "--multiline", "team/api-token"], env=env, check=True,
                   input=f"{PASS_SECRET}\nuser: ci-bot\n".encode(), capture_output=True)
    yield env
    subprocess.run(["gpgconf", "--kill", "gpg-agent"], env=env, check=False,
                   capture_output=True)


@requires_secret_service
@pytest.mark.keyring
def test_pass_env_and_command_secrets_are_sent_and_stored_nowhere(
        tmp_path: Path, echo_server: str, password_store: dict[str, str]) -> None:
    ws = tmp_path / "ws"
    history = tmp_path / "history.db"
    env = {**password_store, "RELAYDESK_HISTORY": str(history), "TEAM_KEY": ENV_SECRET}
    for args in (("r/pass", "--auth", "bearer"),
                 ("r/env", "--auth", "apikey", "--set", "name=X-Api-Key"),
                 ("r/cmd", "--auth", "basic", "--set", "username=bot")):
        made = run_cli(ws, "new", "connection", args[0], "--base-url", echo_server, *args[1:])
        assert made.code == 0, made.err
        assert run_cli(ws, "new", "request", f"{args[0]}/get", "--url", "/echo/x").code == 0
    command = f"{sys.executable} -c 'print(\"{CMD_SECRET}\")'"
    for path, field, option, value in (("r/pass", "token", "--from-pass", "team/api-token"),
                                       ("r/env", "value", "--from-env", "TEAM_KEY"),
                                       ("r/cmd", "password", "--from-command", command)):
        saved = run_cli(ws, "secret", "set", path, field, option, value, env=env)
        assert saved.code == 0, saved.err
        assert "only this reference is saved" in saved.err

    status = run_cli(ws, "secret", "status", "r/pass", env=env)
    assert "token: read from the pass entry team/api-token at each send" in status.text

    sent = {path: run_cli(ws, "send", f"{path}/get", "--fail", env=env)
            for path in ("r/pass", "r/env", "r/cmd")}
    for result in sent.values():
        assert result.code == 0, result.err
    headers = {path: json.loads(r.out)["headers"] for path, r in sent.items()}
    lowered = {p: {k.lower(): v for k, v in h} for p, h in headers.items()}
    assert lowered["r/pass"]["authorization"] == f"Bearer {PASS_SECRET}"  # first line only
    assert lowered["r/env"]["x-api-key"] == ENV_SECRET
    import base64

    assert lowered["r/cmd"]["authorization"] == "Basic " + base64.b64encode(
        f"bot:{CMD_SECRET}".encode()).decode()

    snippets = [run_cli(ws, "export", f"{path}/get", "--to", kind, env=env)
                for path in ("r/pass", "r/env", "r/cmd") for kind in ("curl", "python-httpx")]
    assert all(s.code == 0 for s in snippets)
    texts = b"".join(s.out for s in snippets) + "".join(s.err for s in snippets).encode()
    files = snapshot(ws)
    assert files and history.is_file()
    recorded = b"".join(p.read_bytes() for p in tmp_path.glob("history.db*"))
    for secret in (PASS_SECRET, ENV_SECRET, CMD_SECRET):
        forms = {secret.encode(), base64.b64encode(f"bot:{secret}".encode())}
        for form in forms:
            assert [name for name, data in files.items() if form in data] == []
            assert form not in recorded
            assert form not in texts

    # The keyring holds the reference, not the value.
    from relaydesk.core.secrets import SecretStore, system_keyring
    from relaydesk.core.workspace import Workspace

    store = SecretStore.for_workspace(system_keyring(), Workspace.open(ws))
    assert store.reference("r/pass", "token") == SecretRef("pass", "team/api-token")
    raw = store.backend.get_password("relaydesk", store._key("r/env", "value"))
    assert raw == REF_MARKER + "env:TEAM_KEY"


@requires_secret_service
@pytest.mark.keyring
def test_unresolvable_references_are_one_line(tmp_path: Path, echo_server: str) -> None:
    ws = tmp_path / "ws"
    assert run_cli(ws, "new", "connection", "r/env", "--base-url", echo_server,
                   "--auth", "bearer").code == 0
    assert run_cli(ws, "new", "request", "r/env/get", "--url", "/echo/x").code == 0
    assert run_cli(ws, "secret", "set", "r/env", "token", "--from-env",
                   "RELAYDESK_TEST_UNSET_VAR").code == 0
    result = run_cli(ws, "send", "r/env/get")
    assert_one_line_error(result, "environment variable RELAYDESK_TEST_UNSET_VAR",
                          "not set")
    assert run_cli(ws, "secret", "set", "r/env", "token", "--from-command",
                   f"{sys.executable} -c 'import sys; sys.exit(\"vault: sealed\")'").code == 0
    assert_one_line_error(run_cli(ws, "send", "r/env/get"), "failed (exit status 1)",
                          "vault: sealed")
    bad = run_cli(ws, "secret", "set", "r/env", "token", "--from-env", "not a name")
    assert_one_line_error(bad, "not an environment variable name", code=2)


# -- the resolver on its own ----------------------------------------------------------------


def test_command_is_run_without_a_shell() -> None:
    ref = parse_ref("cmd:echo $HOME ; touch /tmp/relaydesk-should-not-exist")
    value = resolve_ref(ref, owner="o", field="token")
    assert value == "$HOME ; touch /tmp/relaydesk-should-not-exist"
    assert not Path("/tmp/relaydesk-should-not-exist").exists()


def test_command_timeout_and_output_cap() -> None:
    slow = parse_ref(f"cmd:{sys.executable} -c 'import time; time.sleep(10)'")
    with pytest.raises(AuthError, match=r"did not finish within 0\.5 s"):
        resolve_ref(slow, owner="o", field="token", timeout=0.5)
    loud = parse_ref(f"cmd:{sys.executable} -c 'print(\"x\" * 5000)'")
    with pytest.raises(AuthError, match="printed more than 1 KiB"):
        resolve_ref(loud, owner="o", field="token", max_bytes=1024)


def test_missing_program_and_bad_references_in_words() -> None:
    with pytest.raises(AuthError, match="needs the program 'no-such-vault-cli'"):
        resolve_ref(parse_ref("cmd:no-such-vault-cli read x"), owner="o", field="token")
    for text in ("vault:x", "env:1BAD", "pass:-rf", "cmd:", "cmd:'unclosed"):
        with pytest.raises(ValueError):
            parse_ref(text)
    assert resolve_ref(parse_ref("env:K"), owner="o", field="t", environ={"K": "v"}) == "v"
