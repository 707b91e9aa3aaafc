"""Request bodies as large real descriptions write them (Kubernetes' Swagger 2.0):
``consumes: ["*/*"]``, several patch media types to choose from with ``content_type=``,
raw media types, and maps whose values have a schema (``additionalProperties``)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from relaydesk.core.api_description import attach_description
from relaydesk.core.errors import InvalidValuesError
from relaydesk.core.managed import ManagedApi, Operation, managed_api_for
from relaydesk.core.model import Connection
from relaydesk.core.workspace import Workspace

PATCHES = ["application/json-patch+json", "application/merge-patch+json",
           "application/apply-patch+yaml"]
DOC = {"swagger": "2.0", "info": {"title": "Mini cluster"}, "paths": {
    "/api/v1/namespaces/{namespace}/configmaps/{name}": {
        "parameters": [{"$ref": "#/parameters/namespace"},
                       {"name": "name", "in": "path", "required": True, "type": "string"}],
        "put": {"operationId": "replaceConfigMap", "tags": ["core_v1"], "consumes": ["*/*"],
                "parameters": [{"name": "body", "in": "body", "required": True,
                                "schema": {"$ref": "#/definitions/ConfigMap"}}]},
        "patch": {"operationId": "patchConfigMap", "tags": ["core_v1"], "consumes": PATCHES,
                  "parameters": [{"name": "body", "in": "body", "required": True,
                                  "schema": {"type": "object"}},
                                 {"name": "pretty", "in": "query", "type": "string",
                                  "description": "If 'true', then the output is pretty "
                                                 "printed. Defaults to 'false' unless…"}]},
        "post": {"operationId": "annotate", "tags": ["core_v1"], "consumes": ["text/plain"],
                 "parameters": [{"name": "body", "in": "body", "schema": {"type": "string"}}]},
    }},
    "parameters": {"namespace": {"name": "namespace", "in": "path", "required": True,
                                 "type": "string"}},
    "definitions": {"ConfigMap": {"type": "object", "properties": {
        "data": {"type": "object", "additionalProperties": {"type": "string"}}}}}}


@pytest.fixture
def api(workspace: Workspace) -> ManagedApi:
    workspace.save_connection(Connection("mini", "https://cluster.example"), create=True)
    attach_description(workspace, "mini", json.dumps(DOC), "mini.json")
    found = managed_api_for(workspace, workspace.connection("mini"))
    assert found is not None
    return found


def op(api: ManagedApi, name: str) -> Operation:
    found = api.operation("CoreV1", name)
    assert found is not None
    return found


def refused(operation: Operation, values: dict[str, Any]) -> list[str]:
    with pytest.raises(InvalidValuesError) as caught:
        operation.prepare(values)
    return caught.value.fields


def test_a_body_that_consumes_anything_goes_as_json(api: ManagedApi) -> None:
    call = op(api, "replaceConfigMap").prepare(
        {"namespace": "a", "name": "b", "body": {"data": {"k": "v"}}})
    assert (call.method, call.url) == ("PUT", "/api/v1/namespaces/a/configmaps/b")
    assert call.body == {"json": {"data": {"k": "v"}}}
    assert "Content-Type" not in call.headers  # httpx's application/json
    # A map's values are checked against their schema.
    assert refused(op(api, "replaceConfigMap"), {
        "namespace": "a", "name": "b", "body": {"data": {"k": 1}}}) == [
        "body.data.k: expected string, got 1"]


def test_content_type_picks_one_of_the_media_types_the_operation_takes(
        api: ManagedApi) -> None:
    patch = op(api, "patchConfigMap")
    base = {"namespace": "a", "name": "b", "body": {"data": {}}}
    assert patch.prepare(base).headers == {"Content-Type": PATCHES[0]}  # the first JSON
    merge = patch.prepare({**base, "content_type": PATCHES[1]})
    assert merge.headers == {"Content-Type": PATCHES[1]}
    assert merge.body == {"json": {"data": {}}}
    yaml = patch.prepare({**base, "body": "data: {}\n", "content_type": PATCHES[2]})
    assert (yaml.headers, yaml.body) == ({"Content-Type": PATCHES[2]}, {"content": "data: {}\n"})
    assert refused(patch, {**base, "content_type": "application/xml"}) == [
        "content_type: 'application/xml' is not one of " + ", ".join(PATCHES)]
    assert refused(patch, {**base, "content_type": PATCHES[2]}) == [
        f"body: {PATCHES[2]} is sent as it is: give str or bytes"]


def test_a_raw_body_says_its_media_type(api: ManagedApi) -> None:
    call = op(api, "annotate").prepare({"namespace": "a", "name": "b", "body": "hello"})
    assert (call.body, call.headers) == ({"content": "hello"}, {"Content-Type": "text/plain"})


def test_the_app_and_the_stubs_see_the_same_media_types(api: ManagedApi) -> None:
    from relaydesk.core.api_stubs import stub_module
    from relaydesk.core.managed_request import request_for

    body = request_for(op(api, "replaceConfigMap"), "mini").body
    assert body.kind == "json" and json.loads(body.text) == {"data": {}}
    text = stub_module(api, "Mini cluster")
    literal = ", ".join(repr(t) for t in PATCHES)
    assert (f"def __call__(self, *, namespace: str, name: str, body: dict[str, Any], "
            f"pretty: str | None = None, content_type: Literal[{literal}] | None = None)"
            in text)
    assert "        pretty: If 'true', then the output is pretty printed.\n" in text
    # One media type: nothing to choose.
    assert "def __call__(self, *, namespace: str, name: str, body: dict[str, Any]) -> Any" \
        in text
