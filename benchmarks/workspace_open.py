"""What reading a workspace costs before the app's first frame, in instructions.

The app opens the workspace lazily, then asks for every connection and lists each
one's folders (the tree's first screen). This counts, with valgrind's callgrind, the
instructions of a script doing exactly that beyond a script that only imports
``relaydesk.core.workspace``, on a workspace made by ``startup.make_workspace``
(one connection per 100 requests, five folders each). It prints the figure for the
tree's two ways of asking: ``connections()`` (whole Connection objects) and
``connection_urls()`` (paths and base URLs only). Target: <= 50M at 50,000 requests.

    .venv/bin/python benchmarks/workspace_open.py [--requests 1000,50000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from startup import make_workspace  # noqa: E402

IMPORTS = "import sys\nfrom relaydesk.core.workspace import Workspace\n"
OPEN = IMPORTS + "ws = Workspace.open(sys.argv[1], lazy=True)\n"
SCRIPTS = {
    "connections()": OPEN + "out = [ws.listing(c.path) for c in ws.connections()]\n",
    "connection_urls()": OPEN + "out = [ws.listing(p) for p, _ in ws.connection_urls()]\n",
}
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}


def instructions(script: str, workspace: Path) -> int:
    done = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                           sys.executable, "-c", script, str(workspace)], check=True,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          env=ENV)
    return int(done.stderr.rpartition("Collected : ")[2].split()[0])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", default="1000,50000")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="relaydesk-open-"))
    try:
        for n in (int(s) for s in args.requests.split(",")):
            ws = tmp / f"ws{n}"
            make_workspace(ws, n)
            subprocess.run([sys.executable, "-c", OPEN, str(ws)], check=True, env=ENV)
            base = instructions(IMPORTS, ws)
            for name, script in SCRIPTS.items():
                extra = instructions(script, ws) - base
                print(f"  {n:>7,} requests, {name:<18} {extra / 1e6:6.1f}M instructions "
                      "beyond the imports (target <= 50M at 50,000)")
            shutil.rmtree(ws, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
