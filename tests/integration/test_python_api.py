"""`relaydesk.connect` / `aconnect` against real loopback servers.

What the server received is checked: base URL joining, custom headers, every auth
mode, credentials withheld from other origins (also after a redirect), TLS, timeout.
Secrets come from an in-memory keyring backend handed in; the real Secret Service is
covered in test_keyring_real.py.
"""

from __future__ import annotations

import base64
import importlib.metadata
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

import relaydesk
from relaydesk.core.errors import AuthError, NotFoundError, TemplateError
from relaydesk.core.model import AuthSettings, Connection, Environment, KeyValue, TlsSettings
from relaydesk.core.secrets import SecretStore
from relaydesk.core.workspace import ENV_WORKSPACE, Workspace

SECRET = "s3cr3t-canary-value"


def received(response: httpx.Response) -> dict[str, Any]:
    response.raise_for_status()
    data: dict[str, Any] = response.json()
    return data


def header(data: dict[str, Any], name: str) -> str | None:
    return next((v for k, v in data["headers"] if k == name.lower()), None)


def save(ws: Workspace, keyring: Any, conn: Connection, **secrets: str) -> None:
    ws.save_connection(conn, create=True)
    store = SecretStore.for_workspace(keyring, ws)
    for field, value in secrets.items():
        store.set(conn.path, field, value)


# -- the basics ----------------------------------------------------------------------------


def test_base_url_and_custom_headers_are_applied(
        workspace: Workspace, memory_keyring: Any, echo_server: str) -> None:
    save(workspace, memory_keyring, Connection(
        "svc/echo", echo_server + "/echo/api/v2",
        headers=[KeyValue("X-Team", "{{team}}"), KeyValue("X-Off", "no", enabled=False)],
        variables={"team": "ops"}))
    with relaydesk.connect("svc/echo", workspace=workspace, keyring=memory_keyring) as client:
        assert isinstance(client, httpx.Client)
        data = received(client.get("/issues", params={"q": "a b"}))
    assert data["path"] == "/echo/api/v2/issues"
    assert data["query"] == "q=a+b"
    assert header(data, "x-team") == "ops"
    assert header(data, "x-off") is None
    assert header(data, "authorization") is None


def test_environment_variables_fill_the_base_url(
        workspace: Workspace, memory_keyring: Any, echo_server: str) -> None:
    save(workspace, memory_keyring, Connection("svc", "http://{{host}}/echo/{{stage}}",
                                               variables={"stage": "conn"}))
    host = echo_server.removeprefix("http://")
    workspace.save_environment(Environment("prod", {"host": host, "stage": "prod"}))
    with relaydesk.connect("svc", workspace=workspace, environment="prod") as client:
        assert received(client.get("/x"))["path"] == "/echo/prod/x"


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.mark.parametrize(("auth", "secret_field", "check"), [
    (AuthSettings("basic", {"username": "alice"}), "password",
     lambda d: header(d, "authorization") == basic("alice", SECRET)),
    (AuthSettings("bearer"), "token",
     lambda d: header(d, "authorization") == f"Bearer {SECRET}"),
    (AuthSettings("token", {"scheme": "Token"}), "token",
     lambda d: header(d, "authorization") == f"Token {SECRET}"),
    (AuthSettings("apikey", {"name": "X-Api-Key", "in": "header"}), "value",
     lambda d: header(d, "x-api-key") == SECRET),
    (AuthSettings("apikey", {"name": "api_key", "in": "query"}), "value",
     lambda d: d["query"] == f"page=2&api_key={SECRET}"),
], ids=["basic", "bearer", "token", "apikey-header", "apikey-query"])
def test_every_auth_mode_reaches_the_server(
        workspace: Workspace, memory_keyring: Any, echo_server: str,
        auth: AuthSettings, secret_field: str, check: Any) -> None:
    save(workspace, memory_keyring, Connection("svc", echo_server, auth=auth),
         **{secret_field: SECRET})
    with relaydesk.connect("svc", workspace=workspace, keyring=memory_keyring) as client:
        data = received(client.get("/echo", params={"page": "2"}))
    assert check(data), data


def test_digest_auth_against_httpbin(
        workspace: Workspace, memory_keyring: Any, httpbin_server: str) -> None:
    save(workspace, memory_keyring, Connection(
        "bin", httpbin_server, auth=AuthSettings("digest", {"username": "user"})),
        password=SECRET)
    with relaydesk.connect("bin", workspace=workspace, keyring=memory_keyring) as client:
        ok = client.get(f"/digest-auth/auth/user/{SECRET}")
        wrong = client.get("/digest-auth/auth/user/another-password")
    assert ok.status_code == 200 and ok.json() == {"authenticated": True, "user": "user"}
    assert wrong.status_code == 401


# -- credentials stay at home ------------------------------------------------------------


@pytest.mark.parametrize("auth,field", [
    (AuthSettings("bearer"), "token"),
    (AuthSettings("apikey", {"name": "X-Api-Key"}), "value"),
    (AuthSettings("apikey", {"name": "api_key", "in": "query"}), "value"),
], ids=["bearer", "apikey-header", "apikey-query"])
def test_credentials_are_not_sent_after_a_redirect_to_another_origin(
        workspace: Workspace, memory_keyring: Any, echo_server: str, other_server: str,
        auth: AuthSettings, field: str) -> None:
    save(workspace, memory_keyring, Connection("svc", echo_server, auth=auth),
         **{field: SECRET})
    with relaydesk.connect("svc", workspace=workspace, keyring=memory_keyring) as client:
        away = client.get("/redirect", params={"to": f"{other_server}/echo/landed"})
        home = client.get("/redirect", params={"to": f"{echo_server}/echo/home"})
    away_data, home_data = received(away), received(home)
    assert away.url.port != home.url.port  # really two origins
    assert away_data["path"] == "/echo/landed"
    assert SECRET not in json.dumps(away_data)
    # A redirect within the origin keeps credential headers (a query key is only
    # where the Location puts it, as in the engine).
    assert home_data["path"] == "/echo/home"
    if auth.get("in", "header") == "header":
        assert SECRET in json.dumps(home_data)


def test_a_full_url_to_another_origin_gets_no_credentials(
        workspace: Workspace, memory_keyring: Any, echo_server: str, other_server: str) -> None:
    save(workspace, memory_keyring, Connection("svc", echo_server, auth=AuthSettings("bearer")),
         token=SECRET)
    with relaydesk.connect("svc", workspace=workspace, keyring=memory_keyring) as client:
        data = received(client.get(f"{other_server}/echo/elsewhere"))
    assert header(data, "authorization") is None


# -- TLS, timeout --------------------------------------------------------------------------


def test_tls_ca_bundle_and_verification(
        workspace: Workspace, tls_server: tuple[str, str]) -> None:
    base, ca = tls_server
    workspace.save_connection(Connection("trusted", base, tls=TlsSettings(ca_bundle=ca)),
                              create=True)
    workspace.save_connection(Connection("strict", base), create=True)
    workspace.save_connection(Connection("lax", base, tls=TlsSettings(verify=False)),
                              create=True)
    with relaydesk.connect("trusted", workspace=workspace) as client:
        assert received(client.get("/echo/tls"))["path"] == "/echo/tls"
    with relaydesk.connect("lax", workspace=workspace) as client:
        assert client.get("/echo/tls").status_code == 200
    with relaydesk.connect("strict", workspace=workspace) as client, \
            pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        client.get("/echo/tls")


def test_connection_timeout_is_applied(workspace: Workspace, echo_server: str) -> None:
    workspace.save_connection(Connection("slow", echo_server, timeout=0.3), create=True)
    with relaydesk.connect("slow", workspace=workspace) as client:
        assert client.timeout.read == 0.3
        with pytest.raises(httpx.ReadTimeout):
            client.get("/slow", params={"delay": "2"})


# -- async twin ----------------------------------------------------------------------------


async def test_aconnect_is_the_async_twin(
        workspace: Workspace, memory_keyring: Any, echo_server: str, other_server: str) -> None:
    save(workspace, memory_keyring, Connection(
        "svc", echo_server, headers=[KeyValue("X-Team", "ops")],
        auth=AuthSettings("apikey", {"name": "X-Api-Key"})), value=SECRET)
    async with relaydesk.aconnect("svc", workspace=workspace, keyring=memory_keyring) as client:
        assert isinstance(client, httpx.AsyncClient)
        home = received(await client.post("/echo/a", json={"n": 1}))
        away = received(await client.get("/redirect",
                                         params={"to": f"{other_server}/echo/b"}))
    assert header(home, "x-api-key") == SECRET and header(home, "x-team") == "ops"
    assert base64.b64decode(home["body_b64"]) == b'{"n":1}'
    assert header(away, "x-api-key") is None and header(away, "x-team") == "ops"


# -- errors in words -------------------------------------------------------------------------


def test_missing_secret_and_unknown_connection_are_clear(
        workspace: Workspace, memory_keyring: Any, echo_server: str) -> None:
    save(workspace, memory_keyring, Connection("svc", echo_server, auth=AuthSettings("bearer")))
    with pytest.raises(AuthError, match="relaydesk secret set svc token"):
        relaydesk.connect("svc", workspace=workspace, keyring=memory_keyring)
    with pytest.raises(NotFoundError, match="nope"):
        relaydesk.connect("nope", workspace=workspace)
    with pytest.raises(NotFoundError, match="environment"):
        relaydesk.connect("svc", workspace=workspace, environment="missing",
                          keyring=memory_keyring)


def test_workspace_from_a_folder_or_the_environment_variable(
        tmp_path: Path, echo_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = Workspace.open(tmp_path / "ws")
    ws.save_connection(Connection("svc", echo_server), create=True)
    with relaydesk.connect("svc", workspace=str(tmp_path / "ws")) as client:
        assert received(client.get("/echo/1"))["path"] == "/echo/1"
    monkeypatch.setenv(ENV_WORKSPACE, str(tmp_path / "ws"))
    with relaydesk.connect("svc") as client:
        assert received(client.get("/echo/2"))["path"] == "/echo/2"
    with pytest.raises(NotFoundError, match="No Relaydesk workspace"):
        relaydesk.connect("svc", workspace=tmp_path / "empty")
    assert not (tmp_path / "empty").exists()


def test_broken_connection_file_is_reported(workspace: Workspace, echo_server: str) -> None:
    workspace.save_connection(Connection("svc", echo_server), create=True)
    (workspace.root / "connections/svc/connection.json").write_text("{oops")
    with pytest.raises(NotFoundError, match="invalid JSON"):
        relaydesk.connect("svc", workspace=Workspace.open(workspace.root))


def test_invalid_template_in_base_url_is_a_clear_error(workspace: Workspace) -> None:
    workspace.save_connection(Connection("svc", "https://{{host}}.example"), create=True)
    with pytest.raises(TemplateError, match="host"):
        relaydesk.connect("svc", workspace=workspace)


# -- the package itself ----------------------------------------------------------------------


def test_import_is_light_and_version_comes_from_metadata() -> None:
    code = ("import sys, relaydesk; heavy = [m for m in ('httpx', 'PySide6', 'asyncio', "
            "'relaydesk.core.engine', 'importlib.metadata') if m in sys.modules]; "
            "print(heavy); print(relaydesk.__version__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert out[0] == "[]"
    assert out[1] == importlib.metadata.version("relaydesk") == relaydesk.__version__
    assert callable(relaydesk.connect) and callable(relaydesk.aconnect)
    assert set(relaydesk.__all__) == {"__version__", "aconnect", "connect"}
