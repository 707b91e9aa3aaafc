"""The managed API's pure parts: names, compiling descriptions, checks, request building."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest

from relaydesk.core.api_description import attach_description, description_path
from relaydesk.core.api_index import compile_description, group_name, operation_name
from relaydesk.core.errors import FileFormatError, InvalidValuesError
from relaydesk.core.managed import AnswerDict, AnswerList, ManagedApi, answer_of, managed_api_for
from relaydesk.core.model import Connection
from relaydesk.core.schema_check import check_value
from relaydesk.core.workspace import Workspace


def ops_of(doc: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return [(g, n, op["method"], op["path"]) for g, n, op in compile_description(doc).operations]


@pytest.mark.parametrize(("tag", "group"), [
    ("Integration actions", "IntegrationActions"), ("pet", "Pet"),
    ("issue-comments", "IssueComments"), ("none", "None_"), ("2fa settings", "_2faSettings"),
    ("Ünïcode tag", "ÜnïcodeTag"), ("ﬁle", "File"), ("", "Default"),
])
def test_a_tag_becomes_a_python_group_name(tag: str, group: str) -> None:
    assert group_name(tag) == group
    assert group.isidentifier()


@pytest.mark.parametrize(("op_id", "method", "path", "name"), [
    ("getIssue", "get", "/issue/{id}", "getIssue"),
    ("repos/get-content", "get", "/repos", "repos_get_content"),
    ("class", "get", "/x", "class_"),
    ("getﬁle", "get", "/x", "getfile"),
    ("", "get", "/pets/{petId}", "get_pets_petId"),
    ("", "delete", "/", "delete"),
])
def test_operation_names(op_id: str, method: str, path: str, name: str) -> None:
    assert operation_name(op_id, method, path) == name


def test_untagged_operations_group_by_their_first_real_path_segment() -> None:
    doc = {"openapi": "3.1.0", "paths": {
        "/v2/users/{id}": {"get": {}, "delete": {"operationId": "dropUser"}},
        "/{tenant}/items": {"post": {"tags": ["Stock items"]}, "get": {"operationId": "x"}},
        "/": {"get": {"operationId": "root"}},
        "/dup": {"get": {"operationId": "same", "tags": ["T"]},
                 "put": {"operationId": "same", "tags": ["T"]}},
    }}
    assert ops_of(doc) == [
        ("Users", "get_v2_users_id", "GET", "/v2/users/{id}"),
        ("Users", "dropUser", "DELETE", "/v2/users/{id}"),
        ("Items", "x", "GET", "/{tenant}/items"),
        ("StockItems", "post_tenant_items", "POST", "/{tenant}/items"),
        ("Root", "root", "GET", "/"),
        ("T", "same", "GET", "/dup"),
        ("T", "same_2", "PUT", "/dup"),
    ]


def test_swagger_2_parameters_and_bodies_become_schemas() -> None:
    doc = {"swagger": "2.0", "consumes": ["application/json"], "paths": {"/pets/{id}": {
        "parameters": [{"name": "id", "in": "path", "type": "integer", "required": True}],
        "put": {"operationId": "putPet", "parameters": [
            {"name": "body", "in": "body", "required": True,
             "schema": {"$ref": "#/definitions/Pet"}},
            {"name": "dry", "in": "query", "type": "string", "enum": ["yes", "no"]}]},
        "post": {"operationId": "upload", "consumes": ["multipart/form-data"], "parameters": [
            {"name": "file", "in": "formData", "type": "file", "required": True},
            {"name": "note", "in": "formData", "type": "string"}]}}},
        "definitions": {"Pet": {"type": "object", "required": ["name"],
                                "properties": {"name": {"type": "string"}}}}}
    compiled = compile_description(doc)
    (_, _, put), (_, _, post) = compiled.operations
    assert put["params"][0]["schema"] == {"type": "integer"}
    assert put["params"][1]["schema"] == {"type": "string", "enum": ["yes", "no"]}
    assert put["body"] == {"required": True,
                           "media": [["application/json", {"$ref": "#/definitions/Pet"}]]}
    assert compiled.refs["#/definitions/Pet"]["required"] == ["name"]
    assert post["body"]["media"][0][0] == "multipart/form-data"
    assert post["body"]["media"][0][1]["required"] == ["file"]


def test_an_undeclared_path_template_is_a_required_parameter() -> None:
    (_, _, op), = compile_description({"openapi": "3.0.0", "paths": {
        "/a/{x}/b": {"get": {"operationId": "g"}}}}).operations
    assert op["params"] == [{"name": "x", "in": "path", "required": True,
                             "schema": {"type": "string"}, "description": ""}]


@pytest.mark.parametrize(("value", "schema", "problems"), [
    ("a", {"type": "string"}, []),
    (None, {"type": "string", "nullable": True}, []),
    (None, {"type": ["string", "null"]}, []),
    (True, {"type": "integer"}, ["v: expected integer, got True"]),
    (2.0, {"type": "integer"}, []),
    ("c", {"enum": ["a", "b"]}, ["v: 'c' is not one of 'a', 'b'"]),
    ({"id": "1"}, {"type": "object", "required": ["id", "name"],
                   "properties": {"id": {"type": "string", "readOnly": True}}},
     ["v.name: required"]),
    ({"name": "x"}, {"type": "object", "required": ["id", "name"],
                     "properties": {"id": {"type": "string", "readOnly": True}}}, []),
    ([1, "2"], {"type": "array", "items": {"type": "integer"}},
     ["v[1]: expected integer, got '2'"]),
    ({"a": 1}, {"allOf": [{"required": ["a"]}, {"required": ["b"]}]}, ["v.b: required"]),
    (3, {"oneOf": [{"type": "string"}, {"type": "boolean"}]},
     ["v: matches none of the allowed shapes (oneOf)"]),
    ({"k": {"$ref": "x"}}, {"$ref": "#/S"}, ["v.k: expected string, got {'$ref': 'x'}"]),
])
def test_schema_checks_say_which_field(value: Any, schema: dict[str, Any],
                                       problems: list[str]) -> None:
    refs = {"#/S": {"type": "object", "properties": {"k": {"type": "string"}}}}
    assert check_value(value, schema, lambda ref: refs.get(ref, {}), "v") == problems


DOC = {"openapi": "3.0.3", "info": {"title": "T"}, "paths": {
    "/items/{itemId}": {
        "get": {"operationId": "getItem", "tags": ["Items"], "parameters": [
            {"name": "itemId", "in": "path", "required": True, "schema": {"type": "string"}},
            {"name": "ids", "in": "query", "schema": {"type": "array",
                                                      "items": {"type": "integer"}}},
            {"name": "full", "in": "query", "schema": {"type": "boolean"}},
            {"name": "tags", "in": "query", "explode": False,
             "schema": {"type": "array", "items": {"type": "string"}}},
            {"name": "filter", "in": "query", "style": "deepObject",
             "schema": {"type": "object"}},
            {"name": "X-Trace-Id", "in": "header", "schema": {"type": "string"}},
            {"name": "session", "in": "cookie", "schema": {"type": "string"}}]},
        "put": {"operationId": "putItem", "tags": ["Items"],
                "parameters": [{"name": "itemId", "in": "path", "required": True}],
                "requestBody": {"required": True, "content": {
                    "application/vnd.api+json": {"schema": {"type": "object",
                                                            "required": ["name"]}}}}},
        "post": {"operationId": "upload", "tags": ["Items"],
                 "parameters": [{"name": "itemId", "in": "path", "required": True}],
                 "requestBody": {"content": {"multipart/form-data": {"schema": {
                     "type": "object", "properties": {"note": {"type": "string"}}}}}}},
        "patch": {"operationId": "form", "tags": ["Items"],
                  "parameters": [{"name": "itemId", "in": "path", "required": True}],
                  "requestBody": {"content": {"application/x-www-form-urlencoded": {}}}},
    }}}


@pytest.fixture
def api(workspace: Workspace) -> ManagedApi:
    workspace.save_connection(Connection("svc", "https://api.example.com/v1"), create=True)
    attach_description(workspace, "svc", json.dumps(DOC), "doc.json")
    found = managed_api_for(workspace, workspace.connection("svc"))
    assert found is not None
    return found


def test_parameters_go_where_the_description_says(api: ManagedApi) -> None:
    op = api.operation("Items", "getItem")
    assert op is not None
    call = op.prepare({"itemId": "a/b c", "ids": [1, 2], "full": True, "tags": ["x", "y"],
                       "filter": {"state": "open"}, "X-Trace-Id": "t1", "session": "s1"})
    assert (call.method, call.url) == ("GET", "/items/a%2Fb%20c")
    assert call.params == [("ids", "1"), ("ids", "2"), ("full", "true"), ("tags", "x,y"),
                           ("filter[state]", "open")]
    assert call.headers == {"X-Trace-Id": "t1", "Cookie": "session=s1"}


def test_bodies_follow_the_media_type(api: ManagedApi) -> None:
    put, upload, form = (api.operation("Items", n) for n in ("putItem", "upload", "form"))
    assert put is not None and upload is not None and form is not None
    call = put.prepare({"itemId": "1", "body": {"name": "x"}})
    assert call.body == {"json": {"name": "x"}}
    assert call.headers["Content-Type"] == "application/vnd.api+json"
    call = upload.prepare({"itemId": "1", "body": {"note": "n", "file": b"\x00"}})
    assert call.body == {"files": {"file": b"\x00"}, "data": {"note": "n"}}
    assert form.prepare({"itemId": "1", "body": {"a": "b"}}).body == {"data": {"a": "b"}}
    assert put.prepare({"itemId": "1", "json": {"name": "y"}}).body == {"json": {"name": "y"}}
    with pytest.raises(InvalidValuesError) as exc:
        put.prepare({"itemId": "1"})
    assert exc.value.fields == ["body: required"] and exc.value.status == 0
    with pytest.raises(InvalidValuesError) as exc:
        put.prepare({"itemId": "1", "body": {"nom": "x"}})
    assert exc.value.fields == ["body.name: required"]


def test_answers_are_parsed_with_the_response_at_hand() -> None:
    def answer(status: int, **kwargs: Any) -> Any:
        return answer_of(httpx.Response(status, request=httpx.Request("GET", "https://h/x"),
                                        **kwargs))

    listed = answer(200, json=[1, 2])
    assert isinstance(listed, AnswerList) and listed == [1, 2]
    assert listed.response.status_code == 200
    assert isinstance(answer(201, json={"a": 1}), AnswerDict)
    assert answer(204) is None
    assert answer(200, text="plain", headers={"content-type": "text/plain"}) == "plain"
    assert answer(200, content=b"\x89PNG", headers={"content-type": "image/png"}) == b"\x89PNG"


def test_the_description_lives_in_the_connection_folder(workspace: Workspace,
                                                        api: ManagedApi) -> None:
    stored = description_path(workspace, "svc")
    assert stored == workspace.root / "connections/svc/openapi.json"
    workspace.move("svc", "team/svc")
    reopened = Workspace.open(workspace.root)
    assert reopened.problems == [] and [c.path for c in reopened.connections()] == ["team/svc"]
    moved = managed_api_for(reopened, reopened.connection("team/svc"))
    assert moved is not None and moved.names("Items") == ["getItem", "putItem", "upload", "form"]


def test_a_hand_edited_description_is_indexed_again(workspace: Workspace,
                                                    api: ManagedApi) -> None:
    stored = description_path(workspace, "svc")
    doc = json.loads(stored.read_text())
    doc["paths"]["/other"] = {"get": {"operationId": "other", "tags": ["Other"]}}
    stored.write_text(json.dumps(doc))
    os.utime(stored, ns=(1, 1))  # a git checkout sets any time: only the stamp counts
    fresh = managed_api_for(workspace, workspace.connection("svc"))
    assert fresh is not None and fresh.groups() == ["Items", "Other"]
    stored.write_text("{not json")
    broken = managed_api_for(workspace, workspace.connection("svc"))
    assert broken is not None
    with pytest.raises(FileFormatError, match=r"openapi\.json: is not valid JSON"):
        broken.groups()


def test_reattaching_reports_added_removed_and_changed(workspace: Workspace,
                                                       api: ManagedApi) -> None:
    doc = json.loads(json.dumps(DOC))
    del doc["paths"]["/items/{itemId}"]["patch"]
    doc["paths"]["/items/{itemId}"]["put"]["requestBody"]["content"][
        "application/vnd.api+json"]["schema"]["required"] = ["name", "size"]
    doc["paths"]["/new"] = {"get": {"operationId": "fresh", "tags": ["Items"]}}
    change = attach_description(workspace, "svc", json.dumps(doc), "doc.json")
    assert change.lines() == [
        "1 added, 1 removed, 1 changed (4 operation(s) now):",
        "+ GET /new (Items.fresh)",
        "- PATCH /items/{itemId} (Items.form)",
        "~ PUT /items/{itemId} (Items.putItem)"]
    same = attach_description(workspace, "svc", json.dumps(doc), "doc.json")
    assert same.lines() == ["No operations changed (4 operation(s))."]


def test_not_a_description_is_refused(workspace: Workspace, tmp_path: Path) -> None:
    workspace.save_connection(Connection("svc", "https://api.example.com"), create=True)
    for text, reason in (('{"info": {}}', "not an OpenAPI 3.x or Swagger 2.0 document"),
                         ("openapi: 3.0.0\npaths: [1]", "\"paths\" that is not an object"),
                         ("{", "not valid")):
        with pytest.raises(FileFormatError, match=reason):
            attach_description(workspace, "svc", text, "x.yaml")
    assert not description_path(workspace, "svc").exists()


def test_an_operation_as_a_request_and_as_an_example_call(api: ManagedApi) -> None:
    from relaydesk.core.managed_request import example_call, request_for

    op = api.operation("Items", "getItem")
    put = api.operation("Items", "putItem")
    assert op is not None and put is not None
    req = request_for(op, "svc", "Get item")
    assert (req.path, req.method, req.url) == ("svc/Items/Get item", "GET",
                                               "/items/{{itemId}}")
    assert [(p.name, p.enabled) for p in req.params] == [
        ("ids", False), ("full", False), ("tags", False), ("filter", False)]
    assert [h.name for h in req.headers] == ["X-Trace-Id"]
    assert [c.name for c in req.cookies] == ["session"]
    assert request_for(put, "svc").body.kind == "json"
    assert example_call(put, "svc") == "svc.Items.putItem(itemId=..., body={})"


def test_a_duplicated_connection_keeps_the_description(workspace: Workspace,
                                                       api: ManagedApi) -> None:
    from relaydesk.core.session import Session

    copy = Session(workspace, keyring=None, history=False).duplicate("svc")
    assert copy == "svc copy"
    twin = managed_api_for(workspace, workspace.connection(copy))
    assert twin is not None and twin.names("Items") == api.names("Items")


def test_stubs_are_valid_python_whatever_the_description_says(workspace: Workspace) -> None:
    import ast

    from relaydesk.core.api_stubs import stub_module

    nasty = 'Ends with a backslash \\ and """quotes""" and a NUL \x00 here'
    doc = {"openapi": "3.1.0", "info": {"title": nasty}, "paths": {"/x/{from}": {"post": {
        "operationId": "send", "summary": nasty, "description": nasty,
        "parameters": [
            {"name": "from", "in": "path", "required": True},
            {"name": "X-Rate-Key", "in": "header"},
            {"name": "mode", "in": "query", "schema": {"enum": ["a'b", 'c"d', 3, None]}},
            {"name": "max_pages", "in": "query"}],
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": {"type": "array"}}}}}},
        "/y": {"get": {"tags": ["class"]}}}}
    workspace.save_connection(Connection("svc", "https://api.example.com"), create=True)
    attach_description(workspace, "svc", json.dumps(doc), "doc.json")
    api = managed_api_for(workspace, workspace.connection("svc"))
    assert api is not None
    text = stub_module(api, nasty)
    ast.parse(text)
    assert "\x00" not in text
    assert ("def __call__(self, *, body: list[Any], mode: Literal[\"a'b\", 'c\"d', 3] | "
            "None = None) -> Any" in text)
    assert "Also (pass as **{name: value}): from (path), X-Rate-Key (header), max_pages" in text
    assert "class _G_Class:" in text and "def __call__(self) -> Any" in text
