"""Running the real `relaydesk` command in tests, and checking what it left behind."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

__all__ = [
    "CliResult",
    "assert_one_line_error",
    "login_in_browser",
    "relaydesk_command",
    "requires_secret_service",
    "run_cli",
    "secret_service_available",
    "snapshot",
]


def relaydesk_command() -> list[str]:
    """The installed console script beside this interpreter (what users run)."""
    script = Path(sys.executable).with_name("relaydesk")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "relaydesk.cli.main"]  # pragma: no cover


@dataclass
class CliResult:
    code: int
    out: bytes
    err: str

    @property
    def text(self) -> str:
        return self.out.decode("utf-8", "replace")


def run_cli(workspace: Path | None, *args: str, input: bytes | str | None = None,
            env: Mapping[str, str] | None = None, cwd: Path | None = None,
            timeout: float = 60) -> CliResult:
    environ = {k: v for k, v in os.environ.items()
               if k not in ("RELAYDESK_WORKSPACE", "RELAYDESK_DEBUG")}
    # The history database lives in the user's data folder; tests that want it say where.
    environ.setdefault("RELAYDESK_HISTORY", "off")
    environ.update(env or {})
    argv = [*relaydesk_command()]
    if workspace is not None:
        argv += ["--workspace", str(workspace)]
    data = input.encode() if isinstance(input, str) else input
    proc = subprocess.run([*argv, *args], input=data, capture_output=True, env=environ,
                          cwd=cwd, timeout=timeout, stdin=None if data is not None
                          else subprocess.DEVNULL)
    return CliResult(proc.returncode, proc.stdout, proc.stderr.decode("utf-8", "replace"))


def assert_one_line_error(result: CliResult, *needles: str, code: int | None = None) -> str:
    """A refused command: non-zero, exactly one `relaydesk: error:` line, no traceback."""
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert result.code != 0, result
    if code is not None:
        assert result.code == code, result
    assert "Traceback" not in result.err, result.err
    assert len(lines) == 1, result.err
    assert lines[0].startswith("relaydesk: error: "), result.err
    for needle in needles:
        assert needle.lower() in lines[0].lower(), (needle, lines[0])
    return lines[0]


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` with its bytes, to prove a command changed nothing."""
    if not root.exists():
        return {}
    return {str(p.relative_to(root)): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def secret_service_available() -> bool:
    """True when a Secret Service answers on the session bus (scripts/test starts one)."""
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return False
    try:
        from keyring.backends import SecretService

        return bool(SecretService.Keyring.priority > 0)
    except Exception:
        return False


requires_secret_service = pytest.mark.skipif(
    not secret_service_available(),
    reason="no Secret Service on the D-Bus session bus; run the suite with scripts/test, "
    "which starts dbus-run-session + gnome-keyring-daemon",
)


def login_in_browser(workspace: Path, path: str) -> tuple[CliResult, str]:
    """`relaydesk auth login PATH --no-browser`, with the test's scripted browser
    (tests/oauth_server.Browser) following the printed address: the result, and the
    authorization URL it printed."""
    from tests.oauth_server import Browser

    argv = [*relaydesk_command(), "--workspace", str(workspace), "auth", "login", path,
            "--no-browser", "--timeout", "20"]
    env = {k: v for k, v in os.environ.items() if k != "RELAYDESK_WORKSPACE"}
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, text=True)
    err_lines: list[str] = []
    url = ""
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            err_lines.append(line)
            if line.startswith("  http"):
                url = line.strip()
                break
        assert url, "".join(err_lines)
        browser = Browser()
        browser(url)
        assert browser.finished().status_code == 200
        out, rest = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return CliResult(proc.returncode, out.encode(), "".join(err_lines) + rest), url
