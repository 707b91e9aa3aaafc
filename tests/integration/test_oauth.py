"""OAuth 2.0 end to end against a real Authlib authorization server on loopback.

The "browser" is a test thread: it follows the authorization URL with httpx, submits
the login/consent form, and follows the redirect to Relaydesk's loopback listener.
"""

from __future__ import annotations

import base64
import inspect
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest

from relaydesk.core.engine import Engine
from relaydesk.core.errors import AuthError
from relaydesk.core.model import AuthSettings, Connection, Request
from relaydesk.core.oauth import OAuthTokenProvider, TokenSet
from relaydesk.core.oauth.discovery import discover
from relaydesk.core.oauth.flows import OAuthConfig, authorization_url, exchange_code
from relaydesk.core.oauth.loopback import LoopbackListener
from relaydesk.core.oauth.pkce import Pkce
from relaydesk.core.oauth.tokens import TOKENS_FIELD, mask_token
from relaydesk.core.secrets import SecretStore
from relaydesk.core.workspace import Workspace
from tests.integration.clitools import (
    assert_one_line_error,
    login_in_browser,
    requires_secret_service,
    run_cli,
)
from tests.oauth_server import CLIENTS, Browser, OAuthServer, client_factory

PATH = "api/main"


def provider(secrets: SecretStore, browser: Browser | None = None, **kw: Any) -> OAuthTokenProvider:
    kw.setdefault("login_timeout", 15)  # a broken browser step fails fast
    return OAuthTokenProvider(secrets, client_factory, opener=browser, **kw)


def code_settings(oauth: OAuthServer, **extra: str) -> AuthSettings:
    params = {"grant": "authorization_code", "auth_url": f"{oauth.base_url}/authorize",
              "token_url": f"{oauth.base_url}/token", "client_id": "app-client",
              "scope": "read write"}
    params.update(extra)
    return AuthSettings("oauth2", params)


def save_connection(workspace: Workspace, oauth: OAuthServer, settings: AuthSettings) -> Connection:
    conn = Connection(path=PATH, base_url=oauth.base_url, auth=settings)
    workspace.save_connection(conn, create=True)
    return conn


def me(oauth: OAuthServer, token: str) -> httpx.Response:
    return httpx.get(f"{oauth.base_url}/api/me", headers={"Authorization": f"Bearer {token}"},
                     trust_env=False)


def stored(secrets: SecretStore, owner: str = PATH) -> TokenSet:
    text = secrets.get(owner, TOKENS_FIELD)
    assert text is not None
    tokens = TokenSet.from_json(text)
    assert tokens is not None
    return tokens


# -- client credentials -------------------------------------------------------------------


async def test_client_credentials_basic_auth(oauth: OAuthServer, secret_store: SecretStore) -> None:
    settings = AuthSettings("oauth2", {
        "grant": "client_credentials", "token_url": f"{oauth.base_url}/token",
        "client_id": "basic-client", "scope": "read", "audience": "https://api.example",
        "resource": "https://api.example/v1", "client_auth": "basic"})
    secret_store.set(PATH, "client_secret", CLIENTS["basic-client"]["secret"])
    tokens = provider(secret_store)

    token = await tokens.access_token(PATH, settings)

    (got,) = oauth.state.token_requests
    assert got["status"] == 200
    assert got["grant_type"] == "client_credentials"
    user_pass = base64.b64decode(got["authorization"].removeprefix("Basic ")).decode()
    assert user_pass == "basic-client:basic-s3cret%21"  # RFC 6749 §2.3.1 form-encoding
    assert "client_secret" not in got["form"] and "client_id" not in got["form"]
    assert got["form"]["audience"] == "https://api.example"
    assert got["form"]["resource"] == "https://api.example/v1"
    assert got["form"]["scope"] == "read"
    assert me(oauth, token).json()["client_id"] == "basic-client"
    assert stored(secret_store).access_token == token
    # Cached: a second call reaches no token endpoint.
    assert await tokens.access_token(PATH, settings) == token
    assert len(oauth.state.token_requests) == 1
    # Another provider (another process) reads the keyring, not the server.
    assert await provider(secret_store).access_token(PATH, settings) == token
    assert len(oauth.state.token_requests) == 1


async def test_client_credentials_post_auth(oauth: OAuthServer, secret_store: SecretStore) -> None:
    settings = AuthSettings("oauth2", {
        "grant": "client_credentials", "token_url": f"{oauth.base_url}/token",
        "client_id": "post-client", "client_auth": "post", "scope": "read write"})
    secret_store.set(PATH, "client_secret", CLIENTS["post-client"]["secret"])

    token = await provider(secret_store).access_token(PATH, settings)

    (got,) = oauth.state.token_requests
    assert got["authorization"] is None
    assert got["form"]["client_id"] == "post-client"
    assert got["form"]["client_secret"] == "post-s3cret&="
    assert me(oauth, token).status_code == 200
    assert stored(secret_store).scope == "read write"


async def test_wrong_client_auth_method_is_plain_words(
        oauth: OAuthServer, secret_store: SecretStore) -> None:
    settings = AuthSettings("oauth2", {
        "grant": "client_credentials", "token_url": f"{oauth.base_url}/token",
        "client_id": "basic-client", "client_auth": "post"})
    secret_store.set(PATH, "client_secret", CLIENTS["basic-client"]["secret"])
    with pytest.raises(AuthError) as info:
        await provider(secret_store).access_token(PATH, settings)
    text = str(info.value)
    assert "did not accept the client credentials" in text and "invalid_client" in text
    assert CLIENTS["basic-client"]["secret"] not in text
    assert secret_store.get(PATH, TOKENS_FIELD) is None


async def test_client_credentials_without_secret_says_how(secret_store: SecretStore) -> None:
    settings = AuthSettings("oauth2", {"grant": "client_credentials",
                                       "token_url": "http://127.0.0.1:9/token",
                                       "client_id": "x"})
    with pytest.raises(AuthError, match=r"relaydesk secret set api/main client_secret"):
        await provider(secret_store).access_token(PATH, settings)


async def test_client_credentials_fetched_again_when_expired(
        oauth: OAuthServer, secret_store: SecretStore) -> None:
    oauth.state.expires_in = 2
    settings = AuthSettings("oauth2", {
        "grant": "client_credentials", "token_url": f"{oauth.base_url}/token",
        "client_id": "basic-client"})
    secret_store.set(PATH, "client_secret", CLIENTS["basic-client"]["secret"])
    tokens = provider(secret_store)
    first = await tokens.access_token(PATH, settings)
    time.sleep(1.2)  # within the refresh margin of a 2 s token
    second = await tokens.access_token(PATH, settings)
    assert second != first
    assert [r["grant_type"] for r in oauth.state.token_requests] == ["client_credentials"] * 2


# -- authorization code + PKCE ------------------------------------------------------------


async def test_code_flow_with_pkce_end_to_end(
        oauth: OAuthServer, secret_store: SecretStore, workspace: Workspace) -> None:
    conn = save_connection(workspace, oauth, code_settings(oauth))
    secret_store.set(PATH, "client_secret", CLIENTS["app-client"]["secret"])
    browser = Browser()
    shown: list[str] = []

    tokens = await provider(secret_store, browser).login(conn, on_url=shown.append)

    page = browser.finished()
    assert page.status_code == 200 and "You can return to Relaydesk" in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    query = parse_qs(urlsplit(shown[0]).query)
    assert shown == browser.urls
    assert query["code_challenge_method"] == ["S256"] and "code_verifier" not in query
    redirect = urlsplit(query["redirect_uri"][0])
    assert redirect.hostname == "127.0.0.1" and redirect.port and redirect.path == "/callback"
    (got,) = oauth.state.token_requests
    assert got["grant_type"] == "authorization_code" and got["status"] == 200
    assert got["authorization"].startswith("Basic ")
    assert len(got["form"]["code_verifier"]) >= 43
    assert got["form"]["redirect_uri"] == query["redirect_uri"][0]
    assert me(oauth, tokens.access_token).json()["user"] == "alice"
    assert tokens.refresh_token and tokens.scope == "read write"
    assert stored(secret_store) == tokens
    # The listener answered exactly one callback and is closed now.
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{redirect.port}/callback", trust_env=False)


async def test_public_client_code_flow(oauth: OAuthServer, secret_store: SecretStore) -> None:
    settings = code_settings(oauth, client_id="public-app", redirect_path="oauth/done")
    browser = Browser()
    tokens = await provider(secret_store, browser).login_owner(PATH, settings)
    browser.finished()
    (got,) = oauth.state.token_requests
    assert got["authorization"] is None and got["form"]["client_id"] == "public-app"
    assert "client_secret" not in got["form"]
    assert urlsplit(got["form"]["redirect_uri"]).path == "/oauth/done"
    assert me(oauth, tokens.access_token).status_code == 200


async def test_state_mismatch_is_rejected(oauth: OAuthServer, secret_store: SecretStore) -> None:
    def forge(location: str) -> str:
        parts = urlsplit(location)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        query["state"] = "forged-state"
        return urlunsplit(parts._replace(query=urlencode(query)))

    secret_store.set(PATH, "client_secret", CLIENTS["app-client"]["secret"])
    browser = Browser(tamper=forge)
    with pytest.raises(AuthError, match="state does not match"):
        await provider(secret_store, browser).login_owner(PATH, code_settings(oauth))
    page = browser.finished()
    assert page.status_code == 400 and "Login failed" in page.text
    assert oauth.state.token_requests == []  # the code was never exchanged
    assert secret_store.get(PATH, TOKENS_FIELD) is None


async def test_access_denied_in_plain_words(oauth: OAuthServer, secret_store: SecretStore) -> None:
    secret_store.set(PATH, "client_secret", CLIENTS["app-client"]["secret"])
    browser = Browser(consent="no")
    with pytest.raises(AuthError) as info:
        await provider(secret_store, browser).login_owner(PATH, code_settings(oauth))
    assert "consent was refused" in str(info.value) and "access_denied" in str(info.value)
    assert browser.finished().status_code == 400


async def test_wrong_verifier_is_rejected_by_the_server(
        oauth: OAuthServer, secret_store: SecretStore) -> None:
    config = OAuthConfig.from_settings(PATH, code_settings(oauth), CLIENTS["app-client"]["secret"])
    pkce = Pkce.create()
    browser = Browser()
    async with LoopbackListener("st4te", issuer=oauth.issuer) as listener:
        url = authorization_url(config, listener.redirect_uri, "st4te", pkce)
        threading.Thread(target=browser, args=(url,), daemon=True).start()
        code = await listener.wait(10)
    async with client_factory() as client:
        with pytest.raises(AuthError) as info:
            await exchange_code(client, config, code, listener.redirect_uri,
                                Pkce.create().verifier)
    text = str(info.value)
    assert "PKCE code verifier does not match" in text and "invalid_grant" in text
    assert oauth.state.token_requests[-1]["status"] == 400


async def test_issuer_mix_up_is_rejected(oauth: OAuthServer, secret_store: SecretStore) -> None:
    secret_store.set(PATH, "client_secret", CLIENTS["app-client"]["secret"])
    settings = code_settings(oauth, issuer="http://127.0.0.1:1/other-issuer")
    browser = Browser()
    with pytest.raises(AuthError, match="RFC 9207"):
        await provider(secret_store, browser).login_owner(PATH, settings)
    assert oauth.state.token_requests == []


async def test_expiry_then_refresh_with_rotation(
        oauth: OAuthServer, secret_store: SecretStore) -> None:
    oauth.state.expires_in = 2
    secret_store.set(PATH, "client_secret", CLIENTS["app-client"]["secret"])
    settings = code_settings(oauth)
    tokens = provider(secret_store, Browser())
    first = await tokens.login_owner(PATH, settings)
    assert await tokens.access_token(PATH, settings) == first.access_token

    time.sleep(1.2)
    renewed = await tokens.access_token(PATH, settings)

    assert renewed != first.access_token
    assert [r["grant_type"] for r in oauth.state.token_requests] == [
        "authorization_code", "refresh_token"]
    assert me(oauth, renewed).status_code == 200
    saved = stored(secret_store)
    assert saved.access_token == renewed
    assert saved.refresh_token and saved.refresh_token != first.refresh_token
    # The rotated-out refresh token no longer works at the server.
    old = httpx.post(f"{oauth.base_url}/token", trust_env=False,
                     data={"grant_type": "refresh_token", "refresh_token": first.refresh_token},
                     auth=("app-client", CLIENTS["app-client"]["secret"]))
    assert old.status_code == 400 and old.json()["error"] == "invalid_grant"


async def test_failed_refresh_asks_for_a_new_login(
        oauth: OAuthServer, secret_store: SecretStore) -> None:
    secret_store.set(PATH, "client_secret", CLIENTS["app-client"]["secret"])
    settings = code_settings(oauth)
    tokens = provider(secret_store, Browser())
    await tokens.login_owner(PATH, settings)
    for record in oauth.state.tokens:  # the server revokes the whole login
        record.revoked = record.refresh_revoked = True
    tokens.invalidate(PATH)  # what the engine does on a 401

    with pytest.raises(AuthError) as info:
        await tokens.access_token(PATH, settings)
    text = str(info.value)
    assert "a new login is needed" in text and f"relaydesk auth login {PATH}" in text
    assert secret_store.get(PATH, TOKENS_FIELD) is None


async def test_code_grant_without_login_says_run_auth_login(secret_store: SecretStore,
                                                             oauth: OAuthServer) -> None:
    with pytest.raises(AuthError, match=r"run `relaydesk auth login api/main`"):
        await provider(secret_store).access_token(PATH, code_settings(oauth))
    assert oauth.state.token_requests == []


async def test_changed_settings_do_not_reuse_old_tokens(
        oauth: OAuthServer, secret_store: SecretStore) -> None:
    secret_store.set(PATH, "client_secret", CLIENTS["app-client"]["secret"])
    tokens = provider(secret_store, Browser())
    await tokens.login_owner(PATH, code_settings(oauth))
    with pytest.raises(AuthError, match="auth login"):
        await tokens.access_token(PATH, code_settings(oauth, scope="read admin"))


# -- engine + resource server -------------------------------------------------------------


async def test_engine_sends_the_token_to_the_resource_server(
        oauth: OAuthServer, secret_store: SecretStore, workspace: Workspace) -> None:
    conn = save_connection(workspace, oauth, code_settings(oauth))
    secret_store.set(PATH, "client_secret", CLIENTS["app-client"]["secret"])
    tokens = provider(secret_store, Browser())
    await tokens.login(conn)
    engine = Engine(secret_store, token_provider=tokens)
    try:
        resp = await engine.send(Request(path=f"{PATH}/me", url="/api/me"), conn)
    finally:
        await engine.aclose()
    assert resp.status == 200 and resp.json()["user"] == "alice"


async def test_engine_without_token_gets_401_from_the_resource_server(
        oauth: OAuthServer) -> None:
    resp = httpx.get(f"{oauth.base_url}/api/me", trust_env=False)
    assert resp.status_code == 401
    assert me(oauth, "at-made-up").status_code == 401


async def test_engine_retries_once_after_a_401(
        oauth: OAuthServer, secret_store: SecretStore, workspace: Workspace) -> None:
    settings = AuthSettings("oauth2", {
        "grant": "client_credentials", "token_url": f"{oauth.base_url}/token",
        "client_id": "basic-client"})
    conn = save_connection(workspace, oauth, settings)
    secret_store.set(PATH, "client_secret", CLIENTS["basic-client"]["secret"])
    tokens = provider(secret_store)
    first = await tokens.access_token(PATH, settings)
    oauth.state.by_access(first).revoked = True  # type: ignore[union-attr]
    engine = Engine(secret_store, token_provider=tokens)
    try:
        resp = await engine.send(Request(path=f"{PATH}/me", url="/api/me"), conn)
    finally:
        await engine.aclose()
    assert resp.status == 200
    assert stored(secret_store).access_token != first


# -- discovery ----------------------------------------------------------------------------


async def test_discovery_fills_the_endpoints(
        oauth: OAuthServer, secret_store: SecretStore) -> None:
    settings = AuthSettings("oauth2", {"grant": "authorization_code", "issuer": oauth.issuer,
                                       "client_id": "public-app", "scope": "read"})
    browser = Browser()
    tokens = await provider(secret_store, browser).login_owner(PATH, settings)
    assert browser.urls[0].startswith(f"{oauth.base_url}/authorize?")
    assert me(oauth, tokens.access_token).status_code == 200

    async with client_factory() as client:
        meta = await discover(f"{oauth.issuer}/tenant", client)  # RFC 8414 path form
        assert meta.token_endpoint == f"{oauth.base_url}/token"
        assert meta.source.endswith("/.well-known/oauth-authorization-server/tenant")
        assert meta.iss_parameter_supported
        with pytest.raises(AuthError, match="No OAuth discovery document"):
            await discover(f"{oauth.issuer}/nowhere", client)


# -- CLI ----------------------------------------------------------------------------------


def _send_uses_oauth() -> bool:
    from relaydesk.cli import cmd_send

    return "token_provider" in inspect.getsource(cmd_send)


@requires_secret_service
@pytest.mark.keyring
def test_cli_login_no_browser_status_clear(oauth: OAuthServer, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    secret = CLIENTS["app-client"]["secret"]
    made = run_cli(ws, "new", "connection", PATH, "--base-url", oauth.base_url,
                   "--auth", "oauth2", "--set", "grant=authorization_code",
                   "--set", f"issuer={oauth.issuer}", "--set", "client_id=app-client",
                   "--set", "scope=read write")
    assert made.code == 0, made.err
    assert run_cli(ws, "secret", "set", PATH, "client_secret", input=secret).code == 0

    login, url = login_in_browser(ws, PATH)
    assert url.startswith(f"{oauth.base_url}/authorize?"), login.err
    assert login.code == 0, login.err
    assert "Logged in to 'api/main'" in login.err and "Traceback" not in login.err
    issued = oauth.state.tokens[-1]
    assert issued.access_token not in login.err + login.text

    status = run_cli(ws, "auth", "status", PATH)
    assert status.code == 0, status.err
    assert mask_token(issued.access_token) in status.text
    assert "scopes: read write" in status.text and issued.access_token not in status.text

    if _send_uses_oauth():  # `relaydesk send` hands the engine an OAuthTokenProvider
        made = run_cli(ws, "new", "request", f"{PATH}/me", "--method", "GET", "--url", "/api/me")
        assert made.code == 0, made.err
        sent = run_cli(ws, "send", f"{PATH}/me", "--fail")
        assert sent.code == 0 and '"user": "alice"' in sent.text.replace('":"', '": "'), sent

    for path in (p for p in ws.rglob("*") if p.is_file()):
        data = path.read_bytes()
        for needle in (secret, issued.access_token, issued.refresh_token or "-"):
            assert needle.encode() not in data, path

    cleared = run_cli(ws, "auth", "clear", PATH)
    assert cleared.code == 0 and "Cleared" in cleared.err
    assert "no OAuth token saved" in run_cli(ws, "auth", "status", PATH).text


def test_cli_auth_on_a_non_oauth_connection_is_one_line(tmp_path: Path,
                                                        oauth: OAuthServer) -> None:
    ws = tmp_path / "ws"
    assert run_cli(ws, "new", "connection", "plain", "--base-url", oauth.base_url).code == 0
    assert_one_line_error(run_cli(ws, "auth", "login", "plain"), "not OAuth 2.0", code=2)


# -- no secrets in workspace files --------------------------------------------------------


async def test_no_token_or_secret_in_workspace_files(
        oauth: OAuthServer, secret_store: SecretStore, workspace: Workspace) -> None:
    secret = CLIENTS["app-client"]["secret"]
    conn = save_connection(workspace, oauth, code_settings(oauth))
    oauth.state.expires_in = 2
    secret_store.set(PATH, "client_secret", secret)
    tokens = provider(secret_store, Browser())
    first = await tokens.login(conn)
    time.sleep(1.2)
    await tokens.access_token(PATH, conn.auth)
    final = stored(secret_store)
    needles = {secret, first.access_token, first.refresh_token, final.access_token,
               final.refresh_token}
    files = [p for p in Path(workspace.root).rglob("*") if p.is_file()]
    assert files, "the workspace has files to scan"
    for path in files:
        data = path.read_bytes()
        for needle in needles:
            assert needle and needle.encode() not in data, path
