"""Turning a saved request into exactly what goes on the wire.

``prepare`` is pure apart from reading the keyring and body files: it resolves
templates, joins the URL, applies the connection's headers and auth, and encodes the
body. The engine sends the result; "Copy as curl" and the snippet exporters print it.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import httpx

from .auth import apply_auth, auth_owner
from .errors import HttpsOnlyError, ValidationError
from .limits import DEFAULT_MAX_SIZE, DEFAULT_MAX_TIME
from .model import Connection, Environment, KeyValue, Request
from .multipart import MultipartFiles
from .redirect_policy import display_url
from .secrets import SecretStore
from .templating import Unresolved, merge_variables, render
from .urls import build_url

__all__ = ["DEFAULT_TIMEOUT", "PreparedRequest", "prepare", "resolve_variables"]

DEFAULT_TIMEOUT = 60.0


@dataclass
class PreparedRequest:
    method: str
    url: str  # fully joined and templated, query string included
    headers: list[tuple[str, str]]
    content: bytes | None = None  # json / raw / form / binary bodies
    # Multipart parts in the user's order; a part with no filename is a plain field.
    files: MultipartFiles | None = None
    auth: httpx.Auth | None = None  # header-less auth such as Digest
    timeout: float = DEFAULT_TIMEOUT
    follow_redirects: bool = True
    secret_values: frozenset[str] = frozenset()
    # Credential-bearing names dropped when a redirect leaves the origin.
    sensitive_headers: frozenset[str] = frozenset()
    sensitive_params: frozenset[str] = frozenset()
    https_only: bool = False
    owner_path: str = ""  # the connection path (or request path without one)
    base_url: str = ""  # the connection's base URL, rendered ("" without a connection)
    # ``{{name}}`` tokens sent as written because nothing defines them (see templating).
    unresolved: list[Unresolved] = field(default_factory=list)
    # Budgets of the exchange (core/limits.py): body bytes after decoding, total seconds.
    max_size: int = DEFAULT_MAX_SIZE
    max_time: float = DEFAULT_MAX_TIME
    http_version: str = "auto"

    @property
    def is_multipart(self) -> bool:
        return self.files is not None

    def header(self, name: str) -> str | None:
        lname = name.lower()
        return next((v for k, v in self.headers if k.lower() == lname), None)


def resolve_variables(
    connection: Connection | None,
    environment: Environment | None,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Connection variables < environment variables < extra (``--var``) values."""
    return merge_variables(
        connection.variables if connection else None,
        environment.variables if environment else None,
        extra,
    )


def _render_pairs(items: list[KeyValue], variables: Mapping[str, str], where: str,
                  found: list[Unresolved] | None) -> list[tuple[str, str]]:
    if not items:  # most lists are empty: no comprehension to run
        return []
    return [
        (render(kv.name, variables, where=f"{where} name", unresolved=found),
         render(kv.value, variables, where=f"{where} '{kv.name}'", unresolved=found))
        for kv in items if kv.enabled and kv.name
    ]


def _override(base: list[tuple[str, str]], top: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Headers of ``top`` replace same-named (case-insensitive) headers of ``base``."""
    if not top:
        return base
    names = {k.lower() for k, _ in top}
    return [(k, v) for k, v in base if k.lower() not in names] + top


MAX_FILE_BODY = 1024 * 1024 * 1024  # a body read into memory: refused, not a MemoryError


def _read_file(path_text: str, what: str) -> tuple[Path, bytes]:
    from .bounded_read import TooLarge, read_capped

    path = Path(path_text).expanduser()
    try:
        return path, read_capped(path, MAX_FILE_BODY)
    except TooLarge as exc:
        raise ValidationError(f"The file '{path}' for {what} is too large to send "
                              f"({exc.describe()}).") from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ValidationError(f"Cannot read the file '{path}' for {what}: {reason}.") from None


def _json_body(text: str) -> bytes:
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            f"The JSON body is not valid JSON: {exc.msg} at line {exc.lineno}, "
            f"column {exc.colno}."
        ) from None
    return text.encode("utf-8")


def prepare(
    request: Request,
    connection: Connection | None,
    secrets: SecretStore | None,
    variables: Mapping[str, str],
    *,
    oauth_token: str | None = None,
    strict: bool = False,
) -> PreparedRequest:
    """Everything resolved: URL, headers (auth and cookies included) and body bytes.

    A ``{{name}}`` nothing defines is sent as written and listed in ``unresolved``;
    with ``strict`` it is an error instead (see ``templating`` for the whole rule).
    """
    method = request.method.strip().upper() or "GET"
    settings, owner = auth_owner(request, connection)
    applied = apply_auth(settings, owner, secrets, variables, oauth_token=oauth_token)
    found: list[Unresolved] | None = None if strict else []

    # A base URL with a placeholder left in it is never a URL: always strict.
    base = render(connection.base_url, variables, where="the base URL") if connection else ""
    path = render(request.url, variables, where="the URL", unresolved=found)
    params = _render_pairs(request.params, variables, "query parameter", found)
    url = build_url(base, path, params + applied.params)
    scheme = urlsplit(url).scheme.lower()
    if not url or scheme not in ("http", "https"):
        raise ValidationError(
            f"'{url or request.url}' is not a URL Relaydesk can call: give a path under the "
            "connection's base URL or a full URL starting with https:// or http://."
        )
    https_only = bool(connection and connection.tls.https_only)
    if https_only and scheme != "https":
        raise HttpsOnlyError(
            f"'{display_url(url)}' uses plain http://, but the connection '{owner}' is "
            "HTTPS-only."
        )
    # Without the auth's query values (the same URL when it adds none).
    check_url(build_url(base, path, params) if applied.params else url)

    headers = list(applied.headers)
    if connection is not None:
        headers = _override(headers, _render_pairs(connection.headers, variables, "header",
                                                   found))
    headers = _override(headers, _render_pairs(request.headers, variables, "header", found))
    cookies = _render_pairs(request.cookies, variables, "cookie", found)
    if cookies:
        jar = "; ".join(f"{k}={v}" for k, v in cookies)
        existing = [v for k, v in headers if k.lower() == "cookie"]
        headers = _override(headers, [("Cookie", "; ".join([*existing, jar]))])

    prepared = PreparedRequest(
        method=method, url=url, headers=headers,
        auth=applied.auth,
        timeout=request.options.timeout or (connection.timeout if connection else 0)
        or DEFAULT_TIMEOUT,
        follow_redirects=request.options.follow_redirects,
        secret_values=applied.secret_values,
        sensitive_headers=applied.sensitive_headers | {"cookie", "proxy-authorization"},
        sensitive_params=applied.sensitive_params,
        https_only=https_only,
        owner_path=connection.path if connection else request.path,
        base_url=base,
    )
    _apply_budgets(prepared, request, connection)
    _encode_body(prepared, request, variables, found)
    prepared.unresolved = _distinct(found or [])
    return prepared


def _distinct(found: list[Unresolved]) -> list[Unresolved]:
    """One entry per name and place, in the order met."""
    return list(dict.fromkeys(found))


def _default_type(prepared: PreparedRequest, content_type: str) -> None:
    if prepared.header("content-type") is None:
        prepared.headers.append(("Content-Type", content_type))


def _apply_budgets(prepared: PreparedRequest, request: Request,
                   connection: Connection | None) -> None:
    """The request's own limits (`send --max-size/--max-time`) beat the connection's."""
    if connection is not None:
        prepared.max_size, prepared.max_time = connection.max_size, connection.max_time
        prepared.http_version = connection.http_version
    if request.options.max_size is not None:
        prepared.max_size = request.options.max_size
    if request.options.max_time is not None:
        prepared.max_time = request.options.max_time


def _encode_body(prepared: PreparedRequest, request: Request,
                 variables: Mapping[str, str], found: list[Unresolved] | None) -> None:
    body = request.body
    if body.kind == "json":
        text = render(body.text, variables, where="the JSON body", unresolved=found)
        if text.strip():
            prepared.content = _json_body(text)
            _default_type(prepared, "application/json")
    elif body.kind == "form":
        pairs = _render_pairs(body.form, variables, "form field", found)
        prepared.content = urlencode(pairs).encode("ascii")
        _default_type(prepared, "application/x-www-form-urlencoded")
    elif body.kind == "raw":
        prepared.content = render(body.text, variables, where="the body",
                                    unresolved=found).encode("utf-8")
        _default_type(prepared, body.content_type or "text/plain; charset=utf-8")
    elif body.kind == "binary":
        file_path = render(body.file, variables, where="the body file")
        if not file_path.strip():
            raise ValidationError("The binary body has no file: choose the file to send.")
        _, prepared.content = _read_file(file_path, "the body")
        _default_type(prepared, body.content_type or "application/octet-stream")
    elif body.kind == "multipart":
        files: MultipartFiles = []
        for part in body.multipart:
            if not part.enabled or not part.name:
                continue
            name = render(part.name, variables, where="multipart field name")
            ctype = part.content_type or None
            if part.file:
                where = f"multipart field '{name}'"
                path, content = _read_file(render(part.file, variables, where=where), where)
                files.append((name, (path.name, content, ctype)))
            else:
                value = render(part.value, variables, where=f"multipart field '{name}'",
                           unresolved=found)
                files.append((name, (None, value.encode("utf-8"), ctype)))
        prepared.files = files
        # The engine sets the type with its boundary; a hand-set one without a
        # boundary would make the body unreadable, so it gives way.
        ctype_set = prepared.header("content-type") or ""
        if "boundary=" not in ctype_set:
            prepared.headers = [(k, v) for k, v in prepared.headers
                                if k.lower() != "content-type"]


def check_url(url: str, what: str = "URL") -> None:
    """One clear line for a URL that cannot be sent (a port of 99999, a line break),
    before the network stack turns it into an obscure failure. Credentials typed into
    the URL (``user:pass@``) are left out of the message."""
    problem = _url_problem(url)
    if problem:
        shown = re.sub(r"(?<=//)[^/?#@]*@", "", url)
        raise ValidationError(f"The {what} '{shown}' {problem}.")


@functools.lru_cache(maxsize=256)
def _url_problem(url: str) -> str | None:
    """``urls.url_problem``, once per distinct URL (a run sends the same ones again)."""
    from .urls import url_problem

    return url_problem(url)


@functools.lru_cache(maxsize=1024)
def _header_problem(name: str, value: str) -> str | None:
    """The line for a header HTTP cannot carry, once per distinct header."""
    from .urls import header_name_problem, header_value_problem

    problem = header_name_problem(name)
    if problem:
        return f"The header name '{name}' {problem}."
    problem = header_value_problem(value)
    return f"The header '{name}' {problem}." if problem else None


def check_headers(headers: list[tuple[str, str]]) -> None:
    """One clear line naming the header whose name or value HTTP cannot carry (a CR/LF
    would otherwise be reported as the server breaking the protocol). Run on what is
    sent (``Engine.prepare``), not by ``prepare`` itself: exporters fill secrets with
    markers that are never sent."""
    for name, value in headers:
        problem = _header_problem(name, value)
        if problem:
            raise ValidationError(problem)
