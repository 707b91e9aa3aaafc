"""Cold start to the first painted main window: Relaydesk (1,000 requests) vs bare PySide6.

Each run is a fresh interpreter (``subprocess``). The clock starts in the parent just
before the child is spawned and stops when Qt flushes the first painted frame of the
top-level window; the programs are measured the same way, interleaved, and the median
of N runs is printed with the ratio (target: ≤ 1.5×).

The frame is seen by Qt itself: its ``qt.widgets.painting`` log category reports
"Flushing … of <window> to QWidgetWindow" with a wall-clock timestamp, and no Python
runs per event. (An application-wide Python event filter, used before, wrapped every
object that received an event; wrapping Qt's internal widgets made PySide initialise
their types, which cost the windows with more widgets up to ~20 ms that they never
pay without the probe.)

Relaydesk is started as a user starts it, ``relaydesk --workspace DIR``.
A third program shows the same first frame as Relaydesk (menus, toolbar with the
environment picker, filter box, the expanded tree of the benchmark workspace, the
empty editor label, status bar) built from stock Qt widgets in a few dozen lines, with
no workspace, core or app code: the floor for a PySide6 window with this content, so
"Relaydesk / stock widgets" is the cost of the app itself.

    .venv/bin/python benchmarks/startup.py [--runs 7] [--requests 1000] [--instructions]

Uses QT_QPA_PLATFORM=offscreen unless a platform is set in the environment.

``--instructions`` counts instead of timing: each program runs once under valgrind's
callgrind, which dumps its counters when Qt first enters the flush that logs the
first frame, and the instructions executed until then are printed with the same
ratios. The counts are the same from run to run whatever else the machine does,
so they show a start-up change of a few percent that the ±5 ms noise of the timings
hides. They are a proxy: the target is the time.
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

# Qt logs each frame it hands to the platform; the first one is the first paint.
LOG_RULES = "qt.widgets.painting.debug=true"
LOG_PATTERN = "%{time yyyy-MM-ddTHH:mm:ss.zzz}|%{message}"
FLUSH = re.compile(r"^(\S+)\|Flushing QRegion\(.*\) of \w+\(0x[0-9a-f]+\) to QWidgetWindow")

# The stock programs quit a moment after showing; the frame is already logged by then.
BARE = textwrap.dedent('''
    import sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow
    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.resize(1200, 780)
    window.show()
    QTimer.singleShot(300, app.quit)
    app.exec()
''')

# The benchmark workspace's first frame, from stock widgets: groups and connections
# expanded, folders closed (as the app shows them), no request files read.
STOCK = textwrap.dedent('''
    import sys
    from PySide6.QtWidgets import QApplication, QMainWindow
    app = QApplication(sys.argv[:1])
    from PySide6.QtCore import QTimer, Qt
    from PySide6.QtGui import QAction, QKeySequence, QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import (QComboBox, QLabel, QLineEdit, QSplitter, QToolBar,
                                   QTreeView, QVBoxLayout, QWidget)
    window = QMainWindow()
    quit_action = QAction("Quit", window)
    quit_action.setShortcut(QKeySequence("Ctrl+Q"))
    window.menuBar().addMenu("&File").addAction(quit_action)
    window.menuBar().addMenu("&Run")
    window.menuBar().addMenu("&View")
    bar = window.addToolBar("Main")
    bar.addAction("New connection…")
    bar.addAction("Save")
    bar.addSeparator()
    bar.addWidget(QLabel(" Environment: "))
    picker = QComboBox()
    picker.addItem("No environment")
    bar.addWidget(picker)
    bar.addSeparator()
    for text in ("Copy as", "Run", "History"):
        bar.addAction(text)
    left = QWidget()
    layout = QVBoxLayout(left)
    tools = QToolBar()
    for text in ("New", "Copy import snippet", "Delete"):
        tools.addAction(text)
    layout.addWidget(tools)
    layout.addWidget(QLineEdit(placeholderText="Filter connections and requests"))
    model = QStandardItemModel()
    groups = {}
    owned = {}
    for f in range(N_FOLDERS):
        owned.setdefault(f * N_CONNECTIONS // N_FOLDERS, []).append(f)
    for c in range(N_CONNECTIONS):
        name = ["jira", "github", "ops", "billing", "crm"][c % 5]
        if name not in groups:
            groups[name] = QStandardItem(name)
            model.appendRow(groups[name])
        conn = QStandardItem(f"api{c}")
        conn.appendRows([QStandardItem(f"folder{f}") for f in owned.get(c, [])])
        groups[name].appendRow(conn)
    tree = QTreeView()
    tree.setHeaderHidden(True)
    tree.setModel(model)
    tree.expandToDepth(1)
    layout.addWidget(tree)
    # The empty state: a title, a hint and three buttons (ui/empty_state.py).
    from PySide6.QtWidgets import QHBoxLayout, QPushButton
    empty = QWidget()
    column = QVBoxLayout(empty)
    column.addStretch(2)
    title = QLabel("No request open")
    font = title.font()
    font.setBold(True)
    title.setFont(font)
    hint = QLabel("Open a request from the tree, or press Ctrl+P to find one by name. "
                  "Ctrl+N makes a new request, Ctrl+I imports a file.")
    hint.setWordWrap(True)
    hint.setFixedWidth(560)
    for label in (title, hint):
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column.addWidget(label, 0, Qt.AlignmentFlag.AlignHCenter)
    buttons = QHBoxLayout()
    buttons.addStretch(1)
    for text in ("New connection…", "Import…", "Paste a curl command…"):
        buttons.addWidget(QPushButton(text))
    buttons.addStretch(1)
    column.addLayout(buttons)
    column.addStretch(3)
    splitter = QSplitter(Qt.Orientation.Horizontal)
    splitter.addWidget(left)
    splitter.addWidget(empty)
    window.setCentralWidget(splitter)
    window.statusBar()
    window.resize(1200, 780)
    window.show()
    QTimer.singleShot(300, app.quit)
    app.exec()
''')

# Closes the app once it is up (run_app calls it when its event loop runs).
HOOK = textwrap.dedent('''
    def hook(window, service):
        window.close()
''')


GROUPS = ["jira", "github", "ops", "billing", "crm"]
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH"]


def make_workspace(root: Path, n_requests: int, connections: int | None = None,
                   folders: int | None = None) -> None:
    """A generated workspace: ``connections`` connections (default: one per 100
    requests) in five groups, ``folders`` folders spread evenly among them (default: 5
    per connection), and the requests spread evenly among the folders, named
    ``Request <n>``.

    The files are written as the app writes them (ids, order, the codec's documents),
    directly rather than one ``save_request`` at a time, which takes minutes at 50,000.
    """
    import uuid

    from relaydesk.core import codec
    from relaydesk.core.model import Connection, KeyValue, Request
    from relaydesk.core.workspace import Workspace

    Workspace.open(root)  # the manifest, .gitignore and local state
    n_conns = connections or max(1, (n_requests + 99) // 100)
    n_folders = folders or 5 * n_conns
    per_folder = [n_requests // n_folders + (f < n_requests % n_folders)
                  for f in range(n_folders)]
    folder_conn = [f * n_conns // n_folders for f in range(n_folders)]
    number = 0

    def write(file: Path, doc: dict[str, object]) -> None:
        file.write_text(codec.dumps(doc), encoding="utf-8")

    for c in range(n_conns):
        path = f"{GROUPS[c % 5]}/api{c}"
        conn_dir = root.joinpath("connections", *path.split("/"))
        conn_dir.mkdir(parents=True)
        mine = [f for f in range(n_folders) if folder_conn[f] == c]
        write(conn_dir / "connection.json", codec.connection_to_doc(
            Connection(path=path, base_url=f"https://api{c}.example.com/v1",
                       id=uuid.uuid4().hex), [f"folder{f}" for f in mine]))
        for f in mine:
            folder_dir = conn_dir / f"folder{f}"
            folder_dir.mkdir()
            names = [f"Request {number + r}" for r in range(per_folder[f])]
            write(folder_dir / "folder.json", codec.folder_to_doc(uuid.uuid4().hex, names))
            for r, name in enumerate(names):
                write(folder_dir / f"{name}.request.json", codec.request_to_doc(Request(
                    path=f"{path}/folder{f}/{name}", method=METHODS[r % 5],
                    url=f"/items/{number + r}?page={{{{page}}}}",
                    headers=[KeyValue("Accept", "application/json")],
                    id=uuid.uuid4().hex)))
            number += per_folder[f]


def relaydesk_command() -> list[str]:
    """The installed ``relaydesk`` command beside this interpreter, as users start it."""
    script = Path(sys.executable).with_name("relaydesk")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "relaydesk"]


def bench_env(tmp_path: Path) -> dict[str, str]:
    """The environment the programs run in: the app quits once up (``HOOK``), with its
    own settings file and no keyring, and Qt logs its frames."""
    (tmp_path / "bench_hook.py").write_text(HOOK)
    env = {**os.environ, "RELAYDESK_TEST_HOOK": "bench_hook:hook",
           "RELAYDESK_SETTINGS": str(tmp_path / "settings.ini"),
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
           "QT_LOGGING_RULES": LOG_RULES, "QT_MESSAGE_PATTERN": LOG_PATTERN,
           "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    return env


def stock_command(n_connections: int, n_folders: int) -> list[str]:
    """The stock-widget program showing the first frame of ``make_workspace``'s shape."""
    return [sys.executable, "-c",
            f"N_CONNECTIONS = {n_connections}\nN_FOLDERS = {n_folders}\n" + STOCK]


def measure(args: list[str], env: dict[str, str]) -> float:
    start = time.time()
    proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    for line in proc.stderr.splitlines():
        if match := FLUSH.match(line):
            painted = datetime.datetime.fromisoformat(match.group(1)).timestamp()
            return (painted - start) * 1000
    raise RuntimeError(f"no frame logged (exit {proc.returncode}):\n{proc.stderr[-2000:]}")


# Callgrind dumps its counters on entering this function: the flush that logs the frame.
FIRST_FLUSH = "QWidgetRepaintManager::flush*"


def count_instructions(args: list[str], env: dict[str, str], out_dir: Path) -> int:
    """Instructions a program executes until its first frame is flushed (callgrind)."""
    prefix = out_dir / f"callgrind.{len(list(out_dir.iterdir()))}"
    proc = subprocess.run(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={prefix}.%p",
         f"--dump-before={FIRST_FLUSH}", *args],
        env=env, capture_output=True, text=True, timeout=900)
    first = sorted(out_dir.glob(f"{prefix.name}.*.1"))  # the dump at the first flush
    if not first:
        raise RuntimeError(f"no frame reached (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    for line in first[0].read_text().splitlines():
        if line.startswith("totals:"):
            return int(line.split()[1])
    raise RuntimeError(f"no totals in {first[0]}")


def report(title: str, values: dict[str, float], unit: str, fmt: str,
           notes: dict[str, str] | None = None) -> None:
    print(title)
    for name, value in values.items():
        print(f"{name:<32}{value:{fmt}} {unit}   {(notes or {}).get(name, '')}".rstrip())
    bare, stock, app = values.values()
    print(f"{'Relaydesk / bare':<32}{app / bare:8.2f}x   (target <= 1.5x)")
    print(f"{'stock widgets / bare':<32}{stock / bare:8.2f}x   (the floor for this frame)")
    print(f"{'Relaydesk / stock widgets':<32}{app / stock:8.2f}x   (the app's own cost)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--connections", type=int, default=None,
                        help="default: one per 100 requests")
    parser.add_argument("--folders", type=int, default=None,
                        help="default: 5 per connection")
    parser.add_argument("--instructions", action="store_true",
                        help="count instructions to the first frame with callgrind")
    opts = parser.parse_args()
    if opts.instructions and shutil.which("valgrind") is None:
        parser.error("--instructions needs valgrind (Debian package valgrind)")

    # An installed app runs from bytecode (pip compiles it at install time), like PySide6
    # here; with PYTHONDONTWRITEBYTECODE set, every start would compile our sources.
    import compileall

    import relaydesk

    compileall.compile_dir(Path(relaydesk.__file__).parent, quiet=1)

    with tempfile.TemporaryDirectory(prefix="relaydesk-bench-") as tmp:
        tmp_path = Path(tmp)
        n_connections = opts.connections or max(1, (opts.requests + 99) // 100)
        n_folders = opts.folders or 5 * n_connections
        make_workspace(tmp_path / "ws", opts.requests, n_connections, n_folders)
        env = bench_env(tmp_path)
        commands = {
            "bare PySide6 window": [sys.executable, "-c", BARE],
            "same frame, stock widgets": stock_command(n_connections, n_folders),
            "Relaydesk main window": [*relaydesk_command(), "--workspace",
                                      str(tmp_path / "ws")],
        }
        if opts.instructions:
            (out_dir := tmp_path / "callgrind").mkdir()
            counts = {name: count_instructions(cmd, env, out_dir) / 1e6
                      for name, cmd in commands.items()}
            report(f"platform: {env['QT_QPA_PLATFORM']}, instructions to the first frame "
                   f"(callgrind), workspace: {opts.requests} requests",
                   counts, "M", "8.1f")
            return 0
        for cmd in commands.values():  # warm the OS file cache once
            measure(cmd, env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(opts.runs):
            for name, cmd in commands.items():
                times[name].append(measure(cmd, env))

    report(f"platform: {env['QT_QPA_PLATFORM']}, runs: {opts.runs} (medians), "
           f"workspace: {opts.requests} requests",
           {name: statistics.median(v) for name, v in times.items()}, "ms", "8.0f",
           {name: f"(min {min(v):.0f}, max {max(v):.0f})" for name, v in times.items()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
