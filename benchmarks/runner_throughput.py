"""Collection-runner throughput: `relaydesk run` vs a plain httpx loop, newman and
the Bruno CLI.

The same N requests (default 2,000: ``GET /json`` with a "status is 200" check) go
to one loopback server (a separate process) each way, in the same run, every one a
whole process (start-up, imports and loading included), alternating, best of
``--rounds``:

* a plain ``httpx.AsyncClient`` loop as its own program (the baseline), sequential
  and with N in flight;
* ``relaydesk run`` on a generated workspace with history on (the default: every
  request recorded, in batches) and off, sequential and with ``--concurrency``;
* ``newman run`` on the collection as Postman v2.1 JSON, and ``bru run`` on it as a
  Bruno collection (``.bru`` files with a status assertion), both installed with npm
  under ``~/.cache/relaydesk-node`` by ``scripts/bench``.

It prints requests/second and CPU seconds of each (best and median of the rounds), the
ratios against the targets (history on: >= 1.0x the plain loop; >= 5x newman and the
Bruno CLI), how many history rows were written (all of them), the peak RSS of
`relaydesk run` at N/10 and N requests and the Python heap peak of the core runner
in-process (flat: results are not kept).

Wall and CPU time move by 10-20% from run to run on a shared machine. With
``--instructions`` the plain loop (sequential) and `relaydesk run` with history on and
off are also run once more each under an instruction counter, which does not care
what else the machine is doing: user-space instructions of the client process (the
server is another process, not counted), by ``perf stat -e instructions:u`` or, where
the machine has no hardware counters (a virtual machine), by valgrind's cachegrind
(the same count of instructions executed; some 15x slower, so a run of 2,000 takes a
minute or so). The history-on run records into a fresh database: the same work every
time (a full history adds a prune of 500 rows now and then).

    .venv/bin/python benchmarks/runner_throughput.py [-n 2000] [--concurrency 8] \
        [--rounds 1] [--instructions]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
# This checkout's code, not whatever the venv's editable install points at (another
# worktree, possibly): here, and in every child through PYTHONPATH.
sys.path[:0] = [str(SRC), str(ROOT)]

from benchmarks.engine_overhead import free_port, start_server  # noqa: E402
from tests.integration.newman_tools import find_bru, find_newman  # noqa: E402

from relaydesk.core.model import Connection, Request  # noqa: E402
from relaydesk.core.workspace import Workspace  # noqa: E402

# The plain loop as its own program, so it pays interpreter start-up and imports like
# `relaydesk run` and newman do.
HTTPX_SCRIPT = """
import asyncio, sys
import httpx

async def main(url, n, concurrency):
    async with httpx.AsyncClient() as client:
        if concurrency == 1:
            for _ in range(n):
                (await client.get(url)).raise_for_status()
            return
        sem = asyncio.Semaphore(concurrency)

        async def one():
            async with sem:
                (await client.get(url)).raise_for_status()

        await asyncio.gather(*(one() for _ in range(n)))

asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
"""
# What the `relaydesk` entry point runs, spelled out so that it imports this checkout's
# code (through PYTHONPATH) rather than the package the venv's script was made for.
RELAYDESK = [sys.executable, "-c",
             "import sys; from relaydesk.cli.main import main; sys.exit(main())"]
CHECK = [{"kind": "status_equals", "value": 200}]


def make_workspace(root: Path, base: str, n: int) -> None:
    ws = Workspace.open(root)
    ws.save_connection(Connection(path="bench", base_url=base, cache_ttl=0), create=True)
    for i in range(n):
        ws.save_request(Request(path=f"bench/r{i:05d}", url="/json", checks=CHECK),
                        create=True)


def make_postman(path: Path, base: str, n: int) -> None:
    test = ["pm.test('status is 200', function () { pm.response.to.have.status(200); });"]
    items = [{
        "name": f"r{i:05d}",
        "request": {"method": "GET", "url": {"raw": f"{base}/json", "protocol": "http",
                                             "host": ["127", "0", "0", "1"],
                                             "port": base.rsplit(":", 1)[1],
                                             "path": ["json"]}},
        "event": [{"listen": "test", "script": {"type": "text/javascript", "exec": test}}],
    } for i in range(n)]
    path.write_text(json.dumps({
        "info": {"name": "bench", "schema":
                 "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": items}))


def timed(cmd: list[str], env: dict[str, str], cwd: Path | None = None
          ) -> tuple[float, int, int, float]:
    """Wall time, exit status, peak RSS (kB) and CPU time (user + system) of a command
    run in a fresh child; CPU time is the steadier figure on a shared machine."""
    probe = ("import resource, subprocess, sys, time\n"
             "t = time.perf_counter(); rc = subprocess.run(sys.argv[1:], "
             "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode\n"
             "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
             "print(time.perf_counter() - t, rc, u.ru_maxrss, u.ru_utime + u.ru_stime)")
    out = subprocess.run([sys.executable, "-c", probe, *cmd], env=env, check=True,
                         capture_output=True, text=True, cwd=cwd).stdout.split()
    return float(out[0]), int(out[1]), int(out[2]), float(out[3])


async def httpx_loop(url: str, n: int, concurrency: int) -> float:
    async with httpx.AsyncClient() as client:
        await client.get(url)  # warm the connection like the others warm up
        sem = asyncio.Semaphore(concurrency)

        async def one() -> None:
            async with sem:
                r = await client.get(url)
                r.raise_for_status()

        t = time.perf_counter()
        if concurrency == 1:
            for _ in range(n):
                r = await client.get(url)
                r.raise_for_status()
        else:
            await asyncio.gather(*(one() for _ in range(n)))
        return time.perf_counter() - t


async def runner_heap(ws_root: Path, path: str, trace: bool) -> tuple[float, int]:
    """In-process core runner: seconds, and Python heap peak in bytes when ``trace``
    (tracemalloc slows everything, so timing and memory are separate runs)."""
    from relaydesk.core.engine import Engine
    from relaydesk.core.runner import Runner, RunOptions

    ws = Workspace.open(ws_root)
    engine = Engine(None)
    if trace:
        tracemalloc.start()
    t = time.perf_counter()
    summary = await Runner(engine, ws).run(path, RunOptions())
    took = time.perf_counter() - t
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    if trace:
        tracemalloc.stop()
    await engine.aclose()
    assert summary.ok, summary
    return took, peak


def make_bruno(directory: Path, base: str, n: int) -> None:
    """The same collection for the Bruno CLI: a folder with ``bruno.json`` and one
    ``.bru`` file per request, checked with a declarative status assertion."""
    directory.mkdir(parents=True)
    (directory / "bruno.json").write_text(json.dumps(
        {"version": "1", "name": "bench", "type": "collection"}))
    for i in range(n):
        (directory / f"r{i:05d}.bru").write_text(
            f"meta {{\n  name: r{i:05d}\n  type: http\n  seq: {i + 1}\n}}\n\n"
            f"get {{\n  url: {base}/json\n  body: none\n  auth: none\n}}\n\n"
            "assert {\n  res.status: eq 200\n}\n")


def instruction_counter() -> tuple[str, list[str]] | str:
    """(name, command prefix) of a user-space instruction counter, or why there is none."""
    perf = shutil.which("perf") or ("/usr/bin/perf" if Path("/usr/bin/perf").exists() else "")
    why = "perf is not installed"
    if perf:
        probe = subprocess.run([perf, "stat", "-x,", "-e", "instructions:u", "true"],
                               capture_output=True, text=True)
        if probe.returncode == 0 and _perf_count(probe.stderr) is not None:
            return "perf stat -e instructions:u", [perf, "stat", "-x,", "-e", "instructions:u"]
        why = f"perf has no instruction counter here ({probe.stderr.strip()[:80]!r})"
    valgrind = shutil.which("valgrind")
    if valgrind:
        return "valgrind cachegrind (Ir)", [
            valgrind, "--tool=cachegrind", "--cache-sim=no", "--branch-sim=no",
            "--cachegrind-out-file=/dev/null"]
    return f"{why}, and valgrind is not installed (apt-get install valgrind)"


def _perf_count(stderr: str) -> int | None:
    for line in stderr.splitlines():
        fields = line.split(",")
        if len(fields) > 2 and fields[2].startswith("instructions") and fields[0].isdigit():
            return int(fields[0])
    return None


def count_instructions(prefix: list[str], cmd: list[str], env: dict[str, str]) -> int:
    """User-space instructions of ``cmd`` (the process itself: not the server)."""
    done = subprocess.run([*prefix, *cmd], env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{cmd[:3]}... failed under the counter: {done.stderr[-400:]}")
    if "cachegrind" in prefix[1]:
        found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
        count = int(found.group(1).replace(",", "")) if found else None
    else:
        count = _perf_count(done.stderr)
    if count is None:
        raise SystemExit(f"no instruction count in: {done.stderr[-400:]}")
    return count


def history_rows(path: Path) -> int:
    import sqlite3

    with contextlib.closing(sqlite3.connect(path)) as db:
        return int(db.execute("SELECT COUNT(*) FROM entries").fetchone()[0])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=1,
                    help="runs of each whole-process contender, alternating; the best "
                    "and the median are shown")
    ap.add_argument("--instructions", action="store_true",
                    help="also count the user-space instructions of the plain loop and "
                    "relaydesk run (history on and off): a figure noise does not move")
    args = ap.parse_args()
    counter = instruction_counter() if args.instructions else None
    if isinstance(counter, str):
        raise SystemExit(f"--instructions: cannot count instructions: {counter}")
    n, small = args.n, max(1, args.n // 10)
    port = free_port()
    server = start_server(port)
    base = f"http://127.0.0.1:{port}"
    tmp = Path(tempfile.mkdtemp(prefix="relaydesk-bench-"))
    try:
        make_workspace(tmp / "ws", base, n)
        make_workspace(tmp / "ws-small", base, small)
        make_postman(tmp / "bench.postman_collection.json", base, n)
        make_bruno(tmp / "bruno", base, n)
        history = tmp / "history.sqlite3"
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPATH"] = os.pathsep.join(
            [str(SRC), *filter(None, [os.environ.get("PYTHONPATH")])])
        imported = subprocess.run(
            [sys.executable, "-c", "import relaydesk; print(relaydesk.__file__)"],
            env=env, check=True, capture_output=True, text=True).stdout.strip()
        print(f"relaydesk under test: {Path(imported).parent}", file=sys.stderr)
        env["RELAYDESK_HISTORY"] = str(history)
        rd = [*RELAYDESK, "--workspace", str(tmp / "ws"), "run", "bench"]
        loop = [sys.executable, "-c", HTTPX_SCRIPT, f"{base}/json", str(n)]
        contenders: dict[str, tuple[list[str], dict[str, str], Path | None]] = {
            "plain httpx loop (sequential)": ([*loop, "1"], env, None),
            "relaydesk run, history on": (rd, env, None),
            "relaydesk run, history off": (rd, {**env, "RELAYDESK_HISTORY": "off"}, None),
            f"plain httpx loop, {args.concurrency} in flight": (
                [*loop, str(args.concurrency)], env, None),
            f"relaydesk run --concurrency {args.concurrency}": (
                [*rd, "--concurrency", str(args.concurrency)], env, None),
        }
        newman, bru = find_newman(), find_bru()
        if newman:
            contenders["newman run"] = (
                [newman, "run", str(tmp / "bench.postman_collection.json"), "--silent"],
                env, None)
        else:
            print("newman not found: scripts/bench installs it "
                  "(npm install --prefix ~/.cache/relaydesk-node newman@6)", file=sys.stderr)
        if bru:
            contenders["Bruno CLI (bru run)"] = ([bru, "run"], env, tmp / "bruno")
        else:
            print("the Bruno CLI not found: scripts/bench installs it (npm install "
                  "--prefix ~/.cache/relaydesk-node @usebruno/cli@4)", file=sys.stderr)

        timed([*loop, "1"], env)  # warm: bytecode caches, page cache, the server
        best: dict[str, tuple[float, float]] = {}
        samples: dict[str, list[tuple[float, float]]] = {}
        rss_big = 0
        for _ in range(args.rounds):
            for name, (cmd, cmd_env, cwd) in contenders.items():
                secs, rc, rss, cpu = timed(cmd, cmd_env, cwd)
                others = name in ("newman run", "Bruno CLI (bru run)")
                if rc != 0 and others:
                    # Someone else's tool failing leaves the other figures standing. The
                    # Bruno CLI 4.1 now and then fails one assertion of thousands inside
                    # its own sandbox ("Cannot read properties of undefined (reading
                    # 'newContext')"), the run otherwise complete: its time is kept (a
                    # tool that stopped early would only look faster than it is).
                    print(f"{name} exited with status {rc}: its time is kept; run it by "
                          "hand to see what it reported", file=sys.stderr)
                assert rc == 0 or others, f"{name} failed"
                if name == "relaydesk run, history on":
                    rss_big = max(rss_big, rss)
                old = best.get(name, (float("inf"), float("inf")))
                best[name] = (min(old[0], secs), min(old[1], cpu))
                samples.setdefault(name, []).append((secs, cpu))
        rows_written = history_rows(history)
        median = {name: (statistics.median(s[0] for s in runs),
                         statistics.median(s[1] for s in runs))
                  for name, runs in samples.items()}

        counted: dict[str, int] = {}
        if counter is not None:
            counter_name, prefix = counter
            print(f"counting instructions with {counter_name}...", file=sys.stderr)
            fresh = {**env, "RELAYDESK_HISTORY": str(tmp / "history-counted.sqlite3")}
            for name, cmd_env in (("plain httpx loop (sequential)", env),
                                  ("relaydesk run, history on", fresh),
                                  ("relaydesk run, history off", contenders[
                                      "relaydesk run, history off"][1])):
                counted[name] = count_instructions(prefix, contenders[name][0], cmd_env)
        _, _, rss_small, _ = timed([*RELAYDESK, "--workspace", str(tmp / "ws-small"),
                                    "run", "bench"], env)

        took, _ = asyncio.run(runner_heap(tmp / "ws", "bench", trace=False))
        inproc_runner = n / took
        _, heap_big = asyncio.run(runner_heap(tmp / "ws", "bench", trace=True))
        _, heap_small = asyncio.run(runner_heap(tmp / "ws-small", "bench", trace=True))
        inproc_httpx = n / asyncio.run(httpx_loop(f"{base}/json", n, 1))

        print(f"\n{n} requests to {base}/json, each checked for status 200; whole "
              f"processes, best (and median) of {args.rounds}"
              + (f"; instructions: user space, by {counter[0]}" if counted and counter else "")
              + "\n")
        print(f"  {'':<44} {'req/s':>8} {'(median)':>9} {'CPU s':>7} {'(median)':>9}"
              + (f" {'instructions':>14}" if counted else ""))
        for name, (secs, cpu) in best.items():
            mid = median[name]
            ins = f" {counted[name]:14,}" if name in counted else ""
            print(f"  {name:<44} {n / secs:8.0f} {n / mid[0]:9.0f} {cpu:7.2f} {mid[1]:9.2f}"
                  f"{ins}")
        print(f"  {'core Runner in-process (sequential)':<44} {inproc_runner:8.0f}")
        print(f"  {'plain httpx loop in-process (sequential)':<44} {inproc_httpx:8.0f}")

        def ratio(a: str, b: str, target: str = "") -> None:
            if a in best and b in best:
                wall = best[b][0] / best[a][0]
                cpu = best[b][1] / best[a][1]
                mid = median[b][0] / median[a][0]
                ins = (f", instructions {counted[b] / counted[a]:5.3f}x"
                       if a in counted and b in counted else "")
                print(f"  {a + ' / ' + b + ':':<72} {wall:5.2f}x  (median {mid:5.2f}x, "
                      f"CPU time {cpu:5.2f}x{ins}){'  target ' + target if target else ''}")

        print("\n  ratios (throughput; above 1: relaydesk faster; instructions: the loop's "
              "over relaydesk's)")
        seq = "relaydesk run, history on"
        ratio(seq, "plain httpx loop (sequential)", ">= 1.0x")
        ratio("relaydesk run, history off", "plain httpx loop (sequential)")
        ratio(f"relaydesk run --concurrency {args.concurrency}",
              f"plain httpx loop, {args.concurrency} in flight")
        ratio(seq, "newman run", ">= 5x")
        ratio(seq, "Bruno CLI (bru run)", ">= 5x")
        print(f"  {'core Runner / plain httpx, both in-process:':<72} "
              f"{inproc_runner / inproc_httpx:5.2f}x")
        runs_on = args.rounds * 2  # sequential and concurrent runs record history
        print(f"\n  history rows written: {rows_written} of {runs_on * n} requests "
              "sent with history on (all of them up to 5,000: past that the oldest are "
              "pruned to 4,500)")
        print(f"  peak RSS of relaydesk run: {small} requests {rss_small / 1024:.1f} MB, "
              f"{n} requests {rss_big / 1024:.1f} MB")
        print(f"  Python heap peak of the core runner: {small} requests "
              f"{heap_small / 1e6:.2f} MB, {n} requests {heap_big / 1e6:.2f} MB")
    finally:
        server.kill()
        server.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
