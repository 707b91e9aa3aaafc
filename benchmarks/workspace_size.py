"""Big workspaces stay instant (issue 20): the app's costs at 1,000 to 50,000 requests,
each beside a baseline measured in the same run.

    .venv/bin/python benchmarks/workspace_size.py --requests 1000,10000,50000 [--runs 3]
        [--only-filter]   (the tree filter, Ctrl+P and memory figures only)
        [--only-gap [--where N]]   (the event-loop gap only; --where: the N longest
                                    gaps of each run and the code running then)

Each size is a generated workspace (``startup.make_workspace``): 20 connections, 480
folders, the requests spread evenly among the folders and named ``Request <n>``.
Printed per size:

- first frame: cold start to the first painted window (``startup.measure``), the app
  (``relaydesk --workspace DIR``) vs the same frame from stock widgets; medians. The
  app opens the workspace lazily (``Workspace.open(lazy=True)``): only the connections'
  own directories are listed before the frame, the rest in the stepped reading.
- tree filter: the filter box typed one key at a time (``request 4271``), each key
  timed until the view has painted; typical = median key, worst = the larger of the
  slowest typed key and the narrowing case (``request `` with every row expanded,
  then ``4``). Baseline: a stock ``QTreeView`` over a ``QStandardItemModel`` of the
  same tree with a recursive ``QSortFilterProxyModel``, expanding all matches, typed
  into a ``QLineEdit`` above it.
- Ctrl+P: the quick-open dialog typed one key at a time (``request 4271``), median
  key, vs a stock ``QListView`` over a ``QSortFilterProxyModel`` of the same paths
  under a ``QLineEdit`` typed into, the dialog's size. (Both baselines type into a
  text box, as the app's figures do: its repaint is ~0.2 ms a key, half of the stock
  list's key at 1,000 requests.)
- memory: resident size once the stepped reading (request files and folder.json
  files) is done (idle) and after the filter above is cleared, above a bare PySide6
  window, in KB per request; each after the event loop has run 300 ms (what the
  app leaves to idle time, such as freeing the filter's rows, has run). Also what
  stays after filtering, in MB over idle, and the idle memory each request adds
  (between the smallest size and each larger one: the app's fixed size left out).
- event-loop gap: the longest wait for the event loop from the first frame until the
  stepped reading of the request files is done: a 0 ms timer on the GUI thread of
  the app's process notes when it ticks.
- ``relaydesk ls`` vs a plain reader (a script reading every file with ``json`` and
  printing the tree), whole processes, medians.

Uses QT_QPA_PLATFORM=offscreen unless a platform is set in the environment.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


from startup import (
    FLUSH,
    bench_env,
    make_workspace,
    measure,
    relaydesk_command,
    stock_command,
)

CONNECTIONS, FOLDERS = 20, 480
TYPED = "request 4271"

# Run in a child per size: the app's window as app.py builds it, and the stock widgets.
CHILD = textwrap.dedent('''
    import array, gc, json, statistics, sys, time
    from PySide6.QtCore import QEvent, QSortFilterProxyModel, QStringListModel, Qt
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import (QApplication, QLineEdit, QListView, QTreeView,
                                   QVBoxLayout, QWidget)

    def rss_kb():
        with open("/proc/self/status") as f:
            return next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))

    app = QApplication(sys.argv[:1])
    ROOT, TYPED, MODE = sys.argv[1], sys.argv[2], sys.argv[3]

    def timed(step):
        start = time.perf_counter()
        step()
        app.processEvents()
        return (time.perf_counter() - start) * 1000

    def settle():
        """Let the event loop run ~300 ms (what the app defers to idle, such as freeing
        the filter's rows, runs), then collect: the resident size a user would see."""
        # Counted, not timed: a float deadline made here, among the memory the app
        # frees meanwhile, would outlive it (on the float free list) and keep it.
        for _ in range(30):
            app.processEvents()
            # What the running event loop deletes between events (processEvents does
            # not): the objects let go with deleteLater, such as a view's old
            # selection model.
            app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
            time.sleep(0.01)
        gc.collect()

    def time_each(steps, times=None):
        """Each step's time in ms, in ``times`` (an array: made anew unless given).
        The app's filter figures pass an array made while the app is idle: anything
        the harness makes during the keys and keeps (a float, a list, an array) would
        outlive the filter's rows among their memory and count in the memory figure,
        the app's, not the harness's."""
        if times is None:
            times = array.array("d", bytes(8 * len(steps)))
        for i, step in enumerate(steps):
            times[i] = timed(step)
        return times

    def typing(set_text, text, times=None):
        return time_each([lambda t=text[:i]: set_text(t) for i in range(1, len(text) + 1)],
                         times)

    def boxed(view, width, height):
        """A window of ``view`` under a text box, shown: (window, box)."""
        window = QWidget()
        box = QLineEdit(window)
        layout = QVBoxLayout(window)
        layout.addWidget(box)
        layout.addWidget(view)
        window.resize(width, height)
        window.show()
        app.processEvents()
        return window, box

    out = {}
    if MODE == "app":
        from relaydesk.core.session import Session
        from relaydesk.core.workspace import Workspace
        from relaydesk.ui.main_window import MainWindow
        from relaydesk.ui.service import Service
        from relaydesk.ui.settings import make_settings
        ws = Workspace.open(ROOT, lazy=True)  # as app.py opens it
        window = MainWindow(Service(Session(ws, keyring=None, cache=True,
                                            history_source="app")),
                            settings=make_settings(ROOT + "/../settings.ini"))
        window.show()
        app.processEvents()
        window.read_workspace()
        while ws.pending_requests() or ws.read_pending_folders(0):
            app.processEvents()
        settle()
        out["idle_kb"] = rss_kb()
        tree = window.tree
        keys = array.array("d", bytes(8 * len(TYPED)))
        narrowing = array.array("d", [0.0])
        typing(tree.filter.setText, TYPED, keys)
        tree.filter.setText("")
        app.processEvents()
        tree.filter.setText("request ")
        app.processEvents()
        tree.view.expandAll()
        app.processEvents()
        time_each([lambda: tree.filter.setText("request 4")], narrowing)
        tree.filter.setText("")
        settle()
        out["after_filter_kb"] = rss_kb()
        out["filter_typical"] = statistics.median(keys)
        out["filter_worst"] = max(max(keys), narrowing[0])
        out["filter_narrowing"] = narrowing[0]
        dialog = window.quick_open()
        app.processEvents()
        keys = typing(dialog.query.setText, TYPED)
        out["quick_typical"] = statistics.median(keys)
        out["quick_worst"] = max(keys)
        dialog.reject()
    elif MODE == "stock":
        from relaydesk.core.workspace import Workspace
        ws = Workspace.open(ROOT)
        model = QStandardItemModel()
        items = {}
        def item(path):
            found = items.get(path)
            if found is None:
                parent, _, name = path.rpartition("/")
                found = items[path] = QStandardItem(name)
                (item(parent) if parent else model.invisibleRootItem()).appendRow(found)
            return found
        for conn in ws.connections():
            item(conn.path)
        for _kind, path in ws.items():
            item(path)
        proxy = QSortFilterProxyModel()
        proxy.setRecursiveFilteringEnabled(True)
        proxy.setAutoAcceptChildRows(True)
        proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        proxy.setSourceModel(model)
        # Typed into a filter box above the tree, as in the app (whose keys include
        # the box's repaint).
        view = QTreeView()
        view.setHeaderHidden(True)
        view.setUniformRowHeights(True)
        view.setModel(proxy)
        panel, box = boxed(view, 280, 730)
        def filter_tree(text):
            proxy.setFilterFixedString(text)
            view.expandAll()
        box.textChanged.connect(filter_tree)
        keys = typing(box.setText, TYPED)
        box.setText("request ")
        app.processEvents()
        narrowing = timed(lambda: box.setText("request 4"))
        out["filter_typical"] = statistics.median(keys)
        out["filter_worst"] = max(max(keys), narrowing)
        out["filter_narrowing"] = narrowing
        paths = QStringListModel(ws.request_paths())
        list_proxy = QSortFilterProxyModel()
        list_proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        list_proxy.setSourceModel(paths)
        # The quick-open dialog's widgets: a text box typed into, over the list.
        listing = QListView()
        listing.setModel(list_proxy)
        dialog, query = boxed(listing, 520, 380)
        query.textChanged.connect(list_proxy.setFilterFixedString)
        keys = typing(query.setText, TYPED)
        out["quick_typical"] = statistics.median(keys)
        out["quick_worst"] = max(keys)
    else:  # the bare window
        from PySide6.QtWidgets import QMainWindow
        window = QMainWindow()
        window.resize(1200, 780)
        window.show()
        settle()
        out["idle_kb"] = rss_kb()
    print(json.dumps(out))
''')

# The app's hook (RELAYDESK_TEST_HOOK) for the gap run: closes the window once the
# stepped reading is done.
GAP_HOOK = textwrap.dedent('''
    from PySide6.QtCore import QTimer

    def hook(window, service):
        timer = QTimer(window)
        timer.setInterval(20)
        timer.timeout.connect(
            lambda: service.workspace.pending_requests()
            or service.workspace.read_pending_folders(0) or window.close())
        timer.start()
''')

# Loaded by the app's interpreter in the gap run (``sitecustomize``): when the main
# window is shown, a 0 ms timer starts ticking on the GUI thread; the gaps between
# ticks are the event loop's waits. (A thread posting to the GUI thread instead can
# deadlock PySide's lazy type set-up while the app imports Qt.)
GAP_PROBE = textwrap.dedent('''
    import atexit, json, os, sys, threading, time
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QMainWindow

    _ticks = []
    _late = []  # (since the last tick, main thread's stack) when a tick is 20 ms late
    _show = QMainWindow.show
    _main = threading.main_thread().ident

    def _where():
        # Names and line numbers only: reading source lines (traceback's default)
        # would hold the GIL and lengthen the very gap being sampled.
        frame, stack = sys._current_frames().get(_main), []
        while frame is not None:
            code = frame.f_code
            stack.append((os.path.basename(code.co_filename), frame.f_lineno,
                          code.co_name, "relaydesk" in code.co_filename))
            frame = frame.f_back
        ours = [f for f in stack if f[3]][:3]
        keep = ([stack[0]] if stack and stack[0] not in ours else []) + ours
        return " < ".join(f"{name}:{line} {func}" for name, line, func, _ in keep)

    def _watch():
        while True:
            time.sleep(0.005)
            if _ticks and (late := time.time() - _ticks[-1]) > 0.02:
                _late.append((_ticks[-1], late, _where()))

    def _show_and_tick(window):
        timer = QTimer(window)
        timer.setInterval(0)
        timer.timeout.connect(lambda: _ticks.append(time.time()))
        timer.start()
        _ticks.append(time.time())
        if os.environ.get("GAP_WHERE"):
            threading.Thread(target=_watch, daemon=True).start()
        _show(window)

    QMainWindow.show = _show_and_tick
    atexit.register(lambda: open(os.environ["GAP_PROBE_OUT"], "w").write(
        json.dumps({"ticks": _ticks, "late": _late})))
''')

# The plain reader: every file read with json, the tree printed (what `ls` prints).
PLAIN_LS = textwrap.dedent('''
    import json, os, sys
    root = os.path.join(sys.argv[1], "connections")
    out = []
    for here, dirs, files in os.walk(root):
        dirs.sort()
        rel = os.path.relpath(here, root)
        depth = 0 if rel == "." else rel.count(os.sep) + 1
        for name in sorted(files):
            with open(os.path.join(here, name), encoding="utf-8") as f:
                doc = json.load(f)
            label = name.removesuffix(".request.json").removesuffix(".json")
            out.append("  " * depth + f"{doc.get('method', '')} {label}".strip())
    sys.stdout.write("\\n".join(out) + "\\n")
''')


def child(mode: str, root: Path, env: dict[str, str]) -> dict[str, float]:
    proc = subprocess.run([sys.executable, "-c", CHILD, str(root), TYPED, mode], env=env,
                          capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:
        raise RuntimeError(f"{mode} failed:\n{proc.stderr[-3000:]}")
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def largest_gap(root: Path, env: dict[str, str], tmp: Path, where: int = 0) -> float:
    """The longest wait for the event loop from the first frame to the end of the
    stepped reading (``GAP_PROBE``); with ``where``, prints that many longest gaps
    with the code the GUI thread was running (sampled by a watchdog thread)."""
    import datetime

    probe_dir = tmp / "probe"
    probe_dir.mkdir(exist_ok=True)
    (probe_dir / "sitecustomize.py").write_text(GAP_PROBE)
    (tmp / "gap_hook.py").write_text(GAP_HOOK)
    out = tmp / "gaps.json"
    env = {**env, "RELAYDESK_TEST_HOOK": "gap_hook:hook", "GAP_PROBE_OUT": str(out),
           "PYTHONPATH": os.pathsep.join([str(probe_dir), env["PYTHONPATH"]])}
    if where:
        env["GAP_WHERE"] = "1"
    proc = subprocess.run([*relaydesk_command(), "--workspace", str(root)], env=env,
                          capture_output=True, text=True, timeout=600)
    frame = next((m.group(1) for line in proc.stderr.splitlines()
                  if (m := FLUSH.match(line))), None)
    if frame is None or not out.exists():
        raise RuntimeError(f"no frame or probe (exit {proc.returncode}):\n"
                           f"{proc.stderr[-2000:]}")
    painted = datetime.datetime.fromisoformat(frame).timestamp()
    probe = json.loads(out.read_text())
    ticks = [painted, *(t for t in probe["ticks"] if t > painted)]
    gaps = sorted(((b - a) * 1000, a) for a, b in itertools.pairwise(ticks))
    if where:
        for gap, start in reversed(gaps[-where:]):
            stacks = [s for t, _, s in probe["late"] if abs(t - start) < 1e-6]
            # the stack sampled most often in that gap
            top = max(set(stacks), key=stacks.count) if stacks else "(no sample)"
            print(f"  {gap:6.1f} ms at +{(start - painted) * 1000:6.0f} ms: {top}",
                  file=sys.stderr)
            for other in sorted(set(stacks) - {top}, key=stacks.count, reverse=True)[:2]:
                print(f"{'':>24}also: {other}", file=sys.stderr)
    return gaps[-1][0]


def timed_process(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL, timeout=600)
    return (time.perf_counter() - start) * 1000


def measure_size(n: int, runs: int, tmp: Path, only_filter: bool = False,
                 only_gap: bool = False, where: int = 0) -> dict[str, tuple[float, float]]:
    """``{figure: (app, baseline)}`` for a workspace of ``n`` requests (only the
    filters' and memory figures with ``only_filter``, only the gap with ``only_gap``)."""
    root = tmp / f"ws{n}"
    make_workspace(root, n, CONNECTIONS, FOLDERS)
    env = bench_env(tmp)
    figures: dict[str, tuple[float, float]] = {}
    if only_gap:
        largest_gap(root, env, tmp)  # warm the file cache
        gaps = []
        for run in range(runs):
            print(f"{n} requests, run {run + 1}:", file=sys.stderr)
            gaps.append(largest_gap(root, env, tmp, where))
        return {"largest event-loop gap (ms)": (max(gaps), 50.0)}
    if only_filter:
        return {**figures, **filter_figures(n, root, env)}

    app_cmd = [*relaydesk_command(), "--workspace", str(root)]
    stock_cmd = stock_command(CONNECTIONS, FOLDERS)
    measure(app_cmd, env)
    measure(stock_cmd, env)  # warm the file cache
    app_t, stock_t = [], []
    for _ in range(runs):
        stock_t.append(measure(stock_cmd, env))
        app_t.append(measure(app_cmd, env))
    figures["first frame (ms)"] = statistics.median(app_t), statistics.median(stock_t)
    figures.update(filter_figures(n, root, env))
    figures["largest event-loop gap (ms)"] = (
        max(largest_gap(root, env, tmp) for _ in range(runs)), 50.0)

    ls_env = {k: v for k, v in env.items() if k != "RELAYDESK_TEST_HOOK"}
    ls_cmd = [*relaydesk_command(), "--workspace", str(root), "ls"]
    plain_cmd = [sys.executable, "-c", PLAIN_LS, str(root)]
    ls_t = [timed_process(ls_cmd, ls_env) for _ in range(runs)]
    plain_t = [timed_process(plain_cmd, ls_env) for _ in range(runs)]
    figures["relaydesk ls (ms)"] = statistics.median(ls_t), statistics.median(plain_t)
    return figures


def filter_figures(n: int, root: Path, env: dict[str, str]) -> dict[str, tuple[float, float]]:
    """The tree filter's, Ctrl+P's and the memory figures (one app and one stock child)."""
    figures: dict[str, tuple[float, float]] = {}
    plain = {k: v for k, v in env.items() if not k.startswith("QT_LOGGING")}
    ours, stock = child("app", root, plain), child("stock", root, plain)
    figures["tree filter, typical key (ms)"] = ours["filter_typical"], stock["filter_typical"]
    figures["tree filter, worst key (ms)"] = ours["filter_worst"], stock["filter_worst"]
    figures["  narrowing 'request '+'4', all expanded"] = (ours["filter_narrowing"],
                                                           stock["filter_narrowing"])
    figures["Ctrl+P, typical key (ms)"] = ours["quick_typical"], stock["quick_typical"]
    figures["Ctrl+P, worst key (ms)"] = ours["quick_worst"], stock["quick_worst"]
    bare = statistics.median(child("bare", root, plain)["idle_kb"] for _ in range(3))
    figures["idle memory (KB/request over bare)"] = (ours["idle_kb"] - bare) / n, 1.2
    figures["after filtering (KB/request over bare)"] = (
        (ours["after_filter_kb"] - bare) / n, (ours["idle_kb"] - bare) / n)
    figures["  kept after filtering (MB over idle)"] = (
        (ours["after_filter_kb"] - ours["idle_kb"]) / 1024, 0.0)
    figures["idle (MB, for the figure below)"] = ours["idle_kb"] / 1024, 0.0
    return figures


BASELINES = {
    "first frame (ms)": "stock widgets",
    "tree filter, typical key (ms)": "stock Qt tree",
    "tree filter, worst key (ms)": "stock Qt tree",
    "  narrowing 'request '+'4', all expanded": "stock Qt tree",
    "Ctrl+P, typical key (ms)": "stock list filter",
    "Ctrl+P, worst key (ms)": "stock list filter",
    "idle memory (KB/request over bare)": "target",
    "after filtering (KB/request over bare)": "idle",
    "  kept after filtering (MB over idle)": "",
    "largest event-loop gap (ms)": "target",
    "relaydesk ls (ms)": "plain reader",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", default="1000,10000,50000",
                        help="comma-separated workspace sizes")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only-filter", action="store_true",
                        help="only the tree filter, Ctrl+P and memory figures")
    parser.add_argument("--only-gap", action="store_true",
                        help="only the largest event-loop gap")
    parser.add_argument("--where", type=int, default=0, metavar="N",
                        help="with --only-gap: print the N longest gaps of each run "
                             "and what the GUI thread was running")
    opts = parser.parse_args()
    sizes = [int(s) for s in opts.requests.split(",")]

    import compileall

    import relaydesk

    compileall.compile_dir(Path(relaydesk.__file__).parent, quiet=1)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    results: dict[int, dict[str, tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="relaydesk-size-") as tmp:
        for n in sizes:
            (size_dir := Path(tmp) / str(n)).mkdir()
            results[n] = measure_size(n, opts.runs, size_dir, opts.only_filter,
                                      opts.only_gap, opts.where)
            print(f"{n} requests done", file=sys.stderr, flush=True)

    print(f"platform: {os.environ['QT_QPA_PLATFORM']}, {CONNECTIONS} connections, "
          f"{FOLDERS} folders; each cell: Relaydesk / baseline (ratio)")
    width = 42
    print(f"{'':<{width}}" + "".join(f"{n:>28,}" for n in sizes) + "   baseline")
    for figure, baseline in BASELINES.items():
        if figure not in results[sizes[0]]:
            continue
        cells = []
        for n in sizes:
            ours, base = results[n][figure]
            ratio = f"{ours / base:.2f}x" if base else "-"
            cells.append(f"{ours:9.1f} / {base:8.1f} ({ratio})".rjust(28))
        print(f"{figure:<{width}}" + "".join(cells) + f"   {baseline}")
    idle = "idle (MB, for the figure below)"
    if len(sizes) > 1 and idle in results[sizes[0]]:
        # The cost of each request added, without the app's fixed size.
        first = sizes[0]
        for n in sizes[1:]:
            added = (results[n][idle][0] - results[first][idle][0]) * 1024 / (n - first)
            print(f"idle memory per request added, {first:,} -> {n:,}: {added:.2f} KB "
                  "(target 1.2)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
