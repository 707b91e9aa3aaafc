"""Save As / "Save to…" from History, and a request's own auth with its secrets, as
the session carries them out."""

from __future__ import annotations

import json

import pytest

from relaydesk.core.errors import AlreadyExistsError, ValidationError
from relaydesk.core.model import AuthSettings, Connection, Request
from relaydesk.core.session import Session
from relaydesk.core.workspace import Workspace
from tests.conftest import MemoryKeyring


@pytest.fixture
def session(workspace: Workspace, memory_keyring: MemoryKeyring) -> Session:
    s = Session(workspace, keyring=memory_keyring, history=False)
    s.create_connection(Connection("api", "http://127.0.0.1:9/v1"))
    s.create_folder("api/users")
    return s


def test_a_history_request_saved_into_a_connection_becomes_relative(session: Session) -> None:
    entry = Request("History/GET 14", url="http://127.0.0.1:9/v1/users?page=2")
    saved = session.save_request_as(entry, "api/users/Page two")
    assert saved.path == "api/users/Page two" and saved.url == "/users?page=2"
    assert saved.id
    doc = json.loads(session.workspace.file_of(saved.path).read_text())
    assert doc["url"] == "/users?page=2"


def test_a_url_elsewhere_stays_whole_and_a_lookalike_prefix_is_not_cut(
        session: Session) -> None:
    other = session.save_request_as(Request("x", url="https://other.example/a"), "api/A")
    assert other.url == "https://other.example/a"
    lookalike = session.save_request_as(Request("x", url="http://127.0.0.1:9/v10/x"),
                                        "api/B")
    assert lookalike.url == "http://127.0.0.1:9/v10/x"


def test_save_as_never_overwrites(session: Session) -> None:
    session.save_request_as(Request("x", url="/a"), "api/A")
    with pytest.raises(AlreadyExistsError):
        session.save_request_as(Request("x", url="/b"), "api/A")
    assert session.workspace.request("api/A").url == "/a"
    assert session.free_path("api/A") == "api/A 2"
    assert session.free_path("api/New") == "api/New"
    with pytest.raises(ValidationError):
        session.save_request_as(Request("x"), "")


def test_request_auth_secret_goes_to_the_keyring_under_the_request(
        session: Session, memory_keyring: MemoryKeyring) -> None:
    session.create_request(Request("api/Me", url="/me"))
    saved = session.set_request_auth("api/Me", AuthSettings("bearer"),
                                     {"token": "req-token-77"})
    assert saved.auth == AuthSettings("bearer")
    assert session.secrets.get("api/Me", "token") == "req-token-77"
    text = session.workspace.file_of("api/Me").read_text()
    assert "req-token-77" not in text and '"bearer"' in text
    assert any(session.workspace.id_of("api/Me") in user
               for _service, user in memory_keyring.passwords)

    # Back to the connection's auth: the request's token is forgotten.
    session.set_request_auth("api/Me", None)
    assert session.workspace.request("api/Me").auth is None
    assert memory_keyring.passwords == {}


def test_a_secret_the_kind_does_not_have_is_refused(session: Session) -> None:
    session.create_request(Request("api/Me", url="/me"))
    with pytest.raises(ValidationError):
        session.set_request_auth("api/Me", AuthSettings("bearer"), {"password": "x"})
    assert session.workspace.request("api/Me").auth is None  # nothing written
