"""Cold start to the first painted main window: Relaydesk (1,000 requests) vs bare PySide6.

Each run is a fresh interpreter (``subprocess``). The clock starts in the parent just
before the child is spawned and stops at the first paint event of the top-level
window, reported by the child; both programs are measured the same way, interleaved,
and the median of N runs is printed with the ratio (target: ≤ 1.5×).

    .venv/bin/python benchmarks/startup.py [--runs 7] [--requests 1000]

Uses QT_QPA_PLATFORM=offscreen unless a platform is set in the environment.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

PAINT_PROBE = textwrap.dedent('''
    import sys, time
    from PySide6.QtCore import QEvent, QObject

    class FirstPaint(QObject):
        def __init__(self, done):
            super().__init__()
            self.done = done
            self.fired = False

        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint and not self.fired:
                self.fired = True
                print(f"PAINTED {time.time():.6f}", flush=True)
                self.done()
            return False
''')

# Both programs watch for the first Paint event of any widget with an application-wide
# event filter installed right after QApplication is created, so the probe sees the
# window's first frame however early the program paints it.
BARE = PAINT_PROBE + textwrap.dedent('''
    from PySide6.QtWidgets import QApplication, QMainWindow
    app = QApplication(sys.argv[:1])
    probe = FirstPaint(app.quit)
    app.installEventFilter(probe)
    window = QMainWindow()
    window.resize(1200, 780)
    window.show()
    app.exec()
''')

RELAYDESK = PAINT_PROBE + textwrap.dedent('''
    from PySide6.QtWidgets import QApplication
    app = QApplication(sys.argv[:1])
    probe = FirstPaint(lambda: None)
    app.installEventFilter(probe)
    from relaydesk.app import run_app
    sys.exit(run_app(sys.argv[1]))
''')

# Closes the app once it is up (run_app calls it when its event loop runs).
HOOK = textwrap.dedent('''
    def hook(window, service):
        window.close()
''')


def make_workspace(root: Path, n_requests: int) -> None:
    from relaydesk.core.model import Connection, KeyValue, Request
    from relaydesk.core.workspace import Workspace

    ws = Workspace.open(root)
    per_conn = 100
    for c in range((n_requests + per_conn - 1) // per_conn):
        group = ["jira", "github", "ops", "billing", "crm"][c % 5]
        conn = ws.save_connection(Connection(path=f"{group}/api{c}",
                                             base_url=f"https://api{c}.example.com/v1"),
                                  create=True)
        for r in range(min(per_conn, n_requests - c * per_conn)):
            ws.save_request(Request(
                path=f"{conn.path}/folder{r % 5}/Request {r}",
                method=["GET", "POST", "PUT", "DELETE", "PATCH"][r % 5],
                url=f"/items/{r}?page={{{{page}}}}",
                headers=[KeyValue("Accept", "application/json")]), create=True)


def measure(args: list[str], env: dict[str, str]) -> float:
    start = time.time()
    proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    for line in proc.stdout.splitlines():
        if line.startswith("PAINTED "):
            return (float(line.split()[1]) - start) * 1000
    raise RuntimeError(f"no paint reported (exit {proc.returncode}):\n{proc.stderr[-2000:]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--requests", type=int, default=1000)
    opts = parser.parse_args()

    # An installed app runs from bytecode (pip compiles it at install time), like PySide6
    # here; with PYTHONDONTWRITEBYTECODE set, every start would compile our sources.
    import compileall

    import relaydesk

    compileall.compile_dir(Path(relaydesk.__file__).parent, quiet=1)

    with tempfile.TemporaryDirectory(prefix="relaydesk-bench-") as tmp:
        tmp_path = Path(tmp)
        make_workspace(tmp_path / "ws", opts.requests)
        (tmp_path / "bench_hook.py").write_text(HOOK)
        env = {**os.environ, "RELAYDESK_TEST_HOOK": "bench_hook:hook",
               "RELAYDESK_SETTINGS": str(tmp_path / "settings.ini"),
               "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
               "PYTHONPATH": os.pathsep.join([tmp, os.environ.get("PYTHONPATH", "")])}
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        bare_cmd = [sys.executable, "-c", BARE]
        app_cmd = [sys.executable, "-c", RELAYDESK, str(tmp_path / "ws")]
        measure(bare_cmd, env), measure(app_cmd, env)  # warm the OS file cache once
        bare, app = [], []
        for _ in range(opts.runs):
            bare.append(measure(bare_cmd, env))
            app.append(measure(app_cmd, env))

    b, a = statistics.median(bare), statistics.median(app)
    print(f"platform: {env['QT_QPA_PLATFORM']}, runs: {opts.runs}, "
          f"workspace: {opts.requests} requests")
    print(f"{'bare PySide6 window':<32}{b:8.0f} ms   (min {min(bare):.0f}, max {max(bare):.0f})")
    print(f"{'Relaydesk main window':<32}{a:8.0f} ms   (min {min(app):.0f}, max {max(app):.0f})")
    print(f"{'ratio':<32}{a / b:8.2f}x   (target <= 1.5x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
