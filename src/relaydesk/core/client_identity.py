"""A connection's client certificate (mutual TLS): PEM files or a PKCS#12 bundle.

``TlsSettings.client_cert`` names either a PEM certificate (its key in ``client_key`` or
in the same file) or a PKCS#12 bundle (``.p12``/``.pfx``, certificate, key and chain in
one file). The passphrase of a bundle or of an encrypted PEM key is a secret of the
connection (keyring field ``client_cert_passphrase``), asked for only when a file needs
it, never written to the workspace.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import TlsError
from .model import TlsSettings

if TYPE_CHECKING:  # ssl loads OpenSSL: the app's first frame needs none of it
    import ssl

__all__ = ["CLIENT_CERT_PASSPHRASE", "REFUSAL_HINT", "PassphraseSource", "check_pkcs12",
           "client_cert_refusal", "is_pkcs12", "load_client_identity", "needs_passphrase",
           "pkcs12_is_protected"]

# The keyring field (owner: the connection) holding the certificate's passphrase.
CLIENT_CERT_PASSPHRASE = "client_cert_passphrase"
# Looked up only when a file turns out to need it (no keyring use for plain PEM files).
PassphraseSource = Callable[[], "str | None"]

_PKCS12_SUFFIXES = (".p12", ".pfx")


def is_pkcs12(path: str) -> bool:
    """A ``.p12``/``.pfx`` name, or a file that is not PEM (PKCS#12 is binary DER)."""
    if path.lower().endswith(_PKCS12_SUFFIXES):
        return True
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False  # load_cert_chain reports the unreadable file
    return bool(head) and b"-----BEGIN" not in head


def needs_passphrase(tls: TlsSettings) -> bool:
    """True for a PKCS#12 bundle and for an encrypted PEM private key."""
    if not tls.client_cert:
        return False
    if is_pkcs12(tls.client_cert):
        return True
    try:
        key = Path(tls.client_key or tls.client_cert).read_bytes()
    except OSError:
        return False
    return b"ENCRYPTED" in key


def load_client_identity(ctx: ssl.SSLContext, tls: TlsSettings,
                         passphrase: PassphraseSource | None = None) -> None:
    """Load the connection's client certificate into ``ctx``; ``TlsError`` when it cannot."""
    import ssl

    secret = passphrase() if passphrase is not None and needs_passphrase(tls) else None
    if is_pkcs12(tls.client_cert):
        _load_pkcs12(ctx, tls.client_cert, secret)
        return
    try:
        # Always a password: without one OpenSSL would prompt on the terminal.
        ctx.load_cert_chain(tls.client_cert, tls.client_key or None, password=secret or "")
    except (OSError, ssl.SSLError) as exc:
        hint = _passphrase_hint(secret) if needs_passphrase(tls) else ""
        raise TlsError(
            f"Cannot load the client certificate '{tls.client_cert}'"
            + (f" with key '{tls.client_key}'" if tls.client_key else "")
            + f": {getattr(exc, 'strerror', None) or exc}.{hint}"
        ) from None


def _passphrase_hint(secret: str | None) -> str:
    if secret:
        return " Check the certificate's passphrase stored for the connection."
    return (" The file is protected by a passphrase and none is stored for the connection: "
            "set it with `relaydesk set PATH --client-p12 FILE` (or the key's file) or in the "
            "connection's TLS tab.")


def _read_pkcs12(path: str, secret: str | None) -> tuple[Any, Any, list[Any]]:
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise TlsError(f"Cannot read the PKCS#12 client certificate '{path}': "
                       f"{exc.strerror or exc}.") from None
    try:
        key, cert, chain = pkcs12.load_key_and_certificates(
            data, secret.encode() if secret else None)
    except ValueError:
        raise TlsError(f"Cannot open the PKCS#12 client certificate '{path}': it is not a "
                       "PKCS#12 file or the passphrase is wrong."
                       + _passphrase_hint(secret)) from None
    if key is None or cert is None:
        raise TlsError(f"The PKCS#12 file '{path}' holds no certificate with its private key; "
                       "a client certificate needs both.")
    return key, cert, list(chain)


def check_pkcs12(path: str, secret: str | None) -> None:
    """``TlsError`` unless ``path`` opens with ``secret`` (checked before saving it)."""
    _read_pkcs12(path, secret)


def pkcs12_is_protected(path: str) -> bool:
    """True when the bundle does not open without a passphrase."""
    try:
        _read_pkcs12(path, None)
    except TlsError:
        return True
    return False


def _load_pkcs12(ctx: ssl.SSLContext, path: str, secret: str | None) -> None:
    import secrets
    import shutil
    import ssl
    import tempfile

    from cryptography.hazmat.primitives import serialization

    key, cert, chain = _read_pkcs12(path, secret)
    # ssl loads certificates only from files. The key goes into a private (0700) folder,
    # in a 0600 file, encrypted with a one-time password, and is deleted as soon as
    # load_cert_chain has read it: the unencrypted key never touches the disk.
    once = secrets.token_urlsafe(32).encode()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.BestAvailableEncryption(once))
    for c in (cert, *chain):
        pem += c.public_bytes(serialization.Encoding.PEM)
    folder = tempfile.mkdtemp(prefix="relaydesk-p12-")
    try:
        file = os.path.join(folder, "identity.pem")
        fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
        ctx.load_cert_chain(file, password=once)
    except (OSError, ssl.SSLError) as exc:
        raise TlsError(f"Cannot use the PKCS#12 client certificate '{path}': {exc}.") from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)


_REFUSALS = ("CERTIFICATE_REQUIRED", "BAD_CERTIFICATE", "alert certificate required")
REFUSAL_HINT = ("The server requires a client certificate (mutual TLS) and refused the "
                "connection's: set one with `relaydesk set PATH --client-cert FILE "
                "[--client-key FILE]` or `--client-p12 FILE`, or in the connection's TLS tab.")


def client_cert_refusal(exc: BaseException, url: str = "") -> str | None:
    """The plain-words message when ``exc`` is a server refusing the client certificate
    (a TLS alert; or, over https, a connection dropped right after the handshake with
    nothing said, which is how some servers answer a missing certificate)."""
    import ssl

    from .messages import exception_chain  # messages uses this module: imported late

    quiet = url.lower().startswith("https://")
    chain = list(exception_chain(exc))
    # httpcore re-raises an error with the text of the one it wraps: that text says no more.
    hung_up = (ConnectionResetError, BrokenPipeError, ssl.SSLZeroReturnError)
    dropped = {str(e) for e in chain if isinstance(e, hung_up)}
    for seen in chain:
        # Under TLS 1.3 the client's handshake ends before the server checks the
        # certificate, so its refusal can arrive as a reset or broken pipe on the
        # first write or read instead of the alert. What lies below the reset is how
        # the library was reading when it came (anyio's empty buffer, a TLS "want
        # read"): nothing the server said.
        if isinstance(seen, hung_up):
            break
        text = str(seen)
        if text in dropped:
            continue
        if isinstance(seen, ssl.SSLError) and any(r in text for r in _REFUSALS):
            return REFUSAL_HINT
        if text and not text.startswith("[SSL"):
            quiet = False
    return REFUSAL_HINT.replace("requires", "may require") if quiet else None
