"""TLS: verification on by default, a CA bundle makes a private CA trusted."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from relaydesk.core.engine import Engine
from relaydesk.core.errors import HttpsOnlyError, RequestError, TlsError
from relaydesk.core.messages import user_message
from relaydesk.core.model import Connection, KeyValue, Request, TlsSettings
from relaydesk.core.secrets import SecretStore
from tests.servers import start_uvicorn


@pytest.fixture
async def engine() -> AsyncIterator[Engine]:
    eng = Engine(None)
    yield eng
    await eng.aclose()


async def test_verify_fails_without_the_ca(engine: Engine, tls_server: tuple[str, str]) -> None:
    url, _ = tls_server
    with pytest.raises(TlsError) as info:
        await engine.send(Request(path="t/r", url="/json"), Connection("t", url))
    text = user_message(info.value)
    assert "could not be verified" in text
    assert "turn off verification for this connection only if you trust it" in text


async def test_ca_bundle_makes_it_work(engine: Engine, tls_server: tuple[str, str]) -> None:
    url, ca = tls_server
    c = Connection("t", url, tls=TlsSettings(ca_bundle=ca, https_only=True))
    r = await engine.send(Request(path="t/r", url="/json"), c)
    assert r.status == 200 and r.json()["name"] == "relaydesk"
    assert r.timings.tls is not None and r.timings.tls > 0
    assert r.timings.connect is not None


async def test_verify_off_for_this_connection(engine: Engine,
                                              tls_server: tuple[str, str]) -> None:
    url, _ = tls_server
    r = await engine.send(Request(path="t/r", url="/json"),
                          Connection("t", url, tls=TlsSettings(verify=False)))
    assert r.status == 200


async def test_bad_ca_bundle_path_is_clear(engine: Engine, tls_server: tuple[str, str]) -> None:
    url, _ = tls_server
    c = Connection("t", url, tls=TlsSettings(ca_bundle="/nonexistent/ca.pem"))
    with pytest.raises(TlsError, match="CA bundle"):
        await engine.send(Request(path="t/r", url="/json"), c)


async def test_https_only_refuses_a_redirect_to_http(
        engine: Engine, tls_server: tuple[str, str], echo_server: str) -> None:
    url, ca = tls_server
    c = Connection("t", url, tls=TlsSettings(ca_bundle=ca, https_only=True))
    with pytest.raises(HttpsOnlyError, match="plain http://"):
        await engine.send(Request(path="t/r", url="/redirect",
                                  params=[KeyValue("to", f"{echo_server}/echo")]), c)


async def test_unreadable_client_certificate_is_clear(engine: Engine,
                                                      tls_server: tuple[str, str]) -> None:
    url, ca = tls_server
    c = Connection("t", url, tls=TlsSettings(ca_bundle=ca, client_cert="/nonexistent/me.pem"))
    with pytest.raises(TlsError, match=r"client certificate '/nonexistent/me\.pem'"):
        await engine.send(Request(path="t/r", url="/json"), c)


@pytest.fixture(scope="module")
def mtls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """An HTTPS echo that requires a client certificate signed by its own CA."""
    from tests.mtls import make_identities

    files = make_identities(tmp_path_factory.mktemp("mtls"), "unused-passphrase")
    server = start_uvicorn(certfile=Path(files["server"]), keyfile=Path(files["server_key"]),
                           ssl_ca_certs=files["ca"], ssl_cert_reqs=ssl.CERT_REQUIRED)
    yield {"url": server.base_url, **files}
    server.stop()


async def test_client_certificate(engine: Engine, mtls_server: dict[str, str]) -> None:
    tls = TlsSettings(ca_bundle=mtls_server["ca"], client_cert=mtls_server["client"],
                      client_key=mtls_server["client_key"])
    r = await engine.send(Request(path="t/r", url="/json"),
                          Connection("t", mtls_server["url"], tls=tls))
    assert r.status == 200
    without = Connection("t2", mtls_server["url"], tls=TlsSettings(ca_bundle=mtls_server["ca"]))
    with pytest.raises(RequestError):  # the server hangs up on a client without a cert
        await engine.send(Request(path="t2/r", url="/json"), without)


async def test_encrypted_pem_key_with_its_passphrase_from_the_keyring(
        mtls_server: dict[str, str], secret_store: SecretStore, tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization

    from relaydesk.core.client_identity import CLIENT_CERT_PASSPHRASE

    key = serialization.load_pem_private_key(Path(mtls_server["client_key"]).read_bytes(), None)
    locked = tmp_path / "locked_key.pem"
    locked.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"key-passphrase")))
    conn = Connection("locked", mtls_server["url"], tls=TlsSettings(
        ca_bundle=mtls_server["ca"], client_cert=mtls_server["client"], client_key=str(locked)))
    engine = Engine(secret_store)
    try:
        with pytest.raises(TlsError, match="none is stored for the connection"):
            await engine.send(Request(path="locked/r", url="/json"), conn)
        secret_store.set("locked", CLIENT_CERT_PASSPHRASE, "key-passphrase")
        r = await engine.send(Request(path="locked/r", url="/json"), conn)
        assert r.status == 200
    finally:
        await engine.aclose()
