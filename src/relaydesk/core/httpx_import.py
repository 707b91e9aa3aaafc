"""Importing httpx without its own command-line tool.

``import httpx`` also imports ``httpx._main`` (the ``httpx`` command) whenever click,
rich and pygments are installed: ~0.1 s of start-up, and Relaydesk never runs that
command. Blocked while httpx loads, httpx falls back to its stand-in ``httpx.main``
(which says the command's dependencies are missing); the block is lifted at once, so
an explicit ``import httpx._main`` later still works.
"""

from __future__ import annotations

import sys

__all__ = ["import_httpx"]

_CLI = "httpx._main"


def import_httpx() -> None:
    """Import httpx, if not yet imported, leaving its command-line tool out."""
    if "httpx" in sys.modules:
        return
    blocked = _CLI not in sys.modules
    if blocked:
        sys.modules[_CLI] = None  # type: ignore[assignment]  # how an import is refused
    try:
        import httpx  # noqa: F401
    finally:
        if blocked and _CLI in sys.modules and sys.modules[_CLI] is None:
            del sys.modules[_CLI]
