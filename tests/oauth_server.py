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
- ``GET /api/me``: the resource server, 200 only for a valid, unexpired, unrevoked token;
- ``state.token_requests``: what the token endpoint received (grant, auth method,
  form fields, Authorization header present) so tests check the server's side.
"""

from __future__ import annotations

import html
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
from authlib.oauth2.rfc9207 import IssuerParameter
from flask import Flask, jsonify, request
from werkzeug.serving import WSGIRequestHandler, make_server

__all__ = ["CLIENTS", "Browser", "OAuthServer", "client_factory", "start_oauth_server"]

CLIENTS: dict[str, dict[str, Any]] = {
    "basic-client": {"secret": "basic-s3cret!", "auth": "client_secret_basic",
                     "grants": {"client_credentials"}},
    "post-client": {"secret": "post-s3cret&=", "auth": "client_secret_post",
                    "grants": {"client_credentials"}},
    "app-client": {"secret": "app-s3cret", "auth": "client_secret_basic",
                   "grants": {"authorization_code", "refresh_token"}},
    "public-app": {"secret": "", "auth": "none",
                   "grants": {"authorization_code", "refresh_token"}},
}
REDIRECT_PATHS = ("/callback", "/oauth/done")
SCOPES = ("read", "write", "admin")
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
                code_challenge_method=data.get("code_challenge_method"))

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

    class Issuer(IssuerParameter):
        def get_issuer(self) -> str:
            return state.issuer

    server = AuthorizationServer(app, query_client=query_client, save_token=save_token)
    server.register_token_generator("default", BearerTokenGenerator(
        access_token_generator=_random_token("at"),
        refresh_token_generator=_random_token("rt"),
        expires_generator=lambda client, grant_type: state.expires_in,
    ))
    server.register_grant(CodeGrant, [StrictS256(required=True)])
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
        return response

    def metadata() -> dict[str, Any]:
        base = request.host_url.rstrip("/")
        return {"issuer": state.issuer, "authorization_endpoint": f"{base}/authorize",
                "token_endpoint": f"{base}/token", "scopes_supported": list(SCOPES),
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


def start_oauth_server() -> OAuthServer:
    import os

    os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")  # plain http on loopback
    state = State()
    app = _build_app(state)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet)
    base = f"http://127.0.0.1:{server.server_port}"
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


def client_factory() -> httpx.AsyncClient:
    return httpx.AsyncClient(trust_env=False, timeout=10)
