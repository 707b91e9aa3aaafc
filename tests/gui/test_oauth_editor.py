"""The OAuth editor against the real Authlib server: Get token, Cancel, Discover,
token info, Copy, Clear."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtGui import QGuiApplication

from relaydesk.core.model import AuthSettings
from relaydesk.core.oauth import OAuthTokenProvider, mask_token
from relaydesk.core.secrets import SecretStore
from relaydesk.ui.oauth_editor import OAuthEditor
from tests.oauth_server import CLIENTS, Browser, OAuthServer, client_factory, start_oauth_server

OWNER = "api/main"


@pytest.fixture(scope="module")
def oauth() -> Iterator[OAuthServer]:
    server = start_oauth_server()
    yield server
    server.stop()


class Secrets:
    def __init__(self, store: SecretStore) -> None:
        self.store = store

    def secret_saved(self, owner: str, field: str) -> bool:
        return self.store.has(owner, field)

    def set_secret(self, owner: str, field: str, value: str) -> None:
        self.store.set(owner, field, value)


def make_editor(qtbot: Any, store: SecretStore, opener: Any) -> tuple[OAuthEditor, Any]:
    provider = OAuthTokenProvider(store, client_factory, opener=opener, login_timeout=20)
    editor = OAuthEditor(provider, Secrets(store))
    qtbot.addWidget(editor)
    editor.show()
    return editor, provider


def settings(oauth: OAuthServer) -> AuthSettings:
    return AuthSettings("oauth2", {
        "grant": "authorization_code", "auth_url": f"{oauth.base_url}/authorize",
        "token_url": f"{oauth.base_url}/token", "client_id": "app-client",
        "scope": "read write"})


def test_get_token_shows_masked_info_copy_and_clear(
        qtbot: Any, qloop: Any, oauth: OAuthServer, memory_keyring: Any) -> None:
    store = SecretStore(memory_keyring, "ws")
    browser = Browser()
    editor, provider = make_editor(qtbot, store, browser)
    editor.set_settings(settings(oauth), OWNER)
    assert editor.token_info.text() == "No token saved."
    assert not editor.copy_button.isEnabled()
    editor.secret.setText(CLIENTS["app-client"]["secret"])  # typed, write-only

    editor.get_button.click()
    assert editor.cancel_button.isVisible() and "Waiting for the browser" in editor.status.text()
    qtbot.waitUntil(lambda: not editor.is_busy(), timeout=15000)

    assert browser.finished().status_code == 200
    saved = provider.tokens(OWNER)
    assert saved is not None
    assert store.get(OWNER, "client_secret") == CLIENTS["app-client"]["secret"]
    assert editor.secret_replace.isVisible() and editor.secret.text() == ""
    info = editor.token_info.text()
    assert mask_token(saved.access_token) in info and "scopes: read write" in info
    assert saved.access_token not in info + editor.status.text()
    assert not editor.cancel_button.isVisible()

    editor.copy_button.click()
    assert QGuiApplication.clipboard().text() == saved.access_token

    editor.clear_button.click()
    assert editor.token_info.text() == "No token saved." and provider.tokens(OWNER) is None


def test_cancel_while_waiting_for_the_browser(
        qtbot: Any, qloop: Any, oauth: OAuthServer, memory_keyring: Any) -> None:
    store = SecretStore(memory_keyring, "ws")
    store.set(OWNER, "client_secret", CLIENTS["app-client"]["secret"])
    opened: list[str] = []
    editor, _provider = make_editor(qtbot, store, opened.append)  # the user never logs in
    editor.set_settings(settings(oauth), OWNER)
    editor.get_button.click()
    qtbot.waitUntil(lambda: bool(opened) and editor.paste.isVisible(), timeout=5000)
    assert opened[0] in editor.status.text()

    editor.cancel_button.click()
    qtbot.waitUntil(lambda: not editor.is_busy(), timeout=5000)
    assert editor.status.text() == "Login cancelled."
    assert editor.get_button.isEnabled() and not editor.paste.isVisible()


def test_pasted_redirect_url_finishes_the_login(
        qtbot: Any, qloop: Any, oauth: OAuthServer, memory_keyring: Any) -> None:
    import httpx

    store = SecretStore(memory_keyring, "ws")
    store.set(OWNER, "client_secret", CLIENTS["app-client"]["secret"])
    opened: list[str] = []
    editor, provider = make_editor(qtbot, store, opened.append)
    editor.set_settings(settings(oauth), OWNER)
    editor.get_button.click()
    qtbot.waitUntil(lambda: bool(opened), timeout=5000)
    # The browser logs in but cannot reach the loopback listener: the user copies the URL.
    with httpx.Client(trust_env=False) as client:
        answer = client.post(opened[0], data={"user": "bob", "consent": "yes"})
    editor.paste.setText(answer.headers["location"])
    editor.paste.returnPressed.emit()
    qtbot.waitUntil(lambda: not editor.is_busy(), timeout=10000)
    assert provider.tokens(OWNER) is not None, editor.status.text()


def test_discover_fills_endpoints_and_errors_are_plain(
        qtbot: Any, qloop: Any, oauth: OAuthServer, memory_keyring: Any) -> None:
    editor, _provider = make_editor(qtbot, SecretStore(memory_keyring, "ws"), None)
    editor.set_settings(AuthSettings("oauth2", {"issuer": oauth.issuer}), OWNER)
    with qtbot.waitSignal(editor.changed, timeout=5000):
        editor.discover_button.click()
    assert editor.fields["auth_url"].text() == f"{oauth.base_url}/authorize"
    assert editor.fields["token_url"].text() == f"{oauth.base_url}/token"
    assert editor.settings().get("token_url") == f"{oauth.base_url}/token"

    editor.fields["issuer"].setText(f"{oauth.issuer}/nowhere")
    editor.discover_button.click()
    qtbot.waitUntil(lambda: "No OAuth discovery document" in editor.status.text(), timeout=5000)


def test_device_grant_shows_the_code_and_the_timeline(
        qtbot: Any, qloop: Any, oauth: OAuthServer, memory_keyring: Any,
        tmp_path: Any) -> None:
    from urllib.parse import parse_qsl, urlsplit

    from tests.oauth_server import approve_device

    store = SecretStore(memory_keyring, "ws")
    editor, provider = make_editor(qtbot, store, None)
    editor.set_settings(AuthSettings("oauth2", {
        "grant": "device_code", "issuer": oauth.issuer, "client_id": "device-app",
        "scope": "read"}), OWNER)
    assert editor.grant.currentData() == "device_code"
    assert editor.fields["device_url"].isEnabled() and not editor.fields["auth_url"].isEnabled()

    editor.get_button.click()
    qtbot.waitUntil(lambda: "enter the code" in editor.status.text(), timeout=10000)
    shown = editor.status.text()
    complete = shown.split("(or open ", 1)[1].split(")", 1)[0]
    user_code = dict(parse_qsl(urlsplit(complete).query))["user_code"]
    assert user_code in shown and f"{oauth.base_url}/device" in shown
    editor.show_timeline()  # open while polling: it follows the calls live
    dialog = editor.timeline_dialog
    assert dialog is not None
    assert approve_device(f"{oauth.base_url}/device", user_code).status_code == 200
    qtbot.waitUntil(lambda: not editor.is_busy(), timeout=15000)

    saved = provider.tokens(OWNER)
    assert saved is not None, editor.status.text()
    assert mask_token(saved.access_token) in editor.token_info.text()
    qtbot.waitUntil(lambda: "token (device_code)" in dialog.text.toPlainText(), timeout=5000)
    text = dialog.text.toPlainText()
    assert "device authorization: POST" in text and "device_code=***" in text
    for secret in (saved.access_token, saved.refresh_token or "-", *oauth.state.devices):
        assert secret not in text
    dialog.resize(900, 360)
    dialog.grab().save(str(tmp_path / "timeline.png"))
    editor.grab().save(str(tmp_path / "device-editor.png"))
    print("screenshots:", tmp_path)


def test_verified_id_token_claims_are_shown(
        qtbot: Any, qloop: Any, oauth: OAuthServer, memory_keyring: Any) -> None:
    store = SecretStore(memory_keyring, "ws")
    editor, _provider = make_editor(qtbot, store, Browser())
    editor.set_settings(AuthSettings("oauth2", {
        "grant": "authorization_code", "issuer": oauth.issuer, "client_id": "public-app",
        "scope": "openid read"}), OWNER)
    editor.get_button.click()
    qtbot.waitUntil(lambda: not editor.is_busy(), timeout=15000)
    info = editor.token_info.text()
    assert "ID token (verified): sub=alice" in info, editor.status.text()
    assert "email=alice@example.test" in info


def test_tampered_id_token_is_refused_in_the_editor(
        qtbot: Any, qloop: Any, oauth: OAuthServer, memory_keyring: Any) -> None:
    oauth.state.id_token_tamper = True
    try:
        store = SecretStore(memory_keyring, "ws")
        editor, provider = make_editor(qtbot, store, Browser())
        editor.set_settings(AuthSettings("oauth2", {
            "grant": "authorization_code", "issuer": oauth.issuer,
            "client_id": "public-app", "scope": "openid"}), OWNER)
        editor.get_button.click()
        qtbot.waitUntil(lambda: not editor.is_busy(), timeout=15000)
        assert "signature does not match" in editor.status.text()
        assert provider.tokens(OWNER) is None
        assert editor.token_info.text() == "No token saved."
    finally:
        oauth.state.id_token_tamper = False


def test_timeline_of_a_failed_and_a_successful_get_token(
        qtbot: Any, qloop: Any, oauth: OAuthServer, memory_keyring: Any) -> None:
    store = SecretStore(memory_keyring, "ws")
    editor, provider = make_editor(qtbot, store, None)
    editor.set_settings(AuthSettings("oauth2", {
        "grant": "client_credentials", "token_url": f"{oauth.base_url}/token",
        "client_id": "basic-client", "scope": "read"}), OWNER)
    editor.secret.setText("wrong-secret-0000")  # typed, saved on Get token
    editor.get_button.click()
    qtbot.waitUntil(lambda: not editor.is_busy(), timeout=10000)
    assert "did not accept the client credentials" in editor.status.text()
    editor.secret_replace.click()
    editor.secret.setText(CLIENTS["basic-client"]["secret"])
    editor.get_button.click()
    qtbot.waitUntil(lambda: not editor.is_busy(), timeout=10000)
    saved = provider.tokens(OWNER)
    assert saved is not None, editor.status.text()

    editor.timeline_button.click()
    dialog = editor.timeline_dialog
    assert dialog is not None and dialog.isVisible()
    text = dialog.text.toPlainText()
    calls = [line for line in text.splitlines() if "token (client_credentials): POST" in line]
    assert len(calls) == 2 and "→ 401" in calls[0] and "→ 200" in calls[1]
    assert "error: invalid_client" in text and "client authentication: Basic ***" in text
    for secret in ("wrong-secret-0000", CLIENTS["basic-client"]["secret"], saved.access_token):
        assert secret not in text
    dialog.clear_button.click()
    assert dialog.text.toPlainText() == "" and provider.timeline(OWNER).entries() == []
