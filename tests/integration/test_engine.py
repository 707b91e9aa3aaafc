"""The engine against real loopback servers: what the SERVER received is asserted."""

from __future__ import annotations

import asyncio
import base64
import email.parser
import json
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from relaydesk.core.engine import Engine
from relaydesk.core.errors import (
    AuthError,
    ConnectError,
    DnsError,
    HttpsOnlyError,
    HttpStatusError,
    InvalidValuesError,
    MissingScopesError,
    RequestError,
    RequestTimeout,
)
from relaydesk.core.messages import user_message
from relaydesk.core.model import (
    AuthSettings,
    Body,
    Connection,
    Environment,
    KeyValue,
    MultipartField,
    Request,
    RequestOptions,
    TlsSettings,
)
from relaydesk.core.response import Response
from relaydesk.core.secrets import SecretStore
from tests.servers import closed_port, expected_bytes


@pytest.fixture
async def engine(secret_store: SecretStore) -> AsyncIterator[Engine]:
    eng = Engine(secret_store)
    yield eng
    await eng.aclose()


def conn(base: str, **kw: Any) -> Connection:
    return Connection(path="svc", base_url=base, **kw)


def received(resp: Response) -> dict[str, Any]:
    """The echo server's view: headers as a dict (last wins) plus the raw body."""
    data: dict[str, Any] = resp.json()
    data["h"] = {k: v for k, v in data["headers"]}
    data["body"] = base64.b64decode(data["body_b64"])
    return data


async def send(engine: Engine, connection: Connection | None, **kw: Any) -> Response:
    kw.setdefault("path", "svc/r")
    return await engine.send(Request(**kw), connection)


# -- bodies ------------------------------------------------------------------------------


async def test_json_object_and_array(engine: Engine, echo_server: str) -> None:
    c = conn(echo_server)
    text = '{\n  "summary": "{{title}}",\n  "n": 1\n}'
    r = await engine.send(Request(path="svc/r", method="POST", url="/echo/issue",
                                  body=Body(kind="json", text=text)),
                          c, variables={"title": "Hi \u00e9"})
    got = received(r)
    assert got["method"] == "POST"
    assert got["body"] == text.replace("{{title}}", "Hi \u00e9").encode()
    assert got["h"]["content-type"] == "application/json"

    r = await send(engine, c, method="PUT", url="/echo", body=Body.from_json([1, {"a": None}]))
    assert json.loads(received(r)["body"]) == [1, {"a": None}]


async def test_form(engine: Engine, echo_server: str) -> None:
    r = await send(engine, conn(echo_server), method="POST", url="/echo",
                   body=Body(kind="form", form=[KeyValue("a", "1 2"), KeyValue("b", "&=")]))
    got = received(r)
    assert got["body"] == b"a=1+2&b=%26%3D"
    assert got["h"]["content-type"] == "application/x-www-form-urlencoded"


async def test_multipart_with_file(engine: Engine, echo_server: str, tmp_path: Path) -> None:
    f = tmp_path / "photo.png"
    f.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    r = await send(engine, conn(echo_server), method="POST", url="/echo", body=Body(
        kind="multipart", multipart=[MultipartField("title", "Q1 report"),
                                     MultipartField("image", file=str(f))]))
    got = received(r)
    ctype = got["h"]["content-type"]
    assert ctype.startswith("multipart/form-data; boundary=")
    msg = email.parser.BytesParser().parsebytes(
        f"Content-Type: {ctype}\r\n\r\n".encode() + got["body"])
    parts = {p.get_param("name", header="content-disposition"): p for p in msg.get_payload()}
    assert parts["title"].get_payload(decode=True) == b"Q1 report"
    image = parts["image"]
    assert image.get_filename() == "photo.png"
    assert image.get_content_type() == "image/png"
    assert image.get_payload(decode=True) == f.read_bytes()


async def test_multipart_text_only_is_still_multipart(engine: Engine, echo_server: str) -> None:
    r = await send(engine, conn(echo_server), method="POST", url="/echo",
                   body=Body(kind="multipart", multipart=[MultipartField("a", "1")]))
    got = received(r)
    assert got["h"]["content-type"].startswith("multipart/form-data; boundary=")
    assert b'name="a"\r\n\r\n1\r\n' in got["body"]


async def test_raw_and_binary(engine: Engine, echo_server: str, tmp_path: Path) -> None:
    r = await send(engine, conn(echo_server), method="POST", url="/echo",
                   body=Body(kind="raw", text="<a>é</a>", content_type="application/xml"))
    got = received(r)
    assert got["h"]["content-type"] == "application/xml"
    assert got["body"] == "<a>é</a>".encode()
    f = tmp_path / "blob"
    f.write_bytes(bytes(range(256)) * 4)
    r = await send(engine, conn(echo_server), method="POST", url="/echo",
                   body=Body(kind="binary", file=str(f), content_type="image/x-test"))
    got = received(r)
    assert got["body"] == f.read_bytes()
    assert got["h"]["content-type"] == "image/x-test"
    assert got["h"]["content-length"] == "1024"


# -- URL, headers, cookies ---------------------------------------------------------------


async def test_query_and_header_templating(engine: Engine, echo_server: str) -> None:
    c = conn(echo_server + "/echo/", headers=[KeyValue("X-Team", "{{team}}")],
             variables={"team": "conn-team", "key": "K-1"})
    env = Environment("dev", {"team": "env-team"})
    r = await engine.send(Request(
        path="svc/r", url="/issue/{{key}}?fields=a&fields=b",
        params=[KeyValue("fields", "c"), KeyValue("jql", "project = {{key}}")],
        headers=[KeyValue("X-Req", "{{team}}")],
        cookies=[KeyValue("sid", "abc"), KeyValue("theme", "dark")],
    ), c, environment=env, variables={"key": "K-2"})
    got = received(r)
    assert got["path"] == "/echo/issue/K-2"
    assert got["query"] == "fields=a&fields=b&fields=c&jql=project%20%3D%20K-2"
    assert got["h"]["x-team"] == "env-team"
    assert got["h"]["x-req"] == "env-team"
    assert got["h"]["cookie"] == "sid=abc; theme=dark"
    assert got["h"]["user-agent"].startswith("relaydesk/")
    assert r.timings.total > 0


async def test_percent_encoding_in_path_is_kept(engine: Engine, echo_server: str) -> None:
    r = await engine.send(Request(path="svc/r", url="/echo/a%2Fb/{{id}}",
                                  params=[KeyValue("q", "a/b")]),
                          conn(echo_server), variables={"id": "x y"})
    got = received(r)
    assert got["path"] == "/echo/a%2Fb/x%20y"
    assert got["query"] == "q=a/b"


async def test_response_cookies_and_fields(engine: Engine, echo_server: str) -> None:
    r = await send(engine, conn(echo_server), url="/set-cookie?session=s1&lang=en")
    assert ("session", "s1") in r.cookies and ("lang", "en") in r.cookies
    assert r.status == 200 and r.reason == "OK" and r.http_version == "HTTP/1.1"
    assert r.content_type == "application/json"
    assert r.size == len(r.content())
    # the client keeps no cookie jar: the next request carries no cookie
    again = received(await send(engine, conn(echo_server), url="/echo"))
    assert "cookie" not in again["h"]


# -- auth --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("auth", "field", "secret", "expect"),
    [
        (AuthSettings("basic", {"username": "ann"}), "password", "pa:ss",
         ("authorization", "Basic " + base64.b64encode(b"ann:pa:ss").decode())),
        (AuthSettings("bearer"), "token", "tok-1", ("authorization", "Bearer tok-1")),
        (AuthSettings("token", {"scheme": "Token"}), "token", "abc",
         ("authorization", "Token abc")),
        (AuthSettings("apikey", {"name": "X-Api-Key", "in": "header"}), "value", "k-1",
         ("x-api-key", "k-1")),
    ],
)
async def test_header_auth_modes(engine: Engine, echo_server: str, secret_store: SecretStore,
                                 auth: AuthSettings, field: str, secret: str,
                                 expect: tuple[str, str]) -> None:
    secret_store.set("svc", field, secret)
    got = received(await send(engine, conn(echo_server, auth=auth), url="/echo"))
    assert got["h"][expect[0]] == expect[1]


async def test_apikey_in_query(engine: Engine, echo_server: str,
                               secret_store: SecretStore) -> None:
    secret_store.set("svc", "value", "k&1")
    c = conn(echo_server, auth=AuthSettings("apikey", {"name": "api_key", "in": "query"}))
    r = await send(engine, c, url="/echo?a=1")
    assert received(r)["query"] == "a=1&api_key=k%261"
    assert "k%261" not in r.url and "****" in r.url  # the secret is masked in what we show


async def test_digest_against_httpbin(engine: Engine, httpbin_server: str,
                                      secret_store: SecretStore) -> None:
    c = conn(httpbin_server, auth=AuthSettings("digest", {"username": "user"}))
    secret_store.set("svc", "password", "passwd")
    r = await send(engine, c, url="/digest-auth/auth/user/passwd")
    assert r.status == 200
    assert r.json() == {"authenticated": True, "user": "user"}
    secret_store.set("svc", "password", "wrong")
    assert (await send(engine, c, url="/digest-auth/auth/user/passwd")).status == 401


async def test_missing_secret_is_an_auth_error(engine: Engine, echo_server: str) -> None:
    with pytest.raises(AuthError, match="relaydesk secret set svc token"):
        await send(engine, conn(echo_server, auth=AuthSettings("bearer")), url="/echo")


class FakeTokens:
    """A TokenProvider whose first token has been revoked by the server."""

    def __init__(self) -> None:
        self.tokens = ["revoked", "fresh"]
        self.calls: list[str] = []

    async def access_token(self, owner_path: str, settings: AuthSettings,
                           connection: Connection | None = None) -> str:
        self.calls.append(owner_path)
        return self.tokens[0]

    def invalidate(self, owner_path: str) -> None:
        if len(self.tokens) > 1:
            self.tokens.pop(0)


async def test_oauth_token_provider_and_one_retry_on_401(
        secret_store: SecretStore, echo_server: str) -> None:
    tokens = FakeTokens()
    engine = Engine(secret_store, token_provider=tokens)
    c = conn(echo_server, auth=AuthSettings("oauth2", {"grant": "client_credentials"}))
    try:
        r = await engine.send(Request(path="svc/r", url="/needs-token?token=fresh"), c)
        assert r.status == 200 and r.json()["authorization"] == "Bearer fresh"
        assert tokens.calls == ["svc", "svc"]
        with pytest.raises(HttpStatusError):
            await engine.send(Request(path="svc/r", url="/needs-token?token=other",
                                      options=RequestOptions(raise_for_status=True)), c)
    finally:
        await engine.aclose()
    with pytest.raises(AuthError, match="relaydesk auth login svc"):
        await send(Engine(secret_store), c, url="/echo")


# -- redirects ---------------------------------------------------------------------------


async def test_redirect_to_other_origin_drops_credentials(
        engine: Engine, echo_server: str, other_server: str, secret_store: SecretStore) -> None:
    secret_store.set("svc", "token", "tok-1")
    c = conn(echo_server, auth=AuthSettings("bearer"),
             headers=[KeyValue("X-Trace", "t1")])
    target = f"{other_server}/echo/landed"
    r = await send(engine, c, url="/redirect", params=[KeyValue("to", target)],
                   cookies=[KeyValue("sid", "s1")],
                   headers=[KeyValue("Proxy-Authorization", "Basic eA==")])
    got = received(r)
    assert got["path"] == "/echo/landed"
    assert r.url == target
    assert len(r.redirects) == 1
    assert "authorization" not in got["h"]
    assert "cookie" not in got["h"]
    assert "proxy-authorization" not in got["h"]
    assert got["h"]["x-trace"] == "t1"  # ordinary headers still travel


async def test_redirect_to_other_origin_drops_api_keys(
        engine: Engine, echo_server: str, other_server: str, secret_store: SecretStore) -> None:
    secret_store.set("svc", "value", "k-1")
    header_key = conn(echo_server, auth=AuthSettings("apikey", {"name": "X-Api-Key"}))
    r = await send(engine, header_key, url="/redirect",
                   params=[KeyValue("to", f"{other_server}/echo")])
    assert "x-api-key" not in received(r)["h"]

    query_key = conn(echo_server, auth=AuthSettings("apikey", {"name": "api_key",
                                                               "in": "query"}))
    # a server that copies the query into the Location must not leak the key onward
    r = await send(engine, query_key, url="/redirect",
                   params=[KeyValue("to", f"{other_server}/echo?api_key=k-1&keep=1")])
    assert received(r)["query"] == "keep=1"


async def test_same_origin_redirect_keeps_credentials(
        engine: Engine, echo_server: str, secret_store: SecretStore) -> None:
    secret_store.set("svc", "token", "tok-1")
    c = conn(echo_server, auth=AuthSettings("bearer"))
    r = await send(engine, c, url="/redirect?to=/echo/here", cookies=[KeyValue("sid", "s")])
    got = received(r)
    assert got["path"] == "/echo/here"
    assert got["h"]["authorization"] == "Bearer tok-1"
    assert got["h"]["cookie"] == "sid=s"


async def test_redirect_303_becomes_get_and_307_keeps_body(
        engine: Engine, echo_server: str) -> None:
    c = conn(echo_server)
    r = await send(engine, c, method="POST", url="/redirect?to=/echo&code=303",
                   body=Body(kind="raw", text="payload"))
    got = received(r)
    assert got["method"] == "GET" and got["body"] == b"" and "content-type" not in got["h"]
    r = await send(engine, c, method="POST", url="/redirect?to=/echo&code=307",
                   body=Body(kind="raw", text="payload"))
    got = received(r)
    assert got["method"] == "POST" and got["body"] == b"payload"


async def test_redirects_not_followed_when_off_and_capped(
        engine: Engine, echo_server: str) -> None:
    r = await send(engine, conn(echo_server), url="/redirect?to=/echo",
                   options=RequestOptions(follow_redirects=False))
    assert r.status == 302 and r.header("location") == "/echo"
    with pytest.raises(RequestError, match="Too many redirects"):
        await send(engine, conn(echo_server), url="/loop")


# -- refusals and failures ---------------------------------------------------------------


async def test_https_only_refuses_http(engine: Engine, echo_server: str) -> None:
    c = conn(echo_server, tls=TlsSettings(https_only=True))
    with pytest.raises(HttpsOnlyError, match="HTTPS-only"):
        await send(engine, c, url="/echo")


async def test_timeout_in_plain_words(engine: Engine, echo_server: str) -> None:
    start = time.monotonic()
    with pytest.raises(RequestTimeout) as info:
        await send(engine, conn(echo_server, timeout=0.3), url="/slow?delay=3")
    assert time.monotonic() - start < 2
    assert "within 0.3 seconds" in str(info.value)
    assert "Traceback" not in user_message(info.value)


async def test_cancellation_is_prompt_and_engine_survives(
        engine: Engine, echo_server: str) -> None:
    c = conn(echo_server)
    task = asyncio.create_task(send(engine, c, url="/slow?delay=5"))
    await asyncio.sleep(0.3)
    start = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - start < 1
    r = await send(engine, c, url="/echo")
    assert r.status == 200


async def test_cancel_while_reading_body_removes_partial_file(
        secret_store: SecretStore, echo_server: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    engine = Engine(secret_store, spool_threshold=2048)
    progress: list[int] = []
    try:
        task = asyncio.create_task(engine.send(
            Request(path="svc/r", url="/drip?n=50&delay=0.05"), conn(echo_server),
            on_progress=lambda got, total: progress.append(got)))
        while not progress or progress[-1] < 4096:
            await asyncio.sleep(0.02)
        assert list(tmp_path.glob("relaydesk-*/*.body"))  # it was spooling
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert list(tmp_path.glob("relaydesk-*/*.body")) == []
        r = await engine.send(Request(path="svc/r", url="/echo"), conn(echo_server))
        assert r.status == 200
    finally:
        await engine.aclose()


async def test_refused_connection(engine: Engine) -> None:
    port = closed_port()
    with pytest.raises(ConnectError) as info:
        await send(engine, None, url=f"http://127.0.0.1:{port}/x")
    assert f"127.0.0.1:{port}" in str(info.value) and "refused" in str(info.value)


def _resolver_is_local() -> bool:
    try:
        lines = Path("/etc/resolv.conf").read_text().splitlines()
    except OSError:
        return False
    servers = [ln.split()[1] for ln in lines if ln.startswith("nameserver") and len(ln.split()) > 1]
    return bool(servers) and all(s.startswith("127.") or s == "::1" for s in servers)


async def test_dns_failure(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    if not _resolver_is_local():
        # Never send a DNS query off this machine: answer `.invalid` names the way
        # the OS resolver does (RFC 6761), through the real httpx/anyio stack.
        real = socket.getaddrinfo

        def resolve(host: Any, *args: Any, **kw: Any) -> Any:
            if isinstance(host, str) and host.endswith(".invalid"):
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
            return real(host, *args, **kw)

        monkeypatch.setattr(socket, "getaddrinfo", resolve)
    start = time.monotonic()
    with pytest.raises(DnsError) as info:
        await send(engine, None, url="http://relaydesk-test.invalid/x")
    assert time.monotonic() - start < 5
    assert str(info.value).startswith("Could not find the server 'relaydesk-test.invalid'")


# -- statuses ----------------------------------------------------------------------------


async def test_status_problems_and_raise_for_status(engine: Engine, echo_server: str) -> None:
    c = conn(echo_server)
    r = await send(engine, c, url="/insufficient-scope")
    assert r.status == 403 and r.problem and "read:jira-work" in r.problem
    with pytest.raises(MissingScopesError):
        await send(engine, c, url="/insufficient-scope",
                   options=RequestOptions(raise_for_status=True))
    with pytest.raises(InvalidValuesError) as info:
        await send(engine, c, method="POST", url="/invalid-values",
                   options=RequestOptions(raise_for_status=True))
    assert info.value.fields == ["summary: Summary is required.",
                                 "priority: 'Urgentest' is not a priority."]
    ok = await send(engine, c, url="/status/204")
    assert ok.problem is None


# -- large bodies ------------------------------------------------------------------------


async def test_large_body_spooled_to_disk_with_progress(
        secret_store: SecretStore, echo_server: str) -> None:
    engine = Engine(secret_store, spool_threshold=100_000)
    seen: list[tuple[int, int | None]] = []
    n = 1_000_003
    try:
        r = await engine.send(Request(path="svc/r", url=f"/bytes?n={n}"), conn(echo_server),
                              on_progress=lambda got, total: seen.append((got, total)))
    finally:
        await engine.aclose()
    assert r.body_file is not None and r.body_file.exists()
    assert r.body == b""
    assert r.size == n
    assert r.content() == expected_bytes(n)
    assert seen[-1] == (n, n)
    assert len(seen) > 2
    assert [g for g, _ in seen] == sorted(g for g, _ in seen)
    r.discard()
    assert not r.body_file.exists()


async def test_small_body_stays_in_memory(engine: Engine, echo_server: str) -> None:
    r = await send(engine, conn(echo_server), url="/bytes?n=5000")
    assert r.body_file is None and r.content() == expected_bytes(5000)


# -- check -------------------------------------------------------------------------------


async def test_check(engine: Engine, echo_server: str) -> None:
    healthy = await engine.check(conn(echo_server, test_url="/json"))
    assert healthy.ok and healthy.status == 200 and healthy.message.startswith("Healthy")
    absolute = await engine.check(conn("http://127.0.0.1:1", test_url=f"{echo_server}/echo"))
    assert absolute.ok
    sick = await engine.check(conn(echo_server, test_url="/status/503"))
    assert not sick.ok and sick.status == 503 and "503" in sick.message
    base_only = await engine.check(conn(echo_server + "/nothing-here"))
    assert not base_only.ok and base_only.status == 404
    down = await engine.check(conn(f"http://127.0.0.1:{closed_port()}"))
    assert not down.ok and down.status is None and "refused" in down.message


# -- exchange observer -------------------------------------------------------------------


class Seen:
    """An exchange observer keeping what it was shown (optionally raising afterwards)."""

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.calls: list[tuple[str, str, int | None, str | None]] = []

    def __call__(self, path: str, prepared: Any, response: Response | None,
                 error: Exception | None) -> None:
        self.calls.append((path, prepared.url, response.status if response else None,
                           type(error).__name__ if error else None))
        if self.fail:
            raise RuntimeError("observer is broken")


async def test_observer_sees_answers_errors_and_statuses_before_raising(
        echo_server: str) -> None:
    seen = Seen()
    engine = Engine(None, on_exchange=seen)
    c = conn(echo_server)
    try:
        assert (await send(engine, c, url="/echo/a")).status == 200
        with pytest.raises(HttpStatusError):
            await send(engine, c, path="svc/gone", url="/status/404",
                       options=RequestOptions(raise_for_status=True))
        with pytest.raises(ConnectError):
            await send(engine, None, path="svc/down", url=f"http://127.0.0.1:{closed_port()}/")
    finally:
        await engine.aclose()
    assert [(p, s, e) for p, _, s, e in seen.calls] == [
        ("svc/r", 200, None), ("svc/gone", 404, None), ("svc/down", None, "ConnectionRefused")]
    assert seen.calls[0][1] == f"{echo_server}/echo/a"


async def test_a_raising_observer_never_fails_a_send(
        echo_server: str, caplog: pytest.LogCaptureFixture) -> None:
    seen = Seen(fail=True)
    engine = Engine(None, on_exchange=seen)
    try:
        r = await send(engine, conn(echo_server), url="/echo/still-fine")
        assert r.status == 200 and received(r)["path"] == "/echo/still-fine"
        # A failed send still raises its own error, not the observer's.
        with pytest.raises(ConnectError):
            await send(engine, None, url=f"http://127.0.0.1:{closed_port()}/")
        with pytest.raises(InvalidValuesError):
            await send(engine, conn(echo_server), method="POST", url="/invalid-values",
                       options=RequestOptions(raise_for_status=True))
    finally:
        await engine.aclose()
    assert len(seen.calls) == 3
    logged = [r.getMessage() for r in caplog.records if r.name == "relaydesk.core.engine"]
    assert logged == ["the exchange observer failed: observer is broken"] * 3


async def test_observer_not_called_for_a_cancelled_send(echo_server: str) -> None:
    seen = Seen()
    engine = Engine(None, on_exchange=seen)
    try:
        task = asyncio.create_task(send(engine, conn(echo_server), url="/slow?delay=5"))
        await asyncio.sleep(0.3)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    finally:
        await engine.aclose()
    assert seen.calls == []


async def test_observer_sees_the_oauth_401_and_the_retry(
        secret_store: SecretStore, echo_server: str) -> None:
    seen = Seen()
    engine = Engine(secret_store, token_provider=FakeTokens(), on_exchange=seen)
    c = conn(echo_server, auth=AuthSettings("oauth2", {"grant": "client_credentials"}))
    try:
        r = await engine.send(Request(path="svc/r", url="/needs-token?token=fresh"), c)
    finally:
        await engine.aclose()
    assert r.status == 200
    assert [(p, s) for p, _, s, _ in seen.calls] == [("svc/r", 401), ("svc/r", 200)]


@pytest.mark.parametrize("oauth", [False, True])
async def test_spooled_error_body_still_explains_the_status(
        secret_store: SecretStore, echo_server: str, oauth: bool) -> None:
    """A 4xx body spooled to disk is read back for the plain-words problem, also on
    the OAuth path of ``send`` (which used to look at the empty in-memory body)."""
    auth = AuthSettings("oauth2", {"grant": "client_credentials"}) if oauth else AuthSettings()
    seen: list[Response] = []
    engine = Engine(secret_store, spool_threshold=16, token_provider=FakeTokens(),
                    on_exchange=lambda _p, _r, resp, _e: seen.append(resp) if resp else None)
    try:
        with pytest.raises(InvalidValuesError) as info:
            await send(engine, conn(echo_server, auth=auth), method="POST",
                       url="/invalid-values", options=RequestOptions(raise_for_status=True))
    finally:
        await engine.aclose()
    (resp,) = seen
    assert resp.body_file is not None and resp.body == b""  # it really was spooled …
    assert not resp.body_file.exists()  # … and the file is gone after the raise
    assert info.value.fields == ["summary: Summary is required.",
                                 "priority: 'Urgentest' is not a priority."]
    assert "Summary is required" in user_message(info.value)
