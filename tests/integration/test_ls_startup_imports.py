"""`relaydesk ls` starts without modules it does not use: the engine, httpx, and the
archive modules (lzma, bz2) that ``shutil`` and ``tempfile`` would bring in through
argparse's help layout and atomic writes. Help text still follows the terminal width."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from relaydesk.core.model import Connection, Request
from relaydesk.core.workspace import Workspace

PROBE = """
import sys
from relaydesk.cli.main import main
code = main(["--workspace", sys.argv[1], "ls"])
sys.stdout.flush()
print(" ".join(sorted(m for m in ("shutil", "tempfile", "lzma", "bz2", "httpx",
                                   "relaydesk.core.engine") if m in sys.modules)))
sys.exit(code)
"""


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "RELAYDESK_WORKSPACE"}
    env.update(extra)
    return env


def test_ls_loads_no_engine_nor_archive_modules(tmp_path: Path) -> None:
    ws = Workspace.open(tmp_path / "ws", create=True)
    ws.save_connection(Connection(path="api", base_url="http://127.0.0.1:9"), create=True)
    ws.save_request(Request(path="api/ping", url="/ping"), create=True)
    done = subprocess.run([sys.executable, "-c", PROBE, str(ws.root)], capture_output=True,
                          text=True, env=_env(), timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert any("ping" in line and "/ping" in line for line in lines[:-1])
    assert lines[-1] == ""  # none of them was imported


def test_help_follows_the_columns_setting() -> None:
    def widest(columns: str) -> int:
        done = subprocess.run([sys.executable, "-m", "relaydesk", "ls", "--help"],
                              capture_output=True, text=True, env=_env(COLUMNS=columns),
                              timeout=60)
        assert done.returncode == 0, done.stderr
        return max(len(line) for line in done.stdout.splitlines())

    assert widest("50") <= 50 < widest("200")
