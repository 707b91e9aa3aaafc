"""OAuth 2.0 for Relaydesk: client credentials, authorization code + PKCE through a
loopback redirect (RFC 8252), refresh with rotation, discovery, keyring token storage.

Qt-free. ``OAuthTokenProvider`` is what the engine calls for ``oauth2`` auth.
"""

from __future__ import annotations

from .provider import OAuthTokenProvider
from .tokens import TOKENS_FIELD, TokenSet, describe_tokens, mask_token

__all__ = ["TOKENS_FIELD", "OAuthTokenProvider", "TokenSet", "describe_tokens", "mask_token"]
