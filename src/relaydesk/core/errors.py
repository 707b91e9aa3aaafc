"""The one exception tree of Relaydesk.

Every error a user can cause or meet derives from ``RelaydeskError`` and carries a
message written for a person (``str(exc)``); ``relaydesk.core.messages.user_message``
turns any exception into the one line the CLI prints and the app shows.

Errors about a request or an answer also carry structured fields (``url`` without
its query, ``host``, ``status``, the scopes or field messages…) and a ``kind``, so code
picks by type or field, never by reading the message. ``relaydesk.core.messages``
chooses the subclass from httpx's exception type and its cause chain
(``ssl.SSLError``, ``socket.gaierror``, ``ConnectionRefusedError``…) and from the
status and headers of an answer.

    RelaydeskError
    ├── WorkspaceError
    │   ├── NotFoundError              unknown connection / request / environment path
    │   ├── AlreadyExistsError
    │   └── FileFormatError            a workspace or import file that cannot be read
    ├── ValidationError                a value a user typed that cannot be accepted
    ├── TemplateError                  unknown {{variable}}, malformed template
    ├── CurlParseError                 a curl command that cannot be understood
    ├── SecretStoreError               keyring missing, locked or failing
    ├── AuthError                      credentials missing or an auth flow that failed
    ├── RequestError                   the request could not be completed   (url, host)
    │   ├── HttpsOnlyError             plain http:// on an HTTPS-only connection
    │   ├── DnsError                   the host name does not resolve
    │   ├── ConnectError               unreachable, or the connection broke
    │   │   ├── ConnectionRefused      nothing listens on that host and port
    │   │   └── ProxyError             the proxy refused or failed the request
    │   ├── TlsError                   handshake failure, unusable CA bundle / client cert
    │   │   └── CertificateError       the server's certificate could not be verified
    │   ├── RequestTimeout             no answer in time                   (phase, limit)
    │   ├── ResponseTooLarge           the body passed the size limit      (limit)
    │   ├── RequestCancelled
    │   ├── ProtocolError              the peer broke HTTP
    │   ├── UnsupportedScheme          not http:// or https://
    │   └── TooManyRedirects           a redirect loop                     (location)
    └── HttpStatusError                a 4xx/5xx answer             (status, url, host)
        ├── MissingScopesError         the token lacks scopes              (scopes, granted)
        └── InvalidValuesError         400 / 422 with the server's field messages (fields)
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

TYPE_CHECKING = False  # typing is not imported at run time (`relaydesk ls`)
if TYPE_CHECKING:
    from typing import ClassVar

__all__ = [
    "AlreadyExistsError",
    "AuthError",
    "CertificateError",
    "ConnectError",
    "ConnectionRefused",
    "CurlParseError",
    "DnsError",
    "FileFormatError",
    "HttpStatusError",
    "HttpsOnlyError",
    "InvalidValuesError",
    "MissingScopesError",
    "NotFoundError",
    "ProtocolError",
    "ProxyError",
    "RelaydeskError",
    "RequestCancelled",
    "RequestError",
    "RequestTimeout",
    "ResponseTooLarge",
    "SecretStoreError",
    "TemplateError",
    "TlsError",
    "TooManyRedirects",
    "UnsupportedScheme",
    "ValidationError",
    "WorkspaceError",
]


def _where(url: str, host: str) -> tuple[str, str]:
    """``url`` without user info and query (either may carry a secret), and its host."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "", host
    netloc = parts.netloc.rpartition("@")[2]
    bare = f"{parts.scheme}://{netloc}{parts.path}" if parts.scheme and netloc else ""
    return bare, host or parts.hostname or ""


class RelaydeskError(Exception):
    """Base of every error Relaydesk raises on purpose; ``str()`` is the user message."""


class WorkspaceError(RelaydeskError):
    pass


class NotFoundError(WorkspaceError):
    pass


class AlreadyExistsError(WorkspaceError):
    pass


class FileFormatError(WorkspaceError):
    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class ValidationError(RelaydeskError):
    pass


class TemplateError(RelaydeskError):
    pass


class CurlParseError(RelaydeskError):
    pass


class SecretStoreError(RelaydeskError):
    pass


class AuthError(RelaydeskError):
    pass


class RequestError(RelaydeskError):
    """The request could not be completed; ``url`` and ``host`` say where it went."""

    kind: ClassVar[str] = "request"

    def __init__(self, message: str, *, url: str = "", host: str = "") -> None:
        super().__init__(message)
        self.url, self.host = _where(url, host)


class HttpsOnlyError(RequestError):
    kind = "https-only"


class DnsError(RequestError):
    kind = "dns"


class ConnectError(RequestError):
    kind = "connect"


class ConnectionRefused(ConnectError):
    kind = "refused"


class ProxyError(ConnectError):
    kind = "proxy"


class TlsError(RequestError):
    kind = "tls"


class CertificateError(TlsError):
    """``reason`` is OpenSSL's verify message (``self-signed certificate``…)."""

    kind = "certificate"

    def __init__(self, message: str, *, reason: str = "", url: str = "",
                 host: str = "") -> None:
        super().__init__(message, url=url, host=host)
        self.reason = reason


class RequestTimeout(RequestError):
    """``phase`` is what was under way (``connect``, ``read``, ``write``, ``pool``);
    ``limit`` the timeout in seconds when known."""

    kind = "timeout"

    def __init__(self, message: str, *, phase: str = "", limit: float | None = None,
                 url: str = "", host: str = "") -> None:
        super().__init__(message, url=url, host=host)
        self.phase = phase
        self.limit = limit


class RequestCancelled(RequestError):
    kind = "cancelled"


class ProtocolError(RequestError):
    kind = "protocol"


class UnsupportedScheme(RequestError):
    kind = "scheme"


class TooManyRedirects(RequestError):
    """``location`` is where the last redirect pointed."""

    kind = "redirects"

    def __init__(self, message: str, *, location: str = "", url: str = "",
                 host: str = "") -> None:
        super().__init__(message, url=url, host=host)
        self.location = location


class HttpStatusError(RelaydeskError):
    """A 4xx/5xx answer (raised when the request says "raise on 4xx/5xx")."""

    kind: ClassVar[str] = "status"

    def __init__(self, message: str, status: int, *, url: str = "", host: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.url, self.host = _where(url, host)


class MissingScopesError(HttpStatusError):
    """``scopes`` the call needs and the token lacks (may be empty when the server does
    not say which); ``granted`` the token's scopes when the server reports them."""

    kind = "missing-scopes"

    def __init__(self, message: str, status: int, *, scopes: Sequence[str] = (),
                 granted: Sequence[str] = (), url: str = "", host: str = "") -> None:
        super().__init__(message, status, url=url, host=host)
        self.scopes = list(scopes)
        self.granted = list(granted)


class InvalidValuesError(HttpStatusError):
    """``fields`` are the server's messages about the request's data."""

    kind = "invalid-values"

    def __init__(self, message: str, status: int, fields: Sequence[str] = (), *,
                 url: str = "", host: str = "") -> None:
        super().__init__(message, status, url=url, host=host)
        self.fields = list(fields)


class ResponseTooLarge(RequestError):
    """The body (counted after decompression) passed ``limit`` bytes; reading stopped."""

    kind = "too-large"

    def __init__(self, message: str, *, limit: int = 0, url: str = "", host: str = "") -> None:
        super().__init__(message, url=url, host=host)
        self.limit = limit
