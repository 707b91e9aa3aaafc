import pytest
from keyring.backends import fail

from relaydesk.core.errors import SecretStoreError
from relaydesk.core.secrets import SecretStore, _check_backend


def test_set_get_delete_roundtrip(memory_keyring):
    store = SecretStore(memory_keyring, "ws1")
    assert store.get("jira/cloud", "password") is None
    store.set("jira/cloud", "password", "s3cret")
    assert store.get("jira/cloud", "password") == "s3cret"
    assert store.has("jira/cloud", "password")
    store.delete("jira/cloud", "password")
    store.delete("jira/cloud", "password")  # deleting twice is fine
    assert not store.has("jira/cloud", "password")


def test_workspaces_do_not_share_secrets(memory_keyring):
    SecretStore(memory_keyring, "ws1").set("github", "token", "a")
    assert SecretStore(memory_keyring, "ws2").get("github", "token") is None


def test_move_carries_secrets(memory_keyring):
    store = SecretStore(memory_keyring, "ws")
    store.set("old", "token", "t")
    store.move("old", "new", ("token", "password"))
    assert store.get("new", "token") == "t"
    assert store.get("old", "token") is None


def test_no_keyring_is_a_clear_error_not_a_plaintext_fallback():
    store = SecretStore(None, "ws")
    with pytest.raises(SecretStoreError, match="No usable system keyring"):
        store.set("a", "token", "x")
    with pytest.raises(SecretStoreError, match="plain file"):
        _check_backend(type("PlaintextKeyring", (), {})(), fail)
    with pytest.raises(SecretStoreError, match="No usable"):
        _check_backend(fail.Keyring(), fail)


def test_locked_keyring_says_how_to_unlock():
    from keyring.errors import KeyringLocked

    class Locked:
        def get_password(self, service, user):
            raise KeyringLocked("Failed to unlock the collection!")

    with pytest.raises(SecretStoreError, match=r"locked.*Unlock"):
        SecretStore(Locked(), "ws").get("a", "token")
