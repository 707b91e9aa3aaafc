"""Collection-runner throughput: `relaydesk run` vs `newman` vs a plain httpx loop.

The same N requests (default 2,000: ``GET /json`` with a "status is 200" check) go
to one loopback server (a separate process) three ways, in the same run:

* ``relaydesk run`` on a generated workspace (whole process: startup, workspace
  load, keyring-free run, history recording, console report) — sequential and with
  ``--concurrency 8``;
* ``newman run`` on the same collection written as Postman v2.1 JSON (installed with
  ``npm install newman`` under ``benchmarks/.node``);
* a plain ``httpx.AsyncClient`` loop (sequential, and 8 in flight), measured both ways:
  as a whole-process script (the like-for-like baseline of ``relaydesk run``) and
  in-process (the baseline of the core runner in-process).

It prints requests/second, the ratios against the targets (≥ 3× newman, ≥ 0.8× plain
httpx) and peak RSS of `relaydesk run` at N/10 and N requests (flat = results are not
kept), plus the in-process Python heap peak (tracemalloc) of the core runner.

    .venv/bin/python benchmarks/runner_throughput.py [-n 2000] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.engine_overhead import free_port, start_server  # noqa: E402
from tests.integration.newman_tools import find_newman  # noqa: E402

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
RELAYDESK = Path(sys.executable).parent / "relaydesk"
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


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, int, int]:
    """Wall time, exit status and peak RSS (kB) of a command run in a fresh child."""
    probe = ("import resource, subprocess, sys, time\n"
             "t = time.perf_counter(); rc = subprocess.run(sys.argv[1:], "
             "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode\n"
             "print(time.perf_counter() - t, rc, "
             "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", probe, *cmd], env=env, check=True,
                         capture_output=True, text=True).stdout.split()
    return float(out[0]), int(out[1]), int(out[2])


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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=8)
    args = ap.parse_args()
    n, small = args.n, max(1, args.n // 10)
    port = free_port()
    server = start_server(port)
    base = f"http://127.0.0.1:{port}"
    tmp = Path(tempfile.mkdtemp(prefix="relaydesk-bench-"))
    try:
        make_workspace(tmp / "ws", base, n)
        make_workspace(tmp / "ws-small", base, small)
        make_postman(tmp / "bench.postman_collection.json", base, n)
        env = {**os.environ, "RELAYDESK_HISTORY": str(tmp / "history.sqlite3")}
        rd = [str(RELAYDESK), "--workspace", str(tmp / "ws"), "run", "bench"]
        rows: list[tuple[str, float]] = []

        secs, rc, rss_big = timed(rd, env)
        assert rc == 0, "relaydesk run failed"
        rows.append(("relaydesk run (sequential, whole process)", n / secs))
        secs, rc, _ = timed([*rd, "--concurrency", str(args.concurrency)], env)
        assert rc == 0
        rows.append((f"relaydesk run --concurrency {args.concurrency}", n / secs))
        _, _, rss_small = timed([str(RELAYDESK), "--workspace", str(tmp / "ws-small"),
                                 "run", "bench"], env)
        secs_off, _, _ = timed(rd, {**env, "RELAYDESK_HISTORY": "off"})
        rows.append(("relaydesk run (sequential, history off)", n / secs_off))

        took, _ = asyncio.run(runner_heap(tmp / "ws", "bench", trace=False))
        rows.append(("core Runner in-process (sequential)", n / took))
        _, heap_big = asyncio.run(runner_heap(tmp / "ws", "bench", trace=True))
        _, heap_small = asyncio.run(runner_heap(tmp / "ws-small", "bench", trace=True))

        newman_rate = None
        newman = find_newman()
        if newman:
            secs, rc, _ = timed([newman, "run", str(tmp / "bench.postman_collection.json"),
                                 "--silent"], env)
            assert rc == 0, "newman run failed"
            newman_rate = n / secs
            rows.append(("newman run (whole process)", newman_rate))
        else:
            print("newman not found: scripts/test or scripts/bench installs it "
                  "(npm install --prefix ~/.cache/relaydesk-node newman@6)", file=sys.stderr)

        loop = [sys.executable, "-c", HTTPX_SCRIPT, f"{base}/json", str(n)]
        secs, rc, _ = timed([*loop, "1"], env)
        assert rc == 0, "the plain httpx loop failed"
        httpx_seq = n / secs
        rows.append(("plain httpx loop (sequential, whole process)", httpx_seq))
        secs, rc, _ = timed([*loop, str(args.concurrency)], env)
        httpx_conc = n / secs
        rows.append((f"plain httpx loop, {args.concurrency} in flight (whole process)",
                     httpx_conc))
        httpx_inproc = n / asyncio.run(httpx_loop(f"{base}/json", n, 1))
        rows.append(("plain httpx loop (sequential, in-process)", httpx_inproc))

        print(f"\n{n} requests to {base}/json, each checked for status 200\n")
        for name, rate in rows:
            print(f"  {name:<48} {rate:8.0f} req/s")
        rd_seq, rd_conc = rows[0][1], rows[1][1]
        print()
        if newman_rate:
            print(f"  relaydesk run / newman (sequential):          {rd_seq / newman_rate:5.2f}x"
                  "  (target >= 3x)")
            print(f"  relaydesk run --concurrency / newman:         {rd_conc / newman_rate:5.2f}x")
        print(f"  relaydesk run / plain httpx (sequential):     {rd_seq / httpx_seq:5.2f}x"
              "  (target >= 0.8x)")
        print(f"  relaydesk run --concurrency / httpx in flight: {rd_conc / httpx_conc:5.2f}x")
        print(f"  core Runner / plain httpx, both in-process:   "
              f"{rows[3][1] / httpx_inproc:5.2f}x")
        print(f"\n  peak RSS of relaydesk run: {small} requests {rss_small / 1024:.1f} MB, "
              f"{n} requests {rss_big / 1024:.1f} MB")
        print(f"  Python heap peak of the core runner: {small} requests "
              f"{heap_small / 1e6:.2f} MB, {n} requests {heap_big / 1e6:.2f} MB")
    finally:
        server.kill()
        server.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
