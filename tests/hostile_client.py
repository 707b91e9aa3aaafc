"""Driving `relaydesk send` against hostile servers, and what it leaves in the spool.

``TMPDIR`` points each run at a folder of the caller's, so the spool directory
(``$TMPDIR/relaydesk-<uid>``) is the caller's to inspect. Shared by
tests/integration/test_hostile_*.py and benchmarks/hostile_cases/network.py.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.integration.clitools import CliResult, relaydesk_command, run_cli
from tests.servers import RunningServer

__all__ = ["SignalOutcome", "engine_send", "send_curl", "servers", "signal_mid_body",
           "spooled"]


@pytest.fixture
def servers() -> Iterator[list[RunningServer]]:
    """Servers a test starts (append them); all stopped afterwards."""
    started: list[RunningServer] = []
    yield started
    for server in started:
        server.stop()


def engine_send(workspace: Any, keyring: Any, url: str, connection: str = "svc") -> Any:
    """Send ``url`` through the saved ``connection`` with the engine the app uses."""
    from relaydesk.core.engine import Engine
    from relaydesk.core.model import Request
    from relaydesk.core.secrets import SecretStore

    async def go() -> Any:
        engine = Engine(SecretStore.for_workspace(keyring, workspace))
        try:
            return await engine.send(Request(f"{connection}/r", url=url),
                                     workspace.connection(connection))
        finally:
            await engine.aclose()

    return asyncio.run(go())


def spooled(tmpdir: Path) -> list[Path]:
    """The spooled bodies under ``tmpdir`` (what a run would leave behind)."""
    folder = tmpdir / f"relaydesk-{os.getuid()}"
    return sorted(folder.glob("*.body")) if folder.exists() else []


def send_curl(tmpdir: Path, url: str, *options: str, curl: str = "") -> CliResult:
    """`relaydesk send --curl 'curl [curl] URL' [options]` with its own ``TMPDIR``."""
    command = f"curl {curl} {url}".replace("  ", " ")
    return run_cli(None, "send", "--curl", command, *options,
                   env={"TMPDIR": str(tmpdir)}, timeout=120)


@dataclass
class SignalOutcome:
    code: int  # the exit status (negative: killed by that signal)
    left: list[Path]  # spooled bodies still there afterwards
    stderr: str


def signal_mid_body(tmpdir: Path, url: str, signum: int, output: Path) -> SignalOutcome:
    """Start `send URL -o output`, wait until its body is spooled, send ``signum``."""
    environ = {**os.environ, "TMPDIR": str(tmpdir), "RELAYDESK_HISTORY": "off"}
    environ.pop("RELAYDESK_WORKSPACE", None)
    errors = tmpdir / f"stderr-{signum}.txt"
    with errors.open("wb") as err:
        proc = subprocess.Popen(
            [*relaydesk_command(), "send", "--curl", f"curl {url}", "-o", str(output)],
            env=environ, stdout=subprocess.DEVNULL, stderr=err)
    try:
        deadline = time.monotonic() + 30
        while not spooled(tmpdir):
            if proc.poll() is not None:
                raise AssertionError(f"send ended before spooling: {errors.read_text()}")
            if time.monotonic() > deadline:
                raise AssertionError("no spool file appeared")
            time.sleep(0.05)
        proc.send_signal(signum)
        code = proc.wait(timeout=15)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
    return SignalOutcome(code, spooled(tmpdir), errors.read_text())
