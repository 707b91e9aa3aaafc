"""The seed documents' own APIs, driven as a user would (issue 12).

Against loopback stand-ins written from the documents (``tests/seed_apis.py``):
every page of the ops list through `relaydesk send --all-pages`, ``client.paginate()``
and core ``fetch_all`` (the app's Fetch all pages); the document's create-action body,
full of the API's own ``{{message}}`` placeholders, arriving byte for byte from a
saved request, from the document's curl command and from an imported Postman
collection run by `relaydesk run` (and by newman); typos, strict mode and the
``\\{{name}}`` escape; and Send reaching the server every time unless the connection
turned its cache on.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import relaydesk
from relaydesk.core.cache import ResponseCache
from relaydesk.core.engine import Engine
from relaydesk.core.model import AuthSettings, Connection, Request
from relaydesk.core.pagination import PaginationError, fetch_all
from relaydesk.core.secrets import SecretStore
from relaydesk.core.workspace import Workspace
from tests.integration.clitools import (
    assert_one_line_error,
    requires_secret_service,
    run_cli,
)
from tests.integration.newman_tools import find_newman
from tests.seed_apis import CLOUD_ID, CREATE_ACTION_BODY, INTEGRATION_ID, OpsApi, SdkApi
from tests.servers import start_uvicorn

EMAIL = "email@example.com"
OPS_TOKEN = "ops-t0ken-canary"
SDK_TOKEN = "sdk-t0ken-canary"
ACTIONS = "/v1/integrations/{{integrationId}}/actions"
PLACEHOLDERS = ("message", "subject", "priority", "from_address")


@pytest.fixture(scope="module")
def ops_server() -> Iterator[tuple[OpsApi, str]]:
    api = OpsApi(EMAIL, OPS_TOKEN)
    server = start_uvicorn(api)
    yield api, server.base_url
    server.stop()


@pytest.fixture
def ops(ops_server: tuple[OpsApi, str]) -> tuple[OpsApi, str]:
    """The ops API, fresh, and its base URL (``…/jsm/ops/api/{cloudId}``)."""
    api, root = ops_server
    api.reset()
    return api, root + OpsApi.base_path()


@pytest.fixture(scope="module")
def sdk_server() -> Iterator[tuple[SdkApi, str]]:
    api = SdkApi(SDK_TOKEN)
    server = start_uvicorn(api)
    yield api, server.base_url
    server.stop()


def ops_workspace(root: Path, base_url: str) -> Path:
    """The ops connection made through the CLI, its API token in the keyring."""
    ws = root / "ws"
    made = run_cli(ws, "new", "connection", "ops/jsm", "--base-url", base_url,
                   "--auth", "basic", "--set", f"username={EMAIL}",
                   "--var", f"integrationId={INTEGRATION_ID}")
    assert made.code == 0, made
    stored = run_cli(ws, "secret", "set", "ops/jsm", "password", input=OPS_TOKEN + "\n")
    assert stored.code == 0, stored
    return ws


def warnings_of(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("relaydesk: warning:")]


def expected_warnings(where: str = "the JSON body") -> list[str]:
    return [f"relaydesk: warning: {{{{{name}}}}} in {where} is not a defined variable; "
            "sent as written (use --strict-variables to refuse)" for name in PLACEHOLDERS]


# -- 1. every page of the ops list -------------------------------------------------------


@requires_secret_service
def test_all_pages_of_the_ops_list_through_send_and_paginate(
        tmp_path: Path, ops: tuple[OpsApi, str]) -> None:
    api, base = ops
    ws = ops_workspace(tmp_path, base)
    assert run_cli(ws, "new", "request", "ops/jsm/List actions", "--url", ACTIONS).code == 0

    result = run_cli(ws, "send", "ops/jsm/List actions", "--all-pages")
    assert result.code == 0, result
    assert [a["id"] for a in json.loads(result.out)] == [a["id"] for a in api.actions]
    assert "7 items from 3 pages" in result.err
    # The page log says which reading of the relative next link was used.
    page_lines = [line for line in result.err.splitlines() if line.startswith("page ")]
    assert len(page_lines) == 3 and "read against" not in page_lines[0]
    assert all("next link read against the base URL" in line for line in page_lines[1:])
    path = f"/jsm/ops/api/{CLOUD_ID}/v1/integrations/{INTEGRATION_ID}/actions"
    assert [(a.path, a.query) for a in api.arrivals] == [
        (path, ""), (path, "offset=3&size=3"), (path, "offset=6&size=3")]

    api.arrivals.clear()
    with relaydesk.connect("ops/jsm", workspace=ws) as client:
        items = list(client.paginate(f"/v1/integrations/{INTEGRATION_ID}/actions"))
    assert [a["id"] for a in items] == [a["id"] for a in api.actions]
    assert [(a.path, a.query) for a in api.arrivals][1:] == [
        (path, "offset=3&size=3"), (path, "offset=6&size=3")]


async def test_all_pages_of_the_ops_list_through_core_fetch_all(
        ops: tuple[OpsApi, str], memory_keyring: Any, workspace: Workspace) -> None:
    """What the app's Fetch all pages runs (Service.fetch_all_pages -> fetch_all)."""
    api, base = ops
    conn = Connection("ops/jsm", base, auth=AuthSettings("basic", {"username": EMAIL}),
                      variables={"integrationId": INTEGRATION_ID})
    store = SecretStore(memory_keyring, workspace.id)
    store.set("ops/jsm", "password", OPS_TOKEN)
    engine = Engine(store, cache=ResponseCache())
    pages = []
    try:
        result = await fetch_all(engine, Request("ops/jsm/List", url=ACTIONS), conn,
                                 on_page=pages.append)
    finally:
        await engine.aclose()
    assert [a["id"] for a in result.items] == [a["id"] for a in api.actions]
    assert [p.reading for p in pages] == ["", "base URL", "base URL"]
    assert result.pages == 3 and len(api.arrivals) == 3


async def test_a_link_relative_to_the_page_stays_relative_to_the_page(
        memory_keyring: Any, workspace: Workspace) -> None:
    """A next link already under the base path is read against the page, not doubled."""
    from tests.paging_server import make_app

    server = start_uvicorn(make_app())
    try:
        # Base path "/" (the paging server's links are host-relative and mean it).
        conn = Connection("p", server.base_url)
        engine = Engine(None)
        pages = []
        try:
            result = await fetch_all(engine, Request("p/r", url="/links"), conn,
                                     on_page=pages.append)
        finally:
            await engine.aclose()
    finally:
        server.stop()
    assert result.pages == 3 and [p.reading for p in pages] == ["", "page URL", "page URL"]


def test_paginate_error_message_redacts_an_api_key_sent_in_the_query(
        workspace: Workspace, memory_keyring: Any, echo_server: str) -> None:
    key = "qk-s3cret-canary"
    workspace.save_connection(Connection(
        "keyed", echo_server, auth=AuthSettings("apikey", {"name": "key", "in": "query"})),
        create=True)
    SecretStore.for_workspace(memory_keyring, workspace).set("keyed", "value", key)
    with relaydesk.connect("keyed", workspace=workspace, keyring=memory_keyring) as client, \
            pytest.raises(PaginationError) as info:
        list(client.paginate("/status/500"))
    message = str(info.value)
    assert "Page 1" in message and "500" in message and "key=[redacted]" in message
    assert key not in message


# -- 2. the create-action body, placeholders intact ----------------------------------------


@requires_secret_service
def test_create_action_body_from_a_saved_request_arrives_byte_for_byte(
        tmp_path: Path, ops: tuple[OpsApi, str]) -> None:
    api, base = ops
    ws = ops_workspace(tmp_path, base)
    made = run_cli(ws, "new", "request", "ops/jsm/Create action", "--method", "post",
                   "--url", ACTIONS, "--header", "Accept: application/json",
                   "--json", CREATE_ACTION_BODY)
    assert made.code == 0, made

    result = run_cli(ws, "send", "ops/jsm/Create action")
    assert result.code == 0, result
    (arrival,) = api.arrivals
    assert arrival.body == CREATE_ACTION_BODY.encode()
    assert api.raw_bodies[json.loads(result.out)["id"]] == CREATE_ACTION_BODY.encode()
    assert warnings_of(result.err) == expected_warnings()

    # Strict mode (flag or environment) refuses before anything is sent.
    for strict in (run_cli(ws, "send", "ops/jsm/Create action", "--strict-variables"),
                   run_cli(ws, "send", "ops/jsm/Create action",
                           env={"RELAYDESK_STRICT_VARIABLES": "1"})):
        assert_one_line_error(strict, "Unknown variable {{message}} in the JSON body")
    assert len(api.arrivals) == 1


@requires_secret_service
def test_a_typo_in_a_real_variable_is_still_an_error(
        tmp_path: Path, ops: tuple[OpsApi, str]) -> None:
    api, base = ops
    ws = ops_workspace(tmp_path, base)
    assert run_cli(ws, "new", "request", "ops/jsm/Typo", "--url",
                   "/v1/integrations/{{integrationID}}/actions").code == 0
    result = run_cli(ws, "send", "ops/jsm/Typo")
    assert_one_line_error(result, "Unknown variable {{integrationID}} in the URL — did you "
                                  "mean {{integrationId}}?")
    assert api.arrivals == []


@requires_secret_service
def test_an_escaped_placeholder_is_sent_literally_even_when_defined(
        tmp_path: Path, ops: tuple[OpsApi, str]) -> None:
    api, base = ops
    ws = ops_workspace(tmp_path, base)
    body = ('{"type": "create", "name": "{{integrationId}}", "domain": "alert", '
            '"direction": "incoming", "filter": {}, "note": "\\{{integrationId}}"}')
    assert run_cli(ws, "new", "request", "ops/jsm/Literal", "--method", "post",
                   "--url", ACTIONS, "--json", body).code == 0
    result = run_cli(ws, "send", "ops/jsm/Literal", "--strict-variables")
    assert result.code == 0, result
    assert api.arrivals[0].body == body.replace(
        '"{{integrationId}}"', f'"{INTEGRATION_ID}"').replace("\\{{", "{{").encode()
    assert warnings_of(result.err) == []


def document_curl(base: str) -> str:
    """The document's create-action curl command, pasted with the host changed."""
    return (
        "curl --request POST \\\n"
        f"  --url '{base}/v1/integrations/{INTEGRATION_ID}/actions' \\\n"
        f"  --user '{EMAIL}:{OPS_TOKEN}' \\\n"
        "  --header 'Accept: application/json' \\\n"
        "  --header 'Content-Type: application/json' \\\n"
        f"  --data '{CREATE_ACTION_BODY}'"
    )


def test_the_documents_curl_command_sends_the_body_byte_for_byte(
        tmp_path: Path, ops: tuple[OpsApi, str]) -> None:
    api, base = ops
    result = run_cli(tmp_path / "ws", "send", "--curl", document_curl(base))
    assert result.code == 0, result
    (arrival,) = api.arrivals
    assert arrival.body == CREATE_ACTION_BODY.encode()
    assert arrival.header("content-type") == "application/json"
    assert warnings_of(result.err) == expected_warnings()
    assert OPS_TOKEN not in result.err

    strict = run_cli(tmp_path / "ws", "send", "--curl", document_curl(base),
                     "--strict-variables")
    assert strict.code != 0 and "Unknown variable {{message}}" in strict.err
    assert len(api.arrivals) == 1


def postman_collection(base: str) -> dict[str, Any]:
    return {
        "info": {"name": "JSM ops", "schema":
                 "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "variable": [{"key": "baseUrl", "value": base},
                     {"key": "integrationId", "value": INTEGRATION_ID}],
        "auth": {"type": "basic", "basic": [
            {"key": "username", "value": EMAIL, "type": "string"},
            {"key": "password", "value": OPS_TOKEN, "type": "string"}]},
        "item": [{"name": "Create integration action", "request": {
            "method": "POST",
            "header": [{"key": "Accept", "value": "application/json"},
                       {"key": "Content-Type", "value": "application/json"}],
            "url": {"raw": "{{baseUrl}}/v1/integrations/{{integrationId}}/actions",
                    "host": ["{{baseUrl}}"],
                    "path": ["v1", "integrations", "{{integrationId}}", "actions"]},
            "body": {"mode": "raw", "raw": CREATE_ACTION_BODY,
                     "options": {"raw": {"language": "json"}}},
        }}],
    }


@requires_secret_service
def test_an_imported_postman_collection_run_sends_the_body_byte_for_byte(
        tmp_path: Path, ops: tuple[OpsApi, str]) -> None:
    api, base = ops
    collection = tmp_path / "jsm.postman_collection.json"
    collection.write_text(json.dumps(postman_collection(base)))
    ws = tmp_path / "ws"
    imported = run_cli(ws, "import", "postman", str(collection), "--into", "ops")
    assert imported.code == 0, imported

    report = tmp_path / "junit.xml"
    result = run_cli(ws, "run", "ops", "--reporter", f"junit={report}")
    assert result.code == 0, result
    (arrival,) = api.arrivals
    assert arrival.body == CREATE_ACTION_BODY.encode()
    notes = [line.strip() for line in result.text.splitlines() if "note:" in line]
    assert notes == [f"note: {{{{{n}}}}} in the JSON body is not a defined variable; sent "
                     "as written" for n in PLACEHOLDERS]
    junit = report.read_text()
    assert junit.count("NOTE {{") == 4 and "NOTE {{from_address}} in the JSON body" in junit

    strict = run_cli(ws, "run", "ops", "--strict-variables", "--reporter", f"junit={report}")
    assert strict.code == 1 and "Unknown variable {{message}}" in strict.text
    assert "<error" in report.read_text() and len(api.arrivals) == 1

    newman = find_newman()
    if newman is None:
        return  # newman's view is an extra witness, not the subject of this test
    proc = subprocess.run([newman, "run", str(collection)], capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert api.arrivals[-1].body == CREATE_ACTION_BODY.encode()


# -- the SDK connections API ---------------------------------------------------------------


@requires_secret_service
def test_sdk_connections_api_token_auth_and_object_or_array_bodies(
        tmp_path: Path, sdk_server: tuple[SdkApi, str]) -> None:
    api, base = sdk_server
    api.reset()
    ws = tmp_path / "ws"
    assert run_cli(ws, "new", "connection", "sdk", "--base-url", base, "--auth", "token",
                   "--set", "scheme=Token").code == 0
    assert run_cli(ws, "secret", "set", "sdk", "token", input=SDK_TOKEN).code == 0
    api.connections["slack-1"] = {"name": "slack-1", "app": "slack", "type": "oauth",
                                  "label": "", "connectedSystemName": None}
    array = '[{"name": "channel", "value": "{{channel}}"}]'
    obj = '{"scopes": ["chat:write"]}'
    assert run_cli(ws, "new", "request", "sdk/Set parameters", "--method", "put",
                   "--url", "/sdk/apps/connections/slack-1/parameters", "--json", array
                   ).code == 0
    assert run_cli(ws, "new", "request", "sdk/Set common", "--method", "put",
                   "--url", "/sdk/apps/connections/slack-1/common", "--json", array).code == 0
    assert run_cli(ws, "new", "request", "sdk/Set scopes", "--method", "put",
                   "--url", "/sdk/apps/connections/slack-1/scopes", "--json", obj).code == 0

    sent = run_cli(ws, "send", "sdk/Set parameters", "--fail")
    assert sent.code == 0, sent
    assert json.loads(sent.out) == json.loads(array)
    assert run_cli(ws, "send", "sdk/Set scopes", "--fail").code == 0
    refused = run_cli(ws, "send", "sdk/Set common", "--fail")  # common takes an object only
    assert refused.code == 22
    assert [a.body for a in api.arrivals] == [array.encode(), obj.encode(), array.encode()]
    assert {a.header("authorization") for a in api.arrivals} == {f"Token {SDK_TOKEN}"}


# -- 4. Send always reaches the server ------------------------------------------------------


@requires_secret_service
def test_two_sends_of_the_same_get_reach_the_server_twice(
        tmp_path: Path, ops: tuple[OpsApi, str]) -> None:
    api, base = ops
    ws = ops_workspace(tmp_path, base)
    one = f"{ACTIONS}/{api.actions[0]['id']}"
    assert run_cli(ws, "new", "request", "ops/jsm/Get action", "--url", one).code == 0
    first = run_cli(ws, "send", "ops/jsm/Get action")
    second = run_cli(ws, "send", "ops/jsm/Get action")
    assert first.code == second.code == 0 and len(api.arrivals) == 2
    assert "from cache" not in first.err + second.err


async def test_the_engine_with_the_apps_cache_reaches_the_server_unless_opted_in(
        ops: tuple[OpsApi, str], memory_keyring: Any, workspace: Workspace) -> None:
    api, base = ops
    now = [1000.0]
    engine = Engine(SecretStore(memory_keyring, workspace.id),
                    cache=ResponseCache(clock=lambda: now[0]))
    SecretStore(memory_keyring, workspace.id).set("ops/jsm", "password", OPS_TOKEN)
    request = Request("ops/jsm/Get", url=f"{ACTIONS}/{api.actions[0]['id']}")
    default = Connection("ops/jsm", base, auth=AuthSettings("basic", {"username": EMAIL}),
                         variables={"integrationId": INTEGRATION_ID})
    assert default.cache_ttl == 0
    cached = Connection(**{**default.__dict__, "cache_ttl": 60.0})
    try:
        plain = [await engine.send(request, default) for _ in range(2)]
        assert len(api.arrivals) == 2 and not any(r.from_cache for r in plain)

        first = await engine.send(request, cached)
        now[0] += 42
        second = await engine.send(request, cached)
    finally:
        await engine.aclose()
    assert len(api.arrivals) == 3  # the opted-in second send was the cache's
    assert not first.from_cache and second.from_cache and second.cache_age == 42
    assert second.content() == first.content()


def test_cache_is_opt_in_per_connection_from_the_cli(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert run_cli(ws, "new", "connection", "plain", "--base-url", "https://a.example").code == 0
    assert run_cli(ws, "new", "connection", "cached", "--base-url", "https://a.example",
                   "--cache-ttl", "30").code == 0
    opened = Workspace.open(ws)
    assert opened.connection("plain").cache_ttl == 0
    assert opened.connection("cached").cache_ttl == 30


def test_a_cached_answer_is_announced_with_its_age() -> None:
    from relaydesk.cli.cmd_send import _status_line
    from relaydesk.core.response import Response

    hit = Response(200, "OK", "HTTP/1.1", "GET", "https://a.example/", [], size=2,
                   from_cache=True, cache_age=42.4)
    assert _status_line(hit).endswith("from cache, 42 s old")
    assert "cache" not in _status_line(Response(200, "OK", "HTTP/1.1", "GET", "u", []))



# -- the README's example runs as written ---------------------------------------------------


def readme_placeholder_commands() -> list[str]:
    text = (Path(__file__).parents[2] / "README.md").read_text()
    section = text[text.index("### `{{placeholders}}`"):]
    block = section[section.index("```sh\n") + 6:]
    block = block[:block.index("```")]
    return [line for line in block.replace("\\\n", " ").splitlines() if line.strip()]


@requires_secret_service
def test_the_readme_placeholder_example_runs_as_written(
        tmp_path: Path, ops: tuple[OpsApi, str]) -> None:
    import os
    import sys

    api, base = ops
    env = {**os.environ, "OPS_BASE": base, "OPS_TOKEN": OPS_TOKEN,
           "RELAYDESK_WORKSPACE": str(tmp_path / "ws"), "RELAYDESK_HISTORY": "off",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("RELAYDESK_STRICT_VARIABLES", None)
    runs = [subprocess.run(["bash", "-c", command], capture_output=True, text=True, env=env,
                           timeout=60, stdin=subprocess.DEVNULL)
            for command in readme_placeholder_commands()]
    codes = [r.returncode for r in runs]
    assert codes == [0, 0, 0, 0, 2, 0, 0], [(r.args[-1], r.stderr) for r in runs]
    assert "warning: {{subject}} in the JSON body" in runs[3].stderr
    assert "Unknown variable {{subject}}" in runs[4].stderr
    created = json.loads(api.arrivals[0].body)
    assert created["fieldMappings"] == {"message": "{{subject}}", "note": "{{integrationId}}"}
    assert "next link read against the base URL" in runs[6].stderr
    assert len(json.loads(runs[6].stdout)) == len(api.actions) == 8
