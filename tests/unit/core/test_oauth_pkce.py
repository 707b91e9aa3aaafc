"""PKCE (RFC 7636) and token set helpers."""

from __future__ import annotations

import re

import pytest

from relaydesk.core.errors import AuthError
from relaydesk.core.oauth.pkce import Pkce, make_verifier, s256_challenge
from relaydesk.core.oauth.tokens import TokenSet, describe_tokens, mask_token


def test_rfc7636_appendix_b_vector() -> None:
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert s256_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


@pytest.mark.parametrize("length", [43, 64, 128])
def test_verifiers_use_the_unreserved_set(length: int) -> None:
    verifier = make_verifier(length)
    assert len(verifier) == length
    assert re.fullmatch(r"[A-Za-z0-9\-._~]+", verifier)


def test_fresh_pairs_differ_and_are_s256() -> None:
    a, b = Pkce.create(), Pkce.create()
    assert a.verifier != b.verifier and a.method == "S256"
    assert a.challenge == s256_challenge(a.verifier)


@pytest.mark.parametrize("bad", [42, 129])
def test_verifier_length_is_bounded(bad: int) -> None:
    with pytest.raises(ValueError):
        make_verifier(bad)
    with pytest.raises(ValueError):
        s256_challenge("a" * bad)


def test_mask_and_describe() -> None:
    token = "eyJhbGciOiJSUzI1NiJ9.payload.sigx9Q"
    assert mask_token(token) == "eyJh…x9Q"
    assert mask_token("short") == "…"
    tokens = TokenSet(access_token=token, expires_at=1000 + 52 * 60, scope="read write",
                      obtained_at=1000)
    assert describe_tokens(tokens, now=1000) == "eyJh…x9Q (expires in 52 min, scopes: read write)"
    assert "expired 10 s ago" in describe_tokens(tokens, now=1000 + 52 * 60 + 10)


def test_token_set_from_response_rules() -> None:
    payload = {"access_token": "a" * 20, "expires_in": 120, "token_type": "bearer"}
    tokens = TokenSet.from_response(payload, requested_scope="read", previous_refresh="r1",
                                    now=100.0)
    assert tokens.expires_at == 220.0 and tokens.scope == "read"  # §5.1: scope as requested
    assert tokens.refresh_token == "r1"  # kept when the server does not rotate
    rotated = TokenSet.from_response({**payload, "refresh_token": "r2"}, previous_refresh="r1")
    assert rotated.refresh_token == "r2"
    assert TokenSet.from_json(tokens.to_json()) == tokens
    assert TokenSet.from_json("not json") is None
    with pytest.raises(AuthError, match="without an access token"):
        TokenSet.from_response({"token_type": "bearer"})


def test_freshness_has_a_skew() -> None:
    long = TokenSet(access_token="x" * 20, expires_at=1000 + 3600, obtained_at=1000)
    assert long.is_fresh(60, now=1000 + 3500)
    assert not long.is_fresh(60, now=1000 + 3560)
    short = TokenSet(access_token="x" * 20, expires_at=1002, obtained_at=1000)
    assert short.is_fresh(60, now=1000.5) and not short.is_fresh(60, now=1001.2)
