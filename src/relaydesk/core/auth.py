"""Authentication: turning auth settings plus keyring secrets into headers or params.

The auth of a request is its own when it overrides (``request.auth`` is set, even to
``none``), else its connection's. Secrets are looked up under the path of that owner,
so ``relaydesk secret set jira/cloud token`` feeds every request of ``jira/cloud``.
OAuth 2.0 tokens come from a ``TokenProvider`` the engine is given (the OAuth module
implements it); without one an OAuth connection fails with a clear instruction.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

import httpx

from .errors import AuthError
from .model import AuthSettings, Connection, Request
from .secrets import SecretStore
from .templating import render

__all__ = [
    "AppliedAuth",
    "TokenProvider",
    "apply_auth",
    "auth_owner",
    "credential_identity",
]

DEFAULT_APIKEY_HEADER = "X-API-Key"
DEFAULT_TOKEN_SCHEME = "Token"


class TokenProvider(Protocol):
    """Hands out a current OAuth 2.0 access token for an auth owner (refreshing it
    if needed); raises ``AuthError`` when the user must log in first."""

    async def access_token(self, owner_path: str, settings: AuthSettings,
                           connection: Connection | None = None) -> str: ...


@dataclass
class AppliedAuth:
    headers: list[tuple[str, str]] = field(default_factory=list)
    params: list[tuple[str, str]] = field(default_factory=list)
    auth: httpx.Auth | None = None
    secret_values: frozenset[str] = frozenset()
    # Names that carry credentials and must not follow a redirect to another origin.
    sensitive_headers: frozenset[str] = frozenset()
    sensitive_params: frozenset[str] = frozenset()


def auth_owner(request: Request, connection: Connection | None) -> tuple[AuthSettings, str]:
    """The auth settings in force and the path whose keyring entries hold its secrets."""
    if request.auth is not None:
        return request.auth, request.path
    if connection is not None:
        return connection.auth, connection.path
    return AuthSettings(), request.path


def _secret(secrets: SecretStore | None, owner: str, kind: str, name: str) -> str:
    hint = f"Store it with `relaydesk secret set {owner} {name}` (it goes to the keyring)."
    if secrets is None:
        raise AuthError(
            f"The {kind} authentication of '{owner}' needs its {name}, but no keyring is "
            f"available to read it from. {hint}"
        )
    value = secrets.get(owner, name)
    if value is None:
        raise AuthError(
            f"The {kind} authentication of '{owner}' needs its {name}, which is not saved "
            f"yet. {hint}"
        )
    return value


def apply_auth(
    settings: AuthSettings,
    owner: str,
    secrets: SecretStore | None,
    variables: Mapping[str, str],
    *,
    oauth_token: str | None = None,
) -> AppliedAuth:
    """Headers / query params / an ``httpx.Auth`` for ``settings``.

    Public fields (user name, scheme, key name) are templated; secrets are used as
    stored, never templated, so a secret containing ``{{`` is sent verbatim.
    """
    kind = settings.kind
    if kind == "none":
        return AppliedAuth()

    def public(name: str, default: str = "") -> str:
        return render(settings.get(name, default), variables, where=f"the auth {name}")

    if kind in ("basic", "digest"):
        username = public("username")
        password = _secret(secrets, owner, kind.capitalize(), "password")
        if kind == "digest":
            return AppliedAuth(auth=httpx.DigestAuth(username, password),
                               secret_values=frozenset({password}),
                               sensitive_headers=frozenset({"authorization"}))
        token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
        return AppliedAuth(headers=[("Authorization", f"Basic {token}")],
                           secret_values=frozenset({password, token}),
                           sensitive_headers=frozenset({"authorization"}))
    if kind in ("bearer", "token"):
        secret = _secret(secrets, owner, "Bearer" if kind == "bearer" else "token", "token")
        scheme = "Bearer" if kind == "bearer" else public("scheme", DEFAULT_TOKEN_SCHEME)
        scheme = scheme.strip() or DEFAULT_TOKEN_SCHEME
        return AppliedAuth(headers=[("Authorization", f"{scheme} {secret}")],
                           secret_values=frozenset({secret}),
                           sensitive_headers=frozenset({"authorization"}))
    if kind == "apikey":
        value = _secret(secrets, owner, "API key", "value")
        name = public("name").strip() or DEFAULT_APIKEY_HEADER
        if settings.get("in", "header") == "query":
            return AppliedAuth(params=[(name, value)], secret_values=frozenset({value}),
                               sensitive_params=frozenset({name}))
        return AppliedAuth(headers=[(name, value)], secret_values=frozenset({value}),
                           sensitive_headers=frozenset({name.lower()}))
    if kind == "oauth2":
        if not oauth_token:
            raise AuthError(
                f"'{owner}' uses OAuth 2.0 and has no access token yet. Run "
                f"`relaydesk auth login {owner}` (or log in from the connection's Auth tab)."
            )
        return AppliedAuth(headers=[("Authorization", f"Bearer {oauth_token}")],
                           secret_values=frozenset({oauth_token}),
                           sensitive_headers=frozenset({"authorization"}))
    if kind == "aws_sigv4":
        from .aws_sigv4 import sigv4_auth

        key = _secret(secrets, owner, "AWS Signature V4", "secret_access_key")
        session = secrets.get(owner, "session_token") if secrets is not None else None
        return AppliedAuth(
            auth=sigv4_auth(owner, public("access_key_id"), key, public("region"),
                            public("service"), session),
            secret_values=frozenset(v for v in (key, session) if v),
            sensitive_headers=frozenset({"authorization", "x-amz-security-token"}))
    raise AuthError(f"Unknown authentication '{kind}' on '{owner}'.")


def credential_identity(secret_values: frozenset[str]) -> str:
    """A digest that tells credentials apart without keeping them (for cache keys)."""
    digest = hashlib.sha256()
    for value in sorted(secret_values):
        digest.update(hashlib.sha256(value.encode()).digest())
    return digest.hexdigest()

