"""ID token checks one by one: each claim that is wrong refuses the token in its words."""

from __future__ import annotations

import time
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, OctKey, RSAKey

from relaydesk.core.errors import AuthError
from relaydesk.core.oauth.id_token import describe_claims, validate_id_token

ISSUER = "https://login.example.test"
CLIENT = "my-client"
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"})
PUBLIC = KeySet.import_key_set({"keys": [KEY.as_dict(private=False)]})


def make(**changes: Any) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {"iss": ISSUER, "aud": CLIENT, "sub": "alice", "iat": now,
                              "exp": now + 300, "nonce": "n-1"}
    claims.update(changes)
    for name in [k for k, v in claims.items() if v is None]:
        del claims[name]
    return jwt.encode({"alg": "RS256", "kid": "k1"}, claims, KEY)


def check(token: str, nonce: str | None = "n-1") -> dict[str, Any]:
    return validate_id_token(token, PUBLIC, issuer=ISSUER, client_id=CLIENT, nonce=nonce)


def test_a_good_token_gives_its_claims() -> None:
    claims = check(make(email="alice@example.test"))
    assert claims["sub"] == "alice"
    text = describe_claims(claims)
    assert text.startswith("sub=alice, email=alice@example.test, iss=https://login")


@pytest.mark.parametrize(("changes", "nonce", "needle"), [
    ({"iss": "https://evil.example"}, "n-1", "issued by 'https://evil.example'"),
    ({"aud": "other-client"}, "n-1", "not for the client 'my-client'"),
    ({"nonce": "n-2"}, "n-1", "nonce is not the one sent"),
    ({"nonce": None}, "n-1", "lacks the 'nonce' claim"),
    ({"exp": int(time.time()) - 3600}, "n-1", "it expired at"),
    ({"sub": None}, "n-1", "lacks the 'sub' claim"),
    ({"aud": [CLIENT, "other"]}, "n-1", "several audiences"),
])
def test_each_bad_claim_is_named(changes: dict[str, Any], nonce: str | None,
                                 needle: str) -> None:
    with pytest.raises(AuthError) as info:
        check(make(**changes), nonce)
    assert needle in str(info.value)
    assert str(info.value).startswith("The ID token was refused")


def test_several_audiences_with_azp_pass() -> None:
    assert check(make(aud=[CLIENT, "other"], azp=CLIENT))["azp"] == CLIENT


def test_a_token_signed_by_another_key_is_refused() -> None:
    other = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    forged = jwt.encode({"alg": "RS256", "kid": "k1"}, {"iss": ISSUER}, other)
    with pytest.raises(AuthError, match="signature does not match"):
        check(forged)


def test_a_symmetric_algorithm_is_refused() -> None:
    secret = OctKey.generate_key(256)
    token = jwt.encode({"alg": "HS256"}, {"iss": ISSUER, "aud": CLIENT}, secret)
    with pytest.raises(AuthError, match="The ID token was refused"):
        check(token)


def test_garbage_is_refused_in_words() -> None:
    with pytest.raises(AuthError, match="The ID token was refused"):
        check("not.a.jwt")
