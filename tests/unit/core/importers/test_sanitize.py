"""The pass after every importer: unsaveable headers, credentials in plain fields,
requests that cannot be saved, and credential values that recur elsewhere in a file."""

from __future__ import annotations

import json
from typing import Any

from relaydesk.core.importers import plan_import

from .conftest import Written
from .helpers import notes_of, secrets_of


def _har(*requests: dict[str, Any]) -> str:
    entries = [{"request": {"method": "GET", "headers": [], "queryString": [], **r}}
               for r in requests]
    return json.dumps({"log": {"version": "1.2", "entries": entries}})


def _postman(*items: dict[str, Any], auth: dict[str, Any] | None = None) -> str:
    doc: dict[str, Any] = {"info": {"name": "C", "schema": "https://schema.getpostman.com/"
                                    "json/collection/v2.1.0/collection.json"},
                           "item": list(items)}
    if auth:
        doc["auth"] = auth
    return json.dumps(doc)


def test_unsaveable_headers_are_left_out_with_a_note_not_the_file() -> None:
    plan = plan_import("postman", _postman({"name": "r", "request": {
        "method": "GET", "url": "https://a.example/x", "header": [
            {"key": "Host", "value": "a.example"}, {"key": "{{$guid}}", "value": "1"},
            {"key": "GET /wiki/Main HTTP/1.1", "value": ""},
            {"key": "Accept", "value": "text/html"}]}}), "c.json")
    [req] = plan.requests
    assert [h.name for h in req.headers] == ["Accept"]
    assert "'Host'" in notes_of(plan) and "not a valid header name" in notes_of(plan)


def test_an_authorization_header_beside_an_auth_block_is_not_written(
        written: Written) -> None:
    text = _postman({"name": "r", "request": {
        "method": "GET", "url": "https://a.example/x",
        "header": [{"key": "Authorization", "value": "Bearer hdr-tok-9876"}],
        "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "own-tok-1234"}]}}})
    plan = plan_import("postman", text, "c.json")
    assert "credential header" in notes_of(plan)
    assert secrets_of(plan) == {"token": "own-tok-1234"}
    files = written(plan)
    assert "hdr-tok-9876" not in files and "own-tok-1234" not in files


def test_a_query_credential_becomes_the_requests_api_key(written: Written) -> None:
    plan = plan_import("har", _har({"url": "https://a.example/v1/items?api_key=k3y-0123&q=1"}),
                       "a.har")
    [req] = plan.requests
    assert req.auth is not None and req.auth.kind == "apikey"
    assert req.auth.params == {"name": "api_key", "in": "query"}
    assert secrets_of(plan) == {"value": "k3y-0123"}
    files = written(plan)
    assert "k3y-0123" not in files and "q=1" in files


def test_a_second_query_credential_is_dropped_with_a_note() -> None:
    plan = plan_import("har", _har({"url": "https://a.example/x?api_key=first-111&token=second-222"}),
                       "a.har")
    assert secrets_of(plan) == {"value": "first-111"}
    assert "Left out the 'token' query value" in notes_of(plan)
    assert "second-222" not in plan.requests[0].url


def test_cookies_and_cookie_headers_are_never_written(written: Written) -> None:
    plan = plan_import("har", _har({
        "url": "https://a.example/x", "cookies": [{"name": "sid", "value": "s3ss10n-abc"}],
        "headers": [{"name": "Cookie", "value": "other=c00kie-xyz; lang=en"}]}), "a.har")
    assert not plan.requests[0].cookies
    assert "cookie" in notes_of(plan).lower()
    files = written(plan)
    assert "s3ss10n-abc" not in files and "c00kie-xyz" not in files


def test_secret_form_fields_are_emptied(written: Written) -> None:
    plan = plan_import("har", _har({
        "method": "POST", "url": "https://a.example/token",
        "postData": {"mimeType": "application/x-www-form-urlencoded",
                     "params": [{"name": "client_id", "value": "app"},
                                {"name": "client_secret", "value": "sh-h-h-42"}]}}), "a.har")
    form = {kv.name: kv.value for kv in plan.requests[0].body.form}
    assert form == {"client_id": "app", "client_secret": ""}
    assert "Emptied the form field 'client_secret'" in notes_of(plan)
    assert "sh-h-h-42" not in written(plan)


def test_user_and_password_in_a_url_become_basic_auth(written: Written) -> None:
    plan = plan_import("har", _har({"url": "https://ann:pa55word@a.example/x"}), "a.har")
    [conn] = plan.connections
    assert conn.path == "a.example" and conn.base_url == "https://a.example"
    assert conn.auth.kind == "basic" and conn.auth.get("username") == "ann"
    assert secrets_of(plan) == {"password": "pa55word"}
    assert "pa55word" not in written(plan)


def test_a_request_url_password_becomes_the_requests_basic_auth() -> None:
    plan = plan_import("postman", _postman({"name": "r", "request": {
        "method": "GET", "url": "https://bob:s3cr3t-pw@b.example/x"}}), "c.json")
    [req] = plan.requests
    assert "s3cr3t-pw" not in req.url + plan.connections[0].base_url
    assert secrets_of(plan) == {"password": "s3cr3t-pw"}


def test_a_base_url_password_goes_to_the_connection_auth() -> None:
    plan = plan_import("postman", _postman(
        {"name": "r", "request": {"method": "GET", "url": "{{base}}/x"}}) .replace(
        '"item"', '"variable": [{"key": "base", "value": "https://u:pw-9999@a.example"}], '
        '"item"'), "c.json")
    text = json.dumps([c.variables for c in plan.connections]) + plan.connections[0].base_url
    assert "pw-9999" not in text


def test_one_off_signatures_are_dropped_not_stored() -> None:
    plan = plan_import("har", _har({"url": "https://a.example/x", "headers": [
        {"name": "Authorization", "value": "AWS4-HMAC-SHA256 Credential=AKIA/2020, "
                                           "Signature=abcdef0123"}]}), "a.har")
    [req] = plan.requests
    assert req.auth is None and not plan.secrets and not req.headers
    assert "AWS Signature v4" in notes_of(plan)


def test_a_request_that_cannot_be_saved_is_left_out_and_named() -> None:
    plan = plan_import("har", _har({"url": "https://a.example/ok"},
                                   {"method": "BAD METHOD", "url": "https://a.example/no"}),
                       "a.har")
    assert [r.url for r in plan.requests] == ["/ok"]
    assert "cannot be saved" in notes_of(plan)


def test_a_credential_quoted_in_a_description_is_removed() -> None:
    plan = plan_import("postman", _postman({"name": "r", "request": {
        "method": "GET", "url": "https://a.example/x", "description": "Send tok-55667788 here",
        "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "tok-55667788"}]}}}),
        "c.json")
    assert plan.requests[0].description == "Send [credential removed] here"


def test_a_credential_recurring_in_another_request_is_scrubbed_everywhere(
        written: Written) -> None:
    """One entry sends a token as a cookie; another carries it in its URL, a header,
    a form field's name and its JSON body (a real HAR did)."""
    token = "W98AI8p_nGwKEwiI-eqFEFDl"
    plan = plan_import("har", _har(
        {"url": "https://a.example/page", "cookies": [{"name": "googleToken", "value": token}]},
        {"method": "POST", "url": f"https://a.example/log?t={token}",
         "headers": [{"name": "X-Trace", "value": f"v1 {token}"}],
         "postData": {"mimeType": "application/x-www-form-urlencoded",
                      "params": [{"name": json.dumps({"search_token": token}), "value": "x"}]}},
        {"method": "POST", "url": "https://a.example/json",
         "postData": {"mimeType": "application/json", "text": json.dumps({"t": token})}}),
        "a.har")
    log, body = plan.requests[1], plan.requests[2]
    assert log.url == "/log?t={{googleToken}}"
    assert log.headers[0].value == "v1 {{googleToken}}"
    assert json.loads(body.body.text) == {"t": "{{googleToken}}"}
    assert "Replaced credential values that recur" in notes_of(plan)
    assert token not in written(plan)


def test_ordinary_words_are_not_scrubbed_from_other_requests() -> None:
    """A cookie value such as "desktop" recurs in paths by chance; rewriting it would
    break the requests."""
    plan = plan_import("har", _har(
        {"url": "https://a.example/", "cookies": [{"name": "view", "value": "desktop"}]},
        {"url": "https://a.example/desktop/home"}), "a.har")
    assert plan.requests[1].url == "/desktop/home"


def test_a_variable_holding_a_credential_value_is_left_out(written: Written) -> None:
    text = _postman({"name": "r", "request": {"method": "GET", "url": "{{host}}/x"}},
                    auth={"type": "bearer", "bearer": [{"key": "token",
                                                        "value": "tok-a1b2c3d4"}]})
    doc = json.loads(text)
    doc["variable"] = [{"key": "host", "value": "https://a.example"},
                       {"key": "copy", "value": "tok-a1b2c3d4"}]
    plan = plan_import("postman", json.dumps(doc), "c.json")
    assert plan.connections[0].variables == {"host": "https://a.example"}
    assert "Left out the variable 'copy'" in notes_of(plan)
    assert "tok-a1b2c3d4" not in written(plan)
