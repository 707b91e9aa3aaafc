"""Insomnia exports of every format peers still read (1 to 4) and what they hold
besides HTTP requests."""

from __future__ import annotations

import json

from relaydesk.core.importers import plan_import

from .helpers import notes_of, secrets_of


def test_format_1_groups_with_requests_inside() -> None:
    doc = {"_type": "export", "__export_format": 1, "items": [{
        "_id": "g1", "name": "Users",
        "environments": {"base": {"host": "https://a.example"}},
        "requests": [{"_id": "r1", "name": "List", "method": "GET", "url": "{{host}}/users",
                      "body": "", "headers": [], "params": [{"name": "page", "value": "2"}],
                      "authentication": {"username": "ann", "password": "pw-0001"}}]}]}
    plan = plan_import("insomnia", json.dumps(doc), "i.json")
    [req] = plan.requests
    assert req.name == "List" and req.method == "GET"
    assert req.auth is not None and req.auth.kind == "basic"
    assert secrets_of(plan) == {"password": "pw-0001"}


def test_formats_2_and_3_under_a_placeholder_workspace() -> None:
    doc = {"_type": "export", "__export_format": 3, "resources": [
        {"_id": "fld_1", "_type": "request_group", "parentId": "__WORKSPACE_ID__",
         "name": "API", "environment": {"base": "https://a.example"}},
        {"_id": "req_1", "_type": "request", "parentId": "fld_1", "name": "Create",
         "method": "POST", "url": "{{ base }}/items", "body": '{"a": 1}', "headers": []}]}
    plan = plan_import("insomnia", json.dumps(doc), "i.json")
    [req] = plan.requests
    assert req.name == "Create" and req.body.kind == "json"
    assert json.loads(req.body.text) == {"a": 1}


def test_websocket_and_grpc_requests_are_counted_in_a_note() -> None:
    doc = {"_type": "export", "__export_format": 4, "resources": [
        {"_id": "wrk", "_type": "workspace", "name": "W"},
        {"_id": "r1", "_type": "request", "parentId": "wrk", "name": "Get",
         "method": "GET", "url": "https://a.example/x"},
        {"_id": "w1", "_type": "websocket_request", "parentId": "wrk", "name": "WS"},
        {"_id": "g1", "_type": "grpc_request", "parentId": "wrk", "name": "G"}]}
    plan = plan_import("insomnia", json.dumps(doc), "i.json")
    assert len(plan.requests) == 1
    assert "1 grpc request(s), 1 websocket request(s)" in notes_of(plan)


def test_an_export_without_requests_says_so() -> None:
    doc = {"_type": "export", "__export_format": 4, "resources": [
        {"_id": "wrk", "_type": "workspace", "name": "W"}]}
    plan = plan_import("insomnia", json.dumps(doc), "i.json")
    assert not plan.requests and "no HTTP request" in notes_of(plan)
