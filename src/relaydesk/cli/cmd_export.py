"""`relaydesk export PATH --to KIND [--env NAME] [--var K=V]... [--include-secrets] [-o FILE]`.

Snippet kinds (one request, printed to stdout): curl, httpie, python-httpx,
python-requests, javascript-fetch, node, go, relaydesk. Collection formats (a whole
connection or folder, written atomically to ``-o FILE`` or printed): postman, har,
http. Secrets are environment-variable references (snippets) or ``{{variables}}``
(collections) unless ``--include-secrets`` is given. ``--env`` and ``--var`` fill a
snippet's ``{{variables}}`` exactly as they do for ``relaydesk send``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ._common import Context, UsageError, engine_session, parse_pairs, say

__all__ = ["register"]

SNIPPETS = ("curl", "httpie", "python-httpx", "python-requests", "javascript-fetch", "node",
            "go", "relaydesk")
COLLECTIONS = ("postman", "har", "http")


def register(sub: Any, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "export", parents=[parent], help="a request as code, or a connection as a collection",
        description="Export a request as a code snippet (printed), or a connection or folder "
        "as a Postman collection, HAR or .http file (-o FILE).")
    p.add_argument("path", metavar="PATH", help="a request (snippets) or a connection/folder")
    p.add_argument("--to", required=True, choices=SNIPPETS + COLLECTIONS, metavar="KIND",
                   help=" | ".join(SNIPPETS + COLLECTIONS))
    p.add_argument("--include-secrets", action="store_true",
                   help="write real secret values instead of references")
    p.add_argument("--env", metavar="NAME", help="environment whose variables fill templates")
    p.add_argument("--var", action="append", metavar="K=V", default=[],
                   help="set a {{variable}} (beats the environment and the connection)")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically)")
    p.set_defaults(func=run)


def _write(text: str, output: str | None) -> None:
    if not output or output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from ..core.fileio import atomic_write_text

    try:
        atomic_write_text(Path(output).expanduser(), text)
    except OSError as exc:
        raise UsageError(f"Cannot write '{output}': {exc.strerror or exc}.") from None
    say(f"Wrote {output}.")


def run(args: argparse.Namespace, ctx: Context) -> int:
    ws = ctx.workspace()
    kind = ws.kind_of(args.path)
    needs_secrets = args.include_secrets
    if args.to in COLLECTIONS:
        from ..core.exporters import export_collection

        store = ctx.secrets() if needs_secrets else None
        _write(export_collection(args.to, ws, args.path, store,
                                 include_secrets=args.include_secrets), args.output)
        return 0
    if kind is None:
        ws.request(args.path)  # raises NotFoundError naming close matches
    if kind != "request":
        raise UsageError(f"'{args.path}' is not a request; snippets are for one request "
                         "(--to postman|har|http exports a connection or folder).")
    from ..core.auth import auth_owner
    from ..core.exporters.snippets import snippet_for
    from ..core.model import AUTH_SECRET_FIELDS
    from ..core.prepare import resolve_variables

    extra = dict(parse_pairs(args.var, "--var"))
    req = ws.request(args.path)
    conn = ws.connection_of(args.path)
    env = ws.environment(args.env) if args.env else None
    variables = resolve_variables(conn, env, extra)
    settings, _owner = auth_owner(req, conn)
    # Only real values need the keyring; references are found without it.
    store = ctx.secrets() if args.include_secrets and AUTH_SECRET_FIELDS.get(
        settings.kind) else None
    token = None
    if settings.kind == "oauth2" and args.include_secrets:
        token = _oauth_token(ctx, req, conn, env, extra)
    from ..core.managed import managed_api_for

    api = managed_api_for(ws, conn) if conn is not None and args.to == "relaydesk" else None
    text = snippet_for(args.to, req, conn, store, variables,
                       include_secrets=args.include_secrets, oauth_token=token, api=api)
    _write(text, args.output)
    return 0


def _oauth_token(ctx: Context, req: Any, conn: Any, env: Any, extra: dict[str, str]) -> str:
    import asyncio

    async def fetch() -> str:
        async with engine_session(None, session=ctx.session()) as engine:
            prepared = await engine.prepare(req, conn, environment=env, variables=extra)
        header = prepared.header("authorization") or ""
        return header.partition(" ")[2]

    return asyncio.run(fetch())
