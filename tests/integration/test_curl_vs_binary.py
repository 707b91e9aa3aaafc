"""What curl sends, Relaydesk sends.

Each real-world command is run twice against the loopback echo server: once by the
real ``curl`` binary (through bash, so the shell does the quoting), once by parsing it
with ``parse_curl`` and sending the request with Relaydesk's ``Engine``. The server's
view of both must agree: method, raw path, raw query, headers, body bytes.

Headers are compared as a multiset of (lower-case name, exact value), except
``Accept-Encoding`` and ``Connection`` (transport details of each client), and
``User-Agent`` / ``Accept`` unless the command sets them itself. Multipart bodies are
compared with the random boundary replaced by a fixed marker (so their Content-Length,
which grows with the boundary, is checked against each side's own body instead). The
query is compared byte for byte except for the case of %-escapes, which RFC 3986
(2.1, 6.2.2.1) makes equivalent: curl 7.88 lower-cases them when -G appends data.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from relaydesk.core.curl import parse_curl, to_curl
from relaydesk.core.engine import Engine
from relaydesk.core.model import AuthSettings, Body, KeyValue, MultipartField, Request
from relaydesk.core.secrets import SecretStore

pytestmark = [
    pytest.mark.curl,
    pytest.mark.skipif(shutil.which("curl") is None or shutil.which("bash") is None,
                       reason="the curl binary (and bash) are needed to compare with curl"),
]

REQUEST_PATH = "curl/import"  # request-level auth reads its secrets under this path


@dataclass
class Case:
    id: str
    command: str  # "{url}" is replaced by the echo server's base URL
    must_have: tuple[str, ...] = ()  # header names both requests must carry
    files: dict[str, bytes] = field(default_factory=dict)
    one_off: bool = False  # parsed as `send --curl` does (a Host header is kept)


CASES = [
    Case("chrome-copy-as-curl", r"""curl '{url}/echo/graphql?op=Search&v=2' \
  -H 'accept: */*' \
  -H 'accept-language: en-GB,en;q=0.9,fr;q=0.8' \
  -H 'content-type: application/json' \
  -b 'sid=abc123; theme=dark' \
  -H 'origin: https://app.example.com' \
  -H 'priority: u=1, i' \
  -H 'referer: https://app.example.com/search' \
  -H 'sec-ch-ua: "Chromium";v="124", "Google Chrome";v="124", "Not-A.Brand";v="99"' \
  -H 'sec-ch-ua-mobile: ?0' \
  -H 'sec-ch-ua-platform: "Linux"' \
  -H 'sec-fetch-dest: empty' \
  -H 'sec-fetch-mode: cors' \
  -H 'sec-fetch-site: same-origin' \
  -H 'user-agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36' \
  --data-raw '{"operationName":"Search","variables":{"q":"it'\''s","first":10},'\
'"query":"query Search($q: String!) { search(q: $q) { id } }"}' \
  --compressed""",
         must_have=("cookie", "content-type", "sec-ch-ua", "origin", "user-agent", "accept",
                    "content-length")),
    Case("firefox-copy-as-curl", r"""curl '{url}/echo/cart/add' -X POST \
  -H 'User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0' \
  -H 'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' \
  -H 'Accept-Language: en-US,en;q=0.5' -H 'Accept-Encoding: gzip, deflate, br' \
  -H 'Content-Type: application/x-www-form-urlencoded' -H 'Origin: http://shop.test' \
  -H 'Connection: keep-alive' -H 'Cookie: session=xyz; cart=3' \
  -H 'Upgrade-Insecure-Requests: 1' -H 'Sec-Fetch-Dest: document' \
  --data-raw 'item=42&qty=1&note=gift+wrap'""",
         must_have=("cookie", "content-type", "origin", "upgrade-insecure-requests")),
    Case("api-doc-basic-auth-json", """curl -u 'ops@example.com:s3cr:et!' \\
  -H "Content-Type: application/json" \\
  -d '{"fields": {"project": {"key": "OPS"}, "summary": "Disk full"}}' \\
  {url}/echo/rest/api/3/issue""",
         must_have=("authorization", "content-type", "content-length")),
    Case("get-with-data-urlencode",
         "curl -G {url}/echo/search -d limit=5 --data-urlencode 'q=name = \"Ada Lovelace\"' "
         "--data-urlencode 'tags=a&b'"),
    Case("multipart-file-upload",
         "curl -F 'title=Quarterly report' -F 'note=<note.txt' "
         "-F 'attachment=@report.txt' -F 'data=@data.bin;type=application/x-custom' "
         "{url}/echo/upload",
         must_have=("content-type",),
         files={"note.txt": b"read from a file", "report.txt": b"line 1\nline 2\n",
                "data.bin": bytes(range(256))}),
    Case("multipart-file-before-field",  # parts keep the command's order
         "curl -F 'attachment=@report.txt' -F 'title=After the file' {url}/echo/upload",
         must_have=("content-type",), files={"report.txt": b"first\n"}),
    Case("json-option", """curl --json '{"name": "relaydesk", "tags": ["a", "b"]}' """
         "{url}/echo/items", must_have=("content-type", "accept")),
    Case("data-binary-file", "curl --data-binary @payload.bin -H 'Content-Type: "
         "application/octet-stream' {url}/echo/blob",
         must_have=("content-type",), files={"payload.bin": b"\x00\x01\r\n\xff binary\n"}),
    Case("data-from-file-strips-newlines", "curl -d @form.txt {url}/echo/form",
         must_have=("content-type",), files={"form.txt": b"a=1\r\n&b=two\n&c=3\n"}),
    Case("cookies-option", "curl -b 'session=abc; theme=dark; lang=en' {url}/echo/me",
         must_have=("cookie",)),
    Case("ansi-c-quoting", r"""curl -H $'X-Note: tab\there' \
  --data-binary $'line one\nline \'two\'\ncaf\u00e9 \u2603 \xe2\x82\xac' \
  -H 'Content-Type: text/plain; charset=utf-8' {url}/echo/notes""",
         must_have=("x-note", "content-type")),
    Case("repeated-query-keys", "curl '{url}/echo/list?tag=b&tag=a&tag=b&page=2&empty='"),
    Case("user-agent-and-referer", "curl -A 'MyClient/2.1 (+https://example.com)' "
         "-e 'https://example.com/start' {url}/echo/ua", must_have=("user-agent", "referer")),
    Case("put-json", """curl -X PUT {url}/echo/items/7 -H 'Content-Type: application/json' \
  -H 'If-Match: "v3"' -d '[{"op": "replace", "path": "/name", "value": "x"}]'""",
         must_have=("if-match",)),
    Case("patch-raw", """curl -sS -XPATCH --data-raw 'status=closed&reason=done' \
  -H 'X-Request-Id: 123e4567-e89b-12d3-a456-426614174000' {url}/echo/tickets/9"""),
    Case("delete-with-bearer-header", "curl -X DELETE -H 'Authorization: Bearer abc.def.ghi' "
         "-H 'Accept: application/json' {url}/echo/items/7",
         must_have=("authorization", "accept")),
    Case("combined-flags", "curl -sSLk --max-time 10 --connect-timeout 3 -H 'X-Trace: 1' "
         "-XPOST -d 'a=1' -d 'b=2' -d 'c=x y' {url}/echo/combined"),
    Case("post-data-urlencode", "curl --data-urlencode 'comment=hello world & more/100%' "
         "--data-urlencode '=raw value' {url}/echo/comments"),
    Case("raw-query-kept-as-typed", "curl '{url}/echo/a%20b/c?q=a+b&list=1%2C2&flag' "
         "-H 'X-Empty;'", must_have=("x-empty",)),
    # issue 13: what curl 7.88 really sends for each of these
    Case("range-start-only", "curl --range 600 {url}/echo/file", must_have=("range",)),
    Case("bare-question-mark", "curl '{url}/echo/c?'"),
    Case("url-query", "curl --url-query 'q=a b&c' --url-query '+raw=%20x' "
         "--url-query n@q.txt '{url}/echo/s?page=2'", files={"q.txt": b"x y\n"}),
    Case("long-option-abbreviations", "curl --sil --user-ag 'Bot/1' --data-urlen 'a=b c' "
         "{url}/echo/abbr", must_have=("user-agent",)),
    Case("cookie-file", "curl -b jar.txt -b 'extra=1' {url}/echo/api/v1", must_have=("cookie",),
         files={"jar.txt": b"# Netscape HTTP Cookie File\n"
                b"127.0.0.1\tFALSE\t/\tFALSE\t0\tsid\tabc\n"
                b"#HttpOnly_127.0.0.1\tFALSE\t/echo/api\tFALSE\t0\tdeep\t1\n"
                b"127.0.0.1\tFALSE\t/other\tFALSE\t0\tnot_here\t1\n"}),
    Case("virtual-host-header", "curl -H 'Host: tenant.example.test' {url}/echo/vhost",
         must_have=("host",), one_off=True),
    Case("cookie-header-and-oauth-bearer", "curl --oauth2-bearer tok123 "
         "-H 'Cookie: a=1; b=2' {url}/echo/private", must_have=("authorization", "cookie")),
]


def _echo(raw: bytes) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(raw)
    data["body"] = base64.b64decode(data.pop("body_b64"))
    return data


def _boundary(headers: list[list[str]]) -> str | None:
    for name, value in headers:
        if name == "content-type" and "boundary=" in value:
            return value.partition("boundary=")[2].strip('"')
    return None


def _normalise(seen: dict[str, Any], ignored: set[str]) -> dict[str, Any]:
    headers: list[list[str]] = seen["headers"]
    body: bytes = seen["body"]
    boundary = _boundary(headers)
    kept = []
    for name, value in headers:
        if name in ignored:
            continue
        if boundary:
            value = value.replace(boundary, "BOUNDARY")
        kept.append((name, value))
    if boundary:
        length = next(v for n, v in kept if n == "content-length")
        assert int(length) == len(body)
        kept = [(n, v) for n, v in kept if n != "content-length"]
        body = body.replace(boundary.encode(), b"BOUNDARY")
    query = re.sub(r"%[0-9a-fA-F]{2}", lambda m: m.group(0).upper(), seen["query"])
    return {"method": seen["method"], "path": seen["path"], "query": query,
            "headers": sorted(kept), "body": body}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
async def test_relaydesk_sends_what_curl_sends(
    case: Case, echo_server: str, tmp_path: Path, secret_store: SecretStore
) -> None:
    for name, content in case.files.items():
        (tmp_path / name).write_bytes(content)
    command = case.command.replace("{url}", echo_server)

    ran = subprocess.run(["bash", "--noprofile", "--norc", "-c", command], cwd=tmp_path,
                         capture_output=True, timeout=30, check=False)
    assert ran.returncode == 0, ran.stderr.decode(errors="replace")
    by_curl = _echo(ran.stdout)

    imported = parse_curl(command, cwd=tmp_path, one_off=case.one_off)
    request = imported.request
    request.path = REQUEST_PATH
    for field_name, value in imported.secrets.items():
        secret_store.set(REQUEST_PATH, field_name, value)
    engine = Engine(secret_store)
    try:
        response = await engine.send(request, None)
    finally:
        await engine.aclose()
    assert response.status == 200
    by_relaydesk = _echo(response.content())

    assert not [n for n in imported.notes if "cannot reproduce exactly" in n]
    explicit = {h.name.lower() for h in request.headers}
    ignored = {"accept-encoding", "connection"} | (
        {"user-agent", "accept"} - explicit - ({"accept"} if "json" in command else set()))
    expected, actual = _normalise(by_curl, ignored), _normalise(by_relaydesk, ignored)
    for name in case.must_have:
        assert any(n == name for n, _ in expected["headers"]), f"curl sent no {name}"
        assert any(n == name for n, _ in actual["headers"]), f"Relaydesk sent no {name}"
    assert actual == expected


# -- the other way: "Copy as curl" run by the real curl sends what Relaydesk sends ----------

def _export_cases(folder: Path) -> list[Request]:
    (folder / "report.txt").write_bytes(b"report\r\nbody\n")
    (folder / "blob.bin").write_bytes(b"\x00\x01\x02 nul and \xff\n")
    return [
        Request(REQUEST_PATH, "GET", "/echo/search", params=[
            KeyValue("q", "café & co/2"), KeyValue("tag", "a"), KeyValue("tag", "b")],
            headers=[KeyValue("X-Quote", "it's \"quoted\" $HOME `x`")],
            cookies=[KeyValue("sid", "abc"), KeyValue("theme", "dark")]),
        Request(REQUEST_PATH, "POST", "/echo/items",
                body=Body("json", '{\n  "name": "caf\u00e9 \u2603",\n  "n": [1, 2]\n}')),
        Request(REQUEST_PATH, "PUT", "/echo/notes",
                body=Body("raw", "line 1\nline 'two'\ttab", content_type="text/plain")),
        Request(REQUEST_PATH, "PATCH", "/echo/form", body=Body("form", form=[
            KeyValue("a", "1 2"), KeyValue("b", "x&y=z")])),
        Request(REQUEST_PATH, "POST", "/echo/blob",
                body=Body("binary", file=str(folder / "blob.bin"))),
        Request(REQUEST_PATH, "POST", "/echo/upload", body=Body("multipart", multipart=[
            MultipartField("title", "Q1; final, \"really\""),
            MultipartField("doc", file=str(folder / "report.txt"), content_type="text/plain"),
        ])),
        Request(REQUEST_PATH, "DELETE", "/echo/items/7",
                auth=AuthSettings("basic", {"username": "ops@example.com"})),
        # A body starting with @ is text, not "read this file".
        Request(REQUEST_PATH, "POST", "/echo/mention",
                body=Body("raw", "@/etc/hostname please", content_type="text/plain")),
    ]


@pytest.mark.parametrize("index", range(8))
async def test_copy_as_curl_sends_what_relaydesk_sends(
    index: int, echo_server: str, tmp_path: Path, secret_store: SecretStore
) -> None:
    request = _export_cases(tmp_path)[index]
    request.url = echo_server + request.url
    secret_store.set(REQUEST_PATH, "password", "pa:ss w'rd")
    engine = Engine(secret_store)
    try:
        command = to_curl(await engine.prepare(request, None))
        response = await engine.send(request, None)
    finally:
        await engine.aclose()
    by_relaydesk = _echo(response.content())
    ran = subprocess.run(["bash", "--noprofile", "--norc", "-c", command], cwd=tmp_path,
                         capture_output=True, timeout=30, check=False)
    assert ran.returncode == 0, ran.stderr.decode(errors="replace")
    by_curl = _echo(ran.stdout)
    ignored = {"accept-encoding", "connection", "user-agent", "accept"}
    assert _normalise(by_curl, ignored) == _normalise(by_relaydesk, ignored)
