"""The OAuth 2.0 grants as plain async functions over an ``httpx.AsyncClient``.

- client credentials (RFC 6749 §4.4) with ``client_secret_basic`` or
  ``client_secret_post``, scope, and audience / resource (RFC 8707) parameters;
- authorization code + PKCE S256 (RFC 7636) through the system browser and a
  loopback redirect (RFC 8252), or a pasted redirect URL;
- refresh (RFC 6749 §6), keeping the old refresh token only when none is rotated in;
- the device authorization grant (RFC 8628) lives in ``device.py`` over ``token_request``.

An ID token in a token answer is verified (``id_token.py``) before the tokens are
believed; the code flow sends a nonce when the scope asks for ``openid``.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import secrets
import ssl
import threading
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import httpx

from ..errors import AuthError
from ..model import AuthSettings
from .id_token import fetch_jwks, validate_id_token
from .loopback import DEFAULT_TIMEOUT, LoopbackListener
from .pkce import Pkce
from .timeline import Timeline
from .tokens import TokenSet
from .wording import token_error

__all__ = [
    "GRANTS",
    "BrowserOpener",
    "LoginPrompt",
    "OAuthConfig",
    "TokenEndpointError",
    "authorization_code_flow",
    "authorization_url",
    "client_auth_parts",
    "client_credentials",
    "exchange_code",
    "parse_payload",
    "post_form",
    "refresh",
    "settings_fingerprint",
    "token_request",
]

GRANTS = ("client_credentials", "authorization_code", "device_code")
DEFAULT_REDIRECT_PATH = "/callback"
BrowserOpener = Callable[[str], object]


@dataclass
class OAuthConfig:
    owner: str
    grant: str
    client_id: str
    client_secret: str | None = None
    token_url: str = ""
    auth_url: str = ""
    issuer: str = ""
    scope: str = ""
    audience: str = ""
    resource: str = ""
    redirect_port: int = 0
    redirect_path: str = DEFAULT_REDIRECT_PATH
    client_auth: str = "basic"
    require_iss: bool = False  # the server's metadata promises `iss` (RFC 9207)
    _fingerprint: str = ""
    device_url: str = ""  # RFC 8628 device authorization endpoint
    jwks_uri: str = ""  # from discovery; fetched from it when empty
    timeline: Timeline | None = None  # where the calls of this login are recorded
    nonce: str | None = None  # sent in the authorization request; the ID token must echo it

    @classmethod
    def from_settings(cls, owner: str, settings: AuthSettings,
                      client_secret: str | None) -> OAuthConfig:
        """Check the connection's OAuth fields; AuthError naming what is missing."""
        get = settings.get
        grant = get("grant").strip() or (
            "authorization_code" if get("auth_url").strip() or get("issuer").strip()
            else "client_credentials")
        if grant not in GRANTS:
            raise AuthError(f"'{grant}' is not an OAuth grant Relaydesk supports; use "
                            "client_credentials, authorization_code or device_code.")
        client_auth = get("client_auth", "basic").strip() or "basic"
        if client_auth not in ("basic", "post"):
            raise AuthError(f"The OAuth client_auth of '{owner}' must be 'basic' or 'post'.")
        port_text = get("redirect_port").strip() or "0"
        if not port_text.isdigit() or int(port_text) > 65535:
            raise AuthError(f"The redirect_port of '{owner}' must be a port number (1-65535), "
                            f"not '{port_text}'.")
        config = cls(
            owner=owner, grant=grant, client_id=get("client_id").strip(),
            client_secret=client_secret or None, token_url=get("token_url").strip(),
            auth_url=get("auth_url").strip(), issuer=get("issuer").strip().rstrip("/"),
            scope=" ".join(get("scope").split()), audience=get("audience").strip(),
            resource=get("resource").strip(), redirect_port=int(port_text),
            redirect_path="/" + (get("redirect_path").strip().lstrip("/")
                                 or DEFAULT_REDIRECT_PATH.lstrip("/")),
            client_auth=client_auth, _fingerprint=settings_fingerprint(settings),
            device_url=get("device_url").strip(),
        )
        if not config.client_id:
            raise AuthError(f"OAuth 2.0 on '{owner}' needs a client_id.")
        if grant == "client_credentials" and not config.client_secret:
            raise AuthError(
                f"The client credentials grant of '{owner}' needs its client_secret, which is "
                f"not saved yet. Store it with `relaydesk secret set {owner} client_secret`."
            )
        return config

    def check_endpoints(self) -> None:
        if not self.token_url:
            raise AuthError(f"OAuth 2.0 on '{self.owner}' needs a token_url (or an issuer "
                            "to discover it from).")
        if self.grant == "authorization_code" and not self.auth_url:
            raise AuthError(f"The authorization code grant of '{self.owner}' needs an auth_url "
                            "(or an issuer to discover it from).")
        if self.grant == "device_code" and not self.device_url:
            raise AuthError(f"The device code grant of '{self.owner}' needs a device_url (the "
                            "device authorization endpoint, or an issuer to discover it from).")

    def fingerprint(self) -> str:
        """Which settings a token was obtained with (never the secret itself)."""
        return self._fingerprint

    def extra_params(self) -> dict[str, str]:
        extra = {"scope": self.scope, "audience": self.audience, "resource": self.resource}
        return {k: v for k, v in extra.items() if v}


def settings_fingerprint(settings: AuthSettings) -> str:
    """Tells apart the OAuth setups a token could have come from; built from the
    public settings only, so checking a cached token needs no keyring access."""
    names = ("grant", "issuer", "token_url", "auth_url", "client_id", "scope", "audience",
             "resource")
    text = "\n".join(" ".join(settings.get(n).split()) for n in names)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class TokenEndpointError(AuthError):
    """The token endpoint answered with an OAuth error (``code`` as the server sent it)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def client_auth_parts(config: OAuthConfig, form: dict[str, str]) -> dict[str, str]:
    """Headers for the configured client authentication; ``form`` gets the post form."""
    headers = {"Accept": "application/json"}
    if config.client_secret and config.client_auth == "basic":
        # RFC 6749 §2.3.1: form-encode both parts before base64.
        pair = f"{quote(config.client_id, safe='')}:{quote(config.client_secret, safe='')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode("ascii")
    else:
        form["client_id"] = config.client_id
        if config.client_secret:
            form["client_secret"] = config.client_secret
    return headers


async def post_form(client: httpx.AsyncClient, config: OAuthConfig, url: str,
                    form: dict[str, str], what: str) -> tuple[httpx.Response, dict[str, Any]]:
    """POST ``form`` with the client authentication; the answer and its parsed body."""
    headers = client_auth_parts(config, form)
    try:
        resp = await client.post(url, data=form, headers=headers)
    except (httpx.HTTPError, ssl.SSLError) as exc:  # httpcore lets a TLS alert out raw
        from ..client_identity import client_cert_refusal

        refusal = client_cert_refusal(exc, url)
        raise AuthError(f"Cannot reach {what} {url} "
                        f"({type(exc).__name__}: {str(exc) or 'no answer'})."
                        + (f" {refusal}" if refusal else "")) from None
    return resp, parse_payload(resp)


def parse_payload(resp: httpx.Response) -> dict[str, Any]:
    ctype = resp.headers.get("content-type", "")
    if "x-www-form-urlencoded" in ctype:  # e.g. GitHub without an Accept header
        return dict(parse_qsl(resp.text))
    try:
        data = resp.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


async def token_request(client: httpx.AsyncClient, config: OAuthConfig, data: dict[str, str],
                        *, previous: TokenSet | None = None) -> TokenSet:
    """POST to the token endpoint with the configured client authentication."""
    config.check_endpoints()
    grant = data["grant_type"]
    resp, payload = await post_form(client, config, config.token_url, dict(data),
                                    "the token endpoint")
    if resp.status_code == 200 and payload.get("access_token"):
        tokens = TokenSet.from_response(
            payload, requested_scope=(previous.scope or "") if previous else config.scope,
            previous_refresh=previous.refresh_token if previous else None,
            fingerprint=config.fingerprint())
        id_token = payload.get("id_token")
        if isinstance(id_token, str) and id_token:
            tokens.id_claims = await _verified_claims(client, config, id_token,
                                                      refreshing=previous is not None)
        elif previous is not None:
            tokens.id_claims = previous.id_claims
        return tokens
    error = payload.get("error")
    if isinstance(error, str) and error:
        description = payload.get("error_description")
        raise TokenEndpointError(token_error(error, description if isinstance(description, str)
                                             else None, owner=config.owner, grant=grant),
                                 error)
    raise AuthError(f"The token endpoint {config.token_url} answered HTTP {resp.status_code} "
                    "without a token or an OAuth error.")


async def _verified_claims(client: httpx.AsyncClient, config: OAuthConfig, id_token: str,
                           *, refreshing: bool) -> dict[str, Any]:
    if not config.issuer:
        raise AuthError(
            f"The token endpoint of '{config.owner}' returned an OpenID Connect ID token, "
            "but the connection names no issuer to verify it against; set its issuer.")
    keys = await fetch_jwks(client, config.issuer, config.jwks_uri)
    # OIDC Core §12.2: a refreshed ID token carries no new nonce.
    nonce = None if refreshing else config.nonce
    return validate_id_token(id_token, keys, issuer=config.issuer, client_id=config.client_id,
                             nonce=nonce)


async def client_credentials(client: httpx.AsyncClient, config: OAuthConfig) -> TokenSet:
    return await token_request(client, config,
                               {"grant_type": "client_credentials", **config.extra_params()})


async def refresh(client: httpx.AsyncClient, config: OAuthConfig, tokens: TokenSet) -> TokenSet:
    if not tokens.refresh_token:
        raise AuthError(f"'{config.owner}' has no refresh token saved.")
    data = {"grant_type": "refresh_token", "refresh_token": tokens.refresh_token}
    return await token_request(client, config, data, previous=tokens)


async def exchange_code(client: httpx.AsyncClient, config: OAuthConfig, code: str,
                        redirect_uri: str, verifier: str) -> TokenSet:
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
            "code_verifier": verifier}
    if config.resource:
        data["resource"] = config.resource
    return await token_request(client, config, data)


def authorization_url(config: OAuthConfig, redirect_uri: str, state: str, pkce: Pkce) -> str:
    config.check_endpoints()
    params = {"response_type": "code", "client_id": config.client_id,
              "redirect_uri": redirect_uri, "state": state,
              "code_challenge": pkce.challenge, "code_challenge_method": pkce.method,
              **config.extra_params()}
    if config.nonce:
        params["nonce"] = config.nonce
    sep = "&" if urlsplit(config.auth_url).query else "?"
    return config.auth_url + sep + urlencode(params, quote_via=quote)


@dataclass
class LoginPrompt:
    """What a surface shows while the browser step runs; ``paste`` / ``cancel`` end it."""

    url: str
    redirect_uri: str
    _listener: LoopbackListener

    def paste(self, redirect_url: str) -> None:
        self._listener.submit(redirect_url)

    def cancel(self) -> None:
        self._listener.cancel()


def _open_in_background(opener: BrowserOpener, url: str) -> None:
    # A console browser may run in the foreground until it exits: never block the loop.
    def run() -> None:
        with contextlib.suppress(Exception):  # the URL is shown too; the user can open it
            opener(url)

    threading.Thread(target=run, name="relaydesk-browser", daemon=True).start()


async def authorization_code_flow(
    client: httpx.AsyncClient, config: OAuthConfig, *,
    opener: BrowserOpener | None = webbrowser.open,
    on_prompt: Callable[[LoginPrompt], object] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> TokenSet:
    """Browser login: loopback listener, authorization URL, code exchange."""
    config.check_endpoints()
    state = secrets.token_urlsafe(24)
    pkce = Pkce.create()
    if "openid" in config.scope.split():  # OIDC: the ID token must echo this nonce
        config.nonce = secrets.token_urlsafe(24)
    listener = LoopbackListener(state, issuer=config.issuer or None,
                                require_iss=config.require_iss, port=config.redirect_port,
                                path=config.redirect_path)
    async with listener:
        url = authorization_url(config, listener.redirect_uri, state, pkce)
        if on_prompt is not None:
            on_prompt(LoginPrompt(url, listener.redirect_uri, listener))
        if opener is not None:
            _open_in_background(opener, url)
        if config.timeline is not None:
            config.timeline.note("authorization (browser)", "GET", url)
        try:
            code = await listener.wait(timeout)
        except AuthError as exc:
            if config.timeline is not None:
                config.timeline.note("redirect back", "GET", listener.redirect_uri,
                                     error=str(exc))
            raise
        if config.timeline is not None:
            config.timeline.note("redirect back", "GET", listener.redirect_uri,
                                 params={"code": code, "state": state})
    return await exchange_code(client, config, code, listener.redirect_uri, pkce.verifier)
