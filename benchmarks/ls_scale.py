"""`relaydesk ls` against a plain reader, at several workspace sizes.

For each size (requests; always 20 connections and 480 folders, half of the folders
with a stored order, half in natural order) a workspace is generated on disk, then
two whole processes are timed, alternating, best of ``--rounds``:

* ``relaydesk --workspace DIR ls`` (as a user runs it), output to /dev/null;
* a plain Python script that reads every workspace file with ``json`` and prints
  the tree (connection line, folders, ``METHOD name url``) in directory order.

It prints both times, the ratio (target <= 1.5x) and microseconds per request of
each (flat across sizes = linear).

    .venv/bin/python benchmarks/ls_scale.py [--requests 1000,10000,50000] [--rounds 5]
        [--instructions]

``--instructions`` counts instead of timing (steady on a busy machine): each program
runs once under valgrind's callgrind and the instructions it executed are compared.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from relaydesk.core import codec  # noqa: E402
from relaydesk.core.model import Connection, KeyValue, Request  # noqa: E402

CONNECTIONS = 20
FOLDERS = 480  # per connection: 12 top-level folders with one subfolder each
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")

# The baseline: read every file with json, print the tree in directory order.
PLAIN_READER = r"""
import json, os, sys

out = []

def items(directory, depth):
    for entry in sorted(os.scandir(directory), key=lambda e: e.name):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            with open(os.path.join(entry.path, "folder.json"), encoding="utf-8") as fh:
                json.load(fh)
            out.append("  " * depth + entry.name + "/")
            items(entry.path, depth + 1)
        elif entry.name.endswith(".request.json"):
            with open(entry.path, encoding="utf-8") as fh:
                doc = json.load(fh)
            name = entry.name[: -len(".request.json")]
            out.append(f"{'  ' * depth}{doc['method']:<7} {name}  {doc['url']}")

def connections(directory, prefix):
    for entry in sorted(os.scandir(directory), key=lambda e: e.name):
        if not entry.is_dir() or entry.name.startswith("."):
            continue
        path = prefix + "/" + entry.name if prefix else entry.name
        conn = os.path.join(entry.path, "connection.json")
        if os.path.isfile(conn):
            with open(conn, encoding="utf-8") as fh:
                doc = json.load(fh)
            out.append(f"{path}  {doc['base_url']}")
            items(entry.path, 1)
        else:
            connections(entry.path, path)

root = sys.argv[1]
with open(os.path.join(root, "relaydesk.json"), encoding="utf-8") as fh:
    json.load(fh)
connections(os.path.join(root, "connections"), "")
sys.stdout.write("\n".join(out) + "\n")
"""


def _write(file: Path, doc: dict[str, object]) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(codec.dumps(doc), encoding="utf-8")


def make_workspace(root: Path, n_requests: int) -> None:
    """20 connections of 24 folders (480 in all) holding ``n_requests`` requests, written
    as Relaydesk writes them; even folders store an order (reversed), odd ones none."""
    _write(root / "relaydesk.json", {"format": codec.FORMAT_VERSION, "kind": "workspace",
                                      "id": str(uuid.uuid4())})
    folders: list[tuple[Path, list[str]]] = []
    for c in range(CONNECTIONS):
        group = ("jira", "github", "ops", "billing")[c % 4]
        conn_dir = root / "connections" / group / f"api{c}"
        conn = Connection(path=f"{group}/api{c}", base_url=f"https://api{c}.example.com/v1",
                          id=uuid.uuid4().hex)
        tops = [f"resource {k}" for k in range(FOLDERS // CONNECTIONS // 2)]
        _write(conn_dir / "connection.json", codec.connection_to_doc(conn, tops))
        for top in tops:
            folders.append((conn_dir / top, ["v2"]))
            folders.append((conn_dir / top / "v2", []))
    names: list[list[str]] = [[] for _ in folders]
    for i in range(n_requests):
        f = i % len(folders)
        name = f"Request {i}"
        names[f].append(name)
        folder_dir = folders[f][0]
        req = Request(path=f"x/{name}", method=METHODS[i % 5], id=uuid.uuid4().hex,
                      url=f"/items/{i}?page={{{{page}}}}",
                      headers=[KeyValue("Accept", "application/json")])
        _write(folder_dir / f"{name}.request.json", codec.request_to_doc(req))
    for k, ((folder_dir, subs), reqs) in enumerate(zip(folders, names, strict=True)):
        order = [*subs, *reversed(reqs)] if k % 2 == 0 else []
        _write(folder_dir / "folder.json", codec.folder_to_doc(uuid.uuid4().hex, order))


def relaydesk_command() -> list[str]:
    script = Path(sys.executable).with_name("relaydesk")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "relaydesk"]


# Bytecode caches as users have them (a test environment may turn writing them off).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ENV["PYTHONPATH"] = str(ROOT / "src")


def timed(cmd: list[str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of ``cmd`` as a child process; CPU time is
    steadier on a shared machine."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=ENV)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def instructions(cmd: list[str]) -> int:
    """Instructions ``cmd`` executes from start to exit (valgrind's callgrind)."""
    done = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                           *cmd], check=True, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, env=ENV)
    return int(done.stderr.rpartition("Collected : ")[2].split()[0])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", default="1000,10000,50000")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--instructions", action="store_true",
                    help="count instructions with callgrind instead of timing")
    args = ap.parse_args()
    sizes = [int(s) for s in args.requests.split(",")]
    tmp = Path(tempfile.mkdtemp(prefix="relaydesk-ls-"))
    rows = []
    try:
        for n in sizes:
            ws = tmp / f"ws{n}"
            make_workspace(ws, n)
            ls = [*relaydesk_command(), "--workspace", str(ws), "ls"]
            plain = [sys.executable, "-c", PLAIN_READER, str(ws)]
            timed(ls)  # warm the page cache for both (and write bytecode caches)
            timed(plain)
            if args.instructions:
                a, b = instructions(ls), instructions(plain)
                print(f"  {n:>9,} requests: relaydesk ls {a / 1e6:,.0f}M instructions, plain "
                      f"reader {b / 1e6:,.0f}M, ratio {a / b:.2f}x (target <= 1.5x)")
                continue
            t_ls, t_plain = [], []
            for _ in range(args.rounds):
                t_ls.append(timed(ls))
                t_plain.append(timed(plain))
            rows.append((n, min(w for w, _ in t_ls), min(w for w, _ in t_plain),
                         min(c for _, c in t_ls), min(c for _, c in t_plain)))
            shutil.rmtree(ws, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if args.instructions:
        return 0
    print(f"\nrelaydesk ls vs a plain json reader ({CONNECTIONS} connections, "
          f"{FOLDERS} folders; best of {args.rounds}; wall time, and CPU time)\n")
    print(f"  {'requests':>9} {'relaydesk ls':>13} {'plain reader':>13} {'ratio':>6}"
          f" {'ls CPU':>9} {'plain CPU':>10} {'ratio':>6} {'ls us/req':>10}"
          f" {'plain us/req':>13}")
    for n, a, b, ca, cb in rows:
        print(f"  {n:>9,} {a * 1000:>10.0f} ms {b * 1000:>10.0f} ms {a / b:>5.2f}x"
              f" {ca * 1000:>6.0f} ms {cb * 1000:>7.0f} ms {ca / cb:>5.2f}x"
              f" {a / n * 1e6:>10.1f} {b / n * 1e6:>13.1f}")
    print("\n  target: ratio <= 1.5x at every size; us/req falling or flat (linear)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
