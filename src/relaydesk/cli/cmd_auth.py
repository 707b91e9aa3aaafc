"""`relaydesk auth login|status|clear PATH`: OAuth 2.0 tokens of a connection.

``login`` runs the connection's grant now: client credentials directly, the
authorization code grant through the system browser and a loopback redirect
(``--no-browser`` prints the URL instead), the device grant by showing a user code
and the address to enter it at, then polling. While the code flow waits, a redirect
URL pasted on standard input finishes the login too, for browsers that cannot reach
this machine. ``-v`` prints the OAuth timeline (every call to the authorization
server, secrets masked) as it happens. Tokens go to the keyring; only a masked form
is ever printed; a verified ID token's claims are shown by ``status``.
"""

from __future__ import annotations

import argparse
import sys
import threading
from typing import TYPE_CHECKING, Any

from ..core.errors import AuthError, ValidationError
from ._common import Context, auth_owner, say

if TYPE_CHECKING:
    from ..core.model import AuthSettings
    from ..core.oauth.device import DeviceCode
    from ..core.oauth.flows import LoginPrompt

__all__ = ["grant_setting", "register"]

GRANT_NAMES = ("authorization_code", "client_credentials", "device_code")


def grant_setting(value: str) -> str:
    """``--grant NAME`` as the ``--set grant=NAME`` it stands for."""
    if value not in GRANT_NAMES:
        raise argparse.ArgumentTypeError(
            f"'{value}' is not an OAuth grant; use {', '.join(GRANT_NAMES)}")
    return f"grant={value}"

DEFAULT_LOGIN_TIMEOUT = 300.0


def register(sub: Any, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser("auth", help="OAuth 2.0: log in, show or clear tokens",
                       description="OAuth 2.0 tokens of a connection (kept in the system "
                       "keyring, shown masked).")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    login = actions.add_parser(
        "login", parents=[parent], help="get a token now (browser login for the code grant)",
        description="Get a token: client credentials directly; the authorization code grant "
        "opens the system browser and waits for its redirect to 127.0.0.1; the device grant "
        "shows a code to enter on any device and waits for its approval.")
    login.add_argument("path", metavar="PATH")
    login.add_argument("--no-browser", action="store_true",
                       help="print the authorization URL instead of opening a browser")
    login.add_argument("--timeout", type=float, default=DEFAULT_LOGIN_TIMEOUT, metavar="SECONDS",
                       help="how long to wait for the browser (default: 300; the device "
                       "grant waits until its code expires)")
    login.add_argument("-v", "--verbose", action="store_true",
                       help="print every call to the authorization server (secrets masked)")
    login.set_defaults(func=run_login)
    status = actions.add_parser("status", parents=[parent],
                                help="the saved token, masked, with expiry and scopes")
    status.add_argument("path", metavar="PATH")
    status.set_defaults(func=run_status)
    clear = actions.add_parser("clear", parents=[parent], help="forget the saved tokens")
    clear.add_argument("path", metavar="PATH")
    clear.set_defaults(func=run_clear)


def _oauth_owner(ctx: Context, path: str) -> tuple[str, AuthSettings]:
    owner, settings = auth_owner(ctx.workspace(), path)
    if settings.kind != "oauth2":
        raise ValidationError(f"'{owner}' uses {settings.kind} authentication, not OAuth 2.0.")
    return owner, settings


def _read_pasted(loop: Any, prompt: LoginPrompt) -> None:
    """Feed a redirect URL typed or pasted on stdin to the login (daemon thread).

    Reads the file descriptor, not ``sys.stdin``: a daemon thread blocked inside the
    buffered reader would make interpreter shutdown abort."""
    import os

    try:
        fd = sys.stdin.fileno() if sys.stdin is not None else -1
    except (OSError, ValueError):
        return

    def run() -> None:
        data = b""
        try:
            while b"\n" not in data:
                chunk = os.read(fd, 4096)
                if not chunk:
                    break
                data += chunk
            line = data.decode("utf-8", "replace").strip()
            if line:
                loop.call_soon_threadsafe(prompt.paste, line)
        except (OSError, RuntimeError):
            return  # stdin closed, or the loop is gone: the login ended anyway

    if fd >= 0:
        threading.Thread(target=run, name="relaydesk-paste", daemon=True).start()


def _show_device_code(owner: str, code: DeviceCode) -> None:
    minutes = max(1, round(code.expires_in() / 60))
    text = (f"To log in to '{owner}', open this address on any device:\n\n"
            f"  {code.verification_uri}\n\nand enter the code:  {code.user_code}\n")
    if code.verification_uri_complete:
        text += (f"\nOr open this address, which carries the code:\n\n"
                 f"  {code.verification_uri_complete}\n")
    say(text + f"\nWaiting for the approval (the code expires in {minutes} min; Ctrl+C "
        "cancels).")


def run_login(args: argparse.Namespace, ctx: Context) -> int:
    import asyncio

    from ..core.oauth.timeline import format_entry
    from ..core.oauth.tokens import describe_tokens

    owner, settings = _oauth_owner(ctx, args.path)
    ctx.secrets()  # a missing keyring fails before the browser opens
    provider = ctx.session().oauth
    connection = ctx.session().connection_for(owner)
    minutes = f"{args.timeout / 60:g} minutes" if args.timeout >= 60 else f"{args.timeout:g} s"

    async def login() -> Any:
        loop = asyncio.get_running_loop()

        def on_prompt(prompt: LoginPrompt) -> None:
            if args.no_browser:
                say(f"Open this address in a browser to log in to '{owner}':\n\n"
                    f"  {prompt.url}\n")
            else:
                say(f"Opening the browser to log in to '{owner}'. If it does not open, "
                    f"visit:\n\n  {prompt.url}\n")
            say(f"Waiting for the redirect to {prompt.redirect_uri} (up to {minutes}; Ctrl+C "
                "cancels). If the browser cannot reach this machine, paste the address it "
                "ends on here and press Enter.")
            _read_pasted(loop, prompt)

        # The device grant is for when this machine's browser is not the one to use
        # (SSH, a console browser would take the terminal): the user opens the address.
        device = settings.get("grant") == "device_code"
        return await provider.login_owner(owner, settings, connection=connection,
                                          open_browser=not (args.no_browser or device),
                                          on_prompt=on_prompt, timeout=args.timeout,
                                          on_device=lambda c: _show_device_code(owner, c))

    timeline = provider.timeline(owner)
    if args.verbose:
        timeline.subscribe(lambda entry: say(format_entry(entry)))
    try:
        tokens = asyncio.run(login())
    except AuthError as exc:
        if args.verbose or not timeline.entries():
            raise
        raise AuthError(f"{exc} (run `relaydesk auth login {owner} -v` to see each call "
                        "to the authorization server)") from None
    say(f"Logged in to '{owner}': {describe_tokens(tokens)}. The tokens are in the system "
        "keyring.")
    if tokens.id_claims:
        from ..core.oauth.id_token import describe_claims

        say(f"ID token verified: {describe_claims(tokens.id_claims)}")
    return 0


def run_status(args: argparse.Namespace, ctx: Context) -> int:
    from ..core.oauth.tokens import describe_tokens

    owner, _settings = _oauth_owner(ctx, args.path)
    ctx.secrets()
    provider = ctx.session().oauth
    tokens = provider.tokens(owner)
    if tokens is None:
        sys.stdout.write(f"{owner}: no OAuth token saved (run `relaydesk auth login {owner}`)\n")
    else:
        sys.stdout.write(f"{owner}: {describe_tokens(tokens)}\n")
        if tokens.id_claims:
            from ..core.oauth.id_token import describe_claims

            sys.stdout.write(f"ID token (verified): {describe_claims(tokens.id_claims)}\n")
    return 0


def run_clear(args: argparse.Namespace, ctx: Context) -> int:
    owner, _settings = _oauth_owner(ctx, args.path)
    ctx.secrets()
    provider = ctx.session().oauth
    had = provider.tokens(owner) is not None
    provider.clear(owner)
    say(f"Cleared the OAuth tokens of '{owner}' from the system keyring." if had
        else f"No OAuth tokens of '{owner}' were saved; nothing to clear.")
    return 0
