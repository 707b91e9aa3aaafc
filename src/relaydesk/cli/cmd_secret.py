"""`relaydesk secret set|delete|status`: secrets go to the keyring, never through argv.

The value of ``secret set`` is read from standard input (a hidden prompt on a
terminal), so it never shows up in shell history or in ``ps``. With ``--from-env``,
``--from-pass`` or ``--from-command`` only a reference is saved (in the keyring, see
``core/secret_refs.py`` for why there), and the value is fetched at each send.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from ..core.errors import ValidationError
from ._common import Context, UsageError, auth_owner, say

if TYPE_CHECKING:
    from ..core.secret_refs import SecretRef

__all__ = ["read_secret_value", "register", "secret_fields"]


def register(sub: Any, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("secret", help="store, delete or inspect secrets in the keyring",
                       description="Secrets (passwords, tokens, API keys) live in the system "
                       "keyring only; workspace files never contain them.")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    s = actions.add_parser("set", parents=[parent], help="store a secret read from stdin",
                           description="Store a secret field of a connection's (or request's) "
                           "authentication. The value is read from standard input.")
    s.add_argument("path", metavar="PATH")
    s.add_argument("field", metavar="FIELD", help="password, token, value or client_secret; "
                   "client_cert_passphrase for the connection's client certificate")
    source = s.add_mutually_exclusive_group()
    source.add_argument("--from-env", metavar="NAME",
                        help="read the secret from this environment variable at each send")
    source.add_argument("--from-pass", metavar="ENTRY",
                        help="read it with `pass show ENTRY` (first line) at each send")
    source.add_argument("--from-command", metavar="'COMMAND ARGS'",
                        help="run this command (no shell) at each send; its output is the "
                        "secret")
    s.set_defaults(func=run_set)
    d = actions.add_parser("delete", parents=[parent], help="forget a stored secret")
    d.add_argument("path", metavar="PATH")
    d.add_argument("field", metavar="FIELD")
    d.set_defaults(func=run_delete)
    st = actions.add_parser("status", parents=[parent],
                            help="which secrets are saved (never their values)")
    st.add_argument("path", metavar="PATH")
    st.set_defaults(func=run_status)


def secret_fields(kind: str) -> tuple[str, ...]:
    from ..core.model import AUTH_SECRET_FIELDS

    return AUTH_SECRET_FIELDS.get(kind, ())


def _check_field(path: str, kind: str, field: str) -> None:
    fields = secret_fields(kind)
    if field not in fields:
        if not fields:
            raise ValidationError(f"'{path}' uses {kind} authentication, which has no secrets.")
        raise ValidationError(
            f"'{field}' is not a secret of {kind} authentication; use "
            + " or ".join(f"'{f}'" for f in fields) + "."
        )


def read_secret_value(prompt: str) -> str:
    """One secret from stdin: a hidden prompt on a terminal, else everything piped in."""
    stdin = sys.stdin
    if stdin is None:
        raise UsageError("Pipe the secret into standard input, e.g. `printf %s \"$TOKEN\" | …`.")
    if stdin.isatty():
        import getpass

        value = getpass.getpass(prompt, stream=sys.stderr)
    else:
        value = stdin.read()
        # `echo secret |` adds one newline; it is never part of the secret.
        if value.endswith("\r\n"):
            value = value[:-2]
        elif value.endswith("\n"):
            value = value[:-1]
    if not value:
        raise UsageError("The secret is empty; pipe it into standard input "
                         "(e.g. `printf %s \"$TOKEN\" | relaydesk secret set PATH token`).")
    return value


def _field_owner(ctx: Context, path: str, field: str) -> str:
    """Whose ``field`` this is: the auth owner's, or the connection's certificate
    passphrase (``client_cert_passphrase``), whatever its authentication."""
    from ..core.client_identity import CLIENT_CERT_PASSPHRASE

    ws = ctx.workspace()
    if field == CLIENT_CERT_PASSPHRASE:
        return str(ws.connection(path).path if ws.kind_of(path) == "connection"
                   else ws.connection_of(path).path)
    owner, auth = auth_owner(ws, path)
    _check_field(owner, auth.kind, field)
    return owner


def run_set(args: argparse.Namespace, ctx: Context) -> int:
    owner = _field_owner(ctx, args.path, args.field)
    store = ctx.secrets()  # fail on a missing keyring before asking for the value
    ref = _reference(args)
    if ref is not None:
        store.set_reference(owner, args.field, ref)
        say(f"The {args.field} of '{owner}' will be read {ref.describe()} at each send; "
            "only this reference is saved (in the system keyring).")
        return 0
    value = read_secret_value(f"{args.field} for {owner}: ")
    store.set(owner, args.field, value)
    say(f"Saved the {args.field} of '{owner}' in the system keyring.")
    return 0


def _reference(args: argparse.Namespace) -> SecretRef | None:
    from ..core.secret_refs import parse_ref

    for scheme, given in (("env", args.from_env), ("pass", args.from_pass),
                          ("cmd", args.from_command)):
        if given is not None:
            try:
                return parse_ref(f"{scheme}:{given}")
            except ValueError as exc:
                raise UsageError(str(exc)) from None
    return None


def run_delete(args: argparse.Namespace, ctx: Context) -> int:
    owner = _field_owner(ctx, args.path, args.field)
    store = ctx.secrets()
    existed = store.has(owner, args.field)
    store.delete(owner, args.field)
    say(f"Deleted the {args.field} of '{owner}' from the system keyring." if existed
        else f"No {args.field} of '{owner}' was saved; nothing to delete.")
    return 0


def run_status(args: argparse.Namespace, ctx: Context) -> int:
    ws = ctx.workspace()
    owner, auth = auth_owner(ws, args.path)
    fields = secret_fields(auth.kind)
    if not fields:
        sys.stdout.write(f"{owner}: {auth.kind} authentication needs no secrets\n")
        return 0
    store = ctx.secrets()

    def state(field: str) -> str:
        ref = store.reference(owner, field)
        if ref is not None:
            return f"read {ref.describe()} at each send"
        return "saved" if store.has(owner, field) else "not saved"

    lines = [f"{f}: {state(f)}" for f in fields]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0
