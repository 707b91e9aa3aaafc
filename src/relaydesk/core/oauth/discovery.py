"""Authorization server discovery: issuer URL → endpoints.

Tries OpenID Connect discovery (``{issuer}/.well-known/openid-configuration``), then
RFC 8414 metadata (``/.well-known/oauth-authorization-server`` inserted before the
issuer's path, then appended to it, which some servers do). The document's
``issuer`` must be the one asked for (RFC 8414 §3.3), or the metadata is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from ..errors import AuthError

__all__ = ["ServerMetadata", "discover", "metadata_urls"]


@dataclass
class ServerMetadata:
    issuer: str
    authorization_endpoint: str = ""
    token_endpoint: str = ""
    scopes_supported: list[str] = field(default_factory=list)
    code_challenge_methods_supported: list[str] = field(default_factory=list)
    iss_parameter_supported: bool = False
    source: str = ""  # the URL the document came from
    jwks_uri: str = ""  # the issuer's signing keys (ID token verification)
    device_authorization_endpoint: str = ""  # RFC 8628


def metadata_urls(issuer: str) -> list[str]:
    issuer = issuer.strip().rstrip("/")
    parts = urlsplit(issuer)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise AuthError(f"The issuer '{issuer}' is not an http(s) URL.")
    path = parts.path.rstrip("/")
    origin = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
    urls = [
        f"{issuer}/.well-known/openid-configuration",
        f"{origin}/.well-known/oauth-authorization-server{path}",
    ]
    if path:
        urls.append(f"{issuer}/.well-known/oauth-authorization-server")
    return urls


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


async def discover(issuer: str, client: httpx.AsyncClient) -> ServerMetadata:
    """Fetch and check the issuer's metadata; AuthError in plain words when none fits."""
    issuer = issuer.strip().rstrip("/")
    tried: list[str] = []
    for url in metadata_urls(issuer):
        try:
            resp = await client.get(url, headers={"Accept": "application/json"})
        except httpx.HTTPError as exc:
            raise AuthError(
                f"Cannot reach the issuer '{issuer}' to discover its endpoints "
                f"({type(exc).__name__}: {exc or 'no answer'})."
            ) from None
        if resp.status_code != 200:
            tried.append(f"{url} → HTTP {resp.status_code}")
            continue
        try:
            doc = resp.json()
        except ValueError:
            tried.append(f"{url} → not JSON")
            continue
        if not isinstance(doc, dict):
            tried.append(f"{url} → not a JSON object")
            continue
        found = str(doc.get("issuer", "")).rstrip("/")
        if found != issuer:
            raise AuthError(
                f"The discovery document at {url} names the issuer '{found}', not "
                f"'{issuer}'; Relaydesk does not use metadata of another issuer."
            )
        meta = ServerMetadata(
            issuer=issuer,
            authorization_endpoint=str(doc.get("authorization_endpoint") or ""),
            token_endpoint=str(doc.get("token_endpoint") or ""),
            scopes_supported=_strings(doc.get("scopes_supported")),
            code_challenge_methods_supported=_strings(
                doc.get("code_challenge_methods_supported")),
            iss_parameter_supported=doc.get(
                "authorization_response_iss_parameter_supported") is True,
            source=url,
            jwks_uri=str(doc.get("jwks_uri") or ""),
            device_authorization_endpoint=str(doc.get("device_authorization_endpoint") or ""),
        )
        if not meta.token_endpoint:
            raise AuthError(f"The discovery document at {url} lists no token endpoint.")
        return meta
    raise AuthError(
        f"No OAuth discovery document was found for the issuer '{issuer}' "
        f"(tried: {'; '.join(tried)}). Enter the authorization and token URLs by hand."
    )
