"""AWS Signature Version 4 as an auth kind (API Gateway and other AWS services).

The signature covers the method, path, query, the host, content type and ``x-amz-*``
headers and a hash of the body, at the moment of sending, so it is an ``httpx.Auth``
(httpx-auth's maintained ``AWS4Auth``), not a header computed ahead. Public settings:
``access_key_id``, ``region``, ``service`` (``execute-api`` for API Gateway when
empty); secrets in the keyring: ``secret_access_key`` and, for temporary (STS)
credentials, ``session_token``.
"""

from __future__ import annotations

import re

import httpx

from .errors import AuthError

__all__ = ["DEFAULT_SERVICE", "sigv4_auth"]

DEFAULT_SERVICE = "execute-api"
_REGION = re.compile(r"^[a-z0-9-]+$")


def sigv4_auth(owner: str, access_key_id: str, secret_access_key: str, region: str,
               service: str, session_token: str | None) -> httpx.Auth:
    """The signer; AuthError naming the missing or malformed setting."""
    if not access_key_id.strip():
        raise AuthError(f"AWS Signature V4 on '{owner}' needs an access_key_id.")
    if not _REGION.match(region.strip()):
        raise AuthError(f"AWS Signature V4 on '{owner}' needs a region such as us-east-1, "
                        f"not '{region}'.")
    from httpx_auth import AWS4Auth  # loaded when a signed request is sent

    extra = {"security_token": session_token} if session_token else {}
    return AWS4Auth(access_id=access_key_id.strip(), secret_key=secret_access_key,
                    region=region.strip(), service=service.strip() or DEFAULT_SERVICE,
                    **extra)
