"""Which operation of a connection's description a request corresponds to (issue 17)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from relaydesk.core.api_description import attach_description
from relaydesk.core.managed import ManagedApi, managed_api_for
from relaydesk.core.managed_request import import_example, operation_for_request, path_values
from relaydesk.core.model import Connection, Request
from relaydesk.core.snippets import connection_import_snippet
from relaydesk.core.workspace import Workspace

DESCRIPTION = (Path(__file__).resolve().parents[1]
               / "data/managed/ops-integration-actions.openapi.json")
BASE = "https://ops.example/jsm/ops/api/{{cloud}}"


@pytest.fixture
def api(workspace: Workspace) -> ManagedApi:
    doc: dict[str, Any] = json.loads(DESCRIPTION.read_text())
    doc["paths"]["/v1/integrations/{integrationId}/actions/order"] = {  # literal vs {id}
        "patch": {"operationId": "bulkOrder", "tags": ["Integration actions"],
                  "parameters": [{"name": "integrationId", "in": "path", "required": True,
                                  "schema": {"type": "string"}}]}}
    workspace.save_connection(Connection("ops/jsm", BASE), create=True)
    attach_description(workspace, "ops/jsm", json.dumps(doc), "ops.json")
    found = managed_api_for(workspace, workspace.connection("ops/jsm"))
    assert found is not None
    return found


def name_of(api: ManagedApi, method: str, url: str, base: str = BASE) -> str | None:
    op = operation_for_request(api, Request("ops/jsm/r", method, url), base)
    return None if op is None else op.ref.name


@pytest.mark.parametrize(("method", "url", "expected"), [
    ("GET", "/v1/integrations/abc/actions", "listIntegrationActions"),
    ("get", "/v1/integrations/abc/actions/?size=2", "listIntegrationActions"),
    ("POST", "/v1/integrations/{{integration}}/actions", "createIntegrationAction"),
    ("GET", "/v1/integrations/abc/actions/42", "getIntegrationAction"),
    ("PATCH", "/v1/integrations/abc/actions/42/order", "reorderIntegrationAction"),
    ("PATCH", "/v1/integrations/abc/actions/order", "bulkOrder"),  # the literal wins
    ("PATCH", "/v1/integrations/abc/actions/42", "updateIntegrationAction"),
    ("DELETE", BASE + "/v1/integrations/abc/actions/42", "deleteIntegrationAction"),
    ("GET", "https://other.example/jsm/ops/api/c1/v1/integrations/a/actions/1",
     "getIntegrationAction"),  # another host: the path under the base's path
    ("PUT", "/v1/integrations/abc/actions", None),  # no PUT there
    ("GET", "/v1/integrations/abc/actions/42/extra", None),
    ("GET", "/v1/integrations//actions", None),  # an empty segment fills no {x}
    ("GET", "/v2/integrations/abc/actions", None),
])
def test_method_and_path_template_decide(api: ManagedApi, method: str, url: str,
                                         expected: str | None) -> None:
    assert name_of(api, method, url) == expected


def test_path_values_come_decoded_from_the_url(api: ManagedApi) -> None:
    op = operation_for_request(api, Request("r", "GET", "/v1/integrations/a%20b/actions/7"),
                               BASE)
    assert op is not None
    assert path_values(op, "/v1/integrations/a%20b/actions/7") == {
        "integrationId": "a b", "id": "7"}
    assert path_values(op, "/v1/integrations/a/actions") is None


def test_the_import_example_uses_the_matching_operation_else_the_first(
        api: ManagedApi) -> None:
    matching = Request("ops/jsm/r", "DELETE", "/v1/integrations/a/actions/1")
    example = import_example(api, matching, BASE, "jsm")
    assert example.startswith("result = jsm.IntegrationActions.deleteIntegrationAction(")
    assert "integrationId=" in example and "id=" in example and "#" not in example
    for request in (None, Request("ops/jsm/r", "GET", "/elsewhere")):
        first = import_example(api, request, BASE, "jsm")
        assert first.splitlines()[0] == (
            "# An example: the first operation of the API "
            "(IntegrationActions.listIntegrationActions)")
        assert first.splitlines()[1].startswith(
            "result = jsm.IntegrationActions.listIntegrationActions(integrationId=")
    snippet = connection_import_snippet("ops/jsm", example)
    assert snippet.splitlines()[:2] == ["import relaydesk", 'jsm = relaydesk.connect("ops/jsm")']
    compile(snippet, "snippet.py", "exec")  # runs as pasted
