"""Benchmark: a 50 MB JSON response shown in a ResponseView without freezing the loop.

Serves ``/bigjson?mb=N`` from the loopback echo server (``tests/servers.py``), receives it
with the engine under qasync while a 5 ms timer measures event-loop stalls, shows it in a
``ResponseView`` and prints:

- largest event-loop stall while receiving + formatting + showing (target ≤ 50 ms)
- time from the last byte to a highlighted first screen (target ≤ 300 ms)
- time until the whole body is in the view
- peak RSS
- baseline: ``QPlainTextEdit.setPlainText`` of the pretty text (how long it blocks)

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/huge_response.py [--mb 50]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QPlainTextEdit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests/servers.py


SERVER = (
    "import time\n"
    "from tests.servers import echo_app, start_uvicorn\n"
    "s = start_uvicorn(echo_app)\n"
    "print(s.base_url, flush=True)\n"
    "time.sleep(3600)\n"
)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class StallMeter:
    """A 5 ms timer; the largest gap between ticks is the longest event-loop stall."""

    def __init__(self) -> None:
        self.timer = QTimer(interval=5)
        self.timer.timeout.connect(self._tick)
        self.last = time.perf_counter()
        self.max_gap = 0.0

    def start(self) -> None:
        self.last = time.perf_counter()
        self.max_gap = 0.0
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.max_gap = max(self.max_gap, now - self.last)
        self.last = now


async def run(mb: float) -> dict[str, float]:
    from relaydesk.core.engine import Engine
    from relaydesk.core.model import Request
    from relaydesk.ui.response_view import ResponseView
    # The server runs in its own process: in-process, building the 50 MB body holds the
    # GIL for a second and would be measured as a stall of the viewer.
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    base_url = server.stdout.readline().strip()
    view = ResponseView()
    view.resize(1000, 700)
    view.show()
    meter = StallMeter()
    engine = Engine(None)
    request = Request(path="bench", url=f"{base_url}/bigjson?mb={mb}")
    last_byte = 0.0

    def progress(received: int, total: int | None) -> None:
        view.show_progress(received, total)

    meter.start()
    t0 = time.perf_counter()
    response = await engine.send(request, None, on_progress=progress)
    last_byte = time.perf_counter()
    receive_stall = meter.max_gap
    meter.start()
    first = asyncio.get_running_loop().create_future()
    done = asyncio.get_running_loop().create_future()
    view.firstScreenReady.connect(lambda: first.done() or first.set_result(time.perf_counter()))
    view.loaded.connect(lambda: done.done() or done.set_result(time.perf_counter()))
    view.show_response(response)
    t_first = await first
    t_done = await done
    await asyncio.sleep(0.2)
    meter.timer.stop()
    lines = view.body.pretty_view.store().line_count()
    await engine.aclose()
    server.terminate()
    server.wait()
    return {"receive_s": last_byte - t0, "receive_stall_ms": receive_stall * 1000,
            "first_screen_ms": (t_first - last_byte) * 1000,
            "loaded_s": t_done - last_byte, "max_stall_ms": meter.max_gap * 1000,
            "lines": lines, "size_mb": response.size / 1048576}


def baseline(mb: float) -> float:
    """How long one setPlainText of the pretty text blocks the GUI thread."""
    item = {"id": 0, "name": "relaydesk item", "tags": ["a", "b", "c"], "ok": True}
    count = int(mb * 1048576 / (len(json.dumps(item)) + 2))
    pretty = json.dumps([{**item, "id": i} for i in range(count)], indent=2)
    edit = QPlainTextEdit()
    edit.resize(1000, 700)
    edit.show()
    t = time.perf_counter()
    edit.setPlainText(pretty)
    QApplication.processEvents()
    return time.perf_counter() - t


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=50)
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args()
    import qasync

    app = QApplication.instance() or QApplication(sys.argv)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        result = loop.run_until_complete(run(args.mb))
    print(f"body: {result['size_mb']:.1f} MB, {result['lines']:,} pretty lines")
    print(f"receive (engine, loopback):           {result['receive_s']:.2f} s")
    print(f"largest stall while receiving:        {result['receive_stall_ms']:.1f} ms "
          "(engine + progress updates)")
    print(f"largest stall while formatting/showing: {result['max_stall_ms']:.1f} ms "
          "(target <= 50 ms)")
    print(f"last byte -> highlighted first screen: {result['first_screen_ms']:.0f} ms "
          "(target <= 300 ms)")
    print(f"last byte -> fully loaded:            {result['loaded_s']:.2f} s")
    print(f"peak RSS:                             {rss_mb():.0f} MB")
    if not args.no_baseline:
        blocked = baseline(args.mb)
        print(f"baseline QPlainTextEdit.setPlainText(pretty): blocks {blocked:.2f} s, "
              f"peak RSS now {rss_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
