"""Snippets that use the managed API (issue 17), run against the ops stand-in.

`relaydesk export PATH --to relaydesk` for a request matching an operation of its
connection's description writes ``conn.Group.operationId(...)``; the snippet is then
run and what reached the server is compared with what the request itself sends.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from relaydesk.core.model import Body, KeyValue, Request
from relaydesk.core.workspace import Workspace
from tests.integration import test_managed_ops_api as managed_ops
from tests.integration.clitools import run_cli
from tests.integration.snippet_harness import exec_relaydesk_snippet
from tests.integration.test_managed_ops_api import ACTIONS, CREATE, compact
from tests.seed_apis import INTEGRATION_ID, OpsApi

# The stand-in server and the described connection 'ops/jsm' of the managed API's tests.
ops_server, ops = managed_ops.ops_server, managed_ops.ops


def export(workspace: Workspace, path: str) -> str:
    done = run_cli(workspace.root, "export", path, "--to", "relaydesk")
    assert done.code == 0, done
    return done.text


def run(code: str, workspace: Workspace, keyring: Any, tmp_path: Path) -> str:
    return exec_relaydesk_snippet(code, tmp_path, workspace.root, keyring)


def test_a_matching_request_becomes_the_managed_call(
        ops: OpsApi, workspace: Workspace, memory_keyring: Any, tmp_path: Path) -> None:
    workspace.save_request(Request(
        "ops/jsm/list", "GET", f"/v1/integrations/{INTEGRATION_ID}/actions?direction=outgoing",
        params=[KeyValue("size", "2"), KeyValue("offset", "1")]), create=True)
    workspace.save_request(Request(
        "ops/jsm/create", "POST", "/v1/integrations/{{integration}}/actions",
        body=Body.from_json(CREATE)), create=True)
    conn = workspace.connection("ops/jsm")
    conn.variables["integration"] = INTEGRATION_ID
    workspace.save_connection(conn)

    listing = export(workspace, "ops/jsm/list")
    assert "jsm.IntegrationActions.listIntegrationActions(" in listing, listing
    assert f'integrationId="{INTEGRATION_ID}"' in listing and "size=2," in listing
    created = export(workspace, "ops/jsm/create")
    assert "jsm.IntegrationActions.createIntegrationAction(" in created, created
    assert "body={" in created and ".post(" not in created

    page = run(listing, workspace, memory_keyring, tmp_path)
    new = run(created, workspace, memory_keyring, tmp_path)
    wire = [(a.method, a.path, a.query, a.body) for a in ops.arrivals]
    assert wire == [
        ("GET", ACTIONS, "direction=outgoing&offset=1&size=2", b""),
        ("POST", ACTIONS, "", compact(CREATE)),
    ]
    assert "1687265768289000002" in page and "Create Alert2" in new


def test_path_values_of_the_url_and_a_body_that_is_not_required(
        ops: OpsApi, workspace: Workspace, memory_keyring: Any, tmp_path: Path) -> None:
    first = ops.actions[0]["id"]
    workspace.save_request(Request(
        "ops/jsm/reorder", "PATCH", f"/v1/integrations/{INTEGRATION_ID}/actions/{first}/order",
        body=Body.from_json({"successorId": "1687265768289000003"})), create=True)
    code = export(workspace, "ops/jsm/reorder")
    assert "jsm.IntegrationActions.reorderIntegrationAction(" in code, code
    assert f'id="{first}"' in code
    run(code, workspace, memory_keyring, tmp_path)
    [arrival] = ops.arrivals
    assert (arrival.method, arrival.path) == ("PATCH", f"{ACTIONS}/{first}/order")
    assert json.loads(arrival.body) == {"successorId": "1687265768289000003"}


def test_a_request_matching_no_operation_keeps_the_plain_call(
        ops: OpsApi, workspace: Workspace) -> None:
    workspace.save_request(Request("ops/jsm/other", "GET", "/v1/alerts?limit=1"),
                           create=True)
    # the method differs from every operation on this path
    workspace.save_request(Request("ops/jsm/put", "PUT",
                                   f"/v1/integrations/{INTEGRATION_ID}/actions"), create=True)
    for path, call in (("ops/jsm/other", 'jsm.get("/v1/alerts?limit=1")'),
                       ("ops/jsm/put", f'jsm.put("/v1/integrations/{INTEGRATION_ID}/actions")')):
        code = export(workspace, path)
        assert call in code and "IntegrationActions" not in code, code


def test_an_unreadable_description_leaves_the_plain_call(
        ops: OpsApi, workspace: Workspace) -> None:
    workspace.save_request(Request("ops/jsm/list", "GET",
                                   f"/v1/integrations/{INTEGRATION_ID}/actions"), create=True)
    assert "listIntegrationActions" in export(workspace, "ops/jsm/list")
    workspace.file_of("ops/jsm").with_name("openapi.json").write_text("{ broken")
    code = export(workspace, "ops/jsm/list")
    assert f'jsm.get("/v1/integrations/{INTEGRATION_ID}/actions")' in code, code
