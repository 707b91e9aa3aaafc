"""Credentials found in headers, turned into auth settings plus secrets.

Commands pasted from a browser or API docs and imported collections often carry
``Authorization: Bearer …`` or an API-key header. Saved as they are, the credential
would sit in a workspace file; lifted, it becomes auth settings (public fields) and a
secret the caller stores in the keyring.
"""

from __future__ import annotations

import base64
import binascii

from .model import AuthSettings, KeyValue

__all__ = ["API_KEY_HEADERS", "ONE_OFF_SCHEMES", "lift_auth_header"]

# Header names that carry an API key in the wild; their values are secrets.
API_KEY_HEADERS = frozenset({"x-api-key", "api-key", "apikey", "x-apikey", "x-auth-token",
                             "private-token", "x-access-token"})
# Authorization schemes whose value signs one request: stored, it would be a dead token.
ONE_OFF_SCHEMES = {"aws4-hmac-sha256": "AWS Signature v4", "oauth": "OAuth 1.0",
                   "hawk": "Hawk", "aws": "AWS Signature v2"}


def lift_auth_header(headers: list[KeyValue]) -> tuple[list[KeyValue], AuthSettings | None,
                                                      dict[str, str]]:
    """An ``Authorization`` or API-key header becomes auth settings plus its secret."""
    kept: list[KeyValue] = []
    auth: AuthSettings | None = None
    secrets: dict[str, str] = {}
    for h in headers:
        low = h.name.lower()
        value = h.value.strip()
        if auth is None and h.enabled and low == "authorization" and value and "{{" not in value:
            scheme, _, rest = value.partition(" ")
            rest = rest.strip()
            if scheme.lower() in ONE_OFF_SCHEMES:
                kept.append(h)  # a signature, left as it was sent
                continue
            if scheme.lower() == "bearer" and rest:
                auth, secrets = AuthSettings("bearer"), {"token": rest}
                continue
            if scheme.lower() == "basic" and rest:
                try:
                    user, colon, password = base64.b64decode(rest, validate=True).decode(
                        "utf-8").partition(":")
                except (binascii.Error, UnicodeDecodeError):
                    colon = ""
                if colon:
                    auth, secrets = AuthSettings("basic", {"username": user}), {
                        "password": password}
                    continue
            if scheme and rest and scheme.lower() not in ("digest", "negotiate", "ntlm"):
                auth, secrets = AuthSettings("token", {"scheme": scheme}), {"token": rest}
                continue
        if (auth is None and h.enabled and low in API_KEY_HEADERS and value
                and "{{" not in value):
            auth = AuthSettings("apikey", {"name": h.name, "in": "header"})
            secrets = {"value": value}
            continue
        kept.append(h)
    return kept, auth, secrets
