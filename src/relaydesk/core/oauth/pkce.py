"""PKCE (RFC 7636) with the S256 method only: ``plain`` gives no protection when the
authorization request leaks, so Relaydesk never offers it."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass

__all__ = ["Pkce", "make_verifier", "s256_challenge"]

METHOD = "S256"
_VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")  # RFC 7636 §4.1 unreserved set


def make_verifier(length: int = 64) -> str:
    """A fresh high-entropy code verifier of ``length`` characters (43..128)."""
    if not 43 <= length <= 128:
        raise ValueError("a PKCE code verifier has 43 to 128 characters")
    # token_urlsafe only uses A-Z a-z 0-9 - _ (a subset of the unreserved set).
    return secrets.token_urlsafe(length)[:length]


def s256_challenge(verifier: str) -> str:
    """BASE64URL(SHA256(ASCII(verifier))) without padding (RFC 7636 §4.2)."""
    if not _VERIFIER.match(verifier):
        raise ValueError("a PKCE code verifier has 43 to 128 unreserved characters")
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class Pkce:
    verifier: str
    challenge: str
    method: str = METHOD

    @classmethod
    def create(cls, length: int = 64) -> Pkce:
        verifier = make_verifier(length)
        return cls(verifier, s256_challenge(verifier))
