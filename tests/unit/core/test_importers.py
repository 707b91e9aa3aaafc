"""Importers: what each format becomes, and that applying a plan is all or nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from relaydesk.core.errors import AlreadyExistsError, FileFormatError, SecretStoreError
from relaydesk.core.importers import apply_plan, detect_kind, plan_import
from relaydesk.core.secrets import SecretStore
from relaydesk.core.workspace import Workspace

DATA = Path(__file__).resolve().parents[2] / "data" / "imports"


def _files(ws: Workspace) -> dict[str, bytes]:
    return {str(p.relative_to(ws.root)): p.read_bytes() for p in ws.iter_files()}


def _no_secret_in(ws: Workspace, *secrets: str) -> None:
    for path, data in _files(ws).items():
        for secret in secrets:
            assert secret.encode() not in data, f"{secret!r} found in {path}"


# -- Postman -------------------------------------------------------------------------


def test_postman_v21_structure_auth_and_secrets(workspace: Workspace,
                                                 secret_store: SecretStore) -> None:
    plan = plan_import("postman", (DATA / "postman_v21.json").read_text(), "c.json")
    notes = apply_plan(workspace, secret_store, plan, into="echo")
    conn = workspace.connection("echo")
    assert conn.base_url == "http://127.0.0.1:1"
    assert conn.auth.kind == "bearer" and secret_store.get("echo", "token") == "coll-token-123"
    assert conn.variables == {"baseUrl": "http://127.0.0.1:1", "itemId": "42"}
    # The collection's own order (Items before Forms), not the names' order.
    assert workspace.folders("echo") == ["echo/Items", "echo/Forms"]
    listed = workspace.request("echo/Items/List items")
    assert listed.url == "/echo/items" and listed.description == "Lists the items."
    assert [(p.name, p.value, p.enabled) for p in listed.params] == [
        ("page", "2", True), ("sort", "name", True), ("sort", "id", True), ("off", "1", False)]
    assert workspace.request("echo/Items/Get item").url == "/echo/items/{{itemId}}"
    form = workspace.request("echo/Forms/Urlencoded")  # folder auth → request auth
    assert form.auth is not None and form.auth.kind == "basic"
    assert secret_store.get(form.path, "password") == "folder-pass-456"
    assert workspace.request("echo/Forms/No auth here").auth.kind == "none"  # type: ignore[union-attr]
    assert workspace.request("echo/GraphQL").body.kind == "json"
    assert any("script" in n for n in notes)
    assert any("Stored the token of 'echo'" in n for n in notes)
    _no_secret_in(workspace, "coll-token-123", "folder-pass-456", "qkey-789", "hkey-321")


POSTMAN_V20 = {
    "info": {"name": "Old", "schema":
             "https://schema.getpostman.com/json/collection/v2.0.0/collection.json"},
    "auth": {"type": "basic", "basic": {"username": "u", "password": "v20-pass"}},
    "item": [{"name": "One", "request": "https://old.example.com/api/one"},
             {"name": "Two", "request": {"method": "POST", "url": "https://old.example.com/api/two",
                                         "header": [{"key": "Authorization",
                                                     "value": "Bearer hdr-secret-1"}],
                                         "body": {"mode": "file", "file": {"src": "/tmp/x.bin"}}}}],
}


def test_postman_v20_object_auth_string_urls_and_lifted_header(
        workspace: Workspace, secret_store: SecretStore) -> None:
    apply_plan(workspace, secret_store, plan_import("postman", json.dumps(POSTMAN_V20)))
    conn = workspace.connection("Old")
    assert conn.base_url == "https://old.example.com" and conn.auth.kind == "basic"
    assert secret_store.get("Old", "password") == "v20-pass"
    two = workspace.request("Old/Two")
    assert two.url == "/api/two" and two.body.kind == "binary" and two.headers == []
    assert two.auth is not None and two.auth.kind == "bearer"
    assert secret_store.get("Old/Two", "token") == "hdr-secret-1"
    _no_secret_in(workspace, "v20-pass", "hdr-secret-1")


def test_postman_environment(workspace: Workspace, secret_store: SecretStore) -> None:
    env = {"name": "Staging", "_postman_variable_scope": "environment", "values": [
        {"key": "baseUrl", "value": "https://staging.example.com", "enabled": True},
        {"key": "apiKey", "value": "env-secret-9", "type": "secret", "enabled": True}]}
    notes = apply_plan(workspace, secret_store, plan_import("postman", json.dumps(env)))
    assert workspace.environment("Staging").variables == {
        "baseUrl": "https://staging.example.com", "apiKey": ""}
    assert secret_store.get("environments/Staging", "apiKey") == "env-secret-9"
    assert any("apiKey" in n for n in notes)
    _no_secret_in(workspace, "env-secret-9")


# -- Insomnia ------------------------------------------------------------------------

INSOMNIA_V4 = {
    "_type": "export", "__export_format": 4, "resources": [
        {"_id": "wrk_1", "_type": "workspace", "name": "Shop"},
        {"_id": "env_1", "_type": "environment", "parentId": "wrk_1",
         "data": {"baseUrl": "https://shop.example.com/api", "token": "ins-token-1"}},
        {"_id": "env_2", "_type": "environment", "parentId": "env_1", "name": "Prod",
         "data": {"baseUrl": "https://prod.example.com/api"}},
        {"_id": "fld_1", "_type": "request_group", "parentId": "wrk_1", "name": "Orders"},
        {"_id": "req_1", "_type": "request", "parentId": "fld_1", "name": "List orders",
         "method": "GET", "url": "{{ _.baseUrl }}/orders",
         "parameters": [{"name": "page", "value": "1"}],
         "authentication": {"type": "bearer", "token": "{{ _.token }}"}},
        {"_id": "req_2", "_type": "request", "parentId": "wrk_1", "name": "Create",
         "method": "POST", "url": "{{ _.baseUrl }}/orders",
         "body": {"mimeType": "application/json", "text": "{\"a\": 1}"},
         "headers": [{"name": "Content-Type", "value": "application/json"}]},
    ]}


def test_insomnia_v4_json_and_yaml(tmp_path: Path, memory_keyring: Any) -> None:
    import yaml

    for i, text in enumerate((json.dumps(INSOMNIA_V4), yaml.safe_dump(INSOMNIA_V4))):
        ws = Workspace.open(tmp_path / f"ws{i}")
        store = SecretStore.for_workspace(memory_keyring, ws)
        apply_plan(ws, store, plan_import("insomnia", text))
        conn = ws.connection("Shop")
        assert conn.base_url == "https://shop.example.com"
        assert "token" not in conn.variables
        orders = ws.request("Shop/Orders/List orders")
        assert orders.url == "/api/orders" and orders.params[0].name == "page"
        assert store.get(orders.path, "token") == "ins-token-1"
        assert ws.request("Shop/Create").body.kind == "json"
        assert ws.environment("Prod").variables["baseUrl"] == "https://prod.example.com/api"
        _no_secret_in(ws, "ins-token-1")


INSOMNIA_V5 = """
type: collection.insomnia.rest/5.0
name: Billing
collection:
  - name: Invoices
    children:
      - name: Get invoice
        url: https://billing.example.com/v1/invoices/{{ _.id }}
        method: GET
        authentication: {type: basic, username: bob, password: v5-pass}
  - name: Ping
    url: https://billing.example.com/v1/ping
    method: GET
environments:
  name: Base
  data: {id: "7"}
  subEnvironments:
    - name: Dev
      data: {id: "1"}
"""


def test_insomnia_v5_yaml(workspace: Workspace, secret_store: SecretStore) -> None:
    apply_plan(workspace, secret_store, plan_import("insomnia", INSOMNIA_V5))
    req = workspace.request("Billing/Invoices/Get invoice")
    assert req.url == "/v1/invoices/{{id}}"
    assert workspace.connection("Billing").variables == {"id": "7"}
    assert secret_store.get(req.path, "password") == "v5-pass"
    assert workspace.environment("Dev").variables == {"id": "1"}
    _no_secret_in(workspace, "v5-pass")


# -- OpenAPI -------------------------------------------------------------------------

OPENAPI_31 = {
    "openapi": "3.1.0", "info": {"title": "Graph", "description": "Nodes"},
    "externalDocs": {"url": "https://docs.example.com/graph"},
    "servers": [{"url": "https://graph.example.com/{v}", "variables": {"v": {"default": "v2"}}}],
    "components": {
        "securitySchemes": {"key": {"type": "apiKey", "in": "query", "name": "api_key"}},
        "schemas": {
            "Node": {"type": "object", "properties": {
                "name": {"type": ["string", "null"]},
                "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
                "meta": {"$ref": "#/components/schemas/Meta"}}},
            "Meta": {"allOf": [{"$ref": "#/components/schemas/Base"},
                               {"type": "object", "properties": {"n": {"type": "integer",
                                                                       "minimum": 3}}}]},
            "Base": {"type": "object", "properties": {"created": {"type": "string",
                                                                   "format": "date"}}},
            "Shape": {"oneOf": [{"$ref": "#/components/schemas/Base"}, {"type": "string"}]},
        },
        "parameters": {"Limit": {"name": "limit", "in": "query", "schema": {"default": 10}}},
    },
    "security": [{"key": []}],
    "paths": {
        "/nodes/{nodeId}": {
            "parameters": [{"name": "nodeId", "in": "path", "required": True,
                            "example": "n-1"}],
            "post": {"tags": ["nodes"], "operationId": "addChild",
                     "parameters": [{"$ref": "#/components/parameters/Limit"},
                                    {"name": "X-Req", "in": "header", "schema":
                                     {"type": "string", "enum": ["a", "b"]}}],
                     "requestBody": {"content": {"application/json": {
                         "schema": {"$ref": "#/components/schemas/Node"}}}}},
        },
        "/shapes": {"put": {"requestBody": {"content": {
            "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {
                "kind": {"type": "string", "example": "circle"}}}}}}}},
    },
}


def test_openapi_31_refs_cycles_allof_and_security(workspace: Workspace) -> None:
    plan = plan_import("openapi", json.dumps(OPENAPI_31), "graph.json")
    apply_plan(workspace, None, plan)
    conn = workspace.connection("Graph")
    assert conn.base_url == "https://graph.example.com/v2"
    assert conn.docs_url == "https://docs.example.com/graph"
    assert conn.auth.kind == "apikey" and conn.auth.params == {"name": "api_key", "in": "query"}
    assert conn.variables == {"nodeId": "n-1"}
    req = workspace.request("Graph/nodes/addChild")
    assert req.url == "/nodes/{{nodeId}}"
    assert [(p.name, p.value) for p in req.params] == [("limit", "10")]
    assert [(h.name, h.value) for h in req.headers] == [("X-Req", "a")]
    body = json.loads(req.body.text)
    assert body == {"name": "string", "children": [{}],
                    "meta": {"created": "2024-01-01", "n": 3}}
    shapes = workspace.request("Graph/PUT -shapes")
    assert shapes.body.kind == "form" and shapes.body.form[0].value == "circle"


SWAGGER_2 = """
swagger: "2.0"
info: {title: Legacy}
host: legacy.example.com
basePath: /api
schemes: [https]
securityDefinitions:
  basic: {type: basic}
  oauth: {type: oauth2, flow: application, tokenUrl: "https://auth.example.com/t",
          scopes: {read: Read}}
security: [{basic: []}]
definitions:
  User: {type: object, properties: {id: {type: integer}, name: {type: string}}}
paths:
  /users:
    post:
      tags: [users]
      summary: Create user
      security: [{oauth: [read]}]
      parameters:
        - {name: body, in: body, schema: {$ref: "#/definitions/User"}}
        - {name: dry, in: query, type: boolean, default: false}
  /upload:
    post:
      consumes: [multipart/form-data]
      parameters:
        - {name: file, in: formData, type: file}
        - {name: note, in: formData, type: string, default: hi}
"""


def test_swagger_2(workspace: Workspace) -> None:
    apply_plan(workspace, None, plan_import("openapi", SWAGGER_2, "legacy.yaml"))
    conn = workspace.connection("Legacy")
    assert conn.base_url == "https://legacy.example.com/api" and conn.auth.kind == "basic"
    create = workspace.request("Legacy/users/Create user")
    assert json.loads(create.body.text) == {"id": 0, "name": "string"}
    assert create.params[0].value == "false"
    assert create.auth is not None and create.auth.params["grant"] == "client_credentials"
    upload = workspace.request("Legacy/POST -upload")
    assert [(p.name, p.value, p.enabled) for p in upload.body.multipart] == [
        ("file", "", False), ("note", "hi", True)]


# -- HAR and .http -------------------------------------------------------------------

HAR = {"log": {"version": "1.2", "entries": [
    {"request": {"method": "POST", "url": "https://app.example.com/api/items?x=1",
                 "headers": [{"name": ":authority", "value": "app.example.com"},
                             {"name": "Content-Type", "value": "application/json"},
                             {"name": "Cookie", "value": "sid=abc; theme=dark"},
                             {"name": "Authorization", "value": "Bearer har-token-1"},
                             {"name": "Content-Length", "value": "9"}],
                 "postData": {"mimeType": "application/json", "text": "{\"a\": 1}"}}},
    {"request": {"method": "GET", "url": "https://cdn.example.com/logo.png", "headers": []}},
]}}


def test_har(workspace: Workspace, secret_store: SecretStore) -> None:
    apply_plan(workspace, secret_store, plan_import("har", json.dumps(HAR)))
    items = workspace.request("app.example.com/POST api-items")
    assert items.url == "/api/items?x=1" and items.body.kind == "json"
    assert [h.name for h in items.headers] == ["Content-Type"]
    assert items.cookies == []  # recorded cookies are credentials: left out with a note
    assert workspace.connection("app.example.com").auth.kind == "bearer"
    assert secret_store.get("app.example.com", "token") == "har-token-1"
    assert workspace.connection("cdn.example.com").base_url == "https://cdn.example.com"
    _no_secret_in(workspace, "har-token-1")


HTTP_FILE = """\
@host = https://notes.example.com
@token = http-token-7

### List notes
GET {{host}}/notes?tag=a
    &page=2
Authorization: Bearer {{token}}

###
# @name Create note
POST {{host}}/notes HTTP/1.1
Content-Type: application/json
Authorization: Bearer {{token}}

{"text": "hi"}

> {% client.global.set("id", response.body.id); %}

### Upload
PUT https://notes.example.com/files
Content-Type: application/octet-stream

< ./data.bin
"""


def test_http_file(workspace: Workspace, secret_store: SecretStore) -> None:
    plan = plan_import("http", HTTP_FILE, "notes.http")
    apply_plan(workspace, secret_store, plan)
    conn = workspace.connection("notes")
    assert conn.base_url == "https://notes.example.com" and conn.auth.kind == "none"
    assert "token" not in conn.variables
    listed = workspace.request("notes/List notes")
    assert listed.url == "/notes?tag=a&page=2"
    assert listed.auth is not None and listed.auth.kind == "bearer" and listed.headers == []
    assert secret_store.get(listed.path, "token") == "http-token-7"
    created = workspace.request("notes/Create note")
    assert created.body.kind == "json" and json.loads(created.body.text) == {"text": "hi"}
    assert workspace.request("notes/Upload").body.file == "./data.bin"
    _no_secret_in(workspace, "http-token-7")


# -- all or nothing ------------------------------------------------------------------


def test_conflict_writes_nothing(workspace: Workspace, secret_store: SecretStore,
                                 memory_keyring: Any) -> None:
    plan = plan_import("postman", (DATA / "postman_v21.json").read_text())
    apply_plan(workspace, secret_store, plan, into="echo")
    before = _files(workspace)
    keys = dict(memory_keyring.passwords)
    with pytest.raises(AlreadyExistsError):
        apply_plan(workspace, secret_store, plan, into="echo")
    assert _files(workspace) == before and memory_keyring.passwords == keys


class BrokenKeyring:
    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError("the keyring is locked")

    def delete_password(self, service: str, username: str) -> None:
        pass


def test_keyring_failure_writes_nothing(workspace: Workspace) -> None:
    before = _files(workspace)
    plan = plan_import("postman", (DATA / "postman_v21.json").read_text())
    with pytest.raises(SecretStoreError):
        apply_plan(workspace, SecretStore.for_workspace(BrokenKeyring(), workspace), plan)
    assert _files(workspace) == before
    workspace.reload()
    assert workspace.connections() == []


def test_write_failure_is_rolled_back(workspace: Workspace, secret_store: SecretStore,
                                      memory_keyring: Any, monkeypatch: pytest.MonkeyPatch
                                      ) -> None:
    before = _files(workspace)
    plan = plan_import("postman", (DATA / "postman_v21.json").read_text())
    calls = {"n": 0}
    from relaydesk.core import codec

    real = codec.request_to_doc

    def flaky(req: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 4:
            raise OSError(28, "No space left on device")
        return real(req)

    monkeypatch.setattr(codec, "request_to_doc", flaky)
    with pytest.raises(Exception, match="nothing was imported"):
        apply_plan(workspace, secret_store, plan)
    assert _files(workspace) == before and memory_keyring.passwords == {}
    connections = workspace.root / "connections"
    assert not connections.exists() or not any(
        p.name.startswith(".import-") for p in connections.iterdir())


@pytest.mark.parametrize(("text", "kind"), [
    (json.dumps(HAR), "har"), (HTTP_FILE, "http"), (SWAGGER_2, "openapi"),
    (INSOMNIA_V5, "insomnia"), (json.dumps(POSTMAN_V20), "postman"),
    ("curl -X POST https://x.example.com/a -d b", "curl")])
def test_detect_kind(text: str, kind: str) -> None:
    assert detect_kind(text) == kind


@pytest.mark.parametrize(("kind", "text", "words"), [
    ("postman", "{\"info\": 3}", "no \"info\" object"),
    ("postman", "[1, 2", "not valid JSON"),
    ("openapi", "openapi: [unclosed", "not valid YAML"),
    ("openapi", "{\"paths\": {}}", "no \"openapi\""),
    ("har", "{\"log\": {}}", "no \"log.entries\""),
    ("insomnia", "{}", "not an Insomnia export"),
    ("http", "\n\n# only a comment\n", "holds no request"),
    ("postman", "[" * 100_000 + "]" * 100_000, "nested"),
])
def test_bad_input_is_one_clear_error(kind: str, text: str, words: str) -> None:
    with pytest.raises(FileFormatError, match=words) as info:
        plan_import(kind, text, "bad.file")
    assert str(info.value).startswith("bad.file: ")


def test_billion_laughs_yaml_is_refused() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    lines.append("openapi: 3.0.0\npaths: {}")
    with pytest.raises(FileFormatError, match="alias"):
        plan_import("openapi", "\n".join(lines), "bomb.yaml")
