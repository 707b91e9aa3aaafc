"""Shared fixtures: loopback servers, an in-memory keyring, a fresh workspace."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend
from keyring.compat import properties
from keyring.errors import PasswordDeleteError

from relaydesk.core.secrets import SecretStore

# CI runs the fuzz tests on a fixed sequence of examples, so a landing never depends on
# the draw; anywhere else each run explores new inputs (and saves what failed).
if os.environ.get("CI"):
    from hypothesis import settings as _hypothesis_settings

    _hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
    _hypothesis_settings.load_profile("ci")
from relaydesk.core.workspace import Workspace
from tests.oauth_server import OAuthServer, start_oauth_server
from tests.servers import start_httpbin, start_uvicorn


class MemoryKeyring(KeyringBackend):
    """A keyring backend that keeps passwords in a dict, for tests only."""

    @properties.classproperty
    def priority(cls) -> float:
        # Not viable for auto-detection, so keyring.get_keyring() never picks it up
        # by accident in a test that probes the real system keyring.
        raise RuntimeError("the in-memory test keyring is only used when passed in")

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.passwords[(service, username)]
        except KeyError:
            raise PasswordDeleteError("no such password") from None


@pytest.fixture(scope="session")
def echo_server() -> Iterator[str]:
    server = start_uvicorn()
    yield server.base_url
    server.stop()


@pytest.fixture(scope="session")
def other_server() -> Iterator[str]:
    """A second echo app on another port: another origin, for redirect tests."""
    server = start_uvicorn()
    yield server.base_url
    server.stop()


@pytest.fixture(scope="session")
def httpbin_server() -> Iterator[str]:
    server = start_httpbin()
    yield server.base_url
    server.stop()


@pytest.fixture(scope="session")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """An HTTPS echo app with throwaway certificates: ``(base_url, ca_bundle_path)``."""
    import trustme

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    folder = tmp_path_factory.mktemp("tls")
    ca_path = folder / "ca.pem"
    cert_path = folder / "server.pem"
    key_path = folder / "server.key"
    ca.cert_pem.write_to_path(str(ca_path))
    cert.cert_chain_pems[0].write_to_path(str(cert_path))
    for extra in cert.cert_chain_pems[1:]:
        extra.write_to_path(str(cert_path), append=True)
    cert.private_key_pem.write_to_path(str(key_path))
    server = start_uvicorn(certfile=cert_path, keyfile=key_path)
    yield server.base_url, str(ca_path)
    server.stop()


@pytest.fixture(scope="session")
def oauth_session() -> Iterator[OAuthServer]:
    """The real (Authlib) authorization server of the tests, on loopback."""
    server = start_oauth_server()
    yield server
    server.stop()


@pytest.fixture
def oauth(oauth_session: OAuthServer) -> OAuthServer:
    """The authorization server, its record of token requests cleared."""
    oauth_session.reset()
    return oauth_session


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return Workspace.open(tmp_path / "ws")


@pytest.fixture
def secret_store(memory_keyring: MemoryKeyring, workspace: Workspace) -> SecretStore:
    return SecretStore.for_workspace(memory_keyring, workspace)


@pytest.fixture(autouse=True)
def _isolated_user_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every test away from the user's own history database and app settings."""
    monkeypatch.setenv("RELAYDESK_HISTORY", str(tmp_path / "history.sqlite3"))
    monkeypatch.setenv("RELAYDESK_SETTINGS", str(tmp_path / "settings.ini"))
