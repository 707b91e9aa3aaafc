"""Whole-process cost of one request: `relaydesk send` vs `curl` vs `http` (HTTPie).

Starts the tests' echo server on loopback, saves one connection and one request in a
throwaway workspace, then runs each command N times as a fresh process (interleaved,
so drift hits all three alike) and prints the median, the fastest run, and the
ratio to curl. A bare `python -c pass` is measured too: the interpreter's floor.

    .venv/bin/python benchmarks/cli_vs_curl.py [--runs 21]

HTTPie is optional (`.venv/bin/pip install httpie`, or the `bench` extra); it is
skipped with a note when not installed. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.servers import start_uvicorn  # noqa: E402 - needs the repo root on sys.path

BIN = Path(sys.executable).parent


def _tool(name: str) -> str | None:
    local = BIN / name
    return str(local) if local.exists() else shutil.which(name)


def _time_once(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, env=env)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{argv[0]} failed ({proc.returncode}): {proc.stderr.decode()[:300]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()

    relaydesk, curl, httpie = _tool("relaydesk"), _tool("curl"), _tool("http")
    if relaydesk is None:
        raise SystemExit("relaydesk is not installed in this environment")
    server = start_uvicorn()
    url = f"{server.base_url}/echo/bench?x=1"
    with tempfile.TemporaryDirectory(prefix="relaydesk-bench-") as tmp:
        # History stays on, as users have it, but in the throwaway folder.
        env = {**os.environ, "RELAYDESK_HISTORY": str(Path(tmp) / "history.db")}
        env.pop("RELAYDESK_WORKSPACE", None)
        ws = str(Path(tmp) / "ws")
        for argv in (["new", "connection", "bench", "--base-url", server.base_url],
                     ["new", "request", "bench/get", "--url", "/echo/bench?x=1"]):
            subprocess.run([relaydesk, "--workspace", ws, *argv], check=True, env=env,
                           stderr=subprocess.DEVNULL)
        commands: dict[str, list[str]] = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "relaydesk send": [relaydesk, "--workspace", ws, "send", "bench/get", "-s"],
            "relaydesk send --curl": [relaydesk, "send", "-s", "--curl", f"curl {url}"],
        }
        if curl:
            commands["curl"] = [curl, "-s", url]
        if httpie:
            commands["http (HTTPie)"] = [httpie, "--ignore-stdin", "GET", url]
        for argv in commands.values():  # warm the OS caches once
            _time_once(argv, env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, argv in commands.items():
                times[name].append(_time_once(argv, env))
    server.stop()

    base = statistics.median(times["curl"]) if "curl" in times else None
    print(f"One GET against {server.base_url} on loopback, {args.runs} runs each "
          f"(fresh process per run):\n")
    print(f"{'command':<24}{'median':>10}{'fastest':>10}{'vs curl':>10}")
    for name, values in times.items():
        median = statistics.median(values)
        ratio = f"{median / base:.1f}x" if base else "-"
        print(f"{name:<24}{median * 1000:>8.1f}ms{min(values) * 1000:>8.1f}ms{ratio:>10}")
    if not httpie:
        print("\nHTTPie not installed (`.venv/bin/pip install httpie`); skipped.")
    if "relaydesk send" in times and "http (HTTPie)" in times:
        ours, theirs = (statistics.median(times[n]) for n in ("relaydesk send",
                                                                "http (HTTPie)"))
        print(f"\nrelaydesk send / http: {ours / theirs:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
