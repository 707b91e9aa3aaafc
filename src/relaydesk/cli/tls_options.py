"""`--client-p12` and `--trust-store` of `relaydesk new connection` and `relaydesk set`.

A PKCS#12 bundle is checked before anything is saved; its passphrase (asked for only
when the bundle has one: a hidden prompt on a terminal, else read from stdin) goes to
the keyring as a secret of the connection, never to the workspace.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from typing import Any

from ._common import Context, UsageError, say

__all__ = ["PROXY_HELP", "add_tls_options", "apply_tls_options", "store_passphrase"]

PROXY_HELP = ("a proxy URL (http://host:3128, socks5://host:1080); pac:URL for a proxy "
              "auto-config file; env for the *_PROXY variables; system for the OS's settings "
              "(its PAC file, else the variables); empty: direct")


def add_tls_options(group: Any) -> None:
    group.add_argument("--client-p12", metavar="FILE",
                       help="a PKCS#12 (.p12/.pfx) client certificate; its passphrase is "
                       "read from stdin (or a hidden prompt) and kept in the system keyring")
    group.add_argument("--trust-store", choices=("bundled", "system"),
                       help="verify servers against the bundled CA list (default) or the "
                       "operating system's trust store (company CAs installed there)")


def apply_tls_options(args: argparse.Namespace, conn: Any) -> tuple[Any, str | None]:
    """The connection with the given options, and the passphrase to store (if any)."""
    from ..core.client_identity import check_pkcs12, pkcs12_is_protected
    from .cmd_secret import read_secret_value

    tls = conn.tls
    if getattr(args, "trust_store", None):
        tls = replace(tls, trust_store=args.trust_store)
    passphrase = None
    p12 = getattr(args, "client_p12", None)
    if p12:
        if getattr(args, "client_cert", None) or getattr(args, "client_key", None):
            raise UsageError("Give either --client-p12 or --client-cert/--client-key, not both.")
        if pkcs12_is_protected(p12):
            passphrase = read_secret_value(f"passphrase of {p12}: ")
        check_pkcs12(p12, passphrase)  # a wrong passphrase stops here, nothing saved
        tls = replace(tls, client_cert=p12, client_key="")
    return replace(conn, tls=tls), passphrase


def store_passphrase(ctx: Context, path: str, passphrase: str | None) -> None:
    from ..core.client_identity import CLIENT_CERT_PASSPHRASE

    if passphrase is None:
        return
    ctx.secrets().set(path, CLIENT_CERT_PASSPHRASE, passphrase)
    say(f"Saved the client certificate's passphrase of '{path}' in the system keyring.")
