"""Run Python's cyclic garbage collector on the GUI thread only.

The app has worker threads (body formatting, highlighting, ``asyncio.to_thread``).
Left automatic, a collection can start in any of them and destroy a Qt object that
belongs to the GUI thread — its timers cannot be unregistered from there, and a
later timer event crashes the process. So automatic collection is switched off and
a timer on the GUI thread collects whenever the allocation counts say it is due.

A full collection walks every object (a tenth of a second at 50,000 requests read),
so, as CPython's own collector does, the oldest generation is collected only once the
memory in use has grown by a quarter since the last full collection; until then the
younger generations are.
"""

from __future__ import annotations

import gc
import sys

from PySide6.QtCore import QObject, QTimer

__all__ = ["GuiThreadCollector"]


class GuiThreadCollector(QObject):
    def __init__(self, parent: QObject | None = None, interval_ms: int = 500) -> None:
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._long_lived = sys.getallocatedblocks()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect_if_due)
        self._timer.start()

    def collect_if_due(self) -> None:
        # Same rule as the automatic collector: the oldest generation whose count has
        # passed its threshold is collected (with the younger ones).
        counts, thresholds = gc.get_count(), gc.get_threshold()
        for generation in (2, 1, 0):
            if counts[generation] > thresholds[generation]:
                if generation == 2 and not self._full_due():
                    generation = 1
                gc.collect(generation)
                if generation == 2:
                    self._long_lived = sys.getallocatedblocks()
                return

    def _full_due(self) -> bool:
        # The interpreter's count of allocated memory blocks stands for the number of
        # objects (counting them would walk them all).
        return sys.getallocatedblocks() - self._long_lived > self._long_lived // 4

    def stop(self) -> None:
        self._timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()
