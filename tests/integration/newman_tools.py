"""Finding (or installing) newman, Postman's reference command-line runner.

The suite looks in ``$RELAYDESK_NEWMAN``, then ``~/.cache/relaydesk-node`` (where
``npm install --prefix ~/.cache/relaydesk-node newman@6`` puts it), then PATH.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

__all__ = ["NODE_CACHE", "find_newman"]

NODE_CACHE = Path.home() / ".cache" / "relaydesk-node"


def find_newman() -> str | None:
    explicit = os.environ.get("RELAYDESK_NEWMAN")
    if explicit and Path(explicit).exists():
        return explicit
    cached = NODE_CACHE / "node_modules" / ".bin" / "newman"
    if cached.exists() and shutil.which("node"):
        return str(cached)
    return shutil.which("newman")
