"""The device authorization grant (RFC 8628), for CLIs, SSH sessions and IdPs that
forbid loopback redirects.

1. POST to the device authorization endpoint (client ID, scope; the client
   authenticates there as at the token endpoint) → ``device_code``, ``user_code``,
   ``verification_uri`` (+ ``verification_uri_complete``), ``expires_in``, ``interval``.
2. The user opens the verification URI on any device and enters the user code.
3. Meanwhile the token endpoint is polled every ``interval`` seconds (5 when the server
   names none); ``authorization_pending`` keeps polling, ``slow_down`` adds 5 seconds
   to the interval for good (§3.5), ``expired_token`` and ``access_denied`` end it with
   one sentence, any other error ends it with the server's words.

The device code is a credential: it is never shown, only the user code is.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from ..errors import AuthError
from .flows import (
    OAuthConfig,
    TokenEndpointError,
    _open_in_background,
    post_form,
    token_request,
)
from .tokens import TokenSet
from .wording import token_error

__all__ = ["DEVICE_GRANT_TYPE", "DeviceCode", "device_authorization", "device_flow",
           "poll_for_tokens"]

DEVICE_GRANT_TYPE = "urn:ietf:params:oauth:grant-type:device_code"
DEFAULT_INTERVAL = 5.0
SLOW_DOWN_STEP = 5.0
DEFAULT_LIFETIME = 600.0  # a server that names no expires_in: stop polling after this


@dataclass
class DeviceCode:
    """What the user needs (``user_code``, the URIs) and what the client keeps."""

    user_code: str
    verification_uri: str
    verification_uri_complete: str
    expires_at: float
    interval: float
    device_code: str

    def __repr__(self) -> str:  # the device code is a credential: never in a repr
        return (f"DeviceCode(user_code={self.user_code!r}, "
                f"verification_uri={self.verification_uri!r})")

    def expires_in(self, now: float | None = None) -> float:
        return self.expires_at - (time.monotonic() if now is None else now)


def _number(value: Any, default: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return number if number > 0 else default


async def device_authorization(client: httpx.AsyncClient, config: OAuthConfig) -> DeviceCode:
    """Step 1: ask the device authorization endpoint for a user code."""
    config.check_endpoints()
    # §3.1: the client authenticates as at the token endpoint; a public one names itself.
    resp, payload = await post_form(client, config, config.device_url,
                                    {**config.extra_params()},
                                    "the device authorization endpoint")
    error = payload.get("error")
    if isinstance(error, str) and error:
        description = payload.get("error_description")
        raise AuthError(token_error(error, description if isinstance(description, str)
                                    else None, owner=config.owner, grant="device_code"))
    device_code = payload.get("device_code")
    user_code = payload.get("user_code")
    # Some servers (Google) say verification_url.
    uri = payload.get("verification_uri") or payload.get("verification_url")
    if resp.status_code != 200 or not all(isinstance(v, str) and v
                                          for v in (device_code, user_code, uri)):
        raise AuthError(f"The device authorization endpoint {config.device_url} answered "
                        f"HTTP {resp.status_code} without a device code, user code and "
                        "verification URI.")
    complete = payload.get("verification_uri_complete")
    return DeviceCode(
        user_code=str(user_code), verification_uri=str(uri),
        verification_uri_complete=complete if isinstance(complete, str) else "",
        expires_at=time.monotonic() + _number(payload.get("expires_in"), DEFAULT_LIFETIME),
        interval=_number(payload.get("interval"), DEFAULT_INTERVAL),
        device_code=str(device_code))


def _expired(owner: str) -> AuthError:
    return AuthError(f"The device code of '{owner}' expired before the login was approved; "
                     f"run `relaydesk auth login {owner}` again and enter the new code.")


def _denied(owner: str) -> AuthError:
    return AuthError(f"The login of '{owner}' was denied at the authorization server "
                     "(access_denied), so no token was issued.")


async def poll_for_tokens(client: httpx.AsyncClient, config: OAuthConfig, code: DeviceCode, *,
                          sleep: Callable[[float], Any] = asyncio.sleep) -> TokenSet:
    """Step 3: poll the token endpoint until the user approves, denies, or time runs out."""
    interval = code.interval
    data = {"grant_type": DEVICE_GRANT_TYPE, "device_code": code.device_code}
    while True:
        if code.expires_in() <= 0:
            raise _expired(config.owner)
        await sleep(min(interval, max(code.expires_in(), 0.0)))
        try:
            return await token_request(client, config, data)
        except TokenEndpointError as exc:
            if exc.code == "authorization_pending":
                continue
            if exc.code == "slow_down":
                interval += SLOW_DOWN_STEP
                continue
            if exc.code == "expired_token":
                raise _expired(config.owner) from None
            if exc.code == "access_denied":
                raise _denied(config.owner) from None
            raise


async def device_flow(client: httpx.AsyncClient, config: OAuthConfig, *,
                      on_code: Callable[[DeviceCode], object] | None = None,
                      opener: Callable[[str], object] | None = None) -> TokenSet:
    """Ask for a user code, show it (``on_code``), optionally open the verification
    page (``opener``), then poll until tokens come."""
    code = await device_authorization(client, config)
    if on_code is not None:
        on_code(code)
    if opener is not None:
        _open_in_background(opener, code.verification_uri_complete or code.verification_uri)
    return await poll_for_tokens(client, config, code)
