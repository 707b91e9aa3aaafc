"""The managed API against the ops integration-actions stand-in (issue 17).

The description (tests/data/managed/ops-integration-actions.openapi.json) is written
from the seed document's reference page; the server (tests/seed_apis.OpsApi) records
every request byte for byte. Driven as a user would: `relaydesk describe` attaches the
description, `relaydesk.connect()`/`aconnect()` call the operations, `relaydesk stubs`
writes stubs that mypy reads.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import relaydesk
from relaydesk.core.errors import HttpStatusError, InvalidValuesError
from relaydesk.core.model import AuthSettings, Connection
from relaydesk.core.secrets import SecretStore
from relaydesk.core.workspace import Workspace
from tests.integration.clitools import assert_one_line_error, run_cli
from tests.seed_apis import CLOUD_ID, INTEGRATION_ID, OpsApi
from tests.servers import start_uvicorn

EMAIL = "email@example.com"
TOKEN = "ops-t0ken-managed"
DESCRIPTION = (Path(__file__).resolve().parents[1]
               / "data/managed/ops-integration-actions.openapi.json")
ACTIONS = f"/jsm/ops/api/{CLOUD_ID}/v1/integrations/{INTEGRATION_ID}/actions"
CREATE = {"type": "create", "name": "Create Alert2", "domain": "alert", "direction": "incoming",
          "filter": {"conditionsEmpty": True, "conditionMatchType": "match-all",
                     "conditions": []},
          "fieldMappings": {"description": "{{message}}", "tags": []}, "enabled": True}


@pytest.fixture(scope="module")
def ops_server() -> Iterator[tuple[OpsApi, str]]:
    api = OpsApi(EMAIL, TOKEN)
    server = start_uvicorn(api)
    yield api, server.base_url
    server.stop()


@pytest.fixture
def ops(ops_server: tuple[OpsApi, str], workspace: Workspace, memory_keyring: Any
        ) -> OpsApi:
    """A fresh stand-in, and the connection 'ops/jsm' described, its token saved."""
    api, root = ops_server
    api.reset()
    workspace.save_connection(Connection(
        "ops/jsm", root + OpsApi.base_path(),
        auth=AuthSettings("basic", {"username": EMAIL})), create=True)
    SecretStore.for_workspace(memory_keyring, workspace).set("ops/jsm", "password", TOKEN)
    described = run_cli(workspace.root, "describe", "ops/jsm", "--from", str(DESCRIPTION))
    assert described.code == 0, described
    assert "6 operation(s)" in described.err
    return api


def compact(value: Any) -> bytes:
    """JSON as httpx sends it."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def connect(workspace: Workspace, keyring: Any) -> Any:
    return relaydesk.connect("ops/jsm", workspace=workspace, keyring=keyring)


def test_the_description_is_stored_beside_the_connection(ops: OpsApi, workspace: Workspace
                                                         ) -> None:
    folder = workspace.root / "connections/ops/jsm"
    assert sorted(p.name for p in folder.iterdir()) == ["connection.json", "openapi.json"]
    assert json.loads((folder / "openapi.json").read_text())["openapi"] == "3.0.1"
    reopened = Workspace.open(workspace.root)  # the walk leaves the file alone
    assert reopened.problems == [] and reopened.requests("ops/jsm") == []
    moved = run_cli(workspace.root, "describe", "ops/jsm")
    assert moved.text.splitlines()[0].startswith(
        "IntegrationActions.listIntegrationActions  GET /v1/integrations/{integrationId}")


def test_each_operation_goes_out_as_described(ops: OpsApi, workspace: Workspace,
                                              memory_keyring: Any) -> None:
    basic = "Basic " + base64.b64encode(f"{EMAIL}:{TOKEN}".encode()).decode()
    with connect(workspace, memory_keyring) as jira:
        actions = jira.IntegrationActions
        page = actions.listIntegrationActions(integrationId=INTEGRATION_ID, offset=1, size=2,
                                              direction="outgoing")
        created = actions.createIntegrationAction(integrationId=INTEGRATION_ID, body=CREATE)
        got = actions.getIntegrationAction(integrationId=INTEGRATION_ID, id=created["id"])
        updated = actions.updateIntegrationAction(integrationId=INTEGRATION_ID,
                                                  id=created["id"], body={"enabled": False})
        actions.reorderIntegrationAction(integrationId=INTEGRATION_ID, id=created["id"],
                                         body={"successorId": "1687265768289000001"})
        deleted = actions.deleteIntegrationAction(integrationId=INTEGRATION_ID,
                                                  id=created["id"])
    wire = [(a.method, a.path, a.query, a.body) for a in ops.arrivals]
    one = f"{ACTIONS}/{created['id']}"
    assert wire == [
        ("GET", ACTIONS, "direction=outgoing&offset=1&size=2", b""),  # description order
        ("POST", ACTIONS, "", compact(CREATE)),
        ("GET", one, "", b""),
        ("PATCH", one, "", b'{"enabled":false}'),
        ("PATCH", one + "/order", "", b'{"successorId":"1687265768289000001"}'),
        ("DELETE", one, "", b""),
    ]
    assert all(a.header("authorization") == basic for a in ops.arrivals)
    assert ops.arrivals[1].header("content-type") == "application/json"
    assert [v["id"] for v in page["values"]] == ["1687265768289000002",
                                                 "1687265768289000003"]
    assert page.response.status_code == 200  # the answer, with its response at hand
    assert got["name"] == "Create Alert2" and updated["enabled"] is False
    assert deleted is None and ops.actions[0]["id"] == "1687265768289000001"


def test_paginate_follows_the_api_relative_next_links(ops: OpsApi, workspace: Workspace,
                                                      memory_keyring: Any) -> None:
    with connect(workspace, memory_keyring) as jira:
        items = list(jira.IntegrationActions.listIntegrationActions.paginate(
            integrationId=INTEGRATION_ID, size=3))
    assert [i["id"] for i in items] == [f"16872657682890000{n:02d}" for n in range(1, 8)]
    assert [a.query for a in ops.arrivals] == ["size=3", "offset=3&size=3", "offset=6&size=3"]


@pytest.mark.parametrize(("call", "needles"), [
    ({"name": "getIntegrationAction", "integrationId": INTEGRATION_ID},
     ["id: required (path parameter)"]),
    ({"name": "createIntegrationAction", "integrationId": INTEGRATION_ID,
      "body": {**CREATE, "direction": "sideways"}},
     ["body.direction: 'sideways' is not one of 'incoming', 'outgoing'"]),
    ({"name": "createIntegrationAction", "integrationId": INTEGRATION_ID,
      "body": {"type": "create", "name": 7}},
     ["body.domain: required", "body.direction: required", "body.filter: required",
      "body.name: expected string, got 7"]),
    ({"name": "listIntegrationActions", "integrationId": INTEGRATION_ID, "size": "3"},
     ["size: expected integer, got '3'"]),
    ({"name": "getIntegrationAction", "integrationId": INTEGRATION_ID, "id": "1",
      "idd": "2"},
     ["idd: not a parameter of IntegrationActions.getIntegrationAction (it takes: "
      "integrationId, id)"]),
])
def test_invalid_values_are_refused_before_sending(ops: OpsApi, workspace: Workspace,
                                                   memory_keyring: Any,
                                                   call: dict[str, Any],
                                                   needles: list[str]) -> None:
    name = call.pop("name")
    with connect(workspace, memory_keyring) as jira, pytest.raises(InvalidValuesError) as exc:
        getattr(jira.IntegrationActions, name)(**call)
    assert ops.arrivals == []  # nothing was sent
    assert sorted(exc.value.fields) == sorted(needles)
    assert str(exc.value).startswith(f"Invalid values: IntegrationActions.{name} was not sent")


def test_errors_of_the_server_are_the_products(ops: OpsApi, workspace: Workspace,
                                               memory_keyring: Any) -> None:
    with connect(workspace, memory_keyring) as jira, pytest.raises(HttpStatusError) as exc:
        jira.IntegrationActions.getIntegrationAction(integrationId=INTEGRATION_ID, id="nope")
    assert exc.value.status == 404 and "Not found" in str(exc.value)
    with connect(workspace, memory_keyring) as jira, pytest.raises(AttributeError) as missing:
        jira.IntegrationActions.getIntegrationActon  # noqa: B018
    assert str(missing.value).startswith(
        "No IntegrationActions operation 'getIntegrationActon' (did you mean "
        "getIntegrationAction,")


def test_the_async_twin(ops: OpsApi, workspace: Workspace, memory_keyring: Any) -> None:
    async def main() -> tuple[Any, list[Any]]:
        async with relaydesk.aconnect("ops/jsm", workspace=workspace,
                                      keyring=memory_keyring) as jira:
            ops_ = jira.IntegrationActions
            one = await ops_.getIntegrationAction(integrationId=INTEGRATION_ID,
                                                  id="1687265768289000004")
            every = [a async for a in ops_.listIntegrationActions.paginate(
                integrationId=INTEGRATION_ID, size=4)]
            with pytest.raises(InvalidValuesError):
                await ops_.getIntegrationAction(integrationId=INTEGRATION_ID)
            return one, every

    one, every = asyncio.run(main())
    assert one["name"] == "postToUrl 4" and len(every) == 7
    assert [a.method for a in ops.arrivals] == ["GET"] * 3


def test_refetching_from_a_url_says_what_changed(ops: OpsApi, workspace: Workspace,
                                                 tmp_path: Path) -> None:
    doc = json.loads(DESCRIPTION.read_text())
    del doc["paths"]["/v1/integrations/{integrationId}/actions/{id}/order"]
    one = doc["paths"]["/v1/integrations/{integrationId}/actions/{id}"]
    one["get"]["parameters"].append({"name": "expand", "in": "query",
                                     "schema": {"type": "boolean"}})
    doc["paths"]["/v1/integrations/{integrationId}/actions/{id}/copy"] = {"post": {
        "tags": ["Integration actions"], "operationId": "copyIntegrationAction",
        "parameters": one["get"]["parameters"][:2], "responses": {}}}
    served = {"body": json.dumps(doc).encode()}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": served["body"]})

    server = start_uvicorn(app)
    try:
        first = run_cli(workspace.root, "describe", "ops/jsm", "--from",
                        server.base_url + "/openapi.json")
        served["body"] = b'{"openapi": "3.0.0", "paths": {}}'
        again = run_cli(workspace.root, "describe", "ops/jsm", "--refresh")
        served["body"] = b"<html>not a description</html>"
        broken = run_cli(workspace.root, "describe", "ops/jsm", "--refresh")
    finally:
        server.stop()
    assert first.code == 0, first
    lines = first.err.splitlines()
    assert "1 added, 1 removed, 1 changed (6 operation(s) now):" in lines[0]
    assert lines[1:4] == [
        "+ POST /v1/integrations/{integrationId}/actions/{id}/copy "
        "(IntegrationActions.copyIntegrationAction)",
        "- PATCH /v1/integrations/{integrationId}/actions/{id}/order "
        "(IntegrationActions.reorderIntegrationAction)",
        "~ GET /v1/integrations/{integrationId}/actions/{id} "
        "(IntegrationActions.getIntegrationAction)"]
    assert "0 added, 6 removed" in again.err
    assert_one_line_error(broken, "not an OpenAPI 3.x or Swagger 2.0 document")
    assert json.loads((workspace.root / "connections/ops/jsm/openapi.json").read_text()
                      ) == {"openapi": "3.0.0", "paths": {}}  # the refused one wrote nothing


def test_import_openapi_keeps_the_description(workspace: Workspace, tmp_path: Path) -> None:
    result = run_cli(workspace.root, "import", "openapi", str(DESCRIPTION), "--into", "ops2")
    assert result.code == 0, result
    assert "relaydesk.connect('ops2') has its operations" in result.err
    listed = run_cli(workspace.root, "describe", "ops2", "--grep", "order")
    assert listed.text == ("IntegrationActions.reorderIntegrationAction  PATCH "
                           "/v1/integrations/{integrationId}/actions/{id}/order  "
                           "Reorder integration action\n")


def test_describe_refuses_bad_input_in_one_line(ops: OpsApi, workspace: Workspace,
                                                tmp_path: Path) -> None:
    not_api = tmp_path / "x.json"
    not_api.write_text('{"hello": 1}')
    assert_one_line_error(run_cli(workspace.root, "describe", "ops/jsm", "--from",
                                  str(not_api)), "not an OpenAPI")
    assert_one_line_error(run_cli(workspace.root, "describe", "ops/jsm", "--from",
                                  str(tmp_path / "missing.json")), "No file")
    assert_one_line_error(run_cli(workspace.root, "describe", "nowhere", "--from",
                                  str(DESCRIPTION)))
    assert_one_line_error(run_cli(workspace.root, "describe", "ops/jsm", "--refresh"),
                          "no description fetched from a URL")


SCRIPT = """\
import relaydesk

jira = relaydesk.connect("ops/jsm")
page = jira.IntegrationActions.listIntegrationActions(integrationId="i", size=3)
jira.IntegrationActions.createIntegrationAction(integrationId="i", body={"type": "x"})
for action in jira.IntegrationActions.listIntegrationActions.paginate(integrationId="i"):
    print(action)


async def main() -> None:
    async with relaydesk.aconnect("ops/jsm") as client:
        await client.IntegrationActions.getIntegrationAction(integrationId="i", id="1")
"""


def mypy(folder: Path, script: str) -> subprocess.CompletedProcess[str]:
    (folder / "script.py").write_text(script)
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "script.py"],
        cwd=folder, capture_output=True, text=True, timeout=300,
        env={**os.environ, "MYPYPATH": "typings"})


def test_stubs_let_mypy_accept_correct_calls_and_reject_misspellings(
        ops: OpsApi, workspace: Workspace, tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    written = run_cli(workspace.root, "stubs", cwd=project)
    assert written.code == 0, written
    stub = (project / "typings/relaydesk/_managed/ops_jsm.pyi").read_text()
    assert "def __call__(self, *, integrationId: str, id: str) -> Any" in stub
    assert "Documentation: https://developer.atlassian.com/cloud/jira/" in stub
    good = mypy(project, SCRIPT)
    assert good.returncode == 0, good.stdout
    bad = mypy(project, SCRIPT.replace('id="1"', 'idd="1"').replace(
        "size=3", 'size="3"'))
    assert bad.returncode == 1
    assert 'Unexpected keyword argument "idd"' in bad.stdout
    assert 'Argument "size" to "__call__"' in bad.stdout
    # A changed description rewrites the stubs where they were written.
    doc = json.loads(DESCRIPTION.read_text())
    doc["paths"]["/v1/integrations/{integrationId}/actions/{id}"]["get"]["parameters"].append(
        {"name": "expand", "in": "query", "schema": {"enum": ["all", "none"]}})
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(doc))
    again = run_cli(workspace.root, "describe", "ops/jsm", "--from", str(changed))
    assert f"Type stubs refreshed in {project / 'typings'}" in again.err
    assert ("id: str, expand: Literal['all', 'none'] | None = None) -> Any" in
            (project / "typings/relaydesk/_managed/ops_jsm.pyi").read_text())
