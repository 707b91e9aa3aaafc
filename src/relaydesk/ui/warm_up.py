"""Work the first frame does not need, done while the window keeps painting.

After the first frame the app still imports asyncio and qasync (its event loop), the
keyring package (which pulls in urllib, http.client and email) and probes the
keyring over D-Bus: together 85-97 ms in which the window could not repaint. A
worker thread does them while Qt's event loop runs here, handling timers and paints
but no user input (nothing may act on the window before the asyncio loop runs), with
the interpreter handing the GIL over every millisecond meanwhile.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable, Iterable

from PySide6.QtCore import QEventLoop, QTimer

from .switch_interval import fast_switching

__all__ = ["warm_up"]

log = logging.getLogger(__name__)


def warm_up(modules: Iterable[str], *also: Callable[[], object]) -> None:
    """Import ``modules`` and call each of ``also`` in a worker thread, running Qt's
    event loop (without user input) until they are done. Failures are logged: the
    same work is done again, and reported, where it is needed."""
    loop = QEventLoop()

    def work() -> None:
        try:
            for name in modules:
                importlib.import_module(name)
            for step in also:
                step()
        except Exception:  # logged; the caller repeats the work
            log.debug("warm-up failed", exc_info=True)
        finally:
            QTimer.singleShot(0, loop, loop.quit)  # queued to the GUI thread

    with fast_switching():
        thread = threading.Thread(target=work, name="relaydesk-warm-up", daemon=True)
        thread.start()
        loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
        thread.join()
