"""AWS Signature V4 auth: requests signed by Relaydesk (httpx-auth's signer) are
accepted by a loopback API that recomputes each signature with botocore, the AWS
SDK's own implementation; a wrong secret is refused; nothing secret is kept."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from relaydesk.core.engine import Engine
from relaydesk.core.errors import AuthError
from relaydesk.core.model import AuthSettings, Connection, KeyValue, Request
from relaydesk.core.secrets import SecretStore
from tests.integration.clitools import requires_secret_service, run_cli, snapshot
from tests.sigv4_server import SigV4Server, start_sigv4_server

KEY_ID = "AKIDEXAMPLE0001"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
SESSION = "FQoGZXIvYXdzEXAMPLE-session-token//+="


@pytest.fixture(scope="module")
def api() -> Iterator[SigV4Server]:
    server = start_sigv4_server({KEY_ID: SECRET})
    yield server
    server.stop()


def settings(**extra: str) -> AuthSettings:
    return AuthSettings("aws_sigv4", {"access_key_id": KEY_ID, "region": "eu-west-1",
                                      "service": "execute-api", **extra})


async def send(store: SecretStore, conn: Connection, req: Request) -> tuple[int, dict]:
    engine = Engine(store)
    try:
        resp = await engine.send(req, conn)
    finally:
        await engine.aclose()
    return resp.status, resp.json()


@pytest.mark.parametrize("request_", [
    Request(path="c/get", url="/prod/items/42", params=[KeyValue("b", "2 3"),
                                                         KeyValue("a", "x/y")]),
    Request(path="c/post", method="POST", url="/prod/items",
            body=None, headers=[KeyValue("Content-Type", "application/json")]),
], ids=["get-with-query", "post"])
async def test_signed_requests_are_accepted(api: SigV4Server, secret_store: SecretStore,
                                            request_: Request) -> None:
    from relaydesk.core.model import Body

    if request_.method == "POST":
        request_.body = Body(kind="json", text='{"name": "widget", "tags": ["a", "b"]}')
    conn = Connection(path="c", base_url=api.base_url, auth=settings())
    secret_store.set("c", "secret_access_key", SECRET)
    status, answer = await send(secret_store, conn, request_)
    assert status == 200, answer
    assert answer["verified"] and answer["region"] == "eu-west-1"
    assert "host" in answer["signed_headers"] and "x-amz-date" in answer["signed_headers"]


async def test_session_token_is_signed_and_sent(api: SigV4Server,
                                                secret_store: SecretStore) -> None:
    conn = Connection(path="c", base_url=api.base_url, auth=settings())
    secret_store.set("c", "secret_access_key", SECRET)
    secret_store.set("c", "session_token", SESSION)
    status, answer = await send(secret_store, conn, Request(path="c/r", url="/prod/me"))
    assert status == 200 and answer["session_token"] is True


async def test_wrong_secret_is_refused_by_the_verifier(api: SigV4Server,
                                                       secret_store: SecretStore) -> None:
    conn = Connection(path="c", base_url=api.base_url, auth=settings())
    secret_store.set("c", "secret_access_key", SECRET + "x")
    status, answer = await send(secret_store, conn, Request(path="c/r", url="/prod/me"))
    assert status == 403 and answer["message"] == "SignatureDoesNotMatch"


async def test_missing_settings_are_named(secret_store: SecretStore) -> None:
    conn = Connection(path="c", base_url="http://127.0.0.1:9", auth=settings(region=""))
    secret_store.set("c", "secret_access_key", SECRET)
    with pytest.raises(AuthError, match="needs a region"):
        await send(secret_store, conn, Request(path="c/r", url="/"))
    secret_store.delete("c", "secret_access_key")
    with pytest.raises(AuthError, match="relaydesk secret set c secret_access_key"):
        await send(secret_store, Connection(path="c", base_url="http://127.0.0.1:9",
                                            auth=settings()), Request(path="c/r", url="/"))


@requires_secret_service
@pytest.mark.keyring
def test_cli_sigv4_connection_send_and_no_secret_kept(api: SigV4Server, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    history = tmp_path / "history.db"
    env = {"RELAYDESK_HISTORY": str(history)}
    made = run_cli(ws, "new", "connection", "aws/api", "--base-url", api.base_url,
                   "--auth", "aws_sigv4", "--set", f"access_key_id={KEY_ID}",
                   "--set", "region=us-east-1")
    assert made.code == 0, made.err
    assert run_cli(ws, "secret", "set", "aws/api", "secret_access_key", input=SECRET).code == 0
    assert run_cli(ws, "secret", "set", "aws/api", "session_token", input=SESSION).code == 0
    assert run_cli(ws, "new", "request", "aws/api/put", "-X", "PUT", "--url", "/prod/items/7",
                   "--json", '{"qty": 3}').code == 0
    sent = run_cli(ws, "send", "aws/api/put", "--fail", env=env)
    assert sent.code == 0, sent.err
    answer = json.loads(sent.out)
    assert answer["verified"] and answer["service"] == "execute-api"  # the default
    files = snapshot(ws)
    recorded = b"".join(p.read_bytes() for p in tmp_path.glob("history.db*"))
    assert recorded, "the send was recorded"
    for secret in (SECRET.encode(), SESSION.encode()):
        assert [name for name, data in files.items() if secret in data] == []
        assert secret not in recorded


def test_postman_export_and_import_keep_the_signature_settings(
        tmp_path: Path, memory_keyring: object) -> None:
    from relaydesk.core.exporters import export_collection
    from relaydesk.core.importers import apply_plan, plan_import
    from relaydesk.core.workspace import Workspace

    first = Workspace.open(tmp_path / "one")
    store1 = SecretStore.for_workspace(memory_keyring, first)
    first.save_connection(Connection(path="aws", base_url="https://api.example.test",
                                     auth=settings()), create=True)
    first.save_request(Request(path="aws/get", url="/prod/me"), create=True)
    store1.set("aws", "secret_access_key", SECRET)
    store1.set("aws", "session_token", SESSION)

    default = export_collection("postman", first, "aws", store1)
    assert SECRET not in default and "{{awsSecretAccessKey}}" in default
    exported = export_collection("postman", first, "aws", store1, include_secrets=True)
    second = Workspace.open(tmp_path / "two")
    store2 = SecretStore.for_workspace(memory_keyring, second)
    apply_plan(second, store2, plan_import("postman", exported, "aws.json"), into="aws")

    assert second.connection("aws").auth == settings()
    assert store2.get("aws", "secret_access_key") == SECRET
    assert store2.get("aws", "session_token") == SESSION


@pytest.mark.parametrize("with_session", [False, True])
def test_curl_snippet_is_signed_by_curl_and_accepted(
        api: SigV4Server, workspace: object, secret_store: SecretStore,
        with_session: bool) -> None:
    import shutil
    import subprocess

    from relaydesk.core.exporters.snippets import snippet_for

    if shutil.which("curl") is None:
        pytest.fail("the curl binary is needed (Debian package curl)")
    conn = Connection(path="aws", base_url=api.base_url, auth=settings())
    req = Request(path="aws/get", url="/prod/items", params=[KeyValue("q", "a b")])
    secret_store.set("aws", "secret_access_key", SECRET)
    if with_session:
        secret_store.set("aws", "session_token", SESSION)
    snippet = snippet_for("curl", req, conn, secret_store, {})
    assert "--aws-sigv4 aws:amz:eu-west-1:execute-api" in snippet
    assert ("x-amz-security-token" in snippet) is with_session
    assert SECRET not in snippet and SESSION not in snippet  # environment references
    env = {"PATH": "/usr/bin:/bin", "AWS_SECRET_ACCESS_KEY": "unused",
           "AWS_AWS_SECRET_ACCESS_KEY": SECRET, "AWS_AWS_SESSION_TOKEN": SESSION}
    done = subprocess.run(["bash", "-c", snippet], env=env, capture_output=True, text=True,
                          timeout=30)
    answer = json.loads(done.stdout)
    assert answer.get("verified") is True, (snippet, done.stdout, done.stderr)
    assert answer["session_token"] is with_session
