"""Environments edited through the session: secret variables live in the keyring
(keyed by the environment's id), are sent, are redacted from history, follow a
rename and are forgotten with a delete or when dropped from the list."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from relaydesk.core.errors import AlreadyExistsError, NotFoundError
from relaydesk.core.model import Connection, Request
from relaydesk.core.session import Session
from relaydesk.core.workspace import Workspace
from tests.conftest import MemoryKeyring


def _session(workspace: Workspace, keyring: MemoryKeyring,
             seen: list[httpx.Request] | None = None) -> Session:
    def answer(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        return httpx.Response(200, json={"ok": True})

    return Session(workspace, keyring=keyring, history=False,
                   transport=httpx.MockTransport(answer))


def _file(workspace: Workspace, name: str) -> dict[str, object]:
    doc = json.loads((workspace.root / "environments" / f"{name}.json").read_text())
    assert isinstance(doc, dict)
    return doc


def test_secret_variables_go_to_the_keyring_and_are_sent(
        workspace: Workspace, memory_keyring: MemoryKeyring) -> None:
    seen: list[httpx.Request] = []
    session = _session(workspace, memory_keyring, seen)
    session.create_connection(Connection("api", "https://api.example"))
    session.create_request(Request("api/Me", url="/me?user={{user}}",
                                   headers=[_kv("X-Token", "{{token}}")]))
    env = session.edit_environment("dev", variables={"user": "ann"},
                                   secret_values={"token": "tok-123456"}, create=True)

    doc = _file(workspace, "dev")
    assert doc["variables"] == {"user": "ann"} and doc["secrets"] == ["token"]
    assert "tok-123456" not in (workspace.root / "environments" / "dev.json").read_text()
    assert session.environment_secret_saved("dev", "token")
    assert any(env.id in user for _service, user in memory_keyring.passwords)

    import asyncio

    response = asyncio.run(session.send(session.workspace.request("api/Me"), "dev"))
    assert response.status == 200
    assert seen[-1].headers["x-token"] == "tok-123456"
    assert seen[-1].url.params["user"] == "ann"


def test_a_secret_value_is_redacted_from_what_is_recorded(
        workspace: Workspace, memory_keyring: MemoryKeyring) -> None:
    import asyncio

    session = _session(workspace, memory_keyring)
    session.create_connection(Connection("api", "https://api.example"))
    session.edit_environment("dev", variables={}, secret_values={"key": "very-secret-9"},
                             create=True)
    prepared = asyncio.run(session.engine.prepare(
        Request("api/x", url="/x?k={{key}}"), session.workspace.connection("api"),
        environment=session.environment("dev")))
    assert "very-secret-9" in prepared.url
    assert "very-secret-9" in prepared.secret_values


def test_rename_keeps_the_id_and_the_secrets(
        workspace: Workspace, memory_keyring: MemoryKeyring) -> None:
    session = _session(workspace, memory_keyring)
    env = session.edit_environment("dev", variables={"a": "1"},
                                   secret_values={"token": "t-1"}, create=True)
    before = dict(memory_keyring.passwords)
    renamed = session.rename_environment("dev", "staging")
    assert renamed.id == env.id
    assert memory_keyring.passwords == before
    assert not (workspace.root / "environments" / "dev.json").exists()
    assert _file(workspace, "staging")["variables"] == {"a": "1"}
    assert session.environment_secret_saved("staging", "token")
    with pytest.raises(NotFoundError):
        session.workspace.environment("dev")
    session.edit_environment("other", variables={}, create=True)
    with pytest.raises(AlreadyExistsError):
        session.rename_environment("staging", "other")


def test_delete_and_dropping_a_secret_forget_its_keyring_entry(
        workspace: Workspace, memory_keyring: MemoryKeyring) -> None:
    session = _session(workspace, memory_keyring)
    session.edit_environment("dev", variables={}, secret_values={"a": "s-a", "b": "s-b"},
                             create=True)
    assert len(memory_keyring.passwords) == 2
    session.edit_environment("dev", variables={"a": "plain"}, secrets=["b"])
    assert len(memory_keyring.passwords) == 1
    assert session.environment("dev") is not None
    assert session.workspace.environment("dev").variables == {"a": "plain"}
    session.delete_environment("dev")
    assert memory_keyring.passwords == {}
    assert not (workspace.root / "environments" / "dev.json").exists()


def test_editing_a_missing_environment_without_create_is_refused(
        workspace: Workspace, memory_keyring: MemoryKeyring) -> None:
    session = _session(workspace, memory_keyring)
    with pytest.raises(NotFoundError):
        session.edit_environment("nope", variables={"a": "1"})
    assert not (workspace.root / "environments" / "nope.json").exists()


def test_cli_updates_keep_the_secret_list(workspace: Workspace, tmp_path: Path,
                                          memory_keyring: MemoryKeyring) -> None:
    session = _session(workspace, memory_keyring)
    session.edit_environment("dev", variables={"a": "1"}, secret_values={"s": "v"},
                             create=True)
    session.update_environment("dev", set={"b": "2"})  # what `relaydesk set` does
    assert _file(workspace, "dev")["secrets"] == ["s"]
    assert len(memory_keyring.passwords) == 1
    session.update_environment("dev", set={"s": "now-plain"})
    assert "secrets" not in _file(workspace, "dev")
    assert memory_keyring.passwords == {}  # the old secret value is forgotten


def _kv(name: str, value: str) -> object:
    from relaydesk.core.model import KeyValue

    return KeyValue(name, value)
