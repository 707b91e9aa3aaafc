from __future__ import annotations

import base64
import json
from pathlib import Path

import httpx
import pytest

from relaydesk.core.errors import AuthError, HttpsOnlyError, TemplateError, ValidationError
from relaydesk.core.model import (
    AuthSettings,
    Body,
    Connection,
    Environment,
    KeyValue,
    MultipartField,
    Request,
    TlsSettings,
)
from relaydesk.core.prepare import prepare, resolve_variables
from relaydesk.core.secrets import SecretStore


def conn(**kw: object) -> Connection:
    defaults: dict[str, object] = {"path": "jira/cloud", "base_url": "https://h.example/api/v2"}
    defaults.update(kw)
    return Connection(**defaults)  # type: ignore[arg-type]


def req(**kw: object) -> Request:
    defaults: dict[str, object] = {"path": "jira/cloud/Get issue", "url": "/issue/1"}
    defaults.update(kw)
    return Request(**defaults)  # type: ignore[arg-type]


def test_variables_precedence() -> None:
    c = conn(variables={"a": "conn", "b": "conn", "c": "conn"})
    env = Environment("dev", {"b": "env", "c": "env"})
    assert resolve_variables(c, env, {"c": "extra"}) == {"a": "conn", "b": "env", "c": "extra"}
    assert resolve_variables(None, None) == {}


def test_templating_everywhere(secret_store: SecretStore) -> None:
    c = conn(base_url="https://{{host}}/api", headers=[KeyValue("X-Team", "{{team}}")],
             auth=AuthSettings("basic", {"username": "{{user}}"}))
    secret_store.set("jira/cloud", "password", "pw{{not-a-var}}")
    r = req(url="/issue/{{key}}?expand={{expand}}",
            params=[KeyValue("{{pname}}", "{{pval}}"), KeyValue("off", "x", enabled=False)],
            headers=[KeyValue("X-Req", "{{team}}-r")],
            cookies=[KeyValue("sid", "{{sid}}")],
            body=Body(kind="raw", text="hello {{user}}", content_type="text/x-custom"))
    values = {"host": "h.example", "team": "blue", "user": "ann", "key": "ABC-1",
              "expand": "names", "pname": "p", "pval": "v 1", "sid": "s1"}
    p = prepare(r, c, secret_store, values)
    assert p.url == "https://h.example/api/issue/ABC-1?expand=names&p=v%201"
    assert p.header("X-Team") == "blue"
    assert p.header("X-Req") == "blue-r"
    assert p.header("Cookie") == "sid=s1"
    assert p.header("Content-Type") == "text/x-custom"
    assert p.content == b"hello ann"
    # the secret is used verbatim, never templated
    expected = base64.b64encode(b"ann:pw{{not-a-var}}").decode()
    assert p.header("Authorization") == f"Basic {expected}"
    assert "pw{{not-a-var}}" in p.secret_values


def test_unknown_variable_is_sent_as_written_and_listed_with_where() -> None:
    body = Body(kind="json", text='{"d": "{{message}}", "n": "{{account}}"}')
    p = prepare(req(method="post", url="/x/{{nope}}", body=body,
                    headers=[KeyValue("X-Tag", "{{tag}}")]), conn(), None, {"account": "ann"})
    assert p.content == b'{"d": "{{message}}", "n": "ann"}'
    assert p.header("X-Tag") == "{{tag}}"
    assert [(u.name, u.where) for u in p.unresolved] == [
        ("nope", "the URL"), ("tag", "header 'X-Tag'"), ("message", "the JSON body")]
    assert p.unresolved[2].describe() == (
        "{{message}} in the JSON body is not a defined variable; sent as written")


def test_strict_mode_refuses_an_unknown_variable_naming_where() -> None:
    with pytest.raises(TemplateError, match=r"\{\{nope\}\} in the URL"):
        prepare(req(url="/x/{{nope}}"), conn(), None, {}, strict=True)


def test_a_typo_of_a_defined_variable_is_an_error_even_when_lenient() -> None:
    with pytest.raises(TemplateError) as info:
        prepare(req(url="/u/{{usrname}}"), conn(), None, {"username": "ann"})
    assert str(info.value) == ("Unknown variable {{usrname}} in the URL — did you mean "
                               "{{username}}?")


def test_json_body_object_and_array_sent_as_typed() -> None:
    text = '[\n  {"a": 1},\n  {"b": "{{v}}"}\n]'
    p = prepare(req(method="post", body=Body(kind="json", text=text)), conn(), None, {"v": "x"})
    assert p.method == "POST"
    assert p.content == text.replace("{{v}}", "x").encode()
    assert json.loads(p.content or b"") == [{"a": 1}, {"b": "x"}]
    assert p.header("content-type") == "application/json"


def test_json_body_keeps_user_content_type() -> None:
    r = req(body=Body(kind="json", text="{}"),
            headers=[KeyValue("content-type", "application/vnd.api+json")])
    p = prepare(r, conn(), None, {})
    assert [v for k, v in p.headers if k.lower() == "content-type"] == ["application/vnd.api+json"]


def test_invalid_json_names_line_and_column() -> None:
    r = req(body=Body(kind="json", text='{\n  "a": 1,\n  "b": \n}'))
    with pytest.raises(ValidationError, match=r"line 4, column 1"):
        prepare(r, conn(), None, {})


def test_form_body() -> None:
    r = req(body=Body(kind="form", form=[KeyValue("a", "1 2"), KeyValue("b", "{{v}}"),
                                         KeyValue("a", "&")]))
    p = prepare(r, conn(), None, {"v": "é"})
    assert p.content == b"a=1+2&b=%C3%A9&a=%26"
    assert p.header("content-type") == "application/x-www-form-urlencoded"


def test_multipart_reads_files_and_missing_file_is_clear(tmp_path: Path) -> None:
    f = tmp_path / "report.csv"
    f.write_bytes(b"a,b\n1,2\n")
    r = req(body=Body(kind="multipart", multipart=[
        MultipartField("title", "{{t}}"),
        MultipartField("upload", file=str(f), content_type="text/csv"),
    ]), headers=[KeyValue("Content-Type", "multipart/form-data")])
    p = prepare(r, conn(), None, {"t": "Q1"})
    assert p.content is None
    # One ordered list: plain fields (no filename) and files stay where the user put them.
    assert p.files == [("title", (None, b"Q1", None)),
                       ("upload", ("report.csv", b"a,b\n1,2\n", "text/csv"))]
    assert p.header("content-type") is None  # the engine sets it with the boundary

    missing = req(body=Body(kind="multipart", multipart=[
        MultipartField("upload", file=str(tmp_path / "nope.bin"))]))
    with pytest.raises(ValidationError, match=r"Cannot read the file .*nope\.bin.*'upload'"):
        prepare(missing, conn(), None, {})


def test_binary_body(tmp_path: Path) -> None:
    f = tmp_path / "blob.bin"
    f.write_bytes(bytes(range(256)))
    p = prepare(req(body=Body(kind="binary", file=str(f))), conn(), None, {})
    assert p.content == bytes(range(256))
    assert p.header("content-type") == "application/octet-stream"
    with pytest.raises(ValidationError, match="no file"):
        prepare(req(body=Body(kind="binary")), conn(), None, {})


def test_request_headers_override_connection_headers_case_insensitively() -> None:
    c = conn(headers=[KeyValue("X-Trace", "conn"), KeyValue("Accept", "application/json")])
    p = prepare(req(headers=[KeyValue("x-trace", "req")]), c, None, {})
    assert [(k, v) for k, v in p.headers if k.lower() == "x-trace"] == [("x-trace", "req")]
    assert p.header("accept") == "application/json"


@pytest.mark.parametrize(
    ("settings", "field", "secret", "header"),
    [
        (AuthSettings("bearer"), "token", "t0k", ("Authorization", "Bearer t0k")),
        (AuthSettings("token", {"scheme": "Token"}), "token", "abc",
         ("Authorization", "Token abc")),
        (AuthSettings("token", {"scheme": "SSWS"}), "token", "abc", ("Authorization", "SSWS abc")),
        (AuthSettings("apikey", {"name": "X-Api-Key", "in": "header"}), "value", "k1",
         ("X-Api-Key", "k1")),
    ],
)
def test_header_auth_modes(secret_store: SecretStore, settings: AuthSettings, field: str,
                           secret: str, header: tuple[str, str]) -> None:
    secret_store.set("jira/cloud", field, secret)
    p = prepare(req(), conn(auth=settings), secret_store, {})
    assert header in p.headers
    assert secret in p.secret_values


def test_apikey_in_query_and_digest(secret_store: SecretStore) -> None:
    secret_store.set("jira/cloud", "value", "k&1")
    p = prepare(req(url="/x?a=1"), conn(auth=AuthSettings("apikey", {"name": "api_key",
                                                                     "in": "query"})),
                secret_store, {})
    assert p.url == "https://h.example/api/v2/x?a=1&api_key=k%261"
    assert p.sensitive_params == {"api_key"}

    secret_store.set("jira/cloud", "password", "pw")
    d = prepare(req(), conn(auth=AuthSettings("digest", {"username": "u"})), secret_store, {})
    assert isinstance(d.auth, httpx.DigestAuth)
    assert d.header("authorization") is None


def test_missing_secret_names_field_and_command(secret_store: SecretStore) -> None:
    with pytest.raises(AuthError, match=r"`relaydesk secret set jira/cloud token`"):
        prepare(req(), conn(auth=AuthSettings("bearer")), secret_store, {})
    with pytest.raises(AuthError, match="password"):
        prepare(req(), conn(auth=AuthSettings("basic", {"username": "u"})), None, {})


def test_request_auth_override_reads_secrets_under_request_path(
        secret_store: SecretStore) -> None:
    secret_store.set("jira/cloud", "token", "conn-token")
    secret_store.set("jira/cloud/Get issue", "token", "req-token")
    c = conn(auth=AuthSettings("bearer"))
    p = prepare(req(auth=AuthSettings("bearer")), c, secret_store, {})
    assert p.header("authorization") == "Bearer req-token"
    # an override to "none" sends no credentials at all
    p = prepare(req(auth=AuthSettings("none")), c, secret_store, {})
    assert p.header("authorization") is None


def test_oauth2_without_token_says_to_log_in() -> None:
    c = conn(auth=AuthSettings("oauth2", {"grant": "client_credentials"}))
    with pytest.raises(AuthError, match=r"OAuth 2\.0.*`relaydesk auth login jira/cloud`"):
        prepare(req(), c, None, {})
    p = prepare(req(), c, None, {}, oauth_token="at-1")
    assert p.header("authorization") == "Bearer at-1"


def test_https_only_refuses_plain_http() -> None:
    c = conn(base_url="https://h.example", tls=TlsSettings(https_only=True))
    with pytest.raises(HttpsOnlyError, match="HTTPS-only"):
        prepare(req(url="http://h.example/x"), c, None, {})
    assert prepare(req(url="/x"), c, None, {}).https_only


def test_full_url_without_connection_and_bad_urls() -> None:
    p = prepare(Request(path="scratch", url="http://127.0.0.1:1/x"), None, None, {})
    assert p.url == "http://127.0.0.1:1/x"
    assert p.timeout == 60.0
    with pytest.raises(ValidationError, match="not a URL"):
        prepare(Request(path="scratch", url="/relative"), None, None, {})
    with pytest.raises(ValidationError, match="not a URL"):
        prepare(Request(path="scratch", url="ftp://h/x"), None, None, {})


def test_timeout_override() -> None:
    r = req()
    r.options.timeout = 2.5
    assert prepare(r, conn(timeout=9), None, {}).timeout == 2.5
    assert prepare(req(), conn(timeout=9), None, {}).timeout == 9


def test_prepared_request_sends_through_mock_transport(secret_store: SecretStore) -> None:
    """The prepared request turns into exactly these bytes through httpx."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    secret_store.set("jira/cloud", "token", "s3cret")
    p = prepare(req(method="PUT", body=Body(kind="json", text='{"x": 1}')),
                conn(auth=AuthSettings("bearer")), secret_store, {})
    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        client.request(p.method, p.url, headers=p.headers, content=p.content)
    assert seen[0].headers["authorization"] == "Bearer s3cret"
    assert seen[0].content == b'{"x": 1}'
