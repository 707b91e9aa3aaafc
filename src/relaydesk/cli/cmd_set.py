"""`relaydesk set PATH`: change a saved connection or request, only what is given.

It takes the options of `relaydesk new connection|request` (`--environment NAME` for
an environment's variables) and changes just those, through the core session: the
item keeps its id (so its secrets, tokens and history), its place in the order and any
keys a newer Relaydesk wrote. A changed auth kind forgets the secrets the old kind had.
Every value is validated before anything is written.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from typing import Any

from ..core.errors import ValidationError
from ._common import Context, UsageError, parse_header, parse_pairs, say
from .cmd_auth import grant_setting
from .tls_options import PROXY_HELP, add_tls_options, apply_tls_options, store_passphrase

__all__ = ["register"]

AUTH_CHOICES = ("none", "basic", "bearer", "token", "apikey", "digest", "oauth2",
                "aws_sigv4")
_CONNECTION_ONLY = ("base_url", "auth", "auth_set", "docs_url", "test_url", "timeout",
                    "cache_ttl", "verify", "https_only", "ca_bundle", "client_cert",
                    "client_key", "proxy", "max_size", "max_time", "http", "client_p12",
                    "trust_store")
_REQUEST_ONLY = ("method", "url", "param", "cookie", "json", "data", "form",
                 "content_type", "fail_on_error")


def register(sub: Any, parent: argparse.ArgumentParser) -> None:
    s = sub.add_parser(
        "set", parents=[parent], argument_default=argparse.SUPPRESS,
        help="change a saved connection, request or environment",
        description="Change only the given settings of a saved connection or request "
        "(the options of `relaydesk new`), or with --environment the variables of an "
        "environment. Secrets stay in the keyring: use `relaydesk secret set`.")
    s.add_argument("path", metavar="PATH", nargs="?", default=None,
                   help="the connection or request to change")
    s.add_argument("--environment", metavar="NAME", help="change this environment instead")
    both = s.add_argument_group("connections and requests")
    both.add_argument("--header", action="append", metavar="'K: V'",
                      help="add or replace a header (repeatable)")
    both.add_argument("--remove-header", action="append", metavar="NAME")
    both.add_argument("--var", action="append", metavar="K=V",
                      help="add or change a variable (connections and environments)")
    both.add_argument("--unset-var", action="append", metavar="NAME")
    both.add_argument("--description")
    c = s.add_argument_group("connections")
    c.add_argument("--base-url", metavar="URL")
    c.add_argument("--auth", choices=AUTH_CHOICES)
    c.add_argument("--set", action="append", metavar="KEY=VALUE", dest="auth_set",
                   help="a public auth setting, e.g. username=alice (KEY= removes it)")
    c.add_argument("--grant", type=grant_setting, action="append", dest="auth_set",
                   metavar="GRANT", help="the OAuth 2.0 grant: authorization_code, "
                   "client_credentials or device_code (same as --set grant=GRANT)")
    c.add_argument("--docs-url", metavar="URL")
    c.add_argument("--test-url", metavar="URL")
    c.add_argument("--timeout", type=float, metavar="SECONDS")
    c.add_argument("--cache-ttl", type=float, metavar="SECONDS")
    c.add_argument("--insecure", action="store_false", dest="verify",
                   help="do not verify TLS certificates")
    c.add_argument("--verify", action="store_true", dest="verify",
                   help="verify TLS certificates again")
    c.add_argument("--https-only", action=argparse.BooleanOptionalAction)
    c.add_argument("--ca-bundle", metavar="FILE")
    c.add_argument("--client-cert", metavar="FILE")
    c.add_argument("--client-key", metavar="FILE")
    c.add_argument("--proxy", metavar="URL", help=PROXY_HELP)
    add_tls_options(c)
    c.add_argument("--max-size", metavar="SIZE",
                   help="largest response body after decompression, e.g. 500M, 2G (default 1G)")
    c.add_argument("--max-time", metavar="SECONDS",
                   help="longest a whole exchange may take (default 1800)")
    c.add_argument("--http", choices=("auto", "1.1"),
                   help="auto: HTTP/2 when the server offers it (default); 1.1: HTTP/1.1 only")
    r = s.add_argument_group("requests")
    r.add_argument("--method", "-X", metavar="M")
    r.add_argument("--url", metavar="PATH_OR_URL")
    r.add_argument("--param", action="append", metavar="K=V",
                   help="add or replace a query parameter")
    r.add_argument("--cookie", action="append", metavar="K=V")
    body = r.add_mutually_exclusive_group()
    body.add_argument("--json", metavar="TEXT", help="a JSON body (object or array)")
    body.add_argument("--data", metavar="TEXT", help="a raw text body")
    body.add_argument("--form", action="append", metavar="K=V", help="a form field")
    r.add_argument("--content-type", metavar="TYPE")
    r.add_argument("--fail-on-error", action=argparse.BooleanOptionalAction)
    s.set_defaults(func=run_set)


def _given(args: argparse.Namespace, names: tuple[str, ...]) -> list[str]:
    return [n for n in names if hasattr(args, n)]


def _option(name: str) -> str:
    return "--" + {"auth_set": "set", "verify": "insecure/--verify"}.get(
        name, name.replace("_", "-"))


def _merge(items: list[Any], pairs: list[tuple[str, str]], *, ignore_case: bool) -> list[Any]:
    """Replace same-named entries in place, append new ones."""
    from ..core.model import KeyValue

    def key(name: str) -> str:
        return name.lower() if ignore_case else name

    out = list(items)
    for name, value in pairs:
        at = next((i for i, kv in enumerate(out) if key(kv.name) == key(name)), None)
        if at is None:
            out.append(KeyValue(name, value))
        else:
            out[at] = replace(out[at], value=value, enabled=True)
    return out


def _headers(args: argparse.Namespace, current: list[Any]) -> list[Any]:
    headers = _merge(current, [parse_header(h) for h in getattr(args, "header", [])],
                     ignore_case=True)
    drop = {n.lower() for n in getattr(args, "remove_header", [])}
    return [h for h in headers if h.name.lower() not in drop]


def _variables(args: argparse.Namespace, current: dict[str, str]) -> dict[str, str]:
    merged = {**current, **dict(parse_pairs(getattr(args, "var", []), "--var"))}
    for name in getattr(args, "unset_var", []):
        merged.pop(name, None)
    return merged


def run_set(args: argparse.Namespace, ctx: Context) -> int:
    if hasattr(args, "environment"):
        if args.path is not None:
            raise UsageError("Give either PATH or --environment NAME, not both.")
        return _set_environment(args, ctx)
    if args.path is None:
        raise UsageError("Name what to change: `relaydesk set PATH …` or "
                         "`relaydesk set --environment NAME --var K=V`.")
    session = ctx.session()
    ws = session.workspace
    with ws.transaction():  # read, change, write: no concurrent writer slips in between
        kind = ws.kind_of(args.path)
        if kind == "connection":
            wrong = _given(args, _REQUEST_ONLY)
            changed = _set_connection(args, ctx) if not wrong else ""
        elif kind == "request":
            wrong = _given(args, _CONNECTION_ONLY) + _given(args, ("var", "unset_var"))
            changed = _set_request(args, ctx) if not wrong else ""
        elif kind == "folder":
            raise ValidationError(f"'{args.path}' is a folder; it has no settings to change.")
        else:
            session.auth_owner(args.path)  # the clear "no such item" error, with hints
            raise ValidationError(f"Nothing at '{args.path}' to change.")
        if wrong:
            raise UsageError(f"{', '.join(_option(n) for n in wrong)} cannot be used on a "
                             f"{kind}.")
    say(f"Changed {kind} '{args.path}'" + (f": {changed}." if changed else
                                           " (nothing was given to change)."))
    return 0


def _set_connection(args: argparse.Namespace, ctx: Context) -> str:
    from ..core.model import AuthSettings, validate_connection
    from ..core.secret_owners import owned_secret_fields

    session = ctx.session()
    old = session.workspace.connection(args.path)
    conn = old
    simple = {"base_url": "base_url", "docs_url": "docs_url", "test_url": "test_url",
              "description": "description", "timeout": "timeout", "cache_ttl": "cache_ttl",
              "proxy": "proxy"}
    for option, attr in simple.items():
        if hasattr(args, option):
            conn = replace(conn, **{attr: getattr(args, option)})
    tls = conn.tls
    for option in ("verify", "https_only", "ca_bundle", "client_cert", "client_key"):
        if hasattr(args, option):
            tls = replace(tls, **{option: getattr(args, option)})
    conn = _set_budgets(args, conn)
    conn = replace(conn, tls=tls, headers=_headers(args, conn.headers),
                   variables=_variables(args, conn.variables))
    conn, passphrase = apply_tls_options(args, conn)
    if hasattr(args, "auth") or hasattr(args, "auth_set"):
        kind = getattr(args, "auth", conn.auth.kind)
        params = dict(conn.auth.params) if kind == conn.auth.kind else {}
        for key, value in parse_pairs(getattr(args, "auth_set", []), "--set"):
            if value:
                params[key] = value
            else:
                params.pop(key, None)
        conn = replace(conn, auth=AuthSettings(kind, params))
    validate_connection(conn)
    session.save_connection(conn)
    store_passphrase(ctx, conn.path, passphrase)
    if conn.auth.kind != old.auth.kind:
        gone = set(owned_secret_fields(old.auth.kind)) - set(owned_secret_fields(conn.auth.kind))
        for field in gone:
            session.secrets.delete(conn.path, field)
    return _describe(old, conn)


def _set_budgets(args: argparse.Namespace, conn: Any) -> Any:
    """``--max-size``, ``--max-time`` and ``--http`` of a connection."""
    from ..core.limits import parse_duration, parse_size

    if hasattr(args, "max_size"):
        conn = replace(conn, max_size=parse_size(args.max_size, "--max-size value"))
    if hasattr(args, "max_time"):
        conn = replace(conn, max_time=parse_duration(args.max_time, "--max-time value"))
    if hasattr(args, "http"):
        conn = replace(conn, http_version=args.http)
    return conn


def _set_request(args: argparse.Namespace, ctx: Context) -> str:
    from ..core.model import Body, RequestOptions, validate_request
    from .cmd_new import check_json_body

    session = ctx.session()
    old = session.workspace.request(args.path)
    req = old
    if hasattr(args, "method"):
        req = replace(req, method=args.method.upper())
    if hasattr(args, "url"):
        req = replace(req, url=args.url)
    if hasattr(args, "description"):
        req = replace(req, description=args.description)
    req = replace(req, headers=_headers(args, req.headers),
                  params=_merge(req.params, parse_pairs(getattr(args, "param", []), "--param"),
                                ignore_case=False),
                  cookies=_merge(req.cookies,
                                 parse_pairs(getattr(args, "cookie", []), "--cookie"),
                                 ignore_case=False))
    if hasattr(args, "json"):
        check_json_body(args.json)
        req = replace(req, body=Body(kind="json", text=args.json))
    elif hasattr(args, "data"):
        req = replace(req, body=Body(kind="raw", text=args.data,
                                     content_type=getattr(args, "content_type", "")))
    elif hasattr(args, "form"):
        req = replace(req, body=Body(kind="form", form=_merge(
            [], parse_pairs(args.form, "--form"), ignore_case=False)))
    elif hasattr(args, "content_type"):
        req = replace(req, body=replace(req.body, content_type=args.content_type))
    if hasattr(args, "fail_on_error"):
        req = replace(req, options=replace(req.options or RequestOptions(),
                                           raise_for_status=args.fail_on_error))
    validate_request(req)
    session.save_request(req)
    return _describe(old, req)


def _describe(old: Any, new: Any) -> str:
    """The names of the top-level settings that differ, for the confirmation line."""
    from dataclasses import fields

    skip = {"id", "extra", "path"}
    return ", ".join(f.name.replace("_", " ") for f in fields(old)
                     if f.name not in skip and getattr(old, f.name) != getattr(new, f.name))


def _set_environment(args: argparse.Namespace, ctx: Context) -> int:
    wrong = _given(args, (*_CONNECTION_ONLY, *_REQUEST_ONLY, "header", "remove_header",
                          "description"))
    if wrong:
        raise UsageError(f"{', '.join(_option(n) for n in wrong)} cannot be used on an "
                         "environment (it has only variables).")
    name = args.environment
    set_vars = dict(parse_pairs(getattr(args, "var", []), "--var"))
    env = ctx.session().update_environment(name, set=set_vars,
                                           unset=getattr(args, "unset_var", []))
    say(f"Changed environment '{name}' ({len(env.variables)} variable"
        f"{'s' if len(env.variables) != 1 else ''}).")
    return 0
