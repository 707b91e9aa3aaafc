"""Benchmark: the hostile set of issue 18 — every case tried, a line each, then
"tried N, held M".

    .venv/bin/python benchmarks/hostile.py [-k SUBSTRING] [--list]

The cases live in the modules of ``benchmarks/hostile_cases/`` (files.py: imports,
names and inputs; network.py: servers built to hurt a client, when present). Each
module exposes ``CASES: list[tuple[str, Callable[[], None]]]``; a case builds its
hostile input, runs Relaydesk on it as a user would (the CLI in a subprocess, or
core) and raises ``AssertionError`` when the defect is not refused or bounded.
Everything runs on this machine and 127.0.0.1. Child processes run this checkout's
code (``PYTHONPATH`` is set to its ``src/``). Exit status: 0 when every case held.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
Case = tuple[str, Callable[[], None]]


def _use_this_checkout() -> None:
    for path in (str(ROOT / "src"), str(ROOT)):
        if path not in sys.path:
            sys.path.insert(0, path)
    parts = [str(ROOT / "src"), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    os.environ["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(parts))
    os.environ.setdefault("RELAYDESK_HISTORY", "off")


def collect() -> tuple[list[tuple[str, Case]], list[tuple[str, str]]]:
    """(module, case) pairs from every module of the package, and the modules that
    could not be loaded with why (a broken module is a failed case, not a crash)."""
    import benchmarks.hostile_cases as package

    cases: list[tuple[str, Case]] = []
    broken: list[tuple[str, str]] = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        try:
            module = importlib.import_module(f"{package.__name__}.{info.name}")
        except Exception as exc:  # reported as a case that did not run
            broken.append((info.name, f"{type(exc).__name__}: {exc}"))
            continue
        cases += [(info.name, case) for case in getattr(module, "CASES", [])]
    return cases, broken


def run(case: Case) -> tuple[bool, str, float]:
    func = case[1]
    started = time.monotonic()
    try:
        func()
    except AssertionError as exc:
        return False, str(exc).splitlines()[0] if str(exc) else "not held", \
            time.monotonic() - started
    except Exception as exc:  # a case that crashes did not hold
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return False, (f"{type(exc).__name__}: {exc} ({Path(where.filename).name}:"
                       f"{where.lineno})"), time.monotonic() - started
    return True, "", time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", metavar="SUBSTRING", default="",
                        help="only the cases whose name contains SUBSTRING")
    parser.add_argument("--list", action="store_true", help="list the cases, run nothing")
    args = parser.parse_args(argv)
    _use_this_checkout()
    cases, broken = collect()
    cases = [c for c in cases if args.k.lower() in c[1][0].lower()]
    if args.list:
        for module, (name, _) in cases:
            print(f"{module:8} {name}")
        return 0
    held = 0
    for module, case in cases:
        ok, why, seconds = run(case)
        held += ok
        status = "held" if ok else "NOT HELD"
        print(f"{status:8} {module:8} {case[0]} ({seconds:.1f} s)"
              + (f": {why}" if why else ""), flush=True)
    broken = broken if not args.k else []  # a chosen few: say nothing of the rest
    for module, why in broken:
        print(f"NOT RUN  {module:8} the module did not load: {why}", flush=True)
    tried = len(cases) + len(broken)
    print(f"tried {tried}, held {held}")
    return 0 if held == tried else 1


if __name__ == "__main__":
    raise SystemExit(main())
