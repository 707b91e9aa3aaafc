"""A plain-http connection's client reads its CA file only when a handshake needs it,
and still verifies every https server it is sent (or redirected) to."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from urllib.parse import quote

import pytest

from relaydesk.core.deferred_ca import DeferredCAContext
from relaydesk.core.engine import Engine
from relaydesk.core.errors import TlsError
from relaydesk.core.messages import user_message
from relaydesk.core.model import Connection, Request


@pytest.fixture
async def engine() -> AsyncIterator[Engine]:
    eng = Engine(None)
    yield eng
    await eng.aclose()


def _context(engine: Engine) -> DeferredCAContext:
    (client,) = engine._clients.values()
    pool = client._transport._pool  # type: ignore[attr-defined]
    ctx = pool._ssl_context
    assert isinstance(ctx, DeferredCAContext)
    return ctx


def _loaded(ctx: ssl.SSLContext) -> int:
    return ssl.SSLContext.cert_store_stats(ctx)["x509_ca"]  # without loading them


async def test_plain_http_reads_no_ca_file(engine: Engine, echo_server: str) -> None:
    r = await engine.send(Request(path="p/r", url="/json"), Connection("p", echo_server))
    assert r.status == 200
    assert _loaded(_context(engine)) == 0


async def test_a_redirect_to_https_is_still_verified(
        engine: Engine, echo_server: str, tls_server: tuple[str, str]) -> None:
    https_url, _ = tls_server  # a private CA that certifi's bundle does not hold
    plain = Connection("p", echo_server)
    with pytest.raises(TlsError) as info:
        await engine.send(Request(path="p/r", url="/redirect?to="
                                  + quote(f"{https_url}/json", safe="")), plain)
    assert "could not be verified" in user_message(info.value)
    assert _loaded(_context(engine)) > 0  # read at the handshake


def test_the_deferred_context_is_the_default_one() -> None:
    import certifi

    deferred = DeferredCAContext()
    usual = ssl.create_default_context(cafile=certifi.where())
    for name in ("protocol", "verify_mode", "check_hostname", "options", "verify_flags",
                 "minimum_version", "maximum_version"):
        assert getattr(deferred, name) == getattr(usual, name), name
    assert _loaded(deferred) == 0
    assert deferred.cert_store_stats() == usual.cert_store_stats()  # asked: loaded


@pytest.mark.parametrize(("base_url", "proxy", "deferred"), [
    ("http://api.test", "", True),
    (" HTTP://api.test/v1", "env", True),
    ("http://api.test", "http://proxy.test:3128", True),
    ("https://api.test", "", False),  # a handshake to come: CAs read in a worker thread
    ("{{base}}", "", False),
    ("http://api.test", "system", False),  # the OS's PAC script may have to be fetched
    ("http://api.test", "pac:http://wpad.test/proxy.pac", False),
])
def test_which_clients_read_their_cas_late(base_url: str, proxy: str, deferred: bool) -> None:
    from relaydesk.core.deferred_ca import defers_ca

    assert defers_ca(Connection("p", base_url, proxy=proxy)) is deferred
    assert defers_ca(None) is False
