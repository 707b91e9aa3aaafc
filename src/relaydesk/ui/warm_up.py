"""Work the first frame does not need, done while the window keeps painting.

After the first frame the app still imports asyncio (for its event loop), the
keyring package (which pulls in urllib, http.client and email) and probes the
keyring over D-Bus: most of the 85-97 ms in which the window could not repaint. A
worker thread does them while Qt's event loop runs here, handling timers and paints
but no user input (nothing may act on the window before the asyncio loop runs), with
the interpreter handing the GIL over every millisecond meanwhile.

The worker must not touch Qt: PySide initialises some of its types lazily under a
C++ lock while holding the GIL, and the GUI thread doing the same at that moment
deadlocks both (seen with a thread importing PySide6 while the app imported it). So
qasync, which imports Qt, is imported by the caller afterwards.
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

    thread = threading.Thread(target=work, name="relaydesk-warm-up", daemon=True)
    # The GUI thread looks for the end itself: the worker makes no Qt call.
    poll = QTimer()
    poll.setInterval(2)

    def check() -> None:
        if not thread.is_alive():
            loop.quit()

    poll.timeout.connect(check)
    with fast_switching():
        thread.start()
        poll.start()
        loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
        poll.stop()
        thread.join()
