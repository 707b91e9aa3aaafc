"""`relaydesk ls` loads no module it does not use: not argparse (the parser is built
for other command lines), not dataclasses (which brings inspect) nor typing."""

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
print(" ".join(m for m in ("argparse", "dataclasses", "inspect", "typing")
               if m in sys.modules))
sys.exit(code)
"""


def test_ls_loads_neither_argparse_nor_dataclasses_nor_typing(tmp_path: Path) -> None:
    ws = Workspace.open(tmp_path / "ws", create=True)
    ws.save_connection(Connection(path="api", base_url="http://127.0.0.1:9"), create=True)
    ws.save_request(Request(path="api/ping", url="/ping"), create=True)
    env = {k: v for k, v in os.environ.items() if k != "RELAYDESK_WORKSPACE"}
    done = subprocess.run([sys.executable, "-c", PROBE, str(ws.root)], capture_output=True,
                          text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[:2] == ["api  http://127.0.0.1:9", "  GET     ping  /ping"]
    assert lines[-1] == ""  # none of them was imported
