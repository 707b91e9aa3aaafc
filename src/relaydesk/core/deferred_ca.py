"""A verifying TLS client context that loads certifi's CA bundle at its first handshake.

Loading the bundle costs ~40 ms of CPU. A connection whose base URL is plain
``http://`` usually never makes a TLS handshake, yet its client needs a context up
front (httpx builds its transport with one): this one is the same as
``ssl.create_default_context(cafile=certifi.where())`` but pays for the bundle only
when a handshake needs it (a redirect to https, an absolute https URL, a TLS proxy).
"""

from __future__ import annotations

import os
import ssl
import sys
import threading
from typing import TYPE_CHECKING, Any

from .proxy_config import pac_url

if TYPE_CHECKING:
    from .model import Connection

__all__ = ["DeferredCAContext", "defers_ca"]


def defers_ca(connection: Connection | None) -> bool:
    """Whether the client of ``connection`` can be built at once, on the event loop,
    with its CA file read at the first handshake: a plain-http base URL, going direct
    or through a proxy named outright (a PAC script, the system's included, may have
    to be fetched: that client is built in a worker thread, CAs loaded, as before)."""
    if connection is None or connection.base_url.strip()[:7].lower() != "http://":
        return False
    proxy = connection.proxy.strip().lower()
    return proxy != "system" and not pac_url(proxy)


class DeferredCAContext(ssl.SSLContext):
    """``create_default_context(cafile=certifi.where())``, the CA file read on first use."""

    _pending: bool
    _lock: threading.Lock

    def __new__(cls, *args: Any, **kwargs: Any) -> DeferredCAContext:
        ctx = super().__new__(cls, ssl.PROTOCOL_TLS_CLIENT)  # verifies, checks host names
        ctx._pending = True
        ctx._lock = threading.Lock()
        keylog = os.environ.get("SSLKEYLOGFILE")  # as create_default_context does
        if keylog and not sys.flags.ignore_environment:
            ctx.keylog_filename = keylog
        return ctx

    def load_ca(self) -> None:
        """Read the CA bundle now (once; later calls return at once)."""
        if not self._pending:
            return
        with self._lock:
            if self._pending:
                import certifi

                self.load_verify_locations(cafile=certifi.where())
                self._pending = False

    # Every way a handshake (or a look at the trusted CAs) starts loads them first.
    def wrap_socket(self, *args: Any, **kwargs: Any) -> ssl.SSLSocket:
        self.load_ca()
        return super().wrap_socket(*args, **kwargs)

    def wrap_bio(self, *args: Any, **kwargs: Any) -> ssl.SSLObject:
        self.load_ca()
        return super().wrap_bio(*args, **kwargs)

    def get_ca_certs(self, binary_form: bool = False) -> Any:
        self.load_ca()
        return super().get_ca_certs(binary_form)

    def cert_store_stats(self) -> dict[str, int]:
        self.load_ca()
        return super().cert_store_stats()
