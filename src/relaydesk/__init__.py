"""Relaydesk: saved API connections, keyring secrets, and ready httpx clients.

    import relaydesk
    jira = relaydesk.connect("jira/cloud")          # an httpx.Client
    issue = jira.get("/rest/api/3/issue/ISSUE-1").json()

Importing this package is cheap: ``connect``/``aconnect`` (and httpx with them) and
``__version__`` load on first use, so the CLI and the app do not pay for them at startup.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing is not imported at run time (`relaydesk ls` pays for it)
if TYPE_CHECKING:
    from typing import Any

    from ._version import __version__
    from .api import aconnect, connect

__all__ = ["__version__", "aconnect", "connect"]

# Loaded on first use: httpx for the API, importlib.metadata (slow) for the version.
_LAZY = {"connect": "relaydesk.api", "aconnect": "relaydesk.api",
         "__version__": "relaydesk._version"}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'relaydesk' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value  # later look-ups skip this hook
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
