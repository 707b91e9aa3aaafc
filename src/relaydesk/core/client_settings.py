"""How a connection's TLS and proxy settings become httpx client settings.

Shared by the engine and ``relaydesk.connect()`` so the app, the CLI and scripts trust
exactly the same servers and go through the same proxy.
"""

from __future__ import annotations

import importlib.util
import ssl
from typing import Any

from .client_identity import CLIENT_CERT_PASSPHRASE, PassphraseSource, load_client_identity
from .errors import TlsError
from .model import Connection, TlsSettings
from .proxy_config import PacTransport, load_pac, pac_url, system_pac_url
from .secrets import SecretStore

__all__ = ["http2_wanted", "passphrase_source", "ssl_context", "transport_settings"]


def ssl_context(tls: TlsSettings,
                passphrase: PassphraseSource | None = None, *,
                defer_ca: bool = False) -> ssl.SSLContext | bool:
    """The context verifying the server and presenting the client certificate;
    ``passphrase`` gives the certificate's passphrase when its file needs one. With
    ``defer_ca`` the bundled CA file is read at the first handshake, if any."""
    if tls.trust_store not in ("bundled", "system"):
        raise TlsError(f"Unknown trust store '{tls.trust_store}' in the connection's TLS "
                       "settings: use 'bundled' or 'system'.")
    if not tls.verify and not tls.client_cert:
        return False
    try:
        if tls.verify and tls.trust_store == "system":
            ctx = _system_trust_context(tls)
        elif tls.ca_bundle:
            ctx = ssl.create_default_context(cafile=tls.ca_bundle)
        elif defer_ca:
            from .deferred_ca import DeferredCAContext

            ctx = DeferredCAContext()
        else:
            import certifi

            ctx = ssl.create_default_context(cafile=certifi.where())
    except (OSError, ssl.SSLError) as exc:
        raise TlsError(f"Cannot load the CA bundle '{tls.ca_bundle}' of the connection: "
                       f"{getattr(exc, 'strerror', None) or exc}.") from None
    if not tls.verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if tls.client_cert:
        load_client_identity(ctx, tls, passphrase)
    return ctx


def _system_trust_context(tls: TlsSettings) -> ssl.SSLContext:
    """Verification by the operating system's trust store (a company CA installed
    there works without exporting bundles); a CA bundle is trusted besides."""
    import truststore

    ctx: ssl.SSLContext = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if tls.ca_bundle:
        ctx.load_verify_locations(cafile=tls.ca_bundle)
    return ctx


def passphrase_source(connection: Connection | None,
                      secrets: SecretStore | None) -> PassphraseSource | None:
    """Reads the connection's client-certificate passphrase from the keyring when asked."""
    if connection is None or secrets is None or not connection.tls.client_cert:
        return None
    path = connection.path
    return lambda: secrets.get(path, CLIENT_CERT_PASSPHRASE)


def http2_wanted(connection: Connection | None) -> bool:
    """Offer HTTP/2 through ALPN (setting ``auto``) when the ``h2`` package is there;
    a server that does not pick it gets HTTP/1.1 as before."""
    if connection is not None and connection.http_version != "auto":
        return False
    return importlib.util.find_spec("h2") is not None


def transport_settings(connection: Connection | None,
                       secrets: SecretStore | None = None, *,
                       for_url: str | None = None, defer_ca: bool = False) -> dict[str, Any]:
    """``verify``, ``proxy``, ``trust_env`` and ``http2`` for an httpx client of
    ``connection``; ``secrets`` holds the client certificate's passphrase.

    An empty proxy means a direct connection (``HTTP_PROXY`` and friends ignored, so a
    request goes where the connection says); ``env`` honours them, and so does
    ``system`` unless the OS names a PAC file. With a PAC file (``pac:URL``) a
    ``transport`` routes each request as the script says; given ``for_url`` (a client
    for one server), the proxy the script picks for that URL instead. ``defer_ca``:
    see ``ssl_context``.
    """
    tls = connection.tls if connection else TlsSettings()
    proxy = connection.proxy.strip() if connection else ""
    verify = ssl_context(tls, passphrase_source(connection, secrets), defer_ca=defer_ca)
    http2 = http2_wanted(connection)
    pac = pac_url(proxy) or (system_pac_url() if proxy.lower() == "system" else "")
    if pac:
        router = load_pac(pac, verify)
        if for_url is not None:
            return {"verify": verify, "proxy": router.proxy_for(for_url), "trust_env": False,
                    "http2": http2}
        return {"verify": verify, "proxy": None, "trust_env": False, "http2": http2,
                "transport": PacTransport(router, verify=verify, http2=http2)}
    use_env = proxy.lower() in ("env", "system")
    return {"verify": verify, "proxy": None if use_env or not proxy else proxy,
            "trust_env": use_env, "http2": http2}
