"""Hostile servers against messages: no credential, no escape code reaches a person.

Servers echo the credential back in error bodies (raw, percent-encoded, base64 as in
Basic auth, JSON-escaped) or put terminal escape sequences in their words; whatever
face shows the message — CLI stderr, the Python API's exceptions, the app's message
bridge — shows neither. Also: an API key in the query survives a same-origin
redirect whose Location drops it, and still never crosses to another origin.
"""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus

import pytest

import relaydesk
from relaydesk.core.engine import Engine
from relaydesk.core.errors import HttpsOnlyError, InvalidValuesError
from relaydesk.core.messages import user_message
from relaydesk.core.model import AuthSettings, Connection, Request, RequestOptions, TlsSettings
from relaydesk.core.secrets import SecretStore
from relaydesk.core.workspace import Workspace
from tests.hostile_client import engine_send, servers
from tests.hostile_servers import Hostile, raw_answer, redirect_then_echo, start_raw
from tests.integration.clitools import (
    assert_one_line_error,
    requires_secret_service,
    run_cli,
)
from tests.servers import RunningServer

SECRET = 'p@ss/w0rd+"k3y"'  # encodes differently in a URL, JSON and base64
USER = "alice"


def echoed_forms(secret: str) -> list[str]:
    basic = base64.b64encode(f"{USER}:{secret}".encode()).decode()
    return [secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1],
            base64.b64encode(secret.encode()).decode(), basic]


def assert_clean(text: str, secret: str = SECRET) -> None:
    for form in echoed_forms(secret):
        assert form not in text, (form, text)
    for control in ("\x1b", "\x07", "\x9b"):
        assert control not in text, text


def echo_422(secret: str = SECRET) -> bytes:
    """A 422 whose field errors echo the credential in every form, plus an escape."""
    forms = echoed_forms(secret)
    errors = [{"field": f"f{i}", "message": f"bad value {form}"} for i, form in enumerate(forms)]
    errors.append({"field": "title", "message": "\x1b]0;pwned\x07too long \x1b[2J"})
    return json.dumps({"errors": errors}).encode()


serve = servers  # the servers a test starts, stopped afterwards


# -- CLI -----------------------------------------------------------------------------------


@pytest.mark.parametrize("fail", [False, True])
def test_a_422_echoing_the_credential_shows_none_of_it(
        serve: list[RunningServer], fail: bool) -> None:
    serve.append(start_raw(raw_answer("HTTP/1.1 422 Unprocessable Entity", echo_422(),
                                      {"Content-Type": "application/json"})))
    url = serve[0].base_url
    result = run_cli(None, "send", "--curl", f"curl -u '{USER}:{SECRET}' {url}/things",
                     *(["--fail"] if fail else []))
    assert result.code == (22 if fail else 0), result
    assert_clean(result.err)
    assert "Invalid values (422)" in result.err
    assert result.err.count("[redacted]") >= 6  # every echo, each in its own form
    assert "too long" in result.err  # the rest of the server's words are kept


def test_escape_codes_in_a_reason_phrase_and_headers_never_reach_the_terminal(
        serve: list[RunningServer]) -> None:
    serve.append(start_raw(raw_answer(
        "HTTP/1.1 200 OK \x1b]0;pwned\x07\x1b[2J\x9b31m", b"{}",
        {"X-Note": "look\x9b2Jhere", "Content-Type": "application/json"})))
    result = run_cli(None, "send", "--curl", f"curl {serve[0].base_url}", "-i")
    assert result.code == 0, result
    assert result.err.startswith("HTTP/1.1 200 OK"), result.err
    assert_clean(result.err)
    head = result.out.split(b"\r\n\r\n")[0]
    assert b"\x1b" not in head and b"\x9b" not in head and b"\x07" not in head
    assert b"X-Note: lookhere" in head  # the whole C1 sequence went, the text stayed


def test_escape_codes_in_an_error_line_never_reach_the_terminal(
        serve: list[RunningServer]) -> None:
    # A server that breaks HTTP with an escape sequence where a status code belongs.
    serve.append(start_raw(raw_answer("HTTP/1.1 2\x1b]0;pwned\x0700 OK")))
    result = run_cli(None, "send", "--curl", f"curl {serve[0].base_url}")
    line = assert_one_line_error(result, "broke the HTTP protocol", code=1)
    assert_clean(line)


@pytest.mark.keyring
@requires_secret_service
def test_an_https_only_refusal_does_not_print_the_api_key(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert run_cli(ws, "new", "connection", "vault", "--base-url", "https://127.0.0.1:9",
                   "--auth", "apikey", "--set", "name=api_key", "--set", "in=query",
                   "--https-only").code == 0
    stored = run_cli(ws, "secret", "set", "vault", "value", input=SECRET + "\n")
    assert stored.code == 0, stored
    assert run_cli(ws, "new", "request", "vault/plain", "--url",
                   "http://127.0.0.1:9/items?page=2").code == 0
    result = run_cli(ws, "send", "vault/plain")
    line = assert_one_line_error(result, "HTTPS-only", "http://127.0.0.1:9/items", code=1)
    assert_clean(line)
    assert "api_key" not in line


# -- Python API and engine -----------------------------------------------------------------


def keyed(workspace: Workspace, keyring: Any, base_url: str, *, https_only: bool = False
          ) -> Connection:
    conn = Connection("svc", base_url, auth=AuthSettings("apikey", {"name": "api_key",
                                                                  "in": "query"}),
                      tls=TlsSettings(https_only=https_only))
    workspace.save_connection(conn, create=True)
    SecretStore.for_workspace(keyring, workspace).set("svc", "value", SECRET)
    return workspace.connection("svc")


def test_a_raised_422_has_no_credential_in_its_text_or_fields(
        serve: list[RunningServer], workspace: Workspace, memory_keyring: Any) -> None:
    serve.append(start_raw(raw_answer("HTTP/1.1 422 Unprocessable Entity",
                                      echo_422(), {"Content-Type": "application/json"})))
    conn = keyed(workspace, memory_keyring, serve[0].base_url)
    request = Request("svc/r", url="/x", options=RequestOptions(raise_for_status=True))

    async def go() -> InvalidValuesError:
        engine = Engine(SecretStore.for_workspace(memory_keyring, workspace))
        try:
            await engine.send(request, conn)
        except InvalidValuesError as exc:
            return exc
        finally:
            await engine.aclose()
        raise AssertionError("no error raised")

    error = asyncio.run(go())
    assert_clean(str(error))
    assert_clean(user_message(error))
    assert_clean(" ".join(error.fields))
    assert len(error.fields) == len(echoed_forms(SECRET)) + 1


def test_the_python_api_refusal_does_not_show_the_api_key(
        workspace: Workspace, memory_keyring: Any) -> None:
    keyed(workspace, memory_keyring, "https://127.0.0.1:9", https_only=True)
    with relaydesk.connect("svc", workspace=workspace, keyring=memory_keyring) as client, \
            pytest.raises(HttpsOnlyError) as refused:
        client.get(f"http://127.0.0.1:9/items?api_key={quote(SECRET)}")
    assert_clean(str(refused.value))
    assert "http://127.0.0.1:9/items" in str(refused.value)


def test_the_app_message_bridge_strips_escape_codes(qapp: Any) -> None:
    from relaydesk.ui.messages import MessageBridge

    bridge = MessageBridge()
    shown: list[str] = []
    bridge.problemShown.connect(shown.append)
    bridge.statusShown.connect(lambda text, _ms: shown.append(text))
    bridge.problem("Bad \x1b]0;pwned\x07answer")
    bridge.status("200 OK\x9b2J")
    assert shown == ["Bad answer", "200 OK"]


# -- the API key and redirects --------------------------------------------------------------


def query_of(target: str) -> tuple[str, list[tuple[str, str]]]:
    path, _, query = target.partition("?")
    return path, parse_qsl(query, keep_blank_values=True)


def test_an_api_key_in_the_query_survives_a_same_origin_redirect(
        serve: list[RunningServer], workspace: Workspace, memory_keyring: Any) -> None:
    stats = Hostile()
    serve.append(start_raw(redirect_then_echo(stats, "/final?page=2")))
    keyed(workspace, memory_keyring, serve[0].base_url)
    response = engine_send(workspace, memory_keyring, "/start")
    assert response.status == 200
    assert query_of(response.json()["target"]) == ("/final", [("page", "2"), ("api_key", SECRET)])
    assert response.redirects and SECRET not in response.url  # still masked for display

    with relaydesk.connect("svc", workspace=workspace, keyring=memory_keyring) as client:
        target = client.get("/start").json()["target"]
    assert query_of(target) == ("/final", [("page", "2"), ("api_key", SECRET)])


def test_an_api_key_in_the_query_never_crosses_origins(
        serve: list[RunningServer], workspace: Workspace, memory_keyring: Any) -> None:
    other = Hostile()
    serve.append(start_raw(redirect_then_echo(other)))
    serve.append(start_raw(redirect_then_echo(Hostile(), f"{serve[0].base_url}/final")))
    keyed(workspace, memory_keyring, serve[1].base_url)
    assert engine_send(workspace, memory_keyring, "/start").json()["target"] == "/final"
    with relaydesk.connect("svc", workspace=workspace, keyring=memory_keyring) as client:
        assert client.get("/start").json()["target"] == "/final"
    assert all("api_key" not in head for head in other.requests)
