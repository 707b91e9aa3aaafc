"""`relaydesk send` and `relaydesk check`: the two commands that touch the network.

The body goes to stdout byte for byte (or atomically to ``-o FILE``); the status
line, time and cache mark go to stderr. ``--fail`` exits 22 on a 4xx/5xx, like curl.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import NotFoundError, ValidationError
from ..core.units import human_size, human_time
from ._common import (
    Context,
    UsageError,
    engine_session,
    parse_pairs,
    read_source,
    say,
)

if TYPE_CHECKING:
    from ..core.model import Connection, Environment, Request
    from ..core.response import Response
    from ..core.secrets import SecretStore
    from ..core.session import Session
    from ..core.workspace import Workspace

__all__ = ["register"]

EXIT_HTTP_ERROR = 22  # curl --fail's status for a 4xx/5xx answer


def register(sub: Any, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "send", parents=[parent], help="send a saved request (or a curl command)",
        description="Send a saved request and print the response body to stdout. The status, "
        "time and cache mark go to stderr.",
    )
    p.add_argument("path", nargs="?", metavar="PATH",
                   help="the request, e.g. 'jira/cloud/Get issue'")
    p.add_argument("--curl", metavar="COMMAND",
                   help="send a one-off request described by a curl command ('-' reads stdin)")
    p.add_argument("--env", metavar="NAME", help="use the variables of this environment")
    p.add_argument("--var", action="append", metavar="K=V", default=[],
                   help="set a {{variable}} (beats the environment and the connection)")
    p.add_argument("-i", "--include", action="store_true",
                   help="print the status line and headers before the body")
    p.add_argument("--fail", action="store_true",
                   help="on a 4xx/5xx answer print no body and exit with status 22")
    p.add_argument("-o", "--output", metavar="FILE", help="write the body to FILE instead")
    p.add_argument("-s", "--silent", action="store_true",
                   help="no status line on stderr (errors are still reported)")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="print the timeline on stderr: each redirect hop, DNS/connect/TLS/"
                   "first-byte/download times and the request headers as sent (secrets "
                   "masked)")
    add_strict_argument(p)
    add_budget_arguments(p)
    try:
        from .cmd_paginate import add_arguments as add_paging_arguments
    except ImportError:  # pragma: no cover - pagination not shipped
        pass
    else:
        add_paging_arguments(p)
    p.set_defaults(func=run_send)

    c = sub.add_parser(
        "check", parents=[parent], help="check that a connection answers",
        description="Call the connection's test URL (or its base URL) and report whether it "
        "is healthy (a 2xx answer). Exit status 0 when healthy, 1 when not.",
    )
    c.add_argument("path", metavar="PATH", help="the connection, e.g. 'jira/cloud'")
    c.set_defaults(func=run_check)


# -- shared ------------------------------------------------------------------------------

STRICT_ENV = "RELAYDESK_STRICT_VARIABLES"


def add_strict_argument(p: argparse.ArgumentParser) -> None:
    """``--strict-variables`` for `send` and `run` (the environment can turn it on)."""
    p.add_argument("--strict-variables", action="store_true",
                   default=os.environ.get(STRICT_ENV, "").strip().lower() in
                   ("1", "true", "yes", "on"),
                   help="refuse a {{name}} that is not a defined variable instead of "
                   f"sending it as written (also: {STRICT_ENV}=1)")


def add_budget_arguments(p: argparse.ArgumentParser) -> None:
    """``--max-size`` and ``--max-time``: this send's limits instead of the connection's."""
    p.add_argument("--max-size", metavar="SIZE",
                   help="stop reading a response body past SIZE after decompression, "
                   "e.g. 500M or 2G (default: the connection's, 1G)")
    p.add_argument("--max-time", metavar="SECONDS",
                   help="give up when the whole exchange takes longer than this (default: "
                   "the connection's, 1800), besides the idle timeout")


def with_budgets(req: Request, args: argparse.Namespace) -> Request:
    """``req`` carrying ``--max-size``/``--max-time`` when given."""
    from dataclasses import replace

    from ..core.limits import parse_duration, parse_size

    size = getattr(args, "max_size", None)
    seconds = getattr(args, "max_time", None)
    if size is None and seconds is None:
        return req
    options = replace(
        req.options,
        max_size=(parse_size(size, "--max-size value") if size is not None
                  else req.options.max_size),
        max_time=(parse_duration(seconds, "--max-time value") if seconds is not None
                  else req.options.max_time))
    return replace(req, options=options)


def guard_spool() -> None:
    """Bodies spooled by this process go on SIGTERM/SIGHUP; dead processes' are swept."""
    from ..core import spool

    spool.install_signal_cleanup()
    spool.sweep()


def warn_unresolved(unresolved: Any) -> None:
    """One stderr line per ``{{name}}`` sent as written (``PreparedRequest.unresolved``)."""
    for item in unresolved:
        say(f"relaydesk: warning: {item.describe()} (use --strict-variables to refuse)")



def find_request(ws: Workspace, path: str) -> Request:
    from ..core.model import join_path

    path = join_path(path)
    if ws.kind_of(path) == "request":
        return ws.request(path)
    problem = ws.problem_for(path)
    if problem is not None:
        raise ValidationError(f"The request '{path}' cannot be used: {problem}")
    if ws.kind_of(path) is not None:
        raise UsageError(f"'{path}' is a {ws.kind_of(path)}, not a request; "
                         f"see `relaydesk ls {path}`.")
    return ws.request(path)  # raises NotFoundError with close matches


def secrets_for(ctx: Context, auth_kind: str) -> SecretStore | None:
    """The keyring only when the auth needs a secret, so keyless requests work anywhere."""
    from ..core.model import AUTH_SECRET_FIELDS

    return ctx.secrets() if AUTH_SECRET_FIELDS.get(auth_kind) else None


async def _run_engine(secrets: SecretStore | None, call: Any, *,
                      history_source: str | None = None,
                      session: Session | None = None) -> Any:
    async with engine_session(secrets, history_source=history_source,
                              session=session) as engine:
        return await call(engine)


# -- send --------------------------------------------------------------------------------


class _OneOffKeyring:
    """Holds the secrets of a `send --curl` command for this process only: the user
    typed them on the command line, so nothing is stored anywhere."""

    def __init__(self, values: dict[str, str]) -> None:
        self._values = values

    def get_password(self, service: str, username: str) -> str | None:
        return self._values.get(username.rpartition("#")[2])

    def set_password(self, service: str, username: str, password: str) -> None:
        raise NotImplementedError  # pragma: no cover - never written to

    def delete_password(self, service: str, username: str) -> None:
        raise NotImplementedError  # pragma: no cover


def _curl_request(command: str) -> tuple[Request, Connection, SecretStore | None]:
    """A one-off request plus an ad-hoc connection carrying curl's TLS/proxy choices."""
    from dataclasses import replace
    from urllib.parse import urlsplit

    from ..core.curl import parse_curl
    from ..core.model import Connection, TlsSettings
    from ..core.secrets import SecretStore

    if command.strip() == "-":
        command = read_source("-", "the curl command")
    imported = parse_curl(command, one_off=True)  # keeps Host; -u needs a password
    for note in imported.notes:
        say(f"relaydesk: note: {note}")
    req = imported.request
    parts = urlsplit(req.url)
    conn = Connection(
        path="(curl)", base_url=f"{parts.scheme}://{parts.netloc}",
        tls=TlsSettings(verify=not imported.insecure, ca_bundle=imported.ca_bundle,
                        client_cert=imported.client_cert, client_key=imported.client_key),
        proxy=imported.proxy, cache_ttl=0.0,
    )
    req = replace(req, path=req.path or "curl",
                  options=replace(req.options, follow_redirects=imported.follow_redirects))
    store = SecretStore(_OneOffKeyring(imported.secrets), "curl") if imported.secrets else None
    return req, conn, store


def run_send(args: argparse.Namespace, ctx: Context) -> int:
    if bool(args.path) == bool(args.curl):
        raise UsageError("Give either a request PATH or --curl 'curl …' (exactly one).")
    extra = dict(parse_pairs(args.var, "--var"))
    env: Environment | None = None
    ws: Workspace | None = None
    if args.curl:
        if args.env:
            ws = ctx.workspace()
            env = ws.environment(args.env)
        req, conn, secrets = _curl_request(args.curl)
    else:
        ws = ctx.workspace()
        req = find_request(ws, args.path)
        conn = ws.connection_of(req.path)
        env = ws.environment(args.env) if args.env else None
        secrets = secrets_for(ctx, (req.auth or conn.auth).kind)
    req = with_budgets(req, args)
    guard_spool()
    if args.output:
        _check_output_target(args.output)
    if getattr(args, "all_pages", False):
        from .cmd_paginate import send_all_pages

        if args.include or args.fail:
            raise UsageError("--all-pages prints the merged items; it cannot be combined "
                             "with -i/--include or --fail.")
        return send_all_pages(req, conn, environment=env, variables=extra, secrets=secrets,
                              session=None if args.curl else ctx.session(),
                              max_pages=args.max_pages, items_path=args.items_path,
                              style=args.page_style, output=args.output, silent=args.silent,
                              strict=args.strict_variables)

    async def call(engine: Any) -> Response:
        from ..core.engine import raise_for_request

        # exchange(): OAuth 401 retry included, and what was sent, for the warnings;
        # the history observer records each exchange.
        prepared, response = await engine.exchange(req, conn, environment=env,
                                                   variables=extra,
                                                   strict=args.strict_variables)
        answered: Response = response
        warn_unresolved(prepared.unresolved)
        raise_for_request(req, answered)
        return answered

    import asyncio

    # A request saved with "raise on 4xx/5xx" raises HttpStatusError: main() exits 22.
    resp: Response = asyncio.run(_run_engine(secrets, call, history_source="cli",
                                             session=None if args.curl else ctx.session()))
    try:
        failed = resp.status >= 400
        if getattr(args, "verbose", False) and resp.timeline is not None:
            from ..core.timeline import timeline_text

            say(timeline_text(resp.timeline))
        if not args.silent:
            say(_status_line(resp))
        if failed and resp.problem:
            say(f"relaydesk: {resp.problem}")
        if failed and args.fail:
            return EXIT_HTTP_ERROR
        _emit(resp, include=args.include, output=args.output)
        return 0
    finally:
        resp.discard()  # a body spooled to a temporary file goes away with us


def _status_line(resp: Response) -> str:
    parts = [f"{resp.http_version} {resp.status} {resp.reason}".strip(),
             human_time(resp.elapsed), human_size(resp.size)]
    if resp.from_cache:
        parts.append(f"from cache, {resp.cache_age:.0f} s old")
    return ", ".join(parts)


def _check_output_target(output: str) -> None:
    target = Path(output).expanduser()
    if target.is_dir():
        raise UsageError(f"Cannot write the body to '{output}': it is a directory.")
    if not target.parent.is_dir():
        raise UsageError(f"Cannot write the body to '{output}': the folder "
                         f"'{target.parent}' does not exist.")
    if not os.access(target.parent, os.W_OK):
        raise UsageError(f"Cannot write the body to '{output}': permission denied.")


def _head(resp: Response) -> bytes:
    from ..core.printable import printable

    lines = [f"{resp.http_version} {resp.status} {resp.reason}".rstrip()]
    # A header value may carry C1 controls (obs-text): none reach the terminal.
    lines += [f"{name}: {printable(value)}" for name, value in resp.headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")


def _emit(resp: Response, *, include: bool, output: str | None) -> None:
    if output:
        _write_atomically(Path(output).expanduser(), resp)
        if include:
            sys.stdout.buffer.write(_head(resp))
            sys.stdout.buffer.flush()
        return
    out = sys.stdout.buffer
    if include:
        out.write(_head(resp))
    if resp.body_file is not None:
        with open(resp.body_file, "rb") as fh:
            shutil.copyfileobj(fh, out, 1 << 20)
    else:
        out.write(resp.content())
    out.flush()


def _write_atomically(target: Path, resp: Response) -> None:
    """The body lands whole or not at all: temp file beside the target, then rename."""
    if resp.body_file is None:
        from ..core.fileio import atomic_write_bytes

        atomic_write_bytes(target, resp.content())
        return
    from ..core.spool import track

    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    track(tmp)  # a SIGTERM mid-copy leaves no half-written file beside the target
    try:
        with os.fdopen(fd, "wb") as dst, open(resp.body_file, "rb") as src:
            shutil.copyfileobj(src, dst, 1 << 20)
            dst.flush()
            os.fsync(dst.fileno())
        os.replace(tmp, target)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise


# -- check -------------------------------------------------------------------------------


def run_check(args: argparse.Namespace, ctx: Context) -> int:
    ws = ctx.workspace()
    from ..core.model import join_path

    path = join_path(args.path)
    if ws.kind_of(path) != "connection":
        problem = ws.problem_for(path)
        if problem is not None:
            raise ValidationError(f"The connection '{path}' cannot be used: {problem}")
        if ws.kind_of(path) is None:
            ws.connection(path)  # raises NotFoundError with close matches
        raise NotFoundError(f"'{path}' is a {ws.kind_of(path)}, not a connection.")
    conn = ws.connection(path)
    secrets = secrets_for(ctx, conn.auth.kind)

    async def call(engine: Any) -> Any:
        return await engine.check(conn)

    import asyncio

    result = asyncio.run(_run_engine(secrets, call, session=ctx.session()))
    message = result.message or ("Healthy" if result.ok else "Unhealthy")
    if result.error is not None:
        # The request did not complete: the message is the reason, in plain words.
        message = f"Unhealthy after {human_time(result.elapsed)}: {message}"
    sys.stdout.write(f"{conn.path}: {message}\n")
    sys.stdout.flush()
    return 0 if result.ok else 1
