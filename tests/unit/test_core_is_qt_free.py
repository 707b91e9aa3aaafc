"""relaydesk.core must work without Qt: importing it never pulls PySide6 in."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import relaydesk.core

CORE = Path(relaydesk.core.__file__).parent
QT = ("PySide6", "qasync", "shiboken6")

_PROBE = r"""
import importlib, importlib.abc, pkgutil, sys

BLOCKED = {blocked!r}

class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"core imported {{name}}")
        return None

sys.meta_path.insert(0, Block())
import relaydesk.core as core
names = sorted(m.name for m in pkgutil.walk_packages(core.__path__, "relaydesk.core."))
for name in names:
    importlib.import_module(name)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
assert not loaded, loaded
print(len(names))
"""


def test_every_core_module_imports_with_qt_blocked() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE.format(blocked=set(QT))],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) >= 5  # it really imported the modules


def test_no_core_source_mentions_qt() -> None:
    pattern = re.compile(r"^\s*(import|from)\s+(PySide6|qasync|shiboken6)\b", re.MULTILINE)
    offenders = [str(p.relative_to(CORE)) for p in CORE.rglob("*.py")
                 if pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
