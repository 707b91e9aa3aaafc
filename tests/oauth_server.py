"""A real OAuth 2.0 authorization server + resource server for the tests (Authlib + Flask).

Runs on 127.0.0.1 in a daemon thread (werkzeug). What it offers:

- clients: ``basic-client`` (``client_secret_basic`` only), ``post-client``
  (``client_secret_post`` only), ``app-client`` (confidential, code + refresh, basic) and
  ``public-app`` (public, ``none``); redirect URIs are loopback with ANY port
  (RFC 8252 §7.3) and a registered path (``/callback`` or ``/oauth/done``);
- ``GET /authorize`` shows a login form; ``POST /authorize`` (same query string) with
  ``user=alice&consent=yes`` redirects to the callback with ``code``, ``state`` and
  ``iss`` (RFC 9207); ``consent=no`` gives ``access_denied``. PKCE with S256 is required;
- ``POST /token``: authorization code, client credentials, refresh token with rotation
  (the old refresh token is revoked); access token lifetime ``state.expires_in``;
- ``/.well-known/openid-configuration`` for the root issuer, and RFC 8414 metadata
  (``/.well-known/oauth-authorization-server/tenant``) for the ``{base}/tenant`` issuer;
- the device authorization grant (RFC 8628): ``POST /device`` gives a user code
  (``state.device_interval`` seconds between polls), ``GET /device?user_code=…`` is the
  verification page, ``POST /device`` with ``user_code``, ``user`` and ``consent`` approves
  or denies it (the test plays the user); ``state.slow_down_once`` answers the first poll
  with ``slow_down``; ``state.device_expires_in`` is the device code's lifetime;
- OpenID Connect: with ``openid`` in the scope the code grant adds an RS256 ID token
  (nonce echoed) signed by a key published at ``/jwks``; ``state.id_token_lifetime``
  (negative: already expired) and ``state.id_token_tamper`` (payload altered after
  signing) make bad ones;
- ``GET /api/me``: the resource server, 200 only for a valid, unexpired, unrevoked token;
- ``state.token_requests``: what the token endpoint received (grant, auth method,
  form fields, Authorization header present) so tests check the server's side.
"""

from __future__ import annotations

import base64
import html
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import urlsplit

import httpx
from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6749.errors import InvalidRequestError
from authlib.oauth2.rfc6750 import BearerTokenGenerator, BearerTokenValidator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc8628 import (
    DEVICE_CODE_GRANT_TYPE,
    DeviceAuthorizationEndpoint,
    DeviceCodeGrant,
    DeviceCredentialDict,
)
from authlib.oauth2.rfc9207 import IssuerParameter
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from flask import Flask, jsonify, request
from werkzeug.serving import WSGIRequestHandler, make_server

__all__ = ["CLIENTS", "Browser", "OAuthServer", "approve_device", "client_factory",
           "start_oauth_server"]

CLIENTS: dict[str, dict[str, Any]] = {
    "basic-client": {"secret": "basic-s3cret!", "auth": "client_secret_basic",
                     "grants": {"client_credentials"}},
    "post-client": {"secret": "post-s3cret&=", "auth": "client_secret_post",
                    "grants": {"client_credentials"}},
    "app-client": {"secret": "app-s3cret", "auth": "client_secret_basic",
                   "grants": {"authorization_code", "refresh_token"}},
    "public-app": {"secret": "", "auth": "none",
                   "grants": {"authorization_code", "refresh_token"}},
    "device-app": {"secret": "", "auth": "none",
                   "grants": {DEVICE_CODE_GRANT_TYPE, "refresh_token"}},
}
REDIRECT_PATHS = ("/callback", "/oauth/done")
SCOPES = ("read", "write", "admin", "openid", "profile", "email")
SECRET_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]
ALL_AUTH_METHODS = [*SECRET_AUTH_METHODS, "none"]


@dataclass
class User:
    name: str

    def get_user_id(self) -> str:
        return self.name


class Client:
    def __init__(self, client_id: str) -> None:
        self.client_id = client_id
        self.info = CLIENTS[client_id]

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        return None

    def get_allowed_scope(self, scope: str | None) -> str:
        return " ".join(s for s in (scope or "").split() if s in SCOPES)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        # RFC 8252 §7.3: any port on the loopback address, a registered path.
        parts = urlsplit(redirect_uri)
        return (parts.scheme == "http" and parts.hostname in ("127.0.0.1", "::1")
                and parts.path in REDIRECT_PATHS and not parts.fragment)

    def check_client_secret(self, client_secret: str) -> bool:
        return bool(self.info["secret"]) and client_secret == self.info["secret"]

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == self.info["auth"]

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code" and "authorization_code" in self.info["grants"]

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.info["grants"]


@dataclass
class AuthCode:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user: str
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: float = field(default_factory=time.time)
    nonce: str | None = None

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return int(self.auth_time)

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def is_expired(self) -> bool:
        return time.time() - self.auth_time > 300


@dataclass
class Token:
    client_id: str
    access_token: str
    refresh_token: str | None
    scope: str
    user: str | None
    expires_in: int
    issued_at: float = field(default_factory=time.time)
    revoked: bool = False
    refresh_revoked: bool = False

    def check_client(self, client: Client) -> bool:
        return client.client_id == self.client_id

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return self.expires_in

    def is_expired(self) -> bool:
        return time.time() >= self.issued_at + self.expires_in

    def is_revoked(self) -> bool:
        return self.revoked

    def get_user(self) -> User | None:
        return User(self.user) if self.user else None

    def get_client(self) -> Client:
        return Client(self.client_id)


class State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.codes: dict[str, AuthCode] = {}
        self.tokens: list[Token] = []
        self.expires_in = 3600
        self.token_requests: list[dict[str, Any]] = []
        self.issuer = ""
        self.devices: dict[str, dict[str, Any]] = {}  # device_code → credential
        self.user_grants: dict[str, tuple[User, bool]] = {}  # user_code → (user, approved)
        self.device_interval = 1
        self.device_expires_in = 60
        self.slow_down_once = False
        self.polls: list[float] = []  # when the token endpoint was polled for a device code
        self.id_token_lifetime = 600
        self.id_token_tamper = False
        from joserfc.jwk import RSAKey

        self.signing_key = RSAKey.generate_key(2048, parameters={"kid": "test-key-1",
                                                                 "use": "sig"})

    def by_access(self, value: str) -> Token | None:
        return next((t for t in self.tokens if t.access_token == value), None)

    def by_refresh(self, value: str) -> Token | None:
        return next((t for t in self.tokens if t.refresh_token == value), None)


class StrictS256(CodeChallenge):
    """PKCE required for every client, S256 only."""

    SUPPORTED_CODE_CHALLENGE_METHOD: ClassVar[list[str]] = ["S256"]

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("PKCE is required: missing 'code_challenge'")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("Only code_challenge_method=S256 is accepted")
        super().validate_code_challenge(grant, redirect_uri)


def _build_app(state: State) -> Flask:
    app = Flask("relaydesk-test-oauth")

    def query_client(client_id: str) -> Client | None:
        return Client(client_id) if client_id in CLIENTS else None

    def save_token(token: dict[str, Any], req: Any) -> None:
        user = req.user.name if req.user else None
        with state.lock:
            state.tokens.append(Token(
                client_id=req.client.client_id, access_token=token["access_token"],
                refresh_token=token.get("refresh_token"), scope=token.get("scope", ""),
                user=user, expires_in=int(token["expires_in"])))

    class CodeGrant(grants.AuthorizationCodeGrant):
        TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = ALL_AUTH_METHODS

        def save_authorization_code(self, code: str, req: Any) -> None:
            data = req.payload.data
            state.codes[code] = AuthCode(
                code=code, client_id=req.client.client_id,
                redirect_uri=data.get("redirect_uri", ""), scope=req.payload.scope or "",
                user=req.user.name, code_challenge=data.get("code_challenge"),
                code_challenge_method=data.get("code_challenge_method"),
                nonce=data.get("nonce"))

        def query_authorization_code(self, code: str, client: Client) -> AuthCode | None:
            item = state.codes.get(code)
            if item and item.client_id == client.client_id and not item.is_expired():
                return item
            return None

        def delete_authorization_code(self, authorization_code: AuthCode) -> None:
            state.codes.pop(authorization_code.code, None)

        def authenticate_user(self, authorization_code: AuthCode) -> User:
            return User(authorization_code.user)

    class RefreshGrant(grants.RefreshTokenGrant):
        TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = ALL_AUTH_METHODS
        INCLUDE_NEW_REFRESH_TOKEN = True  # rotation

        def authenticate_refresh_token(self, refresh_token: str) -> Token | None:
            item = state.by_refresh(refresh_token)
            return item if item and not item.refresh_revoked else None

        def authenticate_user(self, credential: Token) -> User | None:
            return credential.get_user()

        def revoke_old_credential(self, credential: Token) -> None:
            credential.refresh_revoked = True
            credential.revoked = True

    class CredentialsGrant(grants.ClientCredentialsGrant):
        TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = SECRET_AUTH_METHODS

    class DeviceGrant(DeviceCodeGrant):
        def query_device_credential(self, device_code: str) -> Any:
            state.polls.append(time.monotonic())
            return state.devices.get(device_code)

        def query_user_grant(self, user_code: str) -> tuple[User, bool] | None:
            return state.user_grants.get(user_code)

        def should_slow_down(self, credential: Any) -> bool:
            if state.slow_down_once:
                state.slow_down_once = False
                return True
            return False

    class DeviceEndpoint(DeviceAuthorizationEndpoint):
        USER_CODE_TYPE = "digital"

        def get_verification_uri(self) -> str:
            return f"{state.issuer}/device"

        def save_device_credential(self, client_id: str, scope: str,
                                   data: dict[str, Any]) -> None:
            data["interval"] = state.device_interval
            data["expires_in"] = state.device_expires_in
            state.devices[data["device_code"]] = DeviceCredentialDict(
                client_id=client_id, scope=scope, user_code=data["user_code"],
                expires_at=time.time() + state.device_expires_in)

    class OpenID(OpenIDCode):
        def resolve_client_private_key(self, client: Client) -> Any:
            return state.signing_key

        def get_client_algorithm(self, client: Client) -> str:
            return "RS256"

        def get_encode_header(self, client: Client) -> dict[str, str]:
            return {"alg": "RS256", "kid": "test-key-1"}

        def get_client_claims(self, client: Client) -> dict[str, Any]:
            now = int(time.time())
            return {"iss": state.issuer, "aud": [client.client_id], "iat": now,
                    "exp": now + state.id_token_lifetime}

        def exists_nonce(self, nonce: str, req: Any) -> bool:
            return any(c.nonce == nonce for c in state.codes.values())

        def generate_user_info(self, user: User, scope: str) -> UserInfo:
            return UserInfo(sub=user.name, name=user.name.title(),
                            email=f"{user.name}@example.test")

    class Issuer(IssuerParameter):
        def get_issuer(self) -> str:
            return state.issuer

    server = AuthorizationServer(app, query_client=query_client, save_token=save_token)
    server.register_token_generator("default", BearerTokenGenerator(
        access_token_generator=_random_token("at"),
        refresh_token_generator=_random_token("rt"),
        expires_generator=lambda client, grant_type: state.expires_in,
    ))
    server.register_grant(CodeGrant, [StrictS256(required=True), OpenID()])
    server.register_grant(DeviceGrant)
    server.register_endpoint(DeviceEndpoint)
    server.register_grant(RefreshGrant)
    server.register_grant(CredentialsGrant)
    server.register_extension(Issuer())

    class Validator(BearerTokenValidator):
        def authenticate_token(self, token_string: str) -> Token | None:
            return state.by_access(token_string)

    protect = ResourceProtector()
    protect.register_token_validator(Validator())

    @app.get("/authorize")
    def authorize_form() -> Any:
        try:
            server.get_consent_grant(end_user=None)
        except Exception as exc:
            return f"<h1>Bad authorization request</h1><p>{html.escape(str(exc))}</p>", 400
        return ("<form method='post'><input name='user'>"
                "<button name='consent' value='yes'>Allow</button>"
                "<button name='consent' value='no'>Deny</button></form>")

    @app.post("/authorize")
    def authorize_submit() -> Any:
        user = request.form.get("user", "")
        grant_user = User(user) if user and request.form.get("consent") == "yes" else None
        grant = server.get_consent_grant(end_user=grant_user)
        return server.create_authorization_response(grant=grant, grant_user=grant_user)

    @app.post("/token")
    def issue_token() -> Any:
        state.token_requests.append({
            "grant_type": request.form.get("grant_type"),
            "form": dict(request.form),
            "authorization": request.headers.get("Authorization"),
        })
        response = server.create_token_response()
        state.token_requests[-1]["status"] = response.status_code
        if state.id_token_tamper and response.status_code == 200:
            body = response.get_json()
            if "id_token" in body:
                body["id_token"] = _tampered(body["id_token"])
                response.set_data(json.dumps(body))
        return response

    @app.post("/device_authorization")
    def device_authorization() -> Any:
        return server.create_endpoint_response("device_authorization")

    @app.get("/device")
    def device_page() -> Any:
        code = html.escape(request.args.get("user_code", ""))
        return (f"<form method='post'><input name='user_code' value='{code}'>"
                "<input name='user'><button name='consent' value='yes'>Allow</button>"
                "<button name='consent' value='no'>Deny</button></form>")

    @app.post("/device")
    def device_submit() -> Any:
        code = request.form.get("user_code", "")
        if not any(d["user_code"] == code for d in state.devices.values()):
            return "<h1>Unknown code</h1>", 400
        state.user_grants[code] = (User(request.form.get("user", "")),
                                   request.form.get("consent") == "yes")
        return "<h1>Done: return to your device</h1>"

    @app.get("/jwks")
    def jwks() -> Any:
        return jsonify({"keys": [state.signing_key.as_dict(private=False)]})

    def metadata() -> dict[str, Any]:
        base = request.host_url.rstrip("/")
        return {"issuer": state.issuer, "authorization_endpoint": f"{base}/authorize",
                "token_endpoint": f"{base}/token", "scopes_supported": list(SCOPES),
                "jwks_uri": f"{base}/jwks",
                "device_authorization_endpoint": f"{base}/device_authorization",
                "id_token_signing_alg_values_supported": ["RS256"],
                "response_types_supported": ["code"],
                "code_challenge_methods_supported": ["S256"],
                "authorization_response_iss_parameter_supported": True,
                "token_endpoint_auth_methods_supported": [
                    "client_secret_basic", "client_secret_post", "none"]}

    @app.get("/.well-known/openid-configuration")
    def openid_configuration() -> Any:
        return jsonify(metadata())

    @app.get("/.well-known/oauth-authorization-server/tenant")
    def rfc8414_tenant() -> Any:
        doc = metadata()
        doc["issuer"] = f"{state.issuer}/tenant"
        return jsonify(doc)

    @app.get("/api/me")
    @protect()
    def me() -> Any:
        from authlib.integrations.flask_oauth2 import current_token

        return jsonify({"user": current_token.user, "client_id": current_token.client_id,
                        "scope": current_token.scope})

    return app


def _tampered(token: str) -> str:
    """The same signature over a payload that now names another user."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "mallory"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def _random_token(prefix: str) -> Any:
    import secrets

    def generate(client: Any, grant_type: str, user: Any = None, scope: Any = None) -> str:
        return f"{prefix}-{secrets.token_urlsafe(24)}"

    return generate


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


@dataclass
class OAuthServer:
    base_url: str
    state: State
    stop: Any

    @property
    def issuer(self) -> str:
        return self.base_url

    def reset(self) -> None:
        with self.state.lock:
            self.state.token_requests.clear()
            self.state.expires_in = 3600
            self.state.device_interval = 1
            self.state.device_expires_in = 60
            self.state.slow_down_once = False
            self.state.polls.clear()
            self.state.id_token_lifetime = 600
            self.state.id_token_tamper = False


def start_oauth_server(ssl_context: Any = None) -> OAuthServer:
    """Plain http on loopback; https with ``ssl_context`` (e.g. one requiring client
    certificates)."""
    import os

    os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")  # plain http on loopback
    state = State()
    app = _build_app(state)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet,
                         ssl_context=ssl_context)
    scheme = "https" if ssl_context is not None else "http"
    base = f"{scheme}://127.0.0.1:{server.server_port}"
    state.issuer = base
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()

    return OAuthServer(base, state, stop)


# -- the test side: a scripted "system browser" -----------------------------------------


class Browser:
    """Plays the user in the system browser, in its own thread (as a browser would)."""

    def __init__(self, *, user: str = "alice", consent: str = "yes",
                 tamper: Callable[[str], str] | None = None) -> None:
        self.user, self.consent, self.tamper = user, consent, tamper
        self.urls: list[str] = []
        self.callback: httpx.Response | None = None
        self.error: BaseException | None = None
        self.done = threading.Event()

    def __call__(self, url: str) -> bool:
        self.urls.append(url)
        try:
            with httpx.Client(trust_env=False, timeout=10) as client:
                form = client.get(url)
                assert form.status_code == 200, form.text
                answer = client.post(url, data={"user": self.user, "consent": self.consent})
                assert answer.status_code == 302, answer.text
                location = answer.headers["location"]
                if self.tamper is not None:
                    location = self.tamper(location)
                self.callback = client.get(location)
        except BaseException as exc:  # reported by the test, not swallowed by the opener
            self.error = exc
        finally:
            self.done.set()
        return True

    def finished(self) -> httpx.Response:
        assert self.done.wait(10)
        assert self.error is None, self.error
        assert self.callback is not None
        return self.callback


def approve_device(verification_uri: str, user_code: str, *, user: str = "alice",
                   consent: str = "yes") -> httpx.Response:
    """The user on another device: opens the verification page, enters the code, answers."""
    with httpx.Client(trust_env=False, timeout=10) as client:
        page = client.get(verification_uri, params={"user_code": user_code})
        assert page.status_code == 200, page.text
        return client.post(verification_uri, data={"user_code": user_code, "user": user,
                                                   "consent": consent})


def client_factory() -> httpx.AsyncClient:
    return httpx.AsyncClient(trust_env=False, timeout=10)
