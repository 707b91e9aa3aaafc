"""Where runner results go: the console, a JSON document, a JUnit XML report.

Each reporter gets ``start(plan)``, one ``result(r)`` per request in run order, and
``finish(summary)``; none keeps the results (the JUnit one spools them to a
temporary file), so a long run costs no more memory than a short one.

The JSON and JUnit reporters (and the XML modules) load when first named: a run
without ``--reporter`` does not pay for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .console import ConsoleReporter

if TYPE_CHECKING:
    from .json_report import JsonReporter
    from .junit import JUnitReporter

__all__ = ["ConsoleReporter", "JUnitReporter", "JsonReporter"]

_LAZY = {"JsonReporter": "json_report", "JUnitReporter": "junit"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
