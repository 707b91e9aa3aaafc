"""Finding (or installing) newman, Postman's reference command-line runner.

The suite looks in ``$RELAYDESK_NEWMAN``, then ``~/.cache/relaydesk-node`` (where
``npm install --prefix ~/.cache/relaydesk-node newman@6`` puts it), then PATH.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

__all__ = ["NODE_CACHE", "find_bru", "find_newman"]

NODE_CACHE = Path.home() / ".cache" / "relaydesk-node"


def find_newman() -> str | None:
    return _find_node_tool("newman", "RELAYDESK_NEWMAN")


def _find_node_tool(name: str, env_var: str) -> str | None:
    explicit = os.environ.get(env_var)
    if explicit and Path(explicit).exists():
        return explicit
    cached = NODE_CACHE / "node_modules" / ".bin" / name
    if cached.exists() and shutil.which("node"):
        return str(cached)
    return shutil.which(name)


def find_bru() -> str | None:
    """The Bruno CLI: ``$RELAYDESK_BRU``, then the same cache as newman
    (``npm install --prefix ~/.cache/relaydesk-node @usebruno/cli@4``), then PATH."""
    return _find_node_tool("bru", "RELAYDESK_BRU")
