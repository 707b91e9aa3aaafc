"""The response cache: only successful GET/HEAD, per credentials, bypassable."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from relaydesk.core.cache import ResponseCache, cache_key
from relaydesk.core.engine import Engine
from relaydesk.core.model import AuthSettings, Connection, Request, RequestOptions
from relaydesk.core.response import Response
from relaydesk.core.secrets import SecretStore
from tests.servers import expected_bytes


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def engine(secret_store: SecretStore, clock: Clock) -> AsyncIterator[Engine]:
    eng = Engine(secret_store, cache=ResponseCache(clock=clock))
    yield eng
    await eng.aclose()
    assert eng.cache is not None
    eng.cache.close()


def conn(base: str, **kw: Any) -> Connection:
    kw.setdefault("cache_ttl", 60)
    return Connection(path="svc", base_url=base, **kw)


async def count(engine: Engine, c: Connection, **kw: Any) -> tuple[int, Response]:
    kw.setdefault("url", "/counter")
    r = await engine.send(Request(path="svc/r", **kw), c)
    return r.json()["count"], r


async def test_hit_miss_and_expiry(engine: Engine, echo_server: str, clock: Clock) -> None:
    c = conn(echo_server)
    first, r1 = await count(engine, c)
    second, r2 = await count(engine, c)
    assert not r1.from_cache and r2.from_cache
    assert second == first  # the server was not called again
    third, r3 = await count(engine, c, url="/counter?other=1")
    assert not r3.from_cache and third > first  # another URL is another entry
    clock.now += 61
    fourth, r4 = await count(engine, c)
    assert not r4.from_cache and fourth > third


async def test_bypass(engine: Engine, echo_server: str) -> None:
    c = conn(echo_server)
    first, _ = await count(engine, c)
    second, r = await count(engine, c, options=RequestOptions(bypass_cache=True))
    assert second > first and not r.from_cache


async def test_errors_and_posts_are_not_cached(engine: Engine, echo_server: str) -> None:
    c = conn(echo_server)
    a, r1 = await count(engine, c, url="/counter?status=404")
    b, r2 = await count(engine, c, url="/counter?status=404")
    assert r1.status == r2.status == 404 and b > a and not r2.from_cache
    a, _ = await count(engine, c, method="POST")
    b, r2 = await count(engine, c, method="POST")
    assert b > a and not r2.from_cache
    a, _ = await count(engine, c, url="/counter?status=500")
    b, _ = await count(engine, c, url="/counter?status=500")
    assert b > a


async def test_ttl_zero_turns_cache_off(engine: Engine, echo_server: str) -> None:
    c = conn(echo_server, cache_ttl=0)
    a, _ = await count(engine, c)
    b, r = await count(engine, c)
    assert b > a and not r.from_cache


async def test_credentials_separate_entries_and_no_secret_kept(
        engine: Engine, echo_server: str, secret_store: SecretStore) -> None:
    c = conn(echo_server, auth=AuthSettings("bearer"))
    secret_store.set("svc", "token", "first-secret-token")
    a, _ = await count(engine, c)
    secret_store.set("svc", "token", "second-secret-token")
    b, r = await count(engine, c)
    assert b > a and not r.from_cache  # another token never sees the first one's answer
    secret_store.set("svc", "token", "first-secret-token")
    again, hit = await count(engine, c)
    assert again == a and hit.from_cache
    assert engine.cache is not None
    assert "secret-token" not in repr(engine.cache.__dict__)


def test_cache_key_is_a_digest_that_varies_with_everything() -> None:
    base = dict(connection_path="svc", method="GET", url="https://h/x",
                headers=[("Authorization", "Bearer s3cr3t")], body=None,
                secret_values=frozenset({"s3cr3t"}))
    key = cache_key(**base)  # type: ignore[arg-type]
    assert "s3cr3t" not in key and len(key) == 64
    for change in ({"connection_path": "other"}, {"method": "HEAD"}, {"url": "https://h/y"},
                   {"headers": [("Accept", "a")]}, {"body": b"x"},
                   {"secret_values": frozenset({"other"})}):
        assert cache_key(**{**base, **change}) != key  # type: ignore[arg-type]


async def test_spooled_bodies_survive_discard(secret_store: SecretStore,
                                              echo_server: str) -> None:
    cache = ResponseCache()
    engine = Engine(secret_store, cache=cache, spool_threshold=10_000)
    c = conn(echo_server)
    try:
        r1 = await engine.send(Request(path="svc/r", url="/bytes?n=50000"), c)
        assert r1.body_file is not None
        r1.discard()
        r2 = await engine.send(Request(path="svc/r", url="/bytes?n=50000"), c)
        assert r2.from_cache and r2.body_file is not None
        assert r2.content() == expected_bytes(50000)
        kept = r2.body_file
        r2.discard()
        cache.close()
        assert not kept.exists()
        assert len(cache) == 0
    finally:
        await engine.aclose()


def test_lru_bounds() -> None:
    cache = ResponseCache(max_entries=2)
    for i in range(3):
        resp = Response(status=200, reason="OK", http_version="HTTP/1.1", method="GET",
                        url=f"https://h/{i}", headers=[], body=b"x")
        assert cache.put(str(i), resp, 60)
    assert len(cache) == 2 and cache.get("0") is None and cache.get("2") is not None
    small = ResponseCache(max_bytes=3)
    big = Response(status=200, reason="OK", http_version="HTTP/1.1", method="GET",
                   url="https://h/", headers=[], body=b"xxxx")
    assert not small.put("k", big, 60)
