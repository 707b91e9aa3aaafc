"""OpenAPI security set once on the connection, each operation with its own scopes;
what is not a request (webhooks, callbacks) said in notes."""

from __future__ import annotations

import json
from typing import Any

from relaydesk.core.importers import plan_import

from .helpers import notes_of

OK = {"responses": {"200": {"description": "ok"}}}


def _spec(paths: dict[str, Any], schemes: dict[str, Any], **more: Any) -> str:
    return json.dumps({"openapi": "3.1.0", "info": {"title": "T", "version": "1"},
                       "servers": [{"url": "https://a.example"}], "paths": paths,
                       "components": {"securitySchemes": schemes}, **more})


BASIC = {"basic": {"type": "http", "scheme": "basic"},
         "key": {"type": "apiKey", "in": "header", "name": "X-Key"}}


def test_security_most_operations_share_goes_on_the_connection_once() -> None:
    paths = {f"/p{i}": {"get": {**OK, "security": [{"basic": []}]}} for i in range(3)}
    paths["/k"] = {"get": {**OK, "security": [{"key": []}]}}
    plan = plan_import("openapi", _spec(paths, BASIC), "s.json")
    assert plan.connections[0].auth.kind == "basic"
    own = {r.url: r.auth.kind if r.auth else None for r in plan.requests}
    assert own == {"/p0": None, "/p1": None, "/p2": None, "/k": "apikey"}


def test_an_operation_asks_for_its_own_scopes() -> None:
    flows = {"clientCredentials": {"tokenUrl": "https://a.example/token",
                                   "scopes": {"read": "", "write": "", "admin": ""}}}
    paths = {"/r": {"get": {**OK, "security": [{"oauth": ["read"]}]}},
             "/w": {"post": {**OK, "security": [{"oauth": ["write"]}]}}}
    plan = plan_import("openapi", _spec(paths, {"oauth": {"type": "oauth2", "flows": flows}},
                                        security=[{"oauth": ["read"]}]), "s.json")
    assert plan.connections[0].auth.get("scope") == "read"
    [write] = [r for r in plan.requests if r.url == "/w"]
    assert write.auth is not None and write.auth.get("scope") == "write"


def test_a_required_pair_of_keys_is_named_in_a_note() -> None:
    schemes = {"id": {"type": "apiKey", "in": "header", "name": "X-App-Id"},
               "key": {"type": "apiKey", "in": "header", "name": "X-App-Key"}}
    plan = plan_import("openapi", _spec({"/x": {"get": OK}}, schemes,
                                        security=[{"id": [], "key": []}]), "s.json")
    assert "requires 'id' together with 'key'" in notes_of(plan)


def test_webhooks_and_callbacks_are_reported_not_lost_silently() -> None:
    callback = {"onDone": {"{$request.body#/url}": {"post": OK}}}
    plan = plan_import("openapi", _spec({"/x": {"post": {**OK, "callbacks": callback}}}, {},
                                        webhooks={"newPet": {"post": OK}}), "s.json")
    assert "1 webhook(s) were not imported" in notes_of(plan)
    assert "1 callback(s) were not imported" in notes_of(plan)
