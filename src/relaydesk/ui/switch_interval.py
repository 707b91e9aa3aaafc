"""Shorter GIL hand-overs while CPU-heavy worker threads run.

While a worker formats a big body or parses an import, the GUI thread waits up to the
interpreter's switch interval (5 ms by default) each time it needs the GIL back — many
times per event-loop turn. A 1 ms interval while such work runs keeps those waits
short. The setting is process-wide, so holders are counted: the first one shortens it,
the last one to finish restores the value it found.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["FAST_SWITCH_INTERVAL", "fast_switching", "hold", "release"]

FAST_SWITCH_INTERVAL = 0.001

_lock = threading.Lock()
_holders = 0
_saved = 0.0


def hold() -> None:
    global _holders, _saved
    with _lock:
        if _holders == 0:
            _saved = sys.getswitchinterval()
            sys.setswitchinterval(min(_saved, FAST_SWITCH_INTERVAL))
        _holders += 1


def release() -> None:
    global _holders
    with _lock:
        if _holders == 0:
            return
        _holders -= 1
        if _holders == 0:
            sys.setswitchinterval(_saved)


@contextmanager
def fast_switching() -> Iterator[None]:
    hold()
    try:
        yield
    finally:
        release()
