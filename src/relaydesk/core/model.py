"""Domain model: connections, folders, requests and environments.

Plain dataclasses with no I/O. Paths are workspace paths made of ``/``-separated
segments: a connection lives at ``jira/cloud``; a request inside it at
``jira/cloud/issues/Get issue`` (folder ``issues``, name ``Get issue``).
Secrets are never part of the model: auth settings hold only public fields, and
secret fields live in the keyring under the path of the item that owns the auth.

``id`` is the item's stable identity (a uuid4 hex string stored inside its file; ""
until the workspace saves it). ``extra`` holds the top-level keys of the file this
version does not know (a newer Relaydesk's fields), written back on save.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from .errors import ValidationError

TYPE_CHECKING = False  # typing is not imported at run time (`relaydesk ls`)
if TYPE_CHECKING:
    from dataclasses import dataclass as _model
    from dataclasses import field
    from typing import Any, Literal
else:  # (without importing dataclasses: see _model_class)
    from ._model_class import field
    from ._model_class import model_class as _model

__all__ = [
    "AUTH_KINDS",
    "AUTH_PUBLIC_FIELDS",
    "AUTH_SECRET_FIELDS",
    "BODY_KINDS",
    "FORBIDDEN_HEADERS",
    "MAX_CUSTOM_HEADERS",
    "AuthSettings",
    "Body",
    "Connection",
    "Environment",
    "KeyValue",
    "MultipartField",
    "Request",
    "RequestOptions",
    "TlsSettings",
    "join_path",
    "split_path",
    "validate_base_url",
    "validate_connection",
    "validate_header_name",
    "validate_path",
    "validate_request",
]

if TYPE_CHECKING:
    AuthKind = Literal["none", "basic", "bearer", "token", "apikey", "digest", "oauth2"]
AUTH_KINDS: tuple[str, ...] = ("none", "basic", "bearer", "token", "apikey", "digest", "oauth2")

# Fields stored in workspace files, per auth kind.
AUTH_PUBLIC_FIELDS: dict[str, tuple[str, ...]] = {
    "none": (),
    "basic": ("username",),
    "digest": ("username",),
    "bearer": (),
    "token": ("scheme",),
    "apikey": ("name", "in"),
    "oauth2": (
        "grant", "issuer", "auth_url", "token_url", "client_id", "scope", "audience",
        "resource", "redirect_port", "redirect_path", "client_auth",
        "device_url",
    ),
}
# Fields that only ever live in the keyring.
AUTH_SECRET_FIELDS: dict[str, tuple[str, ...]] = {
    "none": (),
    "basic": ("password",),
    "digest": ("password",),
    "bearer": ("token",),
    "token": ("token",),
    "apikey": ("value",),
    "oauth2": ("client_secret",),
}
# AWS Signature Version 4 (API Gateway and other AWS services): core/aws_sigv4.py.
AUTH_KINDS = (*AUTH_KINDS, "aws_sigv4")
AUTH_PUBLIC_FIELDS["aws_sigv4"] = ("access_key_id", "region", "service")
AUTH_SECRET_FIELDS["aws_sigv4"] = ("secret_access_key", "session_token")
ALL_SECRET_FIELD_NAMES = frozenset(f for fs in AUTH_SECRET_FIELDS.values() for f in fs)

if TYPE_CHECKING:
    BodyKind = Literal["none", "json", "form", "multipart", "raw", "binary"]
BODY_KINDS: tuple[str, ...] = ("none", "json", "form", "multipart", "raw", "binary")
RESPONSE_FORMATS: tuple[str, ...] = ("text", "json", "bytes")
METHODS: tuple[str, ...] = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")

MAX_CUSTOM_HEADERS = 20
# Headers the HTTP layer owns; letting a user set them breaks framing or routing.
FORBIDDEN_HEADERS: dict[str, str] = {
    "host": "the host is taken from the URL",
    "content-length": "the length is computed from the body",
    "connection": "connection management belongs to the HTTP client",
    "keep-alive": "connection management belongs to the HTTP client",
    "transfer-encoding": "the transfer encoding is chosen by the HTTP client",
    "te": "the transfer encoding is chosen by the HTTP client",
    "trailer": "trailers are managed by the HTTP client",
    "upgrade": "protocol upgrades are not supported on API requests",
    "proxy-connection": "connection management belongs to the HTTP client",
}

_HEADER_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_SEGMENT = re.compile(r"^[^/\\\x00-\x1f\x7f:*?\"<>|]+$")


@_model
class KeyValue:
    """A name and value (header, query parameter, cookie, form field), switched on or off."""

    name: str
    value: str = ""
    enabled: bool = True


@_model
class MultipartField:
    """One part of a multipart body: a value, or a file's content."""

    name: str
    value: str = ""
    file: str = ""  # a path; when set, the part is the file's content
    content_type: str = ""
    enabled: bool = True


@_model
class AuthSettings:
    """An authentication kind and its public settings (secrets live in the keyring)."""

    kind: str = "none"
    params: dict[str, str] = field(default_factory=dict)

    def get(self, name: str, default: str = "") -> str:
        return self.params.get(name, default)


@_model
class TlsSettings:
    """How a connection checks the server's certificate and presents its own."""

    verify: bool = True
    ca_bundle: str = ""
    client_cert: str = ""
    client_key: str = ""
    https_only: bool = False
    # "bundled": the certifi CA bundle; "system": the operating system's trust store.
    trust_store: str = "bundled"


@_model
class Connection:
    """A base URL with its authentication, headers, TLS and limits."""

    path: str
    base_url: str
    docs_url: str = ""
    test_url: str = ""
    description: str = ""
    headers: list[KeyValue] = field(default_factory=list)
    auth: AuthSettings = field(default_factory=AuthSettings)
    tls: TlsSettings = field(default_factory=TlsSettings)
    timeout: float = 60.0
    cache_ttl: float = 0.0  # seconds successful GET/HEAD answers are reused; 0 = off
    proxy: str = ""
    variables: dict[str, str] = field(default_factory=dict)
    id: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    # Budgets of one exchange (see core/limits.py) and the HTTP versions offered.
    max_size: int = 1024 ** 3  # body bytes after decoding (limits.DEFAULT_MAX_SIZE)
    max_time: float = 1800.0  # seconds for the whole exchange (limits.DEFAULT_MAX_TIME)
    http_version: str = "auto"  # "auto": HTTP/2 when offered through ALPN; "1.1" only

    @property
    def name(self) -> str:
        return split_path(self.path)[-1]


@_model
class Body:
    """A request body of one ``kind`` (the fields of the other kinds are kept)."""

    kind: str = "none"
    text: str = ""  # JSON source for "json", the payload for "raw"
    content_type: str = ""  # for "raw" and "binary"
    form: list[KeyValue] = field(default_factory=list)
    multipart: list[MultipartField] = field(default_factory=list)
    file: str = ""  # for "binary"

    @classmethod
    def from_json(cls, value: Any) -> Body:
        import json

        return cls(kind="json", text=json.dumps(value, indent=2, ensure_ascii=False))


@_model
class RequestOptions:
    """How one request is sent and its response read."""

    response_format: str = "text"
    raise_for_status: bool = False
    follow_redirects: bool = True
    timeout: float | None = None  # None: the connection's timeout
    bypass_cache: bool = False
    max_size: int | None = None  # None: the connection's (`send --max-size`)
    max_time: float | None = None  # None: the connection's (`send --max-time`)


@_model
class Request:
    """A saved request under a connection (``path``), sent through it."""

    path: str
    method: str = "GET"
    url: str = ""  # a path relative to the connection's base URL, or a full URL
    params: list[KeyValue] = field(default_factory=list)
    headers: list[KeyValue] = field(default_factory=list)
    cookies: list[KeyValue] = field(default_factory=list)
    body: Body = field(default_factory=Body)
    auth: AuthSettings | None = None  # None: inherit the connection's
    options: RequestOptions = field(default_factory=RequestOptions)
    description: str = ""
    # Runner checks as plain documents (``relaydesk.core.checks`` reads them).
    checks: list[dict[str, Any]] = field(default_factory=list)
    id: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return split_path(self.path)[-1]


@_model
class Environment:
    """Named variables (secret ones only by name: their values are in the keyring)."""

    name: str
    variables: dict[str, str] = field(default_factory=dict)
    id: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    # Names of secret variables: their values live in the keyring (owner
    # ``environments/<name>``), never in the file; see ``core/env_secrets.py``.
    secrets: list[str] = field(default_factory=list)


# -- paths -------------------------------------------------------------------------------


def split_path(path: str) -> list[str]:
    return [s for s in path.strip("/").split("/") if s]


def join_path(*parts: str) -> str:
    return "/".join(s for p in parts for s in split_path(p))


def validate_path(path: str, what: str = "path") -> str:
    """Normalise a workspace path, refusing segments that cannot be file names."""
    segments = split_path(path)
    if not segments:
        raise ValidationError(f"The {what} is empty; give a name such as 'jira/cloud'.")
    for seg in segments:
        if seg in (".", "..") or seg.startswith(".") or not _SEGMENT.match(seg):
            raise ValidationError(
                f"'{seg}' cannot be used in a {what}: names may not start with a dot or "
                "contain \\ : * ? \" < > | or control characters."
            )
        if seg != seg.strip():
            raise ValidationError(f"'{seg}' in the {what} starts or ends with a space.")
        _check_portable(seg, what)
    return "/".join(segments)


def _check_portable(seg: str, what: str) -> None:
    """A name every OS can store (the workspace is shared through git): core/names.py."""
    from .names import portable_problem

    problem = portable_problem(seg)
    if problem:
        raise ValidationError(f"'{seg}' cannot be used in a {what}: it {problem}.")


# -- validation --------------------------------------------------------------------------


def validate_base_url(url: str, *, https_only: bool = False, what: str = "base URL") -> str:
    url = url.strip()
    if not url:
        raise ValidationError(f"The {what} is mandatory, e.g. https://api.example.com/v2.")
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # e.g. "Invalid IPv6 URL" for an unclosed '['
        raise ValidationError(f"The {what} '{url}' is not a valid URL ({exc}).") from None
    if parts.scheme not in ("http", "https"):
        raise ValidationError(
            f"The {what} '{url}' must start with https:// or http://."
        )
    if not parts.hostname:
        raise ValidationError(f"The {what} '{url}' has no host name.")
    if https_only and parts.scheme != "https":
        raise ValidationError(
            f"The {what} '{url}' uses plain http:// but the connection is HTTPS-only."
        )
    try:
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        raise ValidationError(f"The {what} '{url}' has an invalid port.") from None
    _check_url_parts(url, what)
    return url


def _check_url_parts(url: str, what: str) -> None:
    """Port 0, a space in the host, a control character: core/urls.py says which."""
    from .urls import url_problem

    if "{{" not in url:  # a placeholder is checked once filled in, before sending
        problem = url_problem(url)
        if problem:
            raise ValidationError(f"The {what} '{url}' {problem}.")


def _check_header_values(headers: list[KeyValue]) -> None:
    """A stored value with a line break could never be sent (and would split the
    request if it were): refused when the item is saved."""
    from .urls import header_value_problem

    for h in headers:
        problem = header_value_problem(h.value) if h.enabled else None
        if problem and "non-ASCII" not in problem:  # that one: refused when sending
            raise ValidationError(f"The header '{h.name}' {problem}.")


def validate_header_name(name: str) -> None:
    if not name or not _HEADER_TOKEN.match(name):
        raise ValidationError(
            f"'{name}' is not a valid header name: use letters, digits and - (no spaces or colons)."
        )
    reason = FORBIDDEN_HEADERS.get(name.lower())
    if reason:
        raise ValidationError(f"The header '{name}' cannot be set: {reason}.")


def validate_connection(conn: Connection) -> None:
    validate_path(conn.path, "connection path")
    validate_base_url(conn.base_url, https_only=conn.tls.https_only)
    if conn.test_url and "://" in conn.test_url:
        validate_base_url(conn.test_url, https_only=conn.tls.https_only, what="test URL")
    if len(conn.headers) > MAX_CUSTOM_HEADERS:
        raise ValidationError(
            f"A connection can have at most {MAX_CUSTOM_HEADERS} custom headers "
            f"({len(conn.headers)} given)."
        )
    for h in conn.headers:
        validate_header_name(h.name)
    _check_header_values(conn.headers)
    if conn.auth.kind not in AUTH_KINDS:
        raise ValidationError(
            f"Unknown authentication '{conn.auth.kind}'; choose one of {', '.join(AUTH_KINDS)}."
        )
    _validate_auth(conn.auth)
    if conn.timeout <= 0:
        raise ValidationError("The timeout must be a positive number of seconds.")
    if conn.cache_ttl < 0:
        raise ValidationError("The cache time cannot be negative (0 turns the cache off).")
    _validate_budgets(conn)


def _validate_budgets(conn: Connection) -> None:
    if conn.max_size <= 0:
        raise ValidationError("The response size limit must be more than 0 bytes.")
    if not conn.max_time > 0:
        raise ValidationError("The total time limit must be a positive number of seconds.")
    if conn.http_version not in ("auto", "1.1"):
        raise ValidationError(
            f"Unknown HTTP version setting '{conn.http_version}'; choose auto or 1.1.")


def _validate_auth(auth: AuthSettings) -> None:
    if auth.kind not in AUTH_KINDS:
        raise ValidationError(
            f"Unknown authentication '{auth.kind}'; choose one of {', '.join(AUTH_KINDS)}."
        )
    allowed = AUTH_PUBLIC_FIELDS[auth.kind]
    for key in auth.params:
        if key in AUTH_SECRET_FIELDS[auth.kind]:
            raise ValidationError(
                f"'{key}' is a secret: store it with `relaydesk secret set PATH {key}` "
                "(it goes to the keyring, never into workspace files)."
            )
        if key not in allowed:
            raise ValidationError(
                f"'{key}' is not a setting of {auth.kind} authentication"
                + (f"; use one of: {', '.join(allowed)}." if allowed else ".")
            )
    if auth.kind == "apikey" and auth.get("in", "header") not in ("header", "query"):
        raise ValidationError("An API key is sent either in a 'header' or in the 'query'.")


def validate_request(req: Request) -> None:
    validate_path(req.path, "request path")
    if not re.match(r"^[A-Za-z]+$", req.method):
        raise ValidationError(f"'{req.method}' is not an HTTP method.")
    for h in req.headers:
        if h.enabled:
            validate_header_name(h.name)
    _check_header_values(req.headers)
    if req.body.kind not in BODY_KINDS:
        raise ValidationError(
            f"Unknown body type '{req.body.kind}'; choose one of {', '.join(BODY_KINDS)}."
        )
    if req.options.response_format not in RESPONSE_FORMATS:
        raise ValidationError(
            f"Unknown response format '{req.options.response_format}'; "
            f"choose one of {', '.join(RESPONSE_FORMATS)}."
        )
    if req.auth is not None:
        _validate_auth(req.auth)
