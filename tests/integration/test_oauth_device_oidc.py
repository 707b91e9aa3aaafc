"""Device authorization grant, OIDC ID tokens and the OAuth timeline, end to end against
the real Authlib authorization server on loopback (tests/oauth_server.py).

The "user on another device" is a test thread that opens the verification page and
approves (or denies) the user code, as a person with a phone would.
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from relaydesk.core.errors import AuthError
from relaydesk.core.model import AuthSettings
from relaydesk.core.oauth import OAuthTokenProvider
from relaydesk.core.oauth.device import DeviceCode
from relaydesk.core.oauth.tokens import TOKENS_FIELD
from relaydesk.core.secrets import SecretStore
from tests.integration.clitools import (
    assert_one_line_error,
    login_in_browser,
    relaydesk_command,
    requires_secret_service,
    run_cli,
)
from tests.oauth_server import CLIENTS, Browser, OAuthServer, approve_device, client_factory

PATH = "api/main"


def me(oauth: OAuthServer, token: str) -> httpx.Response:
    return httpx.get(f"{oauth.base_url}/api/me", headers={"Authorization": f"Bearer {token}"},
                     trust_env=False)


def device_settings(oauth: OAuthServer, **extra: str) -> AuthSettings:
    return AuthSettings("oauth2", {"grant": "device_code", "issuer": oauth.issuer,
                                   "client_id": "device-app", "scope": "read", **extra})


class Phone:
    """Approves (or denies) the code shown, from another device, once the client polls."""

    def __init__(self, oauth: OAuthServer, *, consent: str = "yes", after_polls: int = 1,
                 act: bool = True) -> None:
        self.oauth, self.consent, self.after_polls, self.act = oauth, consent, after_polls, act
        self.codes: list[DeviceCode] = []
        self.answers: list[httpx.Response] = []

    def __call__(self, code: DeviceCode) -> None:
        self.codes.append(code)
        if self.act:
            threading.Thread(target=self._approve, args=(code,), daemon=True).start()

    def _approve(self, code: DeviceCode) -> None:
        deadline = time.monotonic() + 30
        while len(self.oauth.state.polls) < self.after_polls and time.monotonic() < deadline:
            time.sleep(0.05)
        self.answers.append(approve_device(code.verification_uri, code.user_code,
                                           consent=self.consent))


def new_connection(ws: Path, oauth: OAuthServer, *settings: str) -> None:
    """`relaydesk new connection PATH` with OAuth 2.0 and ``settings`` (--grant, --set)."""
    made = run_cli(ws, "new", "connection", PATH, "--base-url", oauth.base_url,
                   "--auth", "oauth2", *settings)
    assert made.code == 0, made.err


def secrets_in(text: str, oauth: OAuthServer) -> list[str]:
    """Every credential the server issued or saw that appears in ``text``."""
    needles = {c["secret"] for c in CLIENTS.values() if c["secret"]}
    for token in oauth.state.tokens:
        needles |= {token.access_token, token.refresh_token or ""}
    needles |= set(oauth.state.devices)  # device codes
    for request in oauth.state.token_requests:
        form = request["form"]
        needles |= {form.get("code", ""), form.get("code_verifier", ""),
                    form.get("client_secret", ""), form.get("device_code", "")}
    needles.discard("")
    return [n for n in needles if n in text]


# -- device authorization grant -------------------------------------------------------------


async def test_device_flow_login_then_token_works(
        oauth: OAuthServer, secret_store: SecretStore) -> None:
    phone = Phone(oauth)
    provider = OAuthTokenProvider(secret_store, client_factory, opener=None)

    tokens = await provider.login_owner(PATH, device_settings(oauth), on_device=phone,
                                        open_browser=False)

    (code,) = phone.codes
    assert code.verification_uri == f"{oauth.base_url}/device"
    assert code.verification_uri_complete.endswith(f"user_code={code.user_code}")
    assert phone.answers[0].status_code == 200
    assert me(oauth, tokens.access_token).json()["user"] == "alice"
    assert secret_store.get(PATH, TOKENS_FIELD) is not None  # stored like any grant
    grants = [r["grant_type"] for r in oauth.state.token_requests]
    assert set(grants) == {"urn:ietf:params:oauth:grant-type:device_code"}
    assert [r["status"] for r in oauth.state.token_requests][-1] == 200
    # The device code is a credential: never in what the user is shown.
    assert code.device_code not in repr(code)
    # The saved login is used by later sends without a new login.
    assert await provider.access_token(PATH, device_settings(oauth)) == tokens.access_token


async def test_device_flow_opens_the_complete_uri_when_a_browser_is_wanted(
        oauth: OAuthServer, secret_store: SecretStore) -> None:
    opened: list[str] = []

    def browser(url: str) -> None:  # the user approves in the browser that opened
        opened.append(url)
        query = dict(parse_qsl(urlsplit(url).query))
        approve_device(url.split("?")[0], query["user_code"])

    provider = OAuthTokenProvider(secret_store, client_factory, opener=browser)
    tokens = await provider.login_owner(PATH, device_settings(oauth))
    assert opened and "user_code=" in opened[0]
    assert me(oauth, tokens.access_token).status_code == 200


async def test_device_flow_slows_down_when_told(
        oauth: OAuthServer, secret_store: SecretStore) -> None:
    oauth.state.slow_down_once = True  # the first poll is answered with slow_down
    phone = Phone(oauth, after_polls=2)
    provider = OAuthTokenProvider(secret_store, client_factory, opener=None)

    tokens = await provider.login_owner(PATH, device_settings(oauth), on_device=phone)

    assert me(oauth, tokens.access_token).status_code == 200
    polls = oauth.state.polls
    assert len(polls) >= 2
    # Interval 1 s, then 1 + 5 s after slow_down (RFC 8628 §3.5).
    assert polls[1] - polls[0] >= 5.5
    errors = [e.error for e in provider.timeline(PATH).entries() if e.error]
    assert errors[0].startswith("slow_down")


async def test_device_flow_denied_is_one_clear_sentence(
        oauth: OAuthServer, secret_store: SecretStore) -> None:
    provider = OAuthTokenProvider(secret_store, client_factory, opener=None)
    with pytest.raises(AuthError) as info:
        await provider.login_owner(PATH, device_settings(oauth),
                                   on_device=Phone(oauth, consent="no"))
    text = str(info.value)
    assert "was denied" in text and "access_denied" in text and "\n" not in text
    assert secret_store.get(PATH, TOKENS_FIELD) is None


async def test_device_flow_expired_code_says_log_in_again(
        oauth: OAuthServer, secret_store: SecretStore) -> None:
    oauth.state.device_expires_in = 3
    provider = OAuthTokenProvider(secret_store, client_factory, opener=None)
    with pytest.raises(AuthError) as info:
        await provider.login_owner(PATH, device_settings(oauth),
                                   on_device=Phone(oauth, act=False))
    text = str(info.value)
    assert "expired before the login was approved" in text
    assert f"relaydesk auth login {PATH}" in text
    assert oauth.state.polls, "the client polled before giving up"
    assert secret_store.get(PATH, TOKENS_FIELD) is None


def _device_login_cli(ws: Path, oauth: OAuthServer, *args: str,
                      consent: str = "yes") -> tuple[int, str]:
    argv = [*relaydesk_command(), "--workspace", str(ws), "auth", "login", PATH,
            "--no-browser", *args]
    env = {k: v for k, v in os.environ.items() if k != "RELAYDESK_WORKSPACE"}
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, text=True)
    lines: list[str] = []
    try:
        assert proc.stderr is not None
        uri = code = ""
        for line in proc.stderr:
            lines.append(line)
            if line.startswith("  http") and not uri:
                uri = line.strip()
            found = re.search(r"enter the code:\s+(\S+)", line)
            if found:
                code = found.group(1)
                break
        assert uri and code, "".join(lines)
        approve_device(uri, code, consent=consent)
        _out, rest = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, "".join(lines) + rest


@requires_secret_service
@pytest.mark.keyring
def test_cli_device_login_shows_code_and_timeline(oauth: OAuthServer, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    new_connection(ws, oauth, "--grant", "device_code", "--set", f"issuer={oauth.issuer}",
                   "--set", "client_id=device-app", "--set", "scope=read")

    code, err = _device_login_cli(ws, oauth, "-v")

    assert code == 0, err
    assert "Logged in to 'api/main'" in err and "Traceback" not in err
    assert "device authorization: POST" in err and "token (device_code): POST" in err
    assert "verification_uri_complete" in err  # the timeline shows the answer's fields
    assert secrets_in(err, oauth) == []
    issued = oauth.state.tokens[-1]
    made = run_cli(ws, "new", "request", f"{PATH}/me", "--url", "/api/me")
    assert made.code == 0, made.err
    sent = run_cli(ws, "send", f"{PATH}/me", "--fail")
    assert sent.code == 0 and "alice" in sent.text, sent
    for path in (p for p in ws.rglob("*") if p.is_file()):
        assert issued.access_token.encode() not in path.read_bytes(), path


@requires_secret_service
@pytest.mark.keyring
def test_cli_device_login_denied_is_one_line(oauth: OAuthServer, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    new_connection(ws, oauth, "--grant", "device_code", "--set", f"issuer={oauth.issuer}",
                   "--set", "client_id=device-app")
    code, err = _device_login_cli(ws, oauth, consent="no")
    assert code == 1
    (line,) = [x for x in err.splitlines() if x.startswith("relaydesk: error:")]
    assert "was denied" in line and "-v" in line  # points at the timeline
    assert "Traceback" not in err


def test_cli_unknown_grant_is_refused(tmp_path: Path) -> None:
    result = run_cli(tmp_path / "ws", "new", "connection", PATH, "--base-url",
                     "http://127.0.0.1:9", "--auth", "oauth2", "--grant", "password")
    assert result.code == 2 and "not an OAuth grant" in result.err
    assert not (tmp_path / "ws").exists() or not any((tmp_path / "ws").rglob("*.json"))


# -- OpenID Connect ID tokens ---------------------------------------------------------------


def oidc_settings(oauth: OAuthServer) -> AuthSettings:
    return AuthSettings("oauth2", {"grant": "authorization_code", "issuer": oauth.issuer,
                                   "client_id": "public-app", "scope": "openid read"})


async def test_valid_id_token_is_verified_and_its_claims_kept(
        oauth: OAuthServer, secret_store: SecretStore) -> None:
    browser = Browser()
    provider = OAuthTokenProvider(secret_store, client_factory, opener=browser)
    tokens = await provider.login_owner(PATH, oidc_settings(oauth))
    sent_nonce = dict(parse_qsl(urlsplit(browser.urls[0]).query))["nonce"]
    assert tokens.id_claims is not None
    assert tokens.id_claims["sub"] == "alice"
    assert tokens.id_claims["email"] == "alice@example.test"
    assert tokens.id_claims["nonce"] == sent_nonce
    assert provider.tokens(PATH) == tokens  # the claims survive the keyring round trip
    whats = [e.what for e in provider.timeline(PATH).entries()]
    assert "issuer keys (JWKS)" in whats


@pytest.mark.parametrize(("setup", "needle"), [
    ({"id_token_tamper": True}, "signature does not match"),
    ({"id_token_lifetime": -600}, "it expired at"),
])
async def test_bad_id_token_refuses_the_login(
        oauth: OAuthServer, secret_store: SecretStore, setup: dict[str, Any],
        needle: str) -> None:
    for name, value in setup.items():
        setattr(oauth.state, name, value)
    provider = OAuthTokenProvider(secret_store, client_factory, opener=Browser())
    with pytest.raises(AuthError) as info:
        await provider.login_owner(PATH, oidc_settings(oauth))
    text = str(info.value)
    assert needle in text and text.startswith("The ID token was refused")
    assert secret_store.get(PATH, TOKENS_FIELD) is None
    assert oauth.state.token_requests[-1]["status"] == 200  # the server issued; we refused


async def test_id_token_without_an_issuer_is_not_trusted(
        oauth: OAuthServer, secret_store: SecretStore) -> None:
    settings = AuthSettings("oauth2", {
        "grant": "authorization_code", "auth_url": f"{oauth.base_url}/authorize",
        "token_url": f"{oauth.base_url}/token", "client_id": "public-app",
        "scope": "openid"})
    provider = OAuthTokenProvider(secret_store, client_factory, opener=Browser())
    with pytest.raises(AuthError, match="names no issuer to verify it against"):
        await provider.login_owner(PATH, settings)


@requires_secret_service
@pytest.mark.keyring
def test_cli_status_shows_the_verified_claims(oauth: OAuthServer, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    new_connection(ws, oauth, "--grant", "authorization_code", "--set", f"issuer={oauth.issuer}",
                   "--set", "client_id=public-app", "--set", "scope=openid read")
    login, _url = login_in_browser(ws, PATH)
    assert login.code == 0, login.err
    assert "ID token verified: sub=alice" in login.err
    status = run_cli(ws, "auth", "status", PATH)
    assert "ID token (verified): sub=alice" in status.text
    assert "email=alice@example.test" in status.text


@requires_secret_service
@pytest.mark.keyring
def test_cli_tampered_id_token_is_one_line(oauth: OAuthServer, tmp_path: Path) -> None:
    oauth.state.id_token_tamper = True
    ws = tmp_path / "ws"
    new_connection(ws, oauth, "--set", "grant=authorization_code", "--set",
                   f"issuer={oauth.issuer}", "--set", "client_id=public-app",
                   "--set", "scope=openid")
    login, _url = login_in_browser(ws, PATH)
    lines = [x for x in login.err.splitlines() if x.startswith("relaydesk: error:")]
    assert login.code == 1 and len(lines) == 1, login.err
    assert "signature does not match" in lines[0]
    assert "no OAuth token saved" in run_cli(ws, "auth", "status", PATH).text


# -- the timeline ---------------------------------------------------------------------------


async def test_timeline_of_a_failed_then_a_successful_login(
        oauth: OAuthServer, secret_store: SecretStore) -> None:
    settings = AuthSettings("oauth2", {
        "grant": "client_credentials", "token_url": f"{oauth.base_url}/token",
        "client_id": "post-client", "client_auth": "post", "scope": "read"})
    provider = OAuthTokenProvider(secret_store, client_factory, opener=None)
    secret_store.set(PATH, "client_secret", "not-the-secret-1234")
    with pytest.raises(AuthError):
        await provider.login_owner(PATH, settings)
    secret_store.set(PATH, "client_secret", CLIENTS["post-client"]["secret"])
    tokens = await provider.login_owner(PATH, settings)

    failed, ok = provider.timeline(PATH).entries()
    assert (failed.what, failed.method, failed.status) == ("token (client_credentials)",
                                                           "POST", 401)
    assert failed.url == f"{oauth.base_url}/token"
    assert failed.error.startswith("invalid_client")  # as the server sent it
    assert failed.params["client_secret"] == "***" and failed.params["scope"] == "read"
    assert failed.client_auth == "client_secret_post"
    assert ok.status == 200 and not ok.error and ok.elapsed_ms is not None
    assert ok.answer["access_token"] == "***" and ok.answer["token_type"] == "Bearer"
    text = provider.timeline(PATH).text()
    for secret in ("not-the-secret-1234", CLIENTS["post-client"]["secret"], tokens.access_token):
        assert secret not in text


async def test_timeline_of_the_code_flow_masks_code_and_verifier(
        oauth: OAuthServer, secret_store: SecretStore) -> None:
    secret_store.set(PATH, "client_secret", CLIENTS["app-client"]["secret"])
    settings = AuthSettings("oauth2", {
        "grant": "authorization_code", "issuer": oauth.issuer, "client_id": "app-client",
        "scope": "read"})
    provider = OAuthTokenProvider(secret_store, client_factory, opener=Browser(consent="no"))
    with pytest.raises(AuthError):
        await provider.login_owner(PATH, settings)
    provider = OAuthTokenProvider(secret_store, client_factory, opener=Browser())
    await provider.login_owner(PATH, settings)
    entries = provider.timeline(PATH).entries()
    whats = [e.what for e in entries]
    assert whats == ["discovery", "authorization (browser)", "redirect back",
                     "token (authorization_code)"]
    assert entries[1].params == {} and "code_challenge=" in entries[1].url
    assert entries[2].params["code"] == "***"
    assert entries[3].client_auth == "Basic ***"
    assert entries[3].params["code_verifier"] == "***"
    assert secrets_in(provider.timeline(PATH).text(), oauth) == []


async def test_timeline_records_an_unreachable_token_endpoint(
        secret_store: SecretStore) -> None:
    settings = AuthSettings("oauth2", {"grant": "client_credentials",
                                       "token_url": "http://127.0.0.1:9/token",
                                       "client_id": "x"})
    secret_store.set(PATH, "client_secret", "s3cret-value")
    provider = OAuthTokenProvider(secret_store, client_factory, opener=None)
    with pytest.raises(AuthError, match="Cannot reach the token endpoint"):
        await provider.login_owner(PATH, settings)
    (entry,) = provider.timeline(PATH).entries()
    assert entry.status is None and "Cannot reach" in entry.error
    assert "s3cret-value" not in provider.timeline(PATH).text()


@requires_secret_service
@pytest.mark.keyring
def test_cli_login_verbose_prints_the_failed_call(oauth: OAuthServer, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    new_connection(ws, oauth, "--grant", "client_credentials", "--set",
                   f"token_url={oauth.base_url}/token", "--set", "client_id=basic-client")
    assert run_cli(ws, "secret", "set", PATH, "client_secret", input="wrong-s3cret").code == 0
    quiet = run_cli(ws, "auth", "login", PATH)
    assert_one_line_error(quiet, "did not accept the client credentials", "-v")
    loud = run_cli(ws, "auth", "login", PATH, "-v")
    assert loud.code == 1
    assert "token (client_credentials): POST" in loud.err and "→ 401" in loud.err
    assert "error: invalid_client" in loud.err and "Basic ***" in loud.err
    assert "wrong-s3cret" not in loud.err
