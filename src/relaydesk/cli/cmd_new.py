"""`relaydesk new connection|request|environment`: create workspace items for scripts.

Everything is validated by the model before a file is written, so a refused value
leaves the workspace as it was. Secret auth fields are refused here: they go
through `relaydesk secret set` (stdin, keyring).
"""

from __future__ import annotations

import argparse
import json
import re
from typing import Any

from ..core.errors import AlreadyExistsError, NotFoundError, ValidationError
from ._common import Context, parse_header, parse_pairs, say
from .cmd_auth import grant_setting
from .tls_options import PROXY_HELP, add_tls_options, apply_tls_options, store_passphrase

__all__ = ["register"]

AUTH_CHOICES = ("none", "basic", "bearer", "token", "apikey", "digest", "oauth2",
                "aws_sigv4")
_TEMPLATE = re.compile(r"\\?\{\{[^{}]*\}\}")  # an escaped \{{x}} too


def register(sub: Any, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("new", help="create a connection, request or environment")
    kinds = p.add_subparsers(dest="kind", metavar="KIND", required=True)

    c = kinds.add_parser("connection", parents=[parent], help="a base URL plus its auth",
                         description="Create a connection. Secret auth fields (password, "
                         "token, value, client_secret) are stored with `relaydesk secret set`.")
    c.add_argument("path", metavar="PATH", help="e.g. 'jira/cloud'")
    c.add_argument("--base-url", required=True, metavar="URL")
    c.add_argument("--auth", choices=AUTH_CHOICES, default="none")
    c.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="auth_set",
                   help="a public auth setting, e.g. username=alice, scheme=Token, in=query")
    c.add_argument("--grant", type=grant_setting, action="append", dest="auth_set",
                   metavar="GRANT", help="the OAuth 2.0 grant: authorization_code, "
                   "client_credentials or device_code (same as --set grant=GRANT)")
    c.add_argument("--header", action="append", default=[], metavar="'K: V'")
    c.add_argument("--var", action="append", default=[], metavar="K=V",
                   help="a variable of the connection")
    c.add_argument("--docs-url", default="", metavar="URL")
    c.add_argument("--test-url", default="", metavar="URL",
                   help="health-check endpoint for `relaydesk check` (path or URL)")
    c.add_argument("--description", default="")
    c.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS")
    c.add_argument("--cache-ttl", type=float, default=0.0, metavar="SECONDS",
                   help="reuse successful GET/HEAD answers for this long (default 0: off, "
                   "every send reaches the server)")
    c.add_argument("--insecure", action="store_true", help="do not verify TLS certificates")
    c.add_argument("--https-only", action="store_true", help="refuse plain http:// URLs")
    c.add_argument("--ca-bundle", default="", metavar="FILE")
    c.add_argument("--client-cert", default="", metavar="FILE")
    c.add_argument("--client-key", default="", metavar="FILE")
    c.add_argument("--proxy", default="", metavar="URL", help=PROXY_HELP)
    add_tls_options(c)
    c.set_defaults(func=run_connection)

    r = kinds.add_parser("request", parents=[parent], help="a request inside a connection",
                         description="Create a request inside an existing connection.")
    r.add_argument("path", metavar="PATH", help="e.g. 'jira/cloud/issues/Get issue'")
    r.add_argument("--method", "-X", default="GET", metavar="M")
    r.add_argument("--url", required=True, metavar="PATH_OR_URL",
                   help="a path under the connection's base URL, or a full URL")
    r.add_argument("--header", action="append", default=[], metavar="'K: V'")
    r.add_argument("--param", action="append", default=[], metavar="K=V")
    r.add_argument("--cookie", action="append", default=[], metavar="K=V")
    body = r.add_mutually_exclusive_group()
    body.add_argument("--json", metavar="TEXT", help="a JSON body (object or array)")
    body.add_argument("--data", metavar="TEXT", help="a raw text body")
    body.add_argument("--form", action="append", metavar="K=V", help="a form field")
    r.add_argument("--content-type", default="", metavar="TYPE",
                   help="content type of a --data body")
    r.add_argument("--fail-on-error", action="store_true",
                   help="save the option 'raise on 4xx/5xx'")
    r.set_defaults(func=run_request)

    e = kinds.add_parser("environment", parents=[parent], help="a named set of variables")
    e.add_argument("name", metavar="NAME")
    e.add_argument("--var", action="append", default=[], metavar="K=V")
    e.add_argument("--update", action="store_true",
                   help="add to (or change) the variables of an existing environment")
    e.set_defaults(func=run_environment)


def _kvs(pairs: list[tuple[str, str]]) -> list[Any]:
    from ..core.model import KeyValue

    return [KeyValue(name, value) for name, value in pairs]


def run_connection(args: argparse.Namespace, ctx: Context) -> int:
    from ..core.model import AuthSettings, Connection, TlsSettings, validate_connection

    conn = Connection(
        path=args.path,
        base_url=args.base_url,
        docs_url=args.docs_url,
        test_url=args.test_url,
        description=args.description,
        headers=_kvs([parse_header(h) for h in args.header]),
        auth=AuthSettings(args.auth, dict(parse_pairs(args.auth_set, "--set"))),
        tls=TlsSettings(verify=not args.insecure, ca_bundle=args.ca_bundle,
                        client_cert=args.client_cert, client_key=args.client_key,
                        https_only=args.https_only),
        timeout=args.timeout,
        cache_ttl=args.cache_ttl,
        proxy=args.proxy,
        variables=dict(parse_pairs(args.var, "--var")),
    )
    conn, passphrase = apply_tls_options(args, conn)
    # Validate before opening (and maybe creating) the workspace: a refused value
    # must not leave even a fresh workspace folder behind.
    validate_connection(conn)
    ws = ctx.workspace(create=True)
    conn = ws.save_connection(conn, create=True)
    say(f"Created connection '{conn.path}' ({conn.base_url}).")
    store_passphrase(ctx, conn.path, passphrase)
    secrets = _secret_fields(conn.auth.kind)
    if secrets:
        say(f"Store its {' and '.join(secrets)} with "
            f"`relaydesk secret set {_quote(conn.path)} {secrets[0]}` (reads stdin).")
    return 0


def _secret_fields(kind: str) -> tuple[str, ...]:
    from ..core.model import AUTH_SECRET_FIELDS

    return AUTH_SECRET_FIELDS.get(kind, ())


def _quote(path: str) -> str:
    import shlex

    return shlex.quote(path)


def check_json_body(text: str, option: str = "--json") -> None:
    """Refuse invalid JSON, allowing ``{{variables}}`` wherever a value could stand."""
    try:
        json.loads(_TEMPLATE.sub("0", text))
    except json.JSONDecodeError as exc:
        raise ValidationError(
            f"{option} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})."
        ) from None


def run_request(args: argparse.Namespace, ctx: Context) -> int:
    from ..core.model import Body, Request, RequestOptions, validate_path

    path = validate_path(args.path, "request path")
    ws = ctx.workspace()
    try:
        ws.connection_of(path)
    except NotFoundError:
        raise NotFoundError(
            f"No connection owns '{path}'; create one first with "
            "`relaydesk new connection PATH --base-url URL` (requests live inside connections)."
        ) from None
    if ws.kind_of(path) is not None:
        raise AlreadyExistsError(f"'{path}' already exists in the workspace.")
    body = Body()
    if args.json is not None:
        check_json_body(args.json)
        body = Body(kind="json", text=args.json)
    elif args.data is not None:
        body = Body(kind="raw", text=args.data, content_type=args.content_type)
    elif args.form:
        body = Body(kind="form", form=_kvs(parse_pairs(args.form, "--form")))
    req = Request(
        path=path,
        method=args.method.upper(),
        url=args.url,
        params=_kvs(parse_pairs(args.param, "--param")),
        headers=_kvs([parse_header(h) for h in args.header]),
        cookies=_kvs(parse_pairs(args.cookie, "--cookie")),
        body=body,
        options=RequestOptions(raise_for_status=args.fail_on_error),
    )
    ws.save_request(req, create=True)
    say(f"Created request '{path}' ({req.method} {req.url}).")
    return 0


def run_environment(args: argparse.Namespace, ctx: Context) -> int:
    from ..core.model import validate_path

    variables = dict(parse_pairs(args.var, "--var"))
    if "/" in validate_path(args.name, "environment name"):
        raise ValidationError("An environment name cannot contain '/'.")
    session = ctx.session(create=True)
    # One locked read-modify-write: two concurrent --update calls both keep their values.
    with session.workspace.transaction():
        existing = {e.name for e in session.workspace.environments()}
        if args.name in existing and not args.update:
            raise AlreadyExistsError(f"The environment '{args.name}' already exists; "
                                     "add --update to change its variables.")
        env = session.update_environment(args.name, set=variables, create=not args.update)
        variables = env.variables
    say(f"{'Updated' if args.name in existing else 'Created'} environment '{args.name}' "
        f"({len(variables)} variable{'s' if len(variables) != 1 else ''}).")
    return 0
