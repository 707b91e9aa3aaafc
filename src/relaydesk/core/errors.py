"""The one exception tree of Relaydesk.

Every error a user can cause or meet derives from ``RelaydeskError`` and carries a
message written for a person (``str(exc)``); ``relaydesk.core.messages.user_message``
turns any exception into the one line the CLI prints and the app shows.

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
    ├── RequestError                   the request could not be completed
    │   ├── HttpsOnlyError             plain http:// on an HTTPS-only connection
    │   ├── DnsError
    │   ├── ConnectError               refused / unreachable
    │   ├── TlsError                   certificate or handshake failure
    │   ├── RequestTimeout
    │   ├── RequestCancelled
    │   └── ProtocolError              the peer broke HTTP
    └── HttpStatusError                a 4xx/5xx when the user asked to raise on it
        ├── MissingScopesError         403 insufficient_scope
        └── InvalidValuesError         400 / 422 with the server's field messages
"""

from __future__ import annotations

__all__ = [
    "AlreadyExistsError",
    "AuthError",
    "ConnectError",
    "CurlParseError",
    "DnsError",
    "FileFormatError",
    "HttpStatusError",
    "HttpsOnlyError",
    "InvalidValuesError",
    "MissingScopesError",
    "NotFoundError",
    "ProtocolError",
    "RelaydeskError",
    "RequestCancelled",
    "RequestError",
    "RequestTimeout",
    "SecretStoreError",
    "TemplateError",
    "TlsError",
    "ValidationError",
    "WorkspaceError",
]


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
    pass


class HttpsOnlyError(RequestError):
    pass


class DnsError(RequestError):
    pass


class ConnectError(RequestError):
    pass


class TlsError(RequestError):
    pass


class RequestTimeout(RequestError):
    pass


class RequestCancelled(RequestError):
    pass


class ProtocolError(RequestError):
    pass


class HttpStatusError(RelaydeskError):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class MissingScopesError(HttpStatusError):
    pass


class InvalidValuesError(HttpStatusError):
    def __init__(self, message: str, status: int, fields: list[str]) -> None:
        super().__init__(message, status)
        self.fields = fields
