"""to_curl: shell-safe quoting, and parse(to_curl(prepare(req))) sends the same request."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relaydesk.core.curl import parse_curl, shell_quote, to_curl
from relaydesk.core.curl_lex import split_command
from relaydesk.core.model import AuthSettings, Body, KeyValue, MultipartField, Request
from relaydesk.core.prepare import PreparedRequest, prepare
from relaydesk.core.secrets import SecretStore
from relaydesk.core.snippets import connection_import_line, python_identifier

PATH = "tests/exported"


def _prepare(req: Request, secrets: SecretStore | None = None) -> PreparedRequest:
    return prepare(req, None, secrets, {})


def _same(a: PreparedRequest, b: PreparedRequest) -> None:
    assert a.method == b.method
    assert a.url == b.url
    assert sorted((k.lower(), v) for k, v in a.headers) == sorted(
        (k.lower(), v) for k, v in b.headers)
    assert a.content == b.content
    assert (a.files or []) == (b.files or [])
    assert a.follow_redirects == b.follow_redirects


def _round_trip(req: Request, cwd: Path, secrets: SecretStore | None = None) -> PreparedRequest:
    first = _prepare(req, secrets)
    command = to_curl(first)
    imported = parse_curl(command, cwd=cwd)
    again = imported.request
    again.path = PATH
    if secrets is not None:
        for name, value in imported.secrets.items():
            secrets.set(PATH, name, value)
    second = _prepare(again, secrets)
    _same(first, second)
    return second


def test_quoting_rules() -> None:
    assert shell_quote("plain-word_1.2/x@y:z=w,%+") == "plain-word_1.2/x@y:z=w,%+"
    assert shell_quote("") == "''"
    assert shell_quote("it's $HOME `x` !") == "'it'\\''s $HOME `x` !'"
    assert shell_quote("café ☃") == "'café ☃'"
    assert shell_quote("a\nb\t'c'\\") == "$'a\\nb\\t\\'c\\'\\\\'"
    assert shell_quote(b"\xff\x01") == "$'\\xff\\x01'"
    with pytest.raises(ValueError):
        shell_quote("a\x00b")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_characters="\x00",
                                      blacklist_categories=("Cs",)), max_size=40))
def test_quoted_words_split_back_to_themselves(value: str) -> None:
    assert split_command("curl " + shell_quote(value))[0] == ["curl", value]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_characters="\x00",
                                      blacklist_categories=("Cs",)), max_size=30))
def test_bash_reads_quoted_words_back(value: str) -> None:
    out = subprocess.run(["bash", "--norc", "--noprofile", "-c",
                          "printf %s " + shell_quote(value)], capture_output=True, check=True)
    assert out.stdout == value.encode("utf-8")


def test_simple_get_and_multiline_layout(tmp_path: Path) -> None:
    req = Request(PATH, "GET", "https://api.example.com/v1/items",
                  params=[KeyValue("q", "a b"), KeyValue("tag", "x"), KeyValue("tag", "y")],
                  headers=[KeyValue("X-Trace", "it's")])
    req.options.follow_redirects = False
    command = to_curl(_prepare(req))
    assert command == ("curl 'https://api.example.com/v1/items?q=a%20b&tag=x&tag=y' \\\n"
                       "  -H 'X-Trace: it'\\''s'")
    assert "\n" not in to_curl(_prepare(req), multiline=False)
    _round_trip(req, tmp_path)


def test_method_flag_only_when_needed() -> None:
    get = to_curl(_prepare(Request(PATH, "GET", "http://h/x")), multiline=False)
    post = to_curl(_prepare(Request(PATH, "POST", "http://h/x", body=Body("raw", "a"))),
                   multiline=False)
    put = to_curl(_prepare(Request(PATH, "PUT", "http://h/x", body=Body("raw", "a"))),
                  multiline=False)
    head = to_curl(_prepare(Request(PATH, "HEAD", "http://h/x")), multiline=False)
    empty_post = to_curl(_prepare(Request(PATH, "POST", "http://h/x")), multiline=False)
    assert "-X" not in get and "-X" not in post and "-X PUT" in put
    assert "--head" in head and "-X" not in head
    assert "-X POST" in empty_post
    assert " -L" in get  # Relaydesk follows redirects by default, curl does not


@pytest.mark.parametrize("body", [
    Body("json", '{\n  "name": "café",\n  "n": [1, 2]\n}'),
    Body("raw", "line 1\r\nline 2 'quoted' $HOME", content_type="text/plain"),
    Body("form", form=[KeyValue("a", "1 2"), KeyValue("b", "&=")]),
])
def test_bodies_round_trip(body: Body, tmp_path: Path) -> None:
    req = Request(PATH, "POST", "http://h/x", body=body,
                  headers=[KeyValue("X-A", "1")], cookies=[KeyValue("sid", "s")])
    _round_trip(req, tmp_path)


def test_binary_body_with_nul_bytes_is_piped(tmp_path: Path) -> None:
    (tmp_path / "blob.bin").write_bytes(b"\x00\x01%\\'\xff end\n")
    req = Request(PATH, "PUT", "http://h/x", body=Body("binary", file=str(tmp_path / "blob.bin")))
    command = to_curl(_prepare(req))
    assert command.startswith("printf '\\000\\001\\045\\134\\047\\377 end\\012' | curl")
    assert "--data-binary @-" in command


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_printf_pipe_writes_exact_bytes(tmp_path: Path) -> None:
    data = bytes(range(256))
    (tmp_path / "all.bin").write_bytes(data)
    req = Request(PATH, "POST", "http://h/x", body=Body("binary", file=str(tmp_path / "all.bin")))
    pipe = to_curl(_prepare(req)).split(" | curl", 1)[0]
    out = subprocess.run(["bash", "--norc", "--noprofile", "-c", pipe], capture_output=True,
                         check=True)
    assert out.stdout == data


def test_multipart_round_trip(tmp_path: Path) -> None:
    (tmp_path / "report.txt").write_text("hello\n")
    req = Request(PATH, "POST", "http://h/upload", body=Body("multipart", multipart=[
        MultipartField("title", "Q1; final, \"really\""),
        MultipartField("at", "@not-a-file"),
        MultipartField("doc", file=str(tmp_path / "report.txt"), content_type="text/plain"),
    ]))
    command = to_curl(_prepare(req))
    assert "-F 'doc=@report.txt;type=text/plain'" in command
    second = _round_trip(req, tmp_path)
    assert second.files == [("title", (None, b'Q1; final, "really"', None)),
                            ("at", (None, b"@not-a-file", None)),
                            ("doc", ("report.txt", b"hello\n", "text/plain"))]


def test_basic_auth_travels_as_header(tmp_path: Path, secret_store: SecretStore) -> None:
    secret_store.set(PATH, "password", "pa:ss")
    req = Request(PATH, "GET", "http://h/x", auth=AuthSettings("basic", {"username": "me"}))
    command = to_curl(_prepare(req, secret_store))
    assert "-H 'Authorization: Basic bWU6cGE6c3M='" in command
    _round_trip(req, tmp_path, secret_store)


def test_digest_auth_uses_digest_flag(tmp_path: Path, secret_store: SecretStore) -> None:
    secret_store.set(PATH, "password", "pw")
    req = Request(PATH, "GET", "http://h/x", auth=AuthSettings("digest", {"username": "me"}))
    prepared = _prepare(req, secret_store)
    assert isinstance(prepared.auth, httpx.DigestAuth)
    command = to_curl(prepared)
    assert "--digest -u me:pw" in command
    imported = parse_curl(command)
    assert imported.request.auth == AuthSettings("digest", {"username": "me"})
    assert imported.secrets == {"password": "pw"}


def test_body_without_type_tells_curl_not_to_add_one() -> None:
    prepared = _prepare(Request(PATH, "POST", "http://h/x", body=Body("raw", "x")))
    prepared.headers = [(k, v) for k, v in prepared.headers if k.lower() != "content-type"]
    assert "-H 'Content-Type:'" in to_curl(prepared)


# -- the import line -----------------------------------------------------------------------

@pytest.mark.parametrize(("path", "var", "line"), [
    ("jira/cloud", "jira", 'jira = relaydesk.connect("jira/cloud")'),
    # Named after the connection (the last segment), not the folders above it.
    ("jira/cloud", None, 'cloud = relaydesk.connect("jira/cloud")'),
    ("modes/bearer", None, 'bearer = relaydesk.connect("modes/bearer")'),
    ("github", None, 'github = relaydesk.connect("github")'),
    ("ops/Service Desk-2", None, 'service_desk_2 = relaydesk.connect("ops/Service Desk-2")'),
    ("apis/2fa", None, 'api_2fa = relaydesk.connect("apis/2fa")'),
    ("x/class", None, 'class_ = relaydesk.connect("x/class")'),
    ("x/Zürich API", None, 'zurich_api = relaydesk.connect("x/Zürich API")'),
    ("/a/b/", None, 'b = relaydesk.connect("a/b")'),
    ("x/y", "my client", 'my_client = relaydesk.connect("x/y")'),
])
def test_connection_import_line(path: str, var: str | None, line: str) -> None:
    assert connection_import_line(path, var) == line
    compile(connection_import_line(path, var), "<snippet>", "exec")


@given(st.text(max_size=30))
def test_python_identifier_is_always_valid(text: str) -> None:
    name = python_identifier(text)
    assert name.isidentifier()
    compile(f"{name} = 1", "<x>", "exec")
