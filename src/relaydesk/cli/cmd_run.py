"""`relaydesk run PATH`: run the requests of a connection or folder with their checks.

Exit status 0 when every check held, 1 when a check failed or a request did not
complete (the console summary says which), 130 on Ctrl+C and 143 on SIGTERM (what CI
sends on a timeout): reporters still finish, so a partial JUnit report is written.

History is written in batches (``History.buffer``), off the per-request path (each
exchange is recorded while the next request is on its way); Ctrl+C, SIGTERM and the
normal end write the last batch. Only a SIGKILL or a power cut loses the records of
the batch under way (at most 100 requests, or what completed in the last second
before the latest, plus the one exchange not yet recorded).
"""

from __future__ import annotations

import argparse
from typing import Any

from ._common import Context, UsageError, engine_session, parse_pairs, say
from .cmd_send import add_strict_argument, guard_spool

__all__ = ["EXIT_CHECKS_FAILED", "register", "run_run"]

EXIT_CHECKS_FAILED = 1
EXIT_TERMINATED = 143  # 128 + SIGTERM, as a shell reports it
HISTORY_BATCH_ROWS = 100
HISTORY_BATCH_SECONDS = 1.0


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
        if kind == "junit":
            from ..core.reporters.junit import JUnitReporter

            reporters.append(JUnitReporter(path))
        else:
            from ..core.reporters.json_report import JsonReporter

            reporters.append(JsonReporter(path))
    return reporters


def _data_file(path: str) -> Any:
    from ..core.datafile import DataFile  # csv and all: only for --data

    return DataFile(path)


def run_run(args: argparse.Namespace, ctx: Context) -> int:
    import asyncio
    import contextlib
    import gc
    import signal

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
        data=_data_file(args.data) if args.data else None,
        concurrency=args.concurrency, bail=args.bail, delay_ms=args.delay,
        strict_variables=args.strict_variables,
    )
    reporters = [ConsoleReporter(verbose=args.verbose), *_reporters(args.reporter)]
    # Validate everything (paths, checks, data) before touching the keyring or network.
    plan = Runner(Engine(None), ws).plan(args.path, options)
    kinds = {(r.auth or plan.connections[r.path].auth).kind for r in plan.requests}
    secrets = ctx.secrets() if any(AUTH_SECRET_FIELDS.get(k) for k in kinds) else None

    terminated = False

    async def go() -> Any:
        nonlocal terminated
        task = asyncio.current_task()
        assert task is not None

        def terminate() -> None:  # SIGTERM ends the run as Ctrl+C does: cleanly
            nonlocal terminated
            terminated = True
            task.cancel()

        # Not on Windows, nor outside the main thread (tests calling main()).
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, terminate)
        async with engine_session(secrets, history_source="cli run",
                                  session=ctx.session()) as engine:
            if (history := ctx.session().history) is not None:
                history.buffer(HISTORY_BATCH_ROWS, HISTORY_BATCH_SECONDS)
                ctx.session().keep_responses_in_batches()
            return await Runner(engine, ws).run(args.path, options, reporters, plan=plan)

    guard_spool()  # a CI timeout's SIGTERM leaves no spooled body behind
    # What start-up made (modules, the plan's requests) lives until the end: the
    # collector's full passes during the run need not walk it again and again.
    gc.freeze()
    try:
        summary = asyncio.run(go())
    except asyncio.CancelledError:
        if not terminated:
            raise
        say("relaydesk: terminated; the requests completed so far are in the history.")
        return EXIT_TERMINATED
    finally:
        gc.unfreeze()  # main() called in-process (tests): collectable again
    return 0 if summary.ok else EXIT_CHECKS_FAILED
