"""Where runner results go: the console, a JSON document, a JUnit XML report.

Each reporter gets ``start(plan)``, one ``result(r)`` per request in run order, and
``finish(summary)``; none keeps the results (the JUnit one spools them to a
temporary file), so a long run costs no more memory than a short one.
"""

from __future__ import annotations

from .console import ConsoleReporter
from .json_report import JsonReporter
from .junit import JUnitReporter

__all__ = ["ConsoleReporter", "JUnitReporter", "JsonReporter"]
