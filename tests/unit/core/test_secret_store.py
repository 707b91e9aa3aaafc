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


def test_a_workspace_store_keys_entries_by_item_id(memory_keyring, workspace):
    from relaydesk.core.model import Connection

    conn = workspace.save_connection(Connection("a/b", "https://x.example"), create=True)
    store = SecretStore.for_workspace(memory_keyring, workspace)
    store.set("a/b", "token", "t")
    assert list(memory_keyring.passwords) == [("relaydesk", f"{workspace.id}/@{conn.id}#token")]
    workspace.move("a/b", "c")
    assert store.get("c", "token") == "t"  # the id moved with the item, the entry stayed
    assert store.get("a/b", "token") is None
    store.set("one-off", "token", "o")  # an owner outside the workspace: keyed by path
    assert ("relaydesk", f"{workspace.id}/one-off#token") in memory_keyring.passwords
    store.delete("one-off", "token")
    store.delete_owned(conn.id, ("token",))
    assert memory_keyring.passwords == {}


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
