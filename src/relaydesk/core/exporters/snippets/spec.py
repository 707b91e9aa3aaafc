"""A language-neutral view of a prepared request, with its secrets made references.

Every snippet renderer works from a ``SnippetSpec``: the URL, headers and body of a
``PreparedRequest`` where each secret (a password, token or API key the auth put in)
is an ``EnvRef`` naming an environment variable (``JIRA_CLOUD_TOKEN``) instead of its
value — unless the caller asked for real values. Basic and Digest credentials are kept
as ``(user, password)`` so each language can use its own idiom (``-u``, ``auth=``).
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_plus

from ...model import AuthSettings
from ...prepare import PreparedRequest

__all__ = [
    "EnvRef",
    "Part",
    "SnippetSpec",
    "Text",
    "build_spec",
    "env_prefix",
    "is_text",
    "literal",
    "relative_url",
    "wire_url",
]


@dataclass(frozen=True)
class EnvRef:
    """An environment variable that holds a secret at run time."""

    name: str


Part = str | EnvRef
Text = tuple[Part, ...]


def literal(text: Text) -> str | None:
    """The text when it holds no reference, else None."""
    if all(isinstance(p, str) for p in text):
        return "".join(p for p in text if isinstance(p, str))
    return None


def is_text(data: bytes) -> bool:
    """True when ``data`` is UTF-8 without NUL bytes (safe as a string literal)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in data


@dataclass(frozen=True)
class FilePart:
    name: str
    filename: str | None  # None: a plain field
    data: bytes
    content_type: str | None  # the type the engine sends (guessed for files, like it)
    path: str | None = None  # the file as the request names it (filename is its base name)

    @property
    def source(self) -> str:
        """Where the snippet reads the file from: the path as given, so it runs where
        the request ran (not only in the file's own folder)."""
        return self.path or self.filename or ""


@dataclass(frozen=True)
class AwsSigV4:
    access_key_id: str
    region: str
    service: str
    secret: Text
    session_token: Text | None


@dataclass
class SnippetSpec:
    method: str
    url: str  # the URL to call, literal (secret query parameters taken out)
    url_secrets: list[tuple[str, EnvRef]] = field(default_factory=list)  # appended, encoded
    headers: list[tuple[str, Text]] = field(default_factory=list)
    basic: tuple[str, Text] | None = None  # user, password
    digest: tuple[str, Text] | None = None
    aws_sigv4: AwsSigV4 | None = None  # signed by the client at send time (curl only)
    content: bytes | None = None
    files: list[FilePart] | None = None
    follow_redirects: bool = True
    timeout: float = 60.0
    env: dict[str, str] = field(default_factory=dict)  # variable -> secret value
    connection_path: str = ""

    def header_names(self) -> set[str]:
        return {n.lower() for n, _ in self.headers}

    def url_with_separator(self) -> str:
        """The literal URL ending in ``?`` or ``&``, ready for a secret parameter."""
        return self.url + ("&" if "?" in self.url else "?")


_FIELD_SUFFIX = {"password": "PASSWORD", "token": "TOKEN", "value": "API_KEY",
                 "access_token": "ACCESS_TOKEN",
                 "secret_access_key": "AWS_SECRET_ACCESS_KEY",
                 "session_token": "AWS_SESSION_TOKEN"}


def env_prefix(path: str) -> str:
    """``jira/cloud`` → ``JIRA_CLOUD`` (a portable environment variable name)."""
    name = re.sub(r"[^0-9A-Za-z]+", "_", path).strip("_").upper()
    if not name or name[0].isdigit():
        name = "API_" + name if name else "API"
    return name


def _secret_fields(auth: AuthSettings | None, prepared: PreparedRequest) -> dict[str, str]:
    """Secret value -> keyring field name, as far as the auth settings tell."""
    kind = auth.kind if auth else ""
    fields: dict[str, str] = {}
    auth_header = prepared.header("authorization") or ""
    _scheme, _, rest = auth_header.partition(" ")
    if kind in ("bearer", "token", "oauth2") and rest in prepared.secret_values:
        fields[rest] = "access_token" if kind == "oauth2" else "token"
    if kind == "apikey":
        for value in prepared.secret_values:
            fields[value] = "value"
    if kind in ("basic", "digest"):
        for value in prepared.secret_values:
            if not (kind == "basic" and auth_header == f"Basic {value}"):
                fields[value] = "password"
    signer: Any = prepared.auth  # httpx-auth's AWS4Auth for aws_sigv4
    if kind == "aws_sigv4" and hasattr(signer, "secret_key"):
        fields[signer.secret_key] = "secret_access_key"
        if getattr(signer, "security_token", None):
            fields[signer.security_token] = "session_token"
    for value in prepared.secret_values:  # anything else: a numbered generic secret
        fields.setdefault(value, "secret")
    return fields


def _split(text: str, refs: Mapping[str, EnvRef]) -> Text:
    """``text`` cut into literal pieces and references (longest secrets first)."""
    if not refs:
        return (text,)
    pattern = re.compile("|".join(re.escape(v) for v in sorted(refs, key=len, reverse=True)))
    parts: list[Part] = []
    pos = 0
    for m in pattern.finditer(text):
        if m.start() > pos:
            parts.append(text[pos:m.start()])
        parts.append(refs[m.group(0)])
        pos = m.end()
    if pos < len(text):
        parts.append(text[pos:])
    return tuple(parts) or ("",)


def _basic(value: str) -> tuple[str, str] | None:
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, colon, password = base64.b64decode(token, validate=True).decode(
            "utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (user, password) if colon else None


def _digest(prepared: PreparedRequest) -> tuple[str, str] | None:
    import httpx

    if not isinstance(prepared.auth, httpx.DigestAuth):
        return None
    raw = [getattr(prepared.auth, "_username", b""), getattr(prepared.auth, "_password", b"")]
    user, password = (v.decode("utf-8", "surrogateescape") if isinstance(v, bytes) else str(v)
                      for v in raw)
    return user, password


def _take_query_secrets(url: str, names: Iterable[str],
                        refs: Mapping[str, EnvRef]) -> tuple[str, list[tuple[str, EnvRef]]]:
    base, sep, query = url.partition("?")
    if not sep or not refs:
        return url, []
    wanted = set(names)
    kept: list[str] = []
    taken: list[tuple[str, EnvRef]] = []
    for piece in query.split("&"):
        name, _, value = piece.partition("=")
        ref = refs.get(unquote_plus(value))
        if ref is not None and unquote_plus(name) in wanted:
            taken.append((unquote_plus(name), ref))
        else:
            kept.append(piece)
    return (base + "?" + "&".join(kept) if kept else base), taken


def build_spec(prepared: PreparedRequest, *, auth: AuthSettings | None = None,
               connection_path: str = "", include_secrets: bool = False,
               file_paths: Sequence[str] = ()) -> SnippetSpec:
    """``file_paths``: the request's file parts as it names them, in order."""
    path = connection_path or prepared.owner_path
    spec = SnippetSpec(method=prepared.method.upper(), url=wire_url(prepared.url),
                       follow_redirects=prepared.follow_redirects, timeout=prepared.timeout,
                       content=prepared.content, connection_path=path)
    refs: dict[str, EnvRef] = {}
    if not include_secrets:
        prefix, counter = env_prefix(path), 0
        for value, fname in sorted(_secret_fields(auth, prepared).items(),
                                   key=lambda kv: (kv[1], kv[0])):
            if not value:
                continue
            if fname == "secret":
                counter += 1
                var = f"{prefix}_SECRET" + (f"_{counter}" if counter > 1 else "")
            else:
                var = f"{prefix}_{_FIELD_SUFFIX[fname]}"
            refs[value] = EnvRef(var)
            spec.env[var] = value
    for name, value in prepared.headers:
        creds = _basic(value) if name.lower() == "authorization" else None
        if creds is not None and spec.basic is None and (
                include_secrets or creds[1] in refs or not prepared.secret_values):
            spec.basic = (creds[0], _split(creds[1], refs))
            continue
        sensitive = name.lower() in prepared.sensitive_headers
        spec.headers.append((name, _split(value, refs) if sensitive else (value,)))
    digest = _digest(prepared)
    if digest is not None:
        spec.digest = (digest[0], _split(digest[1], refs))
    signer: Any = prepared.auth
    if auth is not None and auth.kind == "aws_sigv4" and hasattr(signer, "secret_key"):
        token = getattr(signer, "security_token", None)
        spec.aws_sigv4 = AwsSigV4(signer.access_id, signer.region, signer.service,
                                  _split(signer.secret_key, refs),
                                  _split(token, refs) if token else None)
    spec.url, spec.url_secrets = _take_query_secrets(spec.url, prepared.sensitive_params,
                                                     refs)
    if prepared.files is not None:
        spec.files = []
        paths = iter(file_paths)
        for name, (filename, data, ctype) in prepared.files:
            if filename is not None and not ctype:
                ctype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
            given = next(paths, None) if filename is not None else None
            spec.files.append(FilePart(name, filename, data, ctype, given))
    used = {p.name for _, t in spec.headers for p in t if isinstance(p, EnvRef)}
    used |= {r.name for _, r in spec.url_secrets}
    for creds_text in (spec.basic, spec.digest):
        if creds_text:
            used |= {p.name for p in creds_text[1] if isinstance(p, EnvRef)}
    if spec.aws_sigv4 is not None:
        for text in (spec.aws_sigv4.secret, spec.aws_sigv4.session_token or ()):
            used |= {p.name for p in text if isinstance(p, EnvRef)}
    spec.env = {k: v for k, v in spec.env.items() if k in used}
    return spec


def wire_url(url: str) -> str:
    """The URL as it goes on the wire (what httpx sends): path and query percent-encoded,
    so every client sends the same bytes."""
    import httpx

    try:
        return str(httpx.URL(url))
    except (httpx.InvalidURL, ValueError):
        return url


def relative_url(url: str, base_url: str) -> str:
    """``url`` relative to ``base_url`` when it lies under it, else ``url`` itself."""
    base = base_url.split("?", 1)[0].rstrip("/")
    if base and (url == base or url.startswith((base + "/", base + "?"))):
        return url[len(base):] or "/"
    return url
