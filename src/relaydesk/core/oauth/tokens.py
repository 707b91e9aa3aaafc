"""Token sets: what a token endpoint returned, kept as ONE JSON blob in the keyring.

Tokens never touch workspace files. The blob also records a fingerprint of the
settings that produced it (token URL, client, grant, scope, audience) so tokens
obtained for an older configuration are not silently reused after an edit.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from ..errors import AuthError
from ..secrets import OAUTH_TOKENS_FIELD, SecretStore

__all__ = ["TOKENS_FIELD", "TokenSet", "TokenStore", "describe_tokens", "mask_token"]

TOKENS_FIELD = OAUTH_TOKENS_FIELD


@dataclass
class TokenSet:
    access_token: str
    token_type: str = "Bearer"
    refresh_token: str | None = None
    expires_at: float | None = None  # epoch seconds; None: the server gave no lifetime
    scope: str | None = None  # granted scopes, space separated
    obtained_at: float = field(default_factory=time.time)
    fingerprint: str = ""
    id_claims: dict[str, Any] | None = None  # a verified OIDC ID token's claims

    @classmethod
    def from_response(cls, payload: dict[str, Any], *, requested_scope: str = "",
                      previous_refresh: str | None = None, now: float | None = None,
                      fingerprint: str = "") -> TokenSet:
        """From a token endpoint's JSON answer (RFC 6749 §5.1).

        A missing ``scope`` means the requested one was granted (§5.1); a refresh
        answer without ``refresh_token`` keeps the previous one (§6).
        """
        now = time.time() if now is None else now
        access = payload.get("access_token")
        if not isinstance(access, str) or not access:
            raise AuthError("The token endpoint answered without an access token.")
        expires_at: float | None = None
        raw_expiry = payload.get("expires_in")
        if raw_expiry is not None:
            try:
                expires_at = now + float(raw_expiry)
            except (TypeError, ValueError):
                expires_at = None
        refresh = payload.get("refresh_token")
        scope = payload.get("scope")
        return cls(
            access_token=access,
            token_type=str(payload.get("token_type") or "Bearer"),
            refresh_token=refresh if isinstance(refresh, str) and refresh else previous_refresh,
            expires_at=expires_at,
            scope=scope if isinstance(scope, str) else (requested_scope or None),
            obtained_at=now,
            fingerprint=fingerprint,
        )

    def expires_in(self, now: float | None = None) -> float | None:
        if self.expires_at is None:
            return None
        return self.expires_at - (time.time() if now is None else now)

    def is_fresh(self, skew: float = 60.0, now: float | None = None) -> bool:
        """Usable for at least ``skew`` more seconds (short-lived tokens: half their life)."""
        remaining = self.expires_in(now)
        if remaining is None:
            return True
        lifetime = (self.expires_at or 0) - self.obtained_at
        return remaining > min(skew, max(lifetime, 0) / 2)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> TokenSet | None:
        try:
            data = json.loads(text)
            if not isinstance(data, dict):
                return None
            known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
            return cls(**known)
        except (ValueError, TypeError):
            return None  # an unreadable blob is as good as no login


def mask_token(token: str) -> str:
    """``eyJh…x9Q``: enough to tell tokens apart, never enough to use one."""
    if len(token) <= 12:
        return "…" if token else ""
    return f"{token[:4]}…{token[-3:]}"


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 90:
        return f"{seconds} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    if seconds < 48 * 3600:
        return f"{round(seconds / 3600)} h"
    return f"{round(seconds / 86400)} days"


def describe_tokens(tokens: TokenSet, now: float | None = None) -> str:
    """``eyJh…x9Q (expires in 52 min, scopes: read write)``."""
    remaining = tokens.expires_in(now)
    if remaining is None:
        expiry = "no expiry given"
    elif remaining <= 0:
        expiry = f"expired {_duration(-remaining)} ago"
    else:
        expiry = f"expires in {_duration(remaining)}"
    parts = [expiry, f"scopes: {tokens.scope}" if tokens.scope else "no scopes reported"]
    if tokens.refresh_token:
        parts.append("refresh token saved")
    return f"{mask_token(tokens.access_token)} ({', '.join(parts)})"


class TokenStore:
    """Load / save / clear the token blob of an auth owner in the keyring."""

    def __init__(self, secrets: SecretStore | None) -> None:
        self._secrets = secrets

    def _store(self, owner: str) -> SecretStore:
        if self._secrets is None:
            raise AuthError(
                f"OAuth tokens of '{owner}' are kept in the system keyring, and none is "
                "available. Start a Secret Service (e.g. gnome-keyring) and try again."
            )
        return self._secrets

    def load(self, owner: str) -> TokenSet | None:
        text = self._store(owner).get(owner, TOKENS_FIELD)
        return TokenSet.from_json(text) if text else None

    def save(self, owner: str, tokens: TokenSet) -> None:
        self._store(owner).set(owner, TOKENS_FIELD, tokens.to_json())

    def clear(self, owner: str) -> None:
        self._store(owner).delete(owner, TOKENS_FIELD)
