"""What watching a workspace for changes on disk costs (ui/file_watch.py).

Builds a workspace of N requests (``startup.make_workspace``: 100 per connection,
5 folders each), then times, per size: the first listing of every directory (in a
worker thread, after the first frame), watching them (GUI thread), one ``check()``
with nothing changed (what each burst of file events costs on the GUI thread), and
one ``check()`` after a file was added.

    .venv/bin/python benchmarks/file_watch.py [--sizes 1000 10000] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _ms(fn: object, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from PySide6.QtCore import QFileSystemWatcher
    from PySide6.QtWidgets import QApplication
    from startup import make_workspace

    from relaydesk.core.workspace import Workspace
    from relaydesk.ui.file_watch import WorkspaceWatcher

    app = QApplication.instance() or QApplication([])
    print(f"{'requests':>9} {'listing ms':>11} {'watching ms':>12} {'idle check ms':>14} "
          f"{'changed check ms':>17}")
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "ws"
            make_workspace(root, size)
            ws = Workspace.open(root)
            probe = WorkspaceWatcher(ws)
            listing = _ms(lambda probe=probe: probe._walk({}), args.runs)
            signature = probe._walk({})

            def watching(ws: Workspace = ws, signature: object = signature) -> None:
                watcher = WorkspaceWatcher(ws)
                watcher._watcher = QFileSystemWatcher(watcher)
                watcher._adopt(signature)  # type: ignore[arg-type]
                watcher.stop()

            watcher = WorkspaceWatcher(ws)
            watcher.start()
            while not watcher.ready:
                app.processEvents()
            idle = _ms(watcher.check, args.runs)
            folder = next((root / "connections").rglob("folder0"))
            changed = []
            for n in range(args.runs):
                (folder / f"new {n}.request.json").write_text("{}")
                changed.append(_ms(watcher.check, 1))
            print(f"{size:>9} {listing:>11.1f} {_ms(watching, args.runs):>12.1f} "
                  f"{idle:>14.1f} {statistics.median(changed):>17.1f}")
            watcher.stop()
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
