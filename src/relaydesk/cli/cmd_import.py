"""`relaydesk import curl SOURCE --into PATH`: a pasted curl command becomes a request.

The request is saved inside the connection that owns PATH; a URL under the
connection's base URL is stored relative to it, so the connection's auth and headers
apply. A ``-u user:password`` password or an ``Authorization: Bearer`` token goes to the
keyring under the new request's path (request-level auth), never into the file.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..core.errors import AlreadyExistsError, NotFoundError, ValidationError
from ._common import Context, read_source, say

if TYPE_CHECKING:
    from ..core.model import Connection, Request

__all__ = ["register", "relative_to_connection"]

FORMATS = ("curl", "postman", "insomnia", "openapi", "har", "http")


def register(sub: Any, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "import", parents=[parent],
        help="import a curl command, Postman/Insomnia/OpenAPI/HAR/.http file",
        description="Import a curl command as a request inside an existing connection, or a "
        "Postman, Insomnia, OpenAPI/Swagger, HAR or .http file as new connections (from a "
        "file, or '-' for stdin). Nothing is written unless everything can be.",
    )
    p.add_argument("format", choices=FORMATS, metavar="FORMAT", help=" | ".join(FORMATS))
    p.add_argument("source", metavar="SOURCE", help="a file, or '-' for standard input")
    p.add_argument("--into", metavar="PATH",
                   help="curl: where the request goes (required), e.g. 'jira/cloud/issues/Get "
                   "issue'; other formats: the path of the new connection")
    p.set_defaults(func=run)


def relative_to_connection(url: str, conn: Connection) -> str:
    """``https://h/api/v2/issues?x=1`` under base ``https://h/api/v2`` → ``/issues?x=1``."""
    base = conn.base_url.rstrip("/")
    if url == base:
        return ""
    if url.startswith(base + "/"):
        return url[len(base):]
    return url  # another host or a sibling path: kept whole, sent as curl would


def run(args: argparse.Namespace, ctx: Context) -> int:
    from ..core.curl import lift_credentials, parse_curl
    from ..core.model import validate_path, validate_request

    if args.format != "curl":
        from .import_files import run_file_import

        return run_file_import(args, ctx)
    if not args.into:
        from ._common import UsageError

        raise UsageError("import curl needs --into PATH (the request to create).")
    path = validate_path(args.into, "request path")
    text = read_source(args.source, "the curl command")
    imported = lift_credentials(parse_curl(text))
    ws = ctx.workspace()
    try:
        conn = ws.connection_of(path)
    except NotFoundError:
        raise NotFoundError(
            f"No connection owns '{path}'; create it first, e.g. `relaydesk new connection "
            f"{path.split('/')[0]} --base-url URL`, then import into a path inside it."
        ) from None
    if ws.kind_of(path) is not None:
        raise AlreadyExistsError(f"'{path}' already exists in the workspace.")
    req: Request = replace(imported.request, path=path,
                           url=relative_to_connection(imported.request.url, conn))
    req = replace(req, options=replace(req.options,
                                       follow_redirects=imported.follow_redirects))
    secrets: dict[str, str] = dict(imported.secrets)
    validate_request(req)
    if path == conn.path:
        raise ValidationError(f"'{path}' is the connection itself; give the request a name "
                              f"inside it, e.g. '{path}/Imported request'.")
    ctx.session().create_request_with_secrets(req, secrets)
    stored = list(secrets)
    say(f"Imported {req.method} {req.url or conn.base_url} as '{path}'.")
    for field in stored:
        say(f"Stored the {field} of '{path}' in the system keyring (secret '{field}'); "
            "the request file does not contain it.")
    for note in imported.notes:
        say(f"Note: {note}")
    if imported.insecure and conn.tls.verify:
        say(f"Note: the command used -k/--insecure; '{conn.path}' still verifies TLS "
            "certificates.")
    return 0


