"""OpenID Connect ID tokens: checked before anything of them is believed or shown.

An ID token that comes back from the token endpoint is verified (OIDC Core §3.1.3.7)
with joserfc: the signature against the issuer's published keys (JWKS, found through
discovery), ``iss`` equal to the configured issuer, ``aud`` containing the client ID
(and ``azp`` naming it when there are several audiences), ``exp`` in the future, and
``nonce`` equal to the one sent in the authorization request. Only asymmetric
algorithms are accepted: a key from the JWKS must sign it. A token that fails any
check refuses the login with one sentence saying which check failed.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import httpx

from ..errors import AuthError
from .discovery import discover

if TYPE_CHECKING:  # joserfc (and cryptography) load only when an ID token comes
    from joserfc.jwk import KeySet

__all__ = ["ALGORITHMS", "describe_claims", "fetch_jwks", "validate_id_token"]

ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384",
              "ES512", "EdDSA")
LEEWAY = 60  # seconds of clock skew tolerated on exp / iat
_SHOWN = ("sub", "name", "preferred_username", "email", "iss", "aud", "exp", "iat",
          "auth_time")


async def fetch_jwks(client: httpx.AsyncClient, issuer: str, jwks_uri: str = "") -> KeySet:
    """The issuer's signing keys (``jwks_uri`` from its discovery document)."""
    from joserfc.errors import JoseError
    from joserfc.jwk import KeySet
    if not jwks_uri:
        jwks_uri = (await discover(issuer, client)).jwks_uri
    if not jwks_uri:
        raise AuthError(f"The issuer '{issuer}' publishes no jwks_uri, so its ID token "
                        "cannot be verified.")
    try:
        resp = await client.get(jwks_uri, headers={"Accept": "application/json"})
        data = resp.json() if resp.status_code == 200 else None
    except (httpx.HTTPError, ValueError) as exc:
        raise AuthError(f"Cannot read the issuer's keys at {jwks_uri} "
                        f"({type(exc).__name__}).") from None
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
        raise AuthError(f"The issuer's keys at {jwks_uri} are not a JWK set "
                        f"(HTTP {resp.status_code}).")
    try:
        return KeySet.import_key_set(data)  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise AuthError(f"The issuer's keys at {jwks_uri} cannot be read ({exc}).") from None


def _refused(why: str) -> AuthError:
    return AuthError(f"The ID token was refused: {why}. No token was saved.")


def validate_id_token(token: str, keys: KeySet, *, issuer: str, client_id: str,
                      nonce: str | None, now: float | None = None) -> dict[str, Any]:
    """The verified claims of ``token``; AuthError naming the failed check otherwise."""
    from joserfc import jwt
    from joserfc.errors import (
        BadSignatureError,
        ExpiredTokenError,
        InvalidClaimError,
        JoseError,
        MissingClaimError,
    )

    try:
        decoded = jwt.decode(token, keys, algorithms=list(ALGORITHMS))
    except BadSignatureError:
        raise _refused("its signature does not match the issuer's published keys "
                       "(it was altered, or not issued by this issuer)") from None
    except JoseError as exc:
        raise _refused(f"it cannot be verified ({exc.error}: {exc.description or exc})"
                       ) from None
    except ValueError as exc:
        raise _refused(f"it is not a well-formed JWT ({exc})") from None
    claims = dict(decoded.claims)
    options: dict[str, Any] = {
        "iss": {"essential": True, "value": issuer},
        "aud": {"essential": True, "value": client_id},
        "exp": {"essential": True},
        "iat": {"essential": True},
        "sub": {"essential": True},
    }
    if nonce is not None:
        options["nonce"] = {"essential": True, "value": nonce}
    at = int(time.time() if now is None else now)
    registry = jwt.JWTClaimsRegistry(now=at, leeway=LEEWAY, **options)
    try:
        registry.validate(claims)
    except ExpiredTokenError:
        when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(int(claims["exp"])))
        raise _refused(f"it expired at {when}") from None
    except MissingClaimError as exc:
        raise _refused(f"it lacks the '{exc.claim}' claim") from None
    except InvalidClaimError as exc:
        raise _refused(_claim_problem(exc.claim, claims, issuer, client_id)) from None
    except JoseError as exc:
        raise _refused(f"{exc.error}: {exc.description or exc}") from None
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise _refused(f"it names several audiences and its azp is not '{client_id}'")
    return claims


def _claim_problem(name: str, claims: dict[str, Any], issuer: str, client_id: str) -> str:
    if name == "iss":
        return f"it was issued by '{claims.get('iss')}', not by '{issuer}'"
    if name == "aud":
        return f"it is meant for '{claims.get('aud')}', not for the client '{client_id}'"
    if name == "nonce":
        return "its nonce is not the one sent with this login (a replayed or injected token)"
    return f"its '{name}' claim is invalid"


def _when(value: Any) -> str:
    try:
        return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(int(value)))
    except (TypeError, ValueError, OverflowError):
        return str(value)


def describe_claims(claims: dict[str, Any]) -> str:
    """``sub=alice, email=…, iss=…, aud=…, exp=2026-…`` for status lines."""
    parts = []
    for name in _SHOWN:
        if name in claims:
            value = claims[name]
            if name in ("exp", "iat", "auth_time"):
                value = _when(value)
            elif isinstance(value, list):
                value = " ".join(str(v) for v in value)
            parts.append(f"{name}={value}")
    return ", ".join(parts)
