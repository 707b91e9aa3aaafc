"""The core session: domain operations with everything attached to an item.

Secrets and tokens are keyed by the item's stable id: renames and moves leave the
keyring byte-identical, deletes forget exactly the item's entries, and a new item at
an old path never inherits anything. An in-memory keyring shows every entry.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from keyring.errors import KeyringError

from relaydesk.core.errors import NotFoundError, ValidationError
from relaydesk.core.model import AuthSettings, Connection, Request
from relaydesk.core.oauth.tokens import TOKENS_FIELD
from relaydesk.core.session import Session
from relaydesk.core.workspace import Workspace
from tests.conftest import MemoryKeyring

OAUTH = AuthSettings("oauth2", {"grant": "client_credentials", "client_id": "c",
                                "token_url": "https://idp.example/token"})


def populated(workspace: Workspace, keyring: MemoryKeyring) -> Session:
    session = Session(workspace, keyring=keyring, history=False)
    session.create_connection(Connection("team/api", "https://api.example", auth=OAUTH))
    session.set_secret("team/api", "client_secret", "cs-1")
    session.secrets.set("team/api", TOKENS_FIELD, '{"access_token": "at-1"}')
    session.create_request(Request("team/api/users/List", url="/users"))
    session.create_request(Request("team/api/users/Admin", url="/admin",
                                   auth=AuthSettings("bearer")))
    session.set_secret("team/api/users/Admin", "token", "admin-token")
    return session


def test_rename_and_move_write_nothing_to_the_keyring(
        workspace: Workspace, memory_keyring: MemoryKeyring) -> None:
    session = populated(workspace, memory_keyring)
    before = dict(memory_keyring.passwords)
    assert len(before) == 3

    session.rename("team/api/users/Admin", "Administer")
    session.move("team/api", "other/api")
    session.move("other/api/users", "other/api/people")

    assert memory_keyring.passwords == before
    assert session.secrets.get("other/api", "client_secret") == "cs-1"
    assert session.secrets.get("other/api", TOKENS_FIELD) == '{"access_token": "at-1"}'
    assert session.secrets.get("other/api/people/Administer", "token") == "admin-token"
    assert session.secrets.get("team/api", "client_secret") is None


def test_delete_forgets_every_entry_of_the_items_inside(
        workspace: Workspace, memory_keyring: MemoryKeyring) -> None:
    session = populated(workspace, memory_keyring)
    session.create_connection(Connection("keep", "https://k.example", auth=AuthSettings("bearer")))
    session.set_secret("keep", "token", "kept")

    report = session.delete("team/api")

    assert report.kind == "connection" and report.secrets_left == []
    assert list(memory_keyring.passwords.values()) == ["kept"]
    with pytest.raises(NotFoundError):
        session.workspace.connection("team/api")


class BrokenKeyring(MemoryKeyring):
    """Answers reads, fails every change (a keyring that went away mid-session)."""

    broken = False

    def delete_password(self, service: str, username: str) -> None:
        if self.broken:
            raise KeyringError("the Secret Service went away")
        super().delete_password(service, username)


def test_an_orphaned_secret_never_attaches_to_a_new_item_at_the_same_path(
        workspace: Workspace) -> None:
    keyring = BrokenKeyring()
    session = Session(workspace, keyring=keyring, history=False)
    session.create_connection(Connection("svc", "https://old.example",
                                         auth=AuthSettings("bearer")))
    session.set_secret("svc", "token", "old-host-token")
    keyring.broken = True

    report = session.delete("svc")
    assert report.secrets_left == ["svc"] and "went away" in report.reason
    assert "old-host-token" in keyring.passwords.values()  # left behind…

    session.create_connection(Connection("svc", "https://new.example",
                                         auth=AuthSettings("bearer")))
    assert session.secrets.get("svc", "token") is None  # …and never inherited


def test_duplicate_gets_new_ids_and_no_secrets(
        workspace: Workspace, memory_keyring: MemoryKeyring) -> None:
    session = populated(workspace, memory_keyring)
    copy = session.duplicate("team/api")
    assert copy == "team/api copy"
    ws = session.workspace
    assert ws.id_of(copy) != ws.id_of("team/api")
    assert ws.id_of(f"{copy}/users/Admin") != ws.id_of("team/api/users/Admin")
    assert session.secrets.get(copy, "client_secret") is None
    assert session.secrets.get(f"{copy}/users/Admin", "token") is None
    assert len(memory_keyring.passwords) == 3


def test_secrets_are_checked_against_the_owners_auth(
        workspace: Workspace, memory_keyring: MemoryKeyring) -> None:
    session = populated(workspace, memory_keyring)
    with pytest.raises(ValidationError, match="not a secret"):
        session.set_secret("team/api", "password", "x")
    with pytest.raises(ValidationError, match="authentication of its connection"):
        session.set_secret("team/api/users/List", "token", "x")
    with pytest.raises(ValidationError, match="folder"):
        session.set_secret("team/api/users", "token", "x")


def _v1_workspace(root: Path) -> str:
    """A workspace as Relaydesk 0.1 wrote it (format 1, no ids), with a bearer request."""
    ws_id = "v1-workspace-id"
    files: dict[str, Any] = {
        "relaydesk.json": {"format": 1, "kind": "workspace", "id": ws_id},
        "connections/gh/connection.json": {"format": 1, "kind": "connection",
                                           "base_url": "https://api.github.com",
                                           "auth": {"kind": "bearer"}},
        "connections/gh/Me.request.json": {"format": 1, "kind": "request", "url": "/user",
                                           "auth": {"kind": "apikey", "name": "X-Key"}},
    }
    for name, doc in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(doc), encoding="utf-8")
    return ws_id


def test_a_migrated_workspace_takes_its_path_keyed_secrets_along(
        tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    ws_id = _v1_workspace(tmp_path / "ws")
    memory_keyring.set_password("relaydesk", f"{ws_id}/gh#token", "gh-token")
    memory_keyring.set_password("relaydesk", f"{ws_id}/gh/Me#value", "key-value")

    session = Session(Workspace.open(tmp_path / "ws"), keyring=memory_keyring, history=False)

    assert session.secrets.get("gh", "token") == "gh-token"
    assert session.secrets.get("gh/Me", "value") == "key-value"
    assert all("#" in k and "/@" in k for _s, k in memory_keyring.passwords)
    assert session.workspace.legacy_secret_owners() == {}
    # Renaming afterwards still writes nothing to the keyring.
    before = dict(memory_keyring.passwords)
    session.move("gh", "github")
    assert memory_keyring.passwords == before
