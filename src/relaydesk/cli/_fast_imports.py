"""Start-up of the ``relaydesk`` command: ``dataclasses`` without ``inspect``.

``dataclasses`` imports ``inspect`` (with ``ast``, ``dis`` and ``tokenize``) for one
call, ``inspect.signature``, made only for a dataclass without a docstring: a fifth of
what `relaydesk ls` of a thousand requests costs. ``load_dataclasses`` imports it with
a stand-in that imports the real ``inspect`` on first use, so the command pays for it
only if it is ever used. Nothing else sees the stand-in: it is taken out of
``sys.modules`` once ``dataclasses`` holds it.
"""

from __future__ import annotations

import sys
import types
from typing import Any

__all__ = ["load_dataclasses"]


class _OnFirstUse(types.ModuleType):
    """A module imported on the first look-up of one of its names."""

    def __getattr__(self, name: str) -> Any:
        import importlib

        return getattr(importlib.import_module(self.__name__), name)


def load_dataclasses() -> None:
    """Import ``dataclasses``, deferring its ``inspect`` (nothing to do once either is
    loaded: a test run, the Python API)."""
    if "dataclasses" in sys.modules or "inspect" in sys.modules:
        return
    stand_in = _OnFirstUse("inspect")
    sys.modules["inspect"] = stand_in
    try:
        import dataclasses  # noqa: F401
    finally:
        if sys.modules.get("inspect") is stand_in:
            del sys.modules["inspect"]
