"""The device grant's polling rules (RFC 8628 §3.4-3.5) against scripted token answers:
the intervals it waits, and how each error code ends (or does not end) the login."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from relaydesk.core.errors import AuthError
from relaydesk.core.model import AuthSettings
from relaydesk.core.oauth.device import device_authorization, poll_for_tokens
from relaydesk.core.oauth.flows import OAuthConfig

DEVICE = {"device_code": "dc-secret-1", "user_code": "WDJB-MJHT",
          "verification_uri": "https://as.test/device", "expires_in": 900}


def config() -> OAuthConfig:
    return OAuthConfig.from_settings("api/main", AuthSettings("oauth2", {
        "grant": "device_code", "client_id": "cli", "token_url": "https://as.test/token",
        "device_url": "https://as.test/device_authorization", "scope": "read"}), None)


def scripted(answers: list[tuple[int, dict[str, Any]]], seen: list[dict[str, str]]) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        form = dict(httpx.QueryParams(request.content.decode()))
        seen.append(form)
        if request.url.path == "/device_authorization":
            return httpx.Response(200, json={**DEVICE, "interval": 2})
        status, body = answers.pop(0)
        return httpx.Response(status, content=json.dumps(body),
                              headers={"content-type": "application/json"})

    return httpx.MockTransport(handler)


async def run(answers: list[tuple[int, dict[str, Any]]]) -> tuple[Any, list[float],
                                                                   list[dict[str, str]]]:
    seen: list[dict[str, str]] = []
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async with httpx.AsyncClient(transport=scripted(answers, seen)) as client:
        code = await device_authorization(client, config())
        try:
            result: Any = await poll_for_tokens(client, config(), code, sleep=sleep)
        except AuthError as exc:
            result = exc
    return result, waits, seen


def pending() -> tuple[int, dict[str, Any]]:
    return 400, {"error": "authorization_pending"}


async def test_polls_at_the_interval_and_slows_down_for_good() -> None:
    tokens, waits, seen = await run([pending(), (400, {"error": "slow_down"}), pending(),
                                     (200, {"access_token": "at-1", "expires_in": 60})])
    assert tokens.access_token == "at-1"
    assert waits == [2, 2, 7, 7]  # interval 2, then +5 s for every later poll
    assert seen[0] == {"client_id": "cli", "scope": "read"}
    assert {s["grant_type"] for s in seen[1:]} == {
        "urn:ietf:params:oauth:grant-type:device_code"}
    assert {s["device_code"] for s in seen[1:]} == {"dc-secret-1"}


@pytest.mark.parametrize(("error", "needle"), [
    ("expired_token", "expired before the login was approved"),
    ("access_denied", "was denied at the authorization server"),
    ("invalid_client", "did not accept the client credentials"),
])
async def test_terminal_errors_end_the_login_in_one_sentence(error: str, needle: str) -> None:
    result, _waits, seen = await run([pending(), (400, {"error": error})])
    assert isinstance(result, AuthError) and needle in str(result)
    assert "\n" not in str(result) and "dc-secret-1" not in str(result)
    assert len(seen) == 3  # asked for a code, polled twice, stopped


async def test_an_answer_without_a_user_code_is_refused() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"device_code": "x"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(AuthError, match="without a device code, user code"):
            await device_authorization(client, config())
