"""Credential headers of pasted commands become auth + keyring secrets, never file text."""

from __future__ import annotations

import base64

import pytest

from relaydesk.core.curl import lift_credentials, parse_curl


@pytest.mark.parametrize(("headers", "kind", "params", "secrets"), [
    ([("Authorization", "Bearer abc.def")], "bearer", {}, {"token": "abc.def"}),
    ([("Authorization", "Basic " + base64.b64encode(b"ann:p:w").decode())], "basic",
     {"username": "ann"}, {"password": "p:w"}),
    ([("authorization", "Token t0k")], "token", {"scheme": "Token"}, {"token": "t0k"}),
    ([("X-Api-Key", "k3y"), ("Accept", "*/*")], "apikey", {"name": "X-Api-Key", "in": "header"},
     {"value": "k3y"}),
])
def test_import_lifts_credential_headers_into_auth_and_secrets(
        headers: list[tuple[str, str]], kind: str, params: dict[str, str],
        secrets: dict[str, str]) -> None:
    command = "curl https://h/x " + " ".join(f"-H '{n}: {v}'" for n, v in headers)
    lifted = lift_credentials(parse_curl(command))
    req = lifted.request
    assert req.auth is not None and (req.auth.kind, req.auth.params) == (kind, params)
    assert lifted.secrets == secrets
    assert all(h.name.lower() in ("accept",) for h in req.headers)


def test_import_drops_credential_headers_it_cannot_lift_with_a_note() -> None:
    # a Digest answer is one-off (it signs one challenge): not an auth to keep
    digest = lift_credentials(
        parse_curl("""curl https://h/x -H 'Authorization: Digest username="u"'"""))
    assert digest.request.headers == [] and digest.secrets == {}
    assert any("Authorization header was not saved" in n for n in digest.notes)
    templated = parse_curl("curl https://h/x -H 'Authorization: Bearer {{token}}'")
    assert lift_credentials(templated) == templated


def test_explicit_user_option_wins_over_headers() -> None:
    imported = parse_curl("curl -u ann:pw -H 'X-Api-Key: k' https://h/x")
    lifted = lift_credentials(imported)
    assert lifted.request.auth is not None and lifted.request.auth.kind == "basic"
    assert lifted.request.headers == [] and lifted.secrets == {"password": "pw"}
    assert any("X-Api-Key header was not saved" in n for n in lifted.notes)
