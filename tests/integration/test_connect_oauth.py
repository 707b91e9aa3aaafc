"""`relaydesk.connect()` for OAuth 2.0 and HTTPS-only connections, against the real
Authlib authorization server of the tests (tests/oauth_server.py) on loopback.

The import line is the product's promise: a script that only calls
``relaydesk.connect("path")`` must get a token the server accepts, for client
credentials and for the authorization code grant, across expiry and rotation.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

import relaydesk
from relaydesk.core.errors import HttpsOnlyError, TlsError
from relaydesk.core.model import AuthSettings, Connection, Request, TlsSettings
from relaydesk.core.oauth.tokens import TOKENS_FIELD, TokenSet
from relaydesk.core.session import Session
from relaydesk.core.workspace import Workspace
from tests.integration.clitools import login_in_browser, requires_secret_service, run_cli
from tests.oauth_server import CLIENTS, Browser, OAuthServer

PATH = "idp/api"


def client_credentials(oauth: OAuthServer, token_url: str = "") -> AuthSettings:
    return AuthSettings("oauth2", {
        "grant": "client_credentials", "client_id": "basic-client", "scope": "read",
        "token_url": token_url or f"{oauth.base_url}/token"})


def code_grant(oauth: OAuthServer) -> AuthSettings:
    return AuthSettings("oauth2", {
        "grant": "authorization_code", "client_id": "app-client", "scope": "read write",
        "auth_url": f"{oauth.base_url}/authorize", "token_url": f"{oauth.base_url}/token"})


def saved_session(workspace: Workspace, keyring: Any, conn: Connection,
                  **secrets: str) -> Session:
    session = Session(workspace, keyring=keyring, history=False)
    session.create_connection(conn)
    for field, value in secrets.items():
        session.set_secret(conn.path, field, value)
    return session


def grants(oauth: OAuthServer) -> list[str]:
    return [r["grant_type"] for r in oauth.state.token_requests]


def test_client_credentials_are_fetched_on_demand_and_renewed_after_a_401(
        oauth: OAuthServer, workspace: Workspace, memory_keyring: Any) -> None:
    saved_session(workspace, memory_keyring,
                  Connection(PATH, oauth.base_url, auth=client_credentials(oauth)),
                  client_secret=CLIENTS["basic-client"]["secret"])
    with relaydesk.connect(PATH, workspace=workspace, keyring=memory_keyring) as client:
        assert grants(oauth) == []  # nothing fetched before the first call
        first = client.get("/api/me")
        assert first.status_code == 200, first.text
        assert client.get("/api/me").status_code == 200
        assert grants(oauth) == ["client_credentials"]  # the token is reused

        oauth.state.tokens[-1].revoked = True  # the server stops accepting it
        again = client.get("/api/me")
    assert again.status_code == 200
    assert grants(oauth) == ["client_credentials", "client_credentials"]


async def test_aconnect_fetches_tokens_too(
        oauth: OAuthServer, workspace: Workspace, memory_keyring: Any) -> None:
    saved_session(workspace, memory_keyring,
                  Connection(PATH, oauth.base_url, auth=client_credentials(oauth)),
                  client_secret=CLIENTS["basic-client"]["secret"])
    async with relaydesk.aconnect(PATH, workspace=workspace, keyring=memory_keyring) as client:
        assert (await client.get("/api/me")).status_code == 200
        oauth.state.tokens[-1].revoked = True
        assert (await client.get("/api/me")).status_code == 200
    assert grants(oauth) == ["client_credentials", "client_credentials"]


async def test_code_grant_tokens_from_the_login_are_used_refreshed_and_rotated(
        oauth: OAuthServer, workspace: Workspace, memory_keyring: Any) -> None:
    oauth.state.expires_in = 2
    session = saved_session(workspace, memory_keyring,
                            Connection(PATH, oauth.base_url, auth=code_grant(oauth)),
                            client_secret=CLIENTS["app-client"]["secret"])
    session = Session(workspace, keyring=memory_keyring, history=False, browser=Browser())
    login = await session.oauth.login(workspace.connection(PATH))

    with relaydesk.connect(PATH, workspace=workspace, keyring=memory_keyring) as client:
        assert client.get("/api/me").status_code == 200
        assert grants(oauth) == ["authorization_code"]
        time.sleep(1.2)  # past half the token's life: renewed before it expires
        assert client.get("/api/me").status_code == 200
    assert grants(oauth) == ["authorization_code", "refresh_token"]
    text = session.secrets.get(PATH, TOKENS_FIELD)
    assert text is not None
    saved = TokenSet.from_json(text)
    assert saved is not None and saved.refresh_token not in (None, login.refresh_token)

    # A later script starts from the rotated tokens in the keyring.
    time.sleep(1.2)
    with relaydesk.connect(PATH, workspace=workspace, keyring=memory_keyring) as client:
        assert client.get("/api/me").status_code == 200
    assert grants(oauth) == ["authorization_code", "refresh_token", "refresh_token"]


def test_https_only_connection_refuses_plain_http_in_connect(
        workspace: Workspace, memory_keyring: Any, tls_server: tuple[str, str],
        echo_server: str) -> None:
    base, ca = tls_server
    saved_session(workspace, memory_keyring, Connection(
        "secure", base, auth=AuthSettings("bearer"),
        tls=TlsSettings(ca_bundle=ca, https_only=True)), token="t0ken-value")
    with relaydesk.connect("secure", workspace=workspace, keyring=memory_keyring) as client:
        assert client.get("/echo/ok").status_code == 200
        with pytest.raises(HttpsOnlyError, match="HTTPS-only"):
            client.get(f"{echo_server}/echo/plain")
        # A redirect from the https origin to plain http is refused as well.
        with pytest.raises(HttpsOnlyError, match=r"redirected|HTTPS-only"):
            client.get("/redirect", params={"to": f"{echo_server}/echo/x"})


async def test_token_endpoint_over_plain_http_is_refused_before_the_secret_leaves(
        oauth: OAuthServer, workspace: Workspace, memory_keyring: Any) -> None:
    session = saved_session(workspace, memory_keyring, Connection(
        PATH, "https://127.0.0.1:9", auth=client_credentials(oauth),
        tls=TlsSettings(https_only=True)), client_secret=CLIENTS["basic-client"]["secret"])
    with pytest.raises(HttpsOnlyError, match="HTTPS-only"):
        await session.send(Request(path=f"{PATH}/me", url="/api/me"))
    with pytest.raises(HttpsOnlyError):
        relaydesk.connect(PATH, workspace=workspace, keyring=memory_keyring).get("/api/me")
    assert oauth.state.token_requests == []  # the client secret never went out


async def test_token_calls_use_the_connections_tls_settings(
        oauth: OAuthServer, workspace: Workspace, memory_keyring: Any, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-ca.pem"
    session = saved_session(workspace, memory_keyring, Connection(
        PATH, oauth.base_url, auth=client_credentials(oauth),
        tls=TlsSettings(ca_bundle=str(missing))), client_secret="x")
    with pytest.raises(TlsError, match=r"no-such-ca\.pem"):
        await session.oauth.access_token(PATH, workspace.connection(PATH).auth,
                                         workspace.connection(PATH))
    assert oauth.state.token_requests == []


_SCRIPT = textwrap.dedent("""
    import relaydesk
    client = relaydesk.connect({path!r})
    print(client.get("/api/me").status_code)
""")


def _script(path: str, ws: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RELAYDESK_WORKSPACE": str(ws)}
    return subprocess.run([sys.executable, "-c", _SCRIPT.format(path=path)], env=env,
                          capture_output=True, text=True, timeout=60)


@requires_secret_service
@pytest.mark.keyring
def test_a_script_with_only_the_import_line_gets_accepted_tokens(
        oauth: OAuthServer, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    # Client credentials: nothing but the saved connection and its secret.
    assert run_cli(ws, "new", "connection", "idp/cc", "--base-url", oauth.base_url,
                   "--auth", "oauth2", "--set", "grant=client_credentials",
                   "--set", f"token_url={oauth.base_url}/token",
                   "--set", "client_id=basic-client").code == 0
    assert run_cli(ws, "secret", "set", "idp/cc", "client_secret",
                   input=CLIENTS["basic-client"]["secret"]).code == 0
    ran = _script("idp/cc", ws)
    assert ran.returncode == 0 and ran.stdout.strip() == "200", ran.stderr

    # Authorization code: `relaydesk auth login`, then the script.
    assert run_cli(ws, "new", "connection", "idp/code", "--base-url", oauth.base_url,
                   "--auth", "oauth2", "--set", "grant=authorization_code",
                   "--set", f"issuer={oauth.issuer}", "--set", "client_id=app-client",
                   "--set", "scope=read").code == 0
    assert run_cli(ws, "secret", "set", "idp/code", "client_secret",
                   input=CLIENTS["app-client"]["secret"]).code == 0
    login, _url = login_in_browser(ws, "idp/code")
    assert login.code == 0, login.err
    before = len(oauth.state.token_requests)
    ran = _script("idp/code", ws)
    assert ran.returncode == 0 and ran.stdout.strip() == "200", ran.stderr
    assert len(oauth.state.token_requests) == before  # the saved login was used as is
    assert httpx.get(f"{oauth.base_url}/api/me", trust_env=False).status_code == 401
