"""Secrets against a real Secret Service (gnome-keyring under dbus-run-session).

`scripts/test` runs the suite inside a D-Bus session with an unlocked gnome-keyring,
so these run in CI; elsewhere they are skipped with the reason. The missing-keyring
test needs no Secret Service; the locked-keyring test starts its own private D-Bus
session and keyring daemon so locking it cannot disturb the other tests.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import relaydesk
from relaydesk.core.secrets import SERVICE
from tests.integration.clitools import (
    assert_one_line_error,
    relaydesk_command,
    requires_secret_service,
    run_cli,
    snapshot,
)

pytestmark = pytest.mark.keyring

TOKEN = "real-keyring-t0ken-7f3a"


def workspace_id(ws: Path) -> str:
    value: str = json.loads((ws / "relaydesk.json").read_text())["id"]
    return value


def header(data: dict[str, Any], name: str) -> str | None:
    return next((v for k, v in data["headers"] if k == name), None)


@requires_secret_service
def test_secret_set_goes_to_the_secret_service_and_is_used(
        tmp_path: Path, echo_server: str) -> None:
    from keyring.backends import SecretService

    ws = tmp_path / "ws"
    assert run_cli(ws, "new", "connection", "real", "--base-url", echo_server,
                   "--auth", "bearer").code == 0
    assert run_cli(ws, "new", "request", "real/who", "--url", "/echo/who").code == 0
    stored = run_cli(ws, "secret", "set", "real", "token", input=TOKEN)
    assert stored.code == 0, stored
    assert TOKEN not in stored.err

    # Read back through keyring's SecretService backend directly, not through Relaydesk.
    backend = SecretService.Keyring()
    # Keyed by the connection's stable id (inside its file), not by its path.
    from relaydesk.core.workspace import Workspace

    key = f"{workspace_id(ws)}/@{Workspace.open(ws).id_of('real')}#token"
    assert backend.get_password(SERVICE, key) == TOKEN

    sent = run_cli(ws, "send", "real/who")
    assert sent.code == 0, sent
    assert header(json.loads(sent.out), "authorization") == f"Bearer {TOKEN}"

    # The Python API reads the same keyring entry.
    with relaydesk.connect("real", workspace=ws) as client:
        data = client.get("/echo/api").json()
    assert header(data, "authorization") == f"Bearer {TOKEN}"

    files = snapshot(ws)
    assert files, "the workspace has files"
    assert [name for name, data in files.items() if TOKEN.encode() in data] == []

    assert run_cli(ws, "secret", "delete", "real", "token").code == 0
    assert backend.get_password(SERVICE, key) is None


def test_missing_keyring_is_one_clear_line(tmp_path: Path, echo_server: str) -> None:
    ws = tmp_path / "ws"
    run_cli(ws, "new", "connection", "api", "--base-url", echo_server, "--auth", "basic",
            "--set", "username=u")
    run_cli(ws, "new", "request", "api/r", "--url", "/echo")
    before = snapshot(ws)
    no_bus = {"DBUS_SESSION_BUS_ADDRESS": f"unix:path={tmp_path}/no-such-bus",
              "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    for args in (["secret", "set", "api", "password"], ["send", "api/r"],
                 ["secret", "status", "api"]):
        result = run_cli(ws, *args, input="pw", env=no_bus)
        assert_one_line_error(result, "No usable system keyring", "gnome-keyring", code=1)
    assert snapshot(ws) == before
    # Only the bus is missing (what a headless user meets): the same clear line.
    only_bus = {"DBUS_SESSION_BUS_ADDRESS": f"unix:path={tmp_path}/no-such-bus"}
    assert_one_line_error(run_cli(ws, "send", "api/r", env=only_bus), "keyring", code=1)
    # Requests without secrets still work with no keyring at all.
    run_cli(ws, "new", "connection", "open", "--base-url", echo_server)
    run_cli(ws, "new", "request", "open/r", "--url", "/echo/open")
    before = snapshot(ws)
    ok = run_cli(ws, "send", "open/r", env=no_bus)
    assert ok.code == 0 and json.loads(ok.out)["path"] == "/echo/open"
    assert snapshot(ws) == before


_LOCKED_SCRIPT = r"""
set -eu
eval "$(printf %s locked-test | gnome-keyring-daemon --unlock --components=secrets)"
"$PYTHON" - <<'EOF'
import secretstorage
bus = secretstorage.dbus_init()
collection = secretstorage.get_default_collection(bus)
collection.create_item("probe", {"probe": "1"}, b"x")  # make sure the collection exists
collection.lock()
assert collection.is_locked()
EOF
set +e
printf %s value | "$@"
echo "exit=$?" >&2
"""


@pytest.mark.skipif(not (shutil.which("dbus-run-session")
                         and shutil.which("gnome-keyring-daemon")),
                    reason="needs dbus-run-session and gnome-keyring-daemon "
                    "(scripts/test installs them)")
def test_locked_keyring_is_one_clear_line(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    run_cli(ws, "new", "connection", "api", "--base-url", "http://127.0.0.1:9", "--auth",
            "bearer")
    before = snapshot(ws)
    home = tmp_path / "home"
    runtime = tmp_path / "runtime"
    for d in (home / "data", runtime):
        d.mkdir(parents=True)
    runtime.chmod(0o700)
    env = {**os.environ, "XDG_DATA_HOME": str(home / "data"), "XDG_RUNTIME_DIR": str(runtime),
           "PYTHON": sys.executable}
    # No display anywhere in the private session: the unlock prompter (started by the
    # bus, with the bus's environment) cannot appear, so the keyring stays locked.
    for key in ("DBUS_SESSION_BUS_ADDRESS", "RELAYDESK_DEBUG", "GNOME_KEYRING_CONTROL",
                "DISPLAY", "WAYLAND_DISPLAY", "XAUTHORITY"):
        env.pop(key, None)
    cmd = [*relaydesk_command(), "--workspace", str(ws), "secret", "set", "api", "token"]
    # Its own process group, so a hang is cleaned up whole (the bus and the keyring
    # daemon go with it) instead of outliving the test.
    proc = subprocess.Popen(["dbus-run-session", "--", "bash", "-c",
                             textwrap.dedent(_LOCKED_SCRIPT), "locked", *cmd],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, start_new_session=True)
    try:
        _, stderr = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail("the CLI hung on a locked keyring instead of reporting it")
    lines = [line for line in stderr.splitlines()
             if line.startswith(("relaydesk", "exit=", "Traceback"))]
    assert lines[-1] == "exit=1", stderr
    assert len(lines) == 2 and lines[0].startswith("relaydesk: error: "), stderr
    assert "locked" in lines[0] and "Unlock it" in lines[0]
    assert snapshot(ws) == before
