"""Every snippet kind, run for real, sends what Relaydesk's engine sends.

For each request below (every body type, odd characters, repeated query keys, every
non-interactive auth mode) the engine sends it to the loopback echo server, then each
generated snippet is run — the ``curl`` binary, HTTPie's ``http``, Python with httpx
and requests, Node (fetch and node:http), Go when a toolchain is on PATH, and the
``relaydesk`` import snippet (exec'd in-process so ``relaydesk.connect`` can use the
in-memory test keyring through ``keyring.set_keyring``) — and what the server received
must be equal: method, raw path, raw query, headers (less User-Agent, Accept,
Accept-Encoding, Connection and framing headers; fetch's two mandatory Fetch-standard
headers too), body bytes, multipart parts with the boundary taken out.

Snippets run in their default mode: secrets are environment-variable references, and
the test sets those variables to the stored secrets (``snippet_environment``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from relaydesk.core.engine import Engine
from relaydesk.core.exporters.snippets import SNIPPET_KINDS, snippet_environment, snippet_for
from relaydesk.core.model import (
    AuthSettings,
    Body,
    Connection,
    KeyValue,
    MultipartField,
    Request,
)
from relaydesk.core.prepare import prepare, resolve_variables
from relaydesk.core.secrets import SecretStore
from relaydesk.core.workspace import Workspace
from tests.integration.snippet_harness import FETCH_HEADERS, normalise, run_snippet, runner_missing

ODD = "it's \"$HOME\" `id` \\ ! * ; & | < > ( ) # ~ {braces}"

AUTHS: dict[str, tuple[AuthSettings, dict[str, str]]] = {
    "none": (AuthSettings(), {}),
    "basic": (AuthSettings("basic", {"username": "ann"}), {"password": "s3cr3t \"$x\" 'q' `w`"}),
    "bearer": (AuthSettings("bearer"), {"token": "tok-123.abc~XYZ"}),
    "token": (AuthSettings("token", {"scheme": "Token"}), {"token": "tkn_987"}),
    "apikey-header": (AuthSettings("apikey", {"name": "X-API-Key", "in": "header"}),
                      {"value": "key-abc-123"}),
    "apikey-query": (AuthSettings("apikey", {"name": "api_key", "in": "query"}),
                     {"value": "qkey-123_~."}),
}


@dataclass
class Case:
    id: str
    request: Request
    auth: str = "none"
    files: dict[str, bytes] = field(default_factory=dict)


def _req(**kw: Any) -> Request:
    return Request(path="svc/api/case", **kw)


CASES = [
    Case("get-odd-query", _req(
        method="GET", url="/echo/items/é x",
        params=[KeyValue("q", "a b"), KeyValue("q", "$`x'\""), KeyValue("uni", "é😀"),
                KeyValue("amp", "a&b=c"), KeyValue("empty", "")],
        headers=[KeyValue("X-Odd", ODD), KeyValue("X-Empty", "")],
        cookies=[KeyValue("sid", "abc123"), KeyValue("theme", "dark")])),
    Case("post-json", _req(
        method="POST", url="/echo/json",
        body=Body(kind="json", text='{\n  "text": "é \\n \\"q\\" `b` $x",\n  "list": [1, 2]\n}'))),
    Case("put-form", _req(
        method="PUT", url="/echo/form",
        body=Body(kind="form", form=[KeyValue("name", "Ann O'Neil"), KeyValue("x", "1&2=3"),
                                     KeyValue("uni", "ünï $`"), KeyValue("x", "again")]))),
    Case("patch-raw", _req(
        method="PATCH", url="/echo/raw",
        body=Body(kind="raw", text="line one\nline 'two'\r\n\ttab $HOME `id`\n",
                  content_type="text/plain; charset=utf-8"))),
    Case("post-binary", _req(
        method="POST", url="/echo/bin",
        body=Body(kind="binary", file="blob.bin", content_type="application/octet-stream")),
        files={"blob.bin": bytes(range(256)) + b"\x00\xff@end"}),
    Case("post-multipart", _req(
        method="POST", url="/echo/upload",
        body=Body(kind="multipart", multipart=[
            MultipartField("title", "Q3 report: $x `y` 'z' é"),
            MultipartField("doc", file="notes.txt"),
            MultipartField("data", file="data.json", content_type="application/json"),
        ])), files={"notes.txt": b"hello\nworld\n", "data.json": b'{"a": 1}'}),
    Case("delete-no-body", _req(method="DELETE", url="/echo/items/42")),
    *[Case(f"auth-{name}", _req(method="POST" if name == "basic" else "GET",
                                url="/echo/secure", params=[KeyValue("page", "2")],
                                body=Body(kind="json", text='{"ok": true}') if name == "basic"
                                else Body()),
           auth=name) for name in AUTHS if name != "none"],
]


def _setup(tmp_path: Path, echo_server: str, case: Case, keyring: Any
           ) -> tuple[Workspace, SecretStore, Connection, Request]:
    ws = Workspace.open(tmp_path / "ws")
    store = SecretStore.for_workspace(keyring, ws)
    auth, secrets = AUTHS[case.auth]
    conn = ws.save_connection(Connection(
        path="svc/api", base_url=echo_server, auth=auth,
        headers=[KeyValue("X-Conn", "from-connection")]), create=True)
    for name, value in secrets.items():
        store.set(conn.path, name, value)
    files = tmp_path / "files"
    files.mkdir()
    for name, data in case.files.items():
        (files / name).write_bytes(data)
    body = case.request.body
    if body.kind == "binary":
        body.file = str(files / body.file)
    for part in body.multipart:
        if part.file:
            part.file = str(files / part.file)
    req = ws.save_request(case.request, create=True)
    return ws, store, conn, req


@pytest.mark.parametrize("kind", SNIPPET_KINDS)
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
async def test_snippet_sends_what_the_engine_sends(
    kind: str, case: Case, echo_server: str, tmp_path: Path, memory_keyring: Any,
) -> None:
    missing = runner_missing(kind)
    if missing:
        pytest.skip(f"cannot run the {kind} snippet: {missing}")
    ws, store, conn, req = _setup(tmp_path, echo_server, case, memory_keyring)
    engine = Engine(store)
    try:
        expected = (await engine.send(req, conn)).json()
    finally:
        await engine.aclose()
    variables = resolve_variables(conn, None)
    code = snippet_for(kind, req, conn, store, variables)
    prepared = prepare(req, conn, store, variables)
    env = snippet_environment(prepared, auth=conn.auth, connection_path=conn.path)
    for secret in AUTHS[case.auth][1].values():
        assert secret not in code, f"the {kind} snippet shows a secret:\n{code}"
    # Run from elsewhere than the files' folder: a snippet must read a file by the
    # path the request gives, not by its base name (issue 13).
    got = run_snippet(kind, code, tmp_path, env, workspace=ws.root,
                      keyring_backend=memory_keyring)
    fetch = kind == "javascript-fetch"
    drop = FETCH_HEADERS if fetch else set()
    assert normalise(got, drop=drop, whatwg=fetch) == normalise(expected, whatwg=fetch), code


def test_include_secrets_puts_real_values(tmp_path: Path, echo_server: str,
                                          memory_keyring: Any) -> None:
    case = next(c for c in CASES if c.id == "auth-bearer")
    _ws, store, conn, req = _setup(tmp_path, echo_server, case, memory_keyring)
    variables = resolve_variables(conn, None)
    for kind in SNIPPET_KINDS:
        default = snippet_for(kind, req, conn, store, variables)
        full = snippet_for(kind, req, conn, store, variables, include_secrets=True)
        assert "tok-123.abc~XYZ" not in default
        if kind != "relaydesk":  # the relaydesk snippet never needs a secret
            assert "tok-123.abc~XYZ" in full
            assert "SVC_API_TOKEN" in default, default
