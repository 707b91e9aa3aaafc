"""`relaydesk describe PATH [--from FILE|URL] [--grep TEXT]`: a connection's API description.

With ``--from`` the OpenAPI/Swagger document is stored beside the connection (its
``openapi.json``), and what changed since the last one is printed (operations added,
removed, changed); the type stubs written by `relaydesk stubs` are refreshed. With
``--refresh`` it is fetched again from the URL it last came from. Without either, the
operations are listed, by group, as ``client.<Group>.<operation>`` calls them.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ._common import Context, say

if TYPE_CHECKING:
    from ..core.workspace import Workspace

__all__ = ["register"]

def register(sub: Any, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "describe", parents=[parent],
        help="attach an OpenAPI/Swagger description to a connection, or list its operations",
        description="Attach an OpenAPI 3.x / Swagger 2.0 description (a file or an http(s) "
        "URL, fetched with the connection's TLS and proxy settings) to a connection; it "
        "is stored beside it and gives `relaydesk.connect(PATH)` its operations. Without "
        "--from, list the operations.",
    )
    p.add_argument("path", metavar="PATH", help="the connection, e.g. 'jira/cloud'")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--from", dest="source", metavar="FILE|URL",
                        help="the description to attach (replaces the stored one)")
    source.add_argument("--refresh", action="store_true",
                        help="fetch the description again from the URL it came from")
    p.add_argument("--grep", metavar="TEXT", default="",
                   help="list only operations whose name, path or summary contains TEXT")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from ..core.api_description import SOURCE_KEY, keep_description, read_source_text
    from ..core.errors import ValidationError

    session = ctx.session()
    ws = session.workspace
    conn = ws.connection_of(args.path)
    if conn.path != args.path.strip("/"):
        raise ValidationError(f"'{args.path}' is inside the connection '{conn.path}'; "
                              "describe the connection itself.")
    source = args.source
    if args.refresh:
        source = str(conn.extra.get(SOURCE_KEY) or "")
        if not source:
            raise ValidationError(f"'{conn.path}' has no description fetched from a URL; "
                                  "give one with --from URL.")
    if source is None:
        return _list(ws, conn.path, args.grep)
    text = read_source_text(source, session, conn.path)
    origin = source if source.startswith(("http://", "https://")) else ""
    lines = keep_description(ws, conn.path, text, source, origin)
    say(f"Described '{conn.path}' from {source}: {lines[0]}")
    for line in lines[1:]:
        say(line)
    return 0


def _list(ws: Workspace, conn_path: str, grep: str) -> int:
    from ..core.errors import NotFoundError
    from ..core.managed import managed_api_for

    api = managed_api_for(ws, ws.connection(conn_path))
    if api is None:
        raise NotFoundError(f"'{conn_path}' has no API description yet; attach one with "
                            f"`relaydesk describe {conn_path} --from FILE|URL`.")
    needle = grep.lower()
    for ref in api.index.operations():
        line = f"{ref.group}.{ref.name}  {ref.method} {ref.path}" + (
            f"  {ref.summary}" if ref.summary else "")
        if needle in line.lower():
            print(line)
    return 0
