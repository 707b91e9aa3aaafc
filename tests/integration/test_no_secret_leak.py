"""After a full workflow with every auth mode, no secret is in any workspace file.

Connections are made and secrets stored through the real CLI and the real Secret
Service; requests are sent (CLI, engine with its response cache, Python API, a
curl import with credentials), items are moved; then every file of the workspace
is scanned for each canary in every form it could take on the wire.
"""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

import relaydesk
from relaydesk.core.cache import ResponseCache
from relaydesk.core.engine import Engine
from relaydesk.core.secrets import SecretStore, system_keyring
from relaydesk.core.workspace import Workspace
from tests.integration.clitools import requires_secret_service, run_cli, snapshot

pytestmark = [pytest.mark.keyring, requires_secret_service]

CANARIES = {
    "basic": "canary-basic-Pw-1111",
    "bearer": "canary-bearer-2222",
    "token": "canary-token-3333",
    "apikey-header": "canary-apikey-h-4444",
    "apikey-query": "canary-apikey-q-5555",
    "digest": "canary-digest-6666",
    "oauth2": "canary-client-secret-7777",
    "curl-user": "canary-curl-user-8888",
    "curl-bearer": "canary-curl-bearer-9999",
}


def forms(secret: str) -> set[bytes]:
    """Every way a secret could be written: as is, percent-encoded, in a Basic header."""
    out = {secret, quote(secret, safe=""), base64.b64encode(secret.encode()).decode()}
    for user in ("alice", "dave", "carol"):
        out.add(base64.b64encode(f"{user}:{secret}".encode()).decode())
    return {f.encode() for f in out}


def new(ws: Path, *args: str) -> None:
    result = run_cli(ws, "new", *args)
    assert result.code == 0, result


def secret(ws: Path, path: str, field: str, value: str) -> None:
    result = run_cli(ws, "secret", "set", path, field, input=value + "\n")
    assert result.code == 0, result
    assert value not in result.err


def sent_headers(result: Any) -> str:
    assert result.code == 0, result
    return json.dumps(json.loads(result.out)["headers"])


def test_no_secret_in_any_workspace_file(
        tmp_path: Path, echo_server: str, httpbin_server: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    ws = tmp_path / "ws"
    history = tmp_path / "history.db"  # what `send` records is scanned too
    monkeypatch.setenv("RELAYDESK_HISTORY", str(history))
    c = CANARIES
    new(ws, "connection", "m/basic", "--base-url", echo_server, "--auth", "basic",
        "--set", "username=alice")
    new(ws, "connection", "m/bearer", "--base-url", echo_server, "--auth", "bearer")
    new(ws, "connection", "m/token", "--base-url", echo_server, "--auth", "token",
        "--set", "scheme=Token")
    new(ws, "connection", "m/keyh", "--base-url", echo_server, "--auth", "apikey",
        "--set", "name=X-Api-Key", "--set", "in=header")
    new(ws, "connection", "m/keyq", "--base-url", echo_server, "--auth", "apikey",
        "--set", "name=api_key", "--set", "in=query", "--cache-ttl", "60")
    new(ws, "connection", "m/digest", "--base-url", httpbin_server, "--auth", "digest",
        "--set", "username=dave")
    new(ws, "connection", "m/oauth", "--base-url", echo_server, "--auth", "oauth2",
        "--set", "grant=client_credentials", "--set", f"token_url={echo_server}/token",
        "--set", "client_id=app")
    secret(ws, "m/basic", "password", c["basic"])
    secret(ws, "m/bearer", "token", c["bearer"])
    secret(ws, "m/token", "token", c["token"])
    secret(ws, "m/keyh", "value", c["apikey-header"])
    secret(ws, "m/keyq", "value", c["apikey-query"])
    secret(ws, "m/digest", "password", c["digest"])
    secret(ws, "m/oauth", "client_secret", c["oauth2"])

    for conn in ("m/basic", "m/bearer", "m/token", "m/keyh", "m/keyq"):
        new(ws, "request", f"{conn}/r", "--url", "/echo/{{$uuid}}", "--param", "page=1")
    # httpbin's digest endpoint names the expected password in its path: a variable,
    # given at send time, keeps it out of the request file.
    new(ws, "request", "m/digest/r", "--url", "/digest-auth/auth/dave/{{pw}}")

    # Every secret really went out (so the scan below proves something).
    assert c["basic"] not in sent_headers(run_cli(ws, "send", "m/basic/r"))  # base64'd
    assert base64.b64encode(f"alice:{c['basic']}".encode()).decode() in sent_headers(
        run_cli(ws, "send", "m/basic/r"))
    assert c["bearer"] in sent_headers(run_cli(ws, "send", "m/bearer/r"))
    assert c["token"] in sent_headers(run_cli(ws, "send", "m/token/r"))
    assert c["apikey-header"] in sent_headers(run_cli(ws, "send", "m/keyh/r"))
    keyq = run_cli(ws, "send", "m/keyq/r")
    assert keyq.code == 0 and c["apikey-query"] in json.loads(keyq.out)["query"]
    assert run_cli(ws, "send", "m/digest/r", "--fail", "--var", f"pw={c['digest']}").code == 0
    assert run_cli(ws, "send", "m/basic/r", "-o", str(tmp_path / "body.json")).code == 0

    # Credentials pasted in curl commands go to the keyring, not the request file.
    imported = run_cli(ws, "import", "curl", "-", "--into", "m/bearer/from-curl",
                       input=f"curl -u carol:{c['curl-user']} {echo_server}/echo/c")
    assert imported.code == 0, imported
    imported = run_cli(ws, "import", "curl", "-", "--into", "m/token/from-curl",
                       input=f"curl -H 'Authorization: Bearer {c['curl-bearer']}' "
                             f"{echo_server}/echo/d")
    assert imported.code == 0, imported
    assert c["curl-user"] not in imported.err
    assert c["curl-bearer"] in sent_headers(run_cli(ws, "send", "m/token/from-curl"))

    # The engine with its response cache, and the Python API, on the same workspace.
    workspace = Workspace.open(ws)
    store = SecretStore.for_workspace(system_keyring(), workspace)

    async def twice() -> list[bool]:
        engine = Engine(store, cache=ResponseCache())
        try:
            req, conn = workspace.request("m/keyq/r"), workspace.connection("m/keyq")
            conn.cache_ttl = 60.0  # the cache is opt-in per connection
            req.url = "/echo/cached"
            first = await engine.send(req, conn)
            second = await engine.send(req, conn)
            return [first.from_cache, second.from_cache]
        finally:
            await engine.aclose()

    assert asyncio.run(twice()) == [False, True]
    with relaydesk.connect("m/token", workspace=ws) as client:
        assert c["token"] in client.get("/echo/api").text

    # Moves carry secrets in the keyring; the files still hold none.
    assert run_cli(ws, "mv", "m/bearer", "moved/bearer").code == 0
    assert c["bearer"] in sent_headers(run_cli(ws, "send", "moved/bearer/r"))

    files = snapshot(ws)
    assert len(files) > 15
    leaks = [(name, label) for name, data in files.items()
             for label, value in CANARIES.items() for form in forms(value) if form in data]
    assert leaks == []
    # The history `send` wrote (outside the workspace) is redacted as well.
    assert history.is_file()
    recorded = b"".join(p.read_bytes() for p in tmp_path.glob("history.db*"))  # + WAL
    assert [label for label, value in CANARIES.items()
            if any(form in recorded for form in forms(value))] == []
    # And the scan itself works: the body saved outside the workspace does hold one.
    saved = (tmp_path / "body.json").read_bytes()
    assert any(form in saved for form in forms(c["basic"]))
