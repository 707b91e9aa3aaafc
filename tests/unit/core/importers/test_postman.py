"""Postman collections as vendors publish them: v1, v2 without "info", URL objects
without "raw", saved tokens, signatures, examples, and odd items."""

from __future__ import annotations

import json
from typing import Any

import pytest

from relaydesk.core.errors import FileFormatError
from relaydesk.core.importers import plan_import

from .helpers import notes_of, secrets_of

V21 = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"


def _collection(*items: Any, **more: Any) -> str:
    return json.dumps({"info": {"name": "C", "schema": V21}, "item": list(items), **more})


def _item(name: str, **request: Any) -> dict[str, Any]:
    return {"name": name, "request": {"method": "GET", "url": "https://a.example/x",
                                      **request}}


def test_a_url_object_whose_host_is_one_variable_keeps_that_variables_scheme() -> None:
    url = {"host": ["{{baseUrl}}"], "path": ["v1", "items"]}
    plan = plan_import("postman", _collection(
        _item("List", url=url), variable=[{"key": "baseUrl", "value": "https://a.example"}]),
        "c.json")
    assert plan.connections[0].base_url == "https://a.example"
    assert [r.url for r in plan.requests] == ["/v1/items"]


def test_an_oauth2_block_with_a_saved_token_becomes_a_bearer_token() -> None:
    auth = {"type": "oauth2", "oauth2": [{"key": "accessToken", "value": "at-5551234"},
                                         {"key": "tokenType", "value": "Bearer"}]}
    plan = plan_import("postman", _collection(_item("r"), auth=auth), "c.json")
    assert plan.connections[0].auth.kind == "bearer"
    assert secrets_of(plan) == {"token": "at-5551234"}


def test_signature_auth_is_dropped_with_a_note_and_no_key_stored() -> None:
    auth = {"type": "hawk", "hawk": [{"key": "authKey", "value": "hawk-secret-1"},
                                     {"key": "authId", "value": "id1"}]}
    plan = plan_import("postman", _collection(_item("r", auth=auth)), "c.json")
    assert not plan.secrets and "Hawk signs each request" in notes_of(plan)


def test_aws_signature_v4_auth_is_imported_with_its_key_in_the_keyring() -> None:
    auth = {"type": "awsv4", "awsv4": [{"key": "secretKey", "value": "aws-secret-1"},
                                       {"key": "accessKey", "value": "AKIA1"},
                                       {"key": "region", "value": "eu-west-1"},
                                       {"key": "service", "value": "execute-api"}]}
    plan = plan_import("postman", _collection(_item("r", auth=auth)), "c.json")
    (req,) = plan.requests
    assert req.auth is not None and req.auth.kind == "aws_sigv4"
    assert req.auth.params == {"access_key_id": "AKIA1", "region": "eu-west-1",
                               "service": "execute-api"}
    assert secrets_of(plan) == {"secret_access_key": "aws-secret-1"}


def test_saved_examples_and_odd_items_are_noted_not_fatal() -> None:
    item = {**_item("r"), "response": [{"name": "ex", "code": 200}]}
    plan = plan_import("postman", _collection(item, "not an object"), "c.json")
    assert [r.name for r in plan.requests] == ["r"]
    notes = notes_of(plan)
    assert "1 saved example response(s)" in notes and "not an object" in notes


def test_one_bad_request_is_left_out_not_the_file() -> None:
    plan = plan_import("postman", _collection(_item("good"), _item("bad", url=42)), "c.json")
    assert [r.name for r in plan.requests] == ["good"]
    assert "Left out 'C/bad'" in notes_of(plan)


def test_a_collection_without_info_as_newman_runs_it() -> None:
    plan = plan_import("postman", json.dumps({"name": "N", "item": [_item("r")]}), "c.json")
    assert [r.path for r in plan.requests] == ["N/r"]


def test_a_v1_collection_in_its_own_order_with_folders_and_helpers() -> None:
    doc = {"id": "c1", "name": "Old", "order": ["r3"], "folders_order": ["f1"],
           "folders": [{"id": "f1", "name": "Things", "order": ["r2", "r1"]}],
           "requests": [
               {"id": "r1", "name": "Second", "method": "POST", "url": "https://a.example/b",
                "dataMode": "raw", "rawModeData": "{\"a\": 1}",
                "headers": "Content-Type: application/json\n"},
               {"id": "r2", "name": "First", "method": "GET", "url": "https://a.example/a",
                "currentHelper": "basicAuth",
                "helperAttributes": {"username": "ann", "password": "v1-pass-77"}},
               {"id": "r3", "name": "Root", "method": "DELETE", "url": "https://a.example/c"}]}
    plan = plan_import("postman", json.dumps(doc), "old.json")
    assert [r.path for r in plan.requests] == ["Old/Things/First", "Old/Things/Second",
                                               "Old/Root"]
    first = plan.requests[0]
    assert first.auth is not None and first.auth.kind == "basic"
    assert secrets_of(plan) == {"password": "v1-pass-77"}
    assert plan.requests[1].body.text.strip().startswith("{")


def test_a_collection_with_no_usable_entry_is_refused_with_the_reason() -> None:
    with pytest.raises(FileFormatError, match=r"c\.json: holds no request.*not an object"):
        plan_import("postman", _collection(1, "x"), "c.json")
