"""Per-request cost of ``Engine.send`` against a raw ``httpx.AsyncClient`` loop.

Both hit the same loopback echo server (run in a separate process, so its work does
not share our GIL) in the same run, in alternating rounds after a warm-up, and the
script prints microseconds per request for each and their ratio (target: <= 1.15x).

    .venv/bin/python benchmarks/engine_overhead.py [-n 2000] [--rounds 8] [--path /json]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from relaydesk.core.engine import Engine  # noqa: E402
from relaydesk.core.model import Connection, Request  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_server(port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "tests.servers:echo_app", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning", "--no-access-log", "--lifespan", "off"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/json", timeout=1)
            return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the benchmark server did not start")


async def run(base: str, n: int, rounds: int, path: str) -> tuple[float, float]:
    engine = Engine(None)
    connection = Connection(path="bench", base_url=base, cache_ttl=0)
    request = Request(path="bench/r", url=path)
    raw = httpx.AsyncClient()
    url = base + path

    async def engine_loop(count: int) -> float:
        start = time.perf_counter()
        for _ in range(count):
            r = await engine.send(request, connection)
            assert r.status == 200
        return (time.perf_counter() - start) / count

    async def raw_loop(count: int) -> float:
        start = time.perf_counter()
        for _ in range(count):
            r = await raw.get(url)
            assert r.status_code == 200
        return (time.perf_counter() - start) / count

    try:
        await engine_loop(100)  # warm-up: connections, imports, caches
        await raw_loop(100)
        per_round = max(1, n // rounds)
        engine_times: list[float] = []
        raw_times: list[float] = []
        for i in range(rounds):
            order = (engine_loop, raw_loop) if i % 2 == 0 else (raw_loop, engine_loop)
            for loop in order:
                (engine_times if loop is engine_loop else raw_times).append(
                    await loop(per_round))
    finally:
        await engine.aclose()
        await raw.aclose()
    return statistics.median(engine_times), statistics.median(raw_times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=2000, help="requests per side (default 2000)")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--path", default="/json")
    args = parser.parse_args()
    port = free_port()
    server = start_server(port)
    try:
        engine_t, raw_t = asyncio.run(run(f"http://127.0.0.1:{port}", args.n, args.rounds,
                                          args.path))
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"requests per side: {args.n} in {args.rounds} alternating rounds, GET {args.path}")
    print(f"raw httpx.AsyncClient: {raw_t * 1e6:8.1f} us/request")
    print(f"Engine.send:           {engine_t * 1e6:8.1f} us/request")
    print(f"ratio:                 {engine_t / raw_t:8.3f}x  (target <= 1.15x)")


if __name__ == "__main__":
    main()
