"""httpx imported without its command-line tool, which stays importable."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import sys
from relaydesk.core.httpx_import import import_httpx
import_httpx()
import httpx
assert "httpx._main" not in sys.modules and "rich" not in sys.modules, sorted(sys.modules)
assert callable(httpx.main) and httpx.AsyncClient
try:
    import click, rich, pygments  # noqa: F401
except ImportError:
    print("no cli dependencies")
else:
    import httpx._main  # the block was lifted
    print("cli importable")
"""


def test_import_httpx_leaves_its_cli_out() -> None:
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() in ("cli importable", "no cli dependencies")
