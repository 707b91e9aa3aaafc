"""The auth editor keeps an AWS Signature V4 connection as it is (kind, public fields),
and its two secrets go to the keyring only."""

from __future__ import annotations

from typing import Any

from relaydesk.core.model import AuthSettings
from relaydesk.core.secrets import SecretStore
from relaydesk.ui.auth_editor import AuthEditor
from tests.gui.test_oauth_editor import Secrets


def test_sigv4_settings_round_trip_and_secrets_are_write_only(
        qtbot: Any, memory_keyring: Any) -> None:
    store = SecretStore(memory_keyring, "ws")
    store.set("aws/api", "secret_access_key", "saved-secret")
    editor = AuthEditor(Secrets(store))
    qtbot.addWidget(editor)
    settings = AuthSettings("aws_sigv4", {"access_key_id": "AKID", "region": "eu-west-1",
                                          "service": "execute-api"})
    editor.set_auth(settings, "aws/api")

    assert editor.kind() == "aws_sigv4"
    assert editor.auth() == settings  # saving the form changes nothing
    key = editor.secret_fields[("aws_sigv4", "secret_access_key")]
    token = editor.secret_fields[("aws_sigv4", "session_token")]
    assert key.is_saved_shown() and key.edit.text() == ""  # never shown again
    assert not token.is_saved_shown()
    token.edit.setText("typed-session-token")
    assert editor.pending_secrets() == {"session_token": "typed-session-token"}
