"""`relaydesk run PATH`: run the requests of a connection or folder with their checks.

Exit status 0 when every check held, 1 when a check failed or a request did not
complete (the console summary says which), 130 on Ctrl+C (reporters still finish,
so a partial JUnit report is written).
"""

from __future__ import annotations

import argparse
from typing import Any

from ._common import Context, UsageError, engine_session, parse_pairs
from .cmd_send import add_strict_argument, guard_spool

__all__ = ["EXIT_CHECKS_FAILED", "register", "run_run"]

EXIT_CHECKS_FAILED = 1


def register(sub: Any, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "run", parents=[parent], help="run a connection's or folder's requests with checks",
        description="Run every request under PATH in order (or N at a time) and evaluate "
        "its checks. Exit status 1 when any check fails.",
    )
    p.add_argument("path", metavar="PATH", help="a connection, folder or request")
    p.add_argument("--env", metavar="NAME", help="use the variables of this environment")
    p.add_argument("--var", action="append", metavar="K=V", default=[],
                   help="set a {{variable}} (data file columns win over it)")
    p.add_argument("--concurrency", type=int, default=1, metavar="N",
                   help="requests in flight at once (results stay in order)")
    p.add_argument("--data", metavar="FILE",
                   help="CSV or JSON data file: one iteration per row, columns as variables")
    p.add_argument("--reporter", action="append", default=[], metavar="KIND[=FILE]",
                   help="junit=FILE, json=FILE (repeatable); the console report is always on")
    p.add_argument("--bail", action="store_true", help="stop at the first failure")
    p.add_argument("--delay", type=float, default=0.0, metavar="MS",
                   help="wait this long between requests")
    p.add_argument("-v", "--verbose", action="store_true", help="a line per request")
    add_strict_argument(p)
    p.set_defaults(func=run_run)


def _reporters(specs: list[str]) -> list[Any]:
    from pathlib import Path

    from ..core.reporters import JsonReporter, JUnitReporter

    reporters: list[Any] = []
    for spec in specs:
        kind, _, target = spec.partition("=")
        kind = kind.strip().lower()
        if kind not in ("junit", "json"):
            raise UsageError(f"Unknown reporter '{kind}'; use junit=FILE or json=FILE.")
        if not target:
            raise UsageError(f"The {kind} reporter needs a file: --reporter {kind}=FILE.")
        path = Path(target).expanduser()
        if path.is_dir():
            raise UsageError(f"Cannot write the {kind} report to '{target}': it is a folder.")
        reporters.append(JUnitReporter(path) if kind == "junit" else JsonReporter(path))
    return reporters


def run_run(args: argparse.Namespace, ctx: Context) -> int:
    import asyncio

    from ..core.datafile import DataFile
    from ..core.engine import Engine
    from ..core.model import AUTH_SECRET_FIELDS
    from ..core.reporters import ConsoleReporter
    from ..core.runner import Runner, RunOptions

    if args.concurrency < 1:
        raise UsageError("--concurrency must be at least 1.")
    if args.delay < 0:
        raise UsageError("--delay cannot be negative.")
    ws = ctx.workspace()
    options = RunOptions(
        environment=ws.environment(args.env) if args.env else None,
        variables=dict(parse_pairs(args.var, "--var")),
        data=DataFile(args.data) if args.data else None,
        concurrency=args.concurrency, bail=args.bail, delay_ms=args.delay,
        strict_variables=args.strict_variables,
    )
    reporters = [ConsoleReporter(verbose=args.verbose), *_reporters(args.reporter)]
    # Validate everything (paths, checks, data) before touching the keyring or network.
    plan = Runner(Engine(None), ws).plan(args.path, options)
    kinds = {(r.auth or plan.connections[r.path].auth).kind for r in plan.requests}
    secrets = ctx.secrets() if any(AUTH_SECRET_FIELDS.get(k) for k in kinds) else None

    async def go() -> Any:
        async with engine_session(secrets, history_source="cli run",
                                  session=ctx.session()) as engine:
            return await Runner(engine, ws).run(args.path, options, reporters)

    guard_spool()  # a CI timeout's SIGTERM leaves no spooled body behind
    summary = asyncio.run(go())
    return 0 if summary.ok else EXIT_CHECKS_FAILED
