"""How a connection's TLS and proxy settings become httpx client settings.

Shared by the engine and ``relaydesk.connect()`` so the app, the CLI and scripts trust
exactly the same servers and go through the same proxy.
"""

from __future__ import annotations

import importlib.util
import ssl
from typing import Any

from .errors import TlsError
from .model import Connection, TlsSettings

__all__ = ["http2_wanted", "ssl_context", "transport_settings"]


def ssl_context(tls: TlsSettings) -> ssl.SSLContext | bool:
    if not tls.verify and not tls.client_cert:
        return False
    try:
        if tls.ca_bundle:
            ctx = ssl.create_default_context(cafile=tls.ca_bundle)
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
        try:
            ctx.load_cert_chain(tls.client_cert, tls.client_key or None)
        except (OSError, ssl.SSLError) as exc:
            raise TlsError(
                f"Cannot load the client certificate '{tls.client_cert}'"
                + (f" with key '{tls.client_key}'" if tls.client_key else "")
                + f": {getattr(exc, 'strerror', None) or exc}."
            ) from None
    return ctx


def http2_wanted(connection: Connection | None) -> bool:
    """Offer HTTP/2 through ALPN (setting ``auto``) when the ``h2`` package is there;
    a server that does not pick it gets HTTP/1.1 as before."""
    if connection is not None and connection.http_version != "auto":
        return False
    return importlib.util.find_spec("h2") is not None


def transport_settings(connection: Connection | None) -> dict[str, Any]:
    """``verify``, ``proxy``, ``trust_env`` and ``http2`` for an httpx client of
    ``connection``.

    An empty proxy means a direct connection (``HTTP_PROXY`` and friends ignored, so a
    request goes where the connection says); ``env``/``system`` honours them.
    """
    tls = connection.tls if connection else TlsSettings()
    proxy = connection.proxy.strip() if connection else ""
    use_env = proxy.lower() in ("env", "system")
    return {"verify": ssl_context(tls), "proxy": None if use_env or not proxy else proxy,
            "trust_env": use_env, "http2": http2_wanted(connection)}
