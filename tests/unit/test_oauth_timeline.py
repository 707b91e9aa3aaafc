"""The timeline's masking: credentials by name, in forms, queries and answers."""

from __future__ import annotations

import httpx
import pytest

from relaydesk.core.oauth.timeline import (
    Timeline,
    instrument,
    is_secret_name,
    mask_params,
    mask_url,
)


@pytest.mark.parametrize("name", ["client_secret", "code", "code_verifier", "refresh_token",
                                  "access_token", "id_token", "password", "device_code",
                                  "client_assertion", "subject_token", "api_key"])
def test_credential_names_are_masked(name: str) -> None:
    assert is_secret_name(name)
    assert mask_params({name: "value-123"}) == {name: "***"}


@pytest.mark.parametrize("name", ["grant_type", "token_type", "user_code", "scope",
                                  "code_challenge", "code_challenge_method", "client_id",
                                  "expires_in", "error_description"])
def test_public_names_are_kept(name: str) -> None:
    assert not is_secret_name(name)
    assert mask_params({name: "v"}) == {name: "v"}


def test_query_of_a_url_is_masked() -> None:
    url = mask_url("https://as.test/cb?code=abc123&state=s1&iss=https%3A%2F%2Fas.test")
    assert "abc123" not in url and "code=***" in url and "state=s1" in url


async def test_instrumented_client_records_form_and_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"error": "invalid_grant",
                                         "error_description": "code reused"})

    timeline = Timeline()
    seen: list[str] = []
    timeline.subscribe(lambda e: seen.append(e.what))
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        instrument(client, timeline)
        await client.post("https://as.test/token", auth=("id", "pw-secret"),
                          data={"grant_type": "authorization_code", "code": "c-secret",
                                "code_verifier": "v-secret"})
    (entry,) = timeline.entries()
    assert seen == ["token (authorization_code)"]
    assert entry.status == 400 and entry.error == "invalid_grant: code reused"
    assert entry.client_auth == "Basic ***"
    text = timeline.text()
    assert "c-secret" not in text and "v-secret" not in text and "pw-secret" not in text
    assert "grant_type=authorization_code" in text
