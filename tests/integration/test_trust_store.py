"""The operating system's trust store as a connection's verification choice.

The tests never touch the machine's real store. On Linux, truststore verifies with
OpenSSL's system locations, which honour ``SSL_CERT_FILE``: pointing that at a test CA
in the `relaydesk` subprocess plays "a company CA installed in the system store".
The bundled store (certifi) ignores that variable, so the same server is refused there.
"""

from __future__ import annotations

import json
import ssl
from pathlib import Path

import truststore

from relaydesk.core.client_settings import ssl_context
from relaydesk.core.model import TlsSettings
from tests.integration.clitools import assert_one_line_error, run_cli


def _api(ws: Path, url: str, *options: str) -> None:
    made = run_cli(ws, "new", "connection", "t", "--base-url", url, *options)
    assert made.code == 0, made.err
    assert run_cli(ws, "new", "request", "t/json", "--url", "/json").code == 0


def test_the_setting_builds_a_system_trust_context(tls_server: tuple[str, str]) -> None:
    _, ca = tls_server
    system = ssl_context(TlsSettings(trust_store="system"))
    assert isinstance(system, truststore.SSLContext)
    bundled = ssl_context(TlsSettings(ca_bundle=ca))
    assert isinstance(bundled, ssl.SSLContext) and not isinstance(bundled, truststore.SSLContext)


def test_system_store_trusts_what_the_system_trusts(tmp_path: Path,
                                                    tls_server: tuple[str, str]) -> None:
    url, ca = tls_server
    company_ca = {"SSL_CERT_FILE": ca}
    ws = tmp_path / "ws"
    _api(ws, url, "--trust-store", "system")
    assert json.loads((ws / "connections/t/connection.json").read_text())["tls"][
        "trust_store"] == "system"
    sent = run_cli(ws, "send", "t/json", env=company_ca)
    assert sent.code == 0, sent.err
    assert b"relaydesk" in sent.out
    # The real system store (no test CA in it) refuses the private certificate.
    assert_one_line_error(run_cli(ws, "send", "t/json"), "could not be verified")
    # Back to the bundled store: the system's CA does not count there.
    assert run_cli(ws, "set", "t", "--trust-store", "bundled").code == 0
    assert_one_line_error(run_cli(ws, "send", "t/json", env=company_ca), "could not be verified")


def test_bundled_store_with_a_ca_bundle(tmp_path: Path, tls_server: tuple[str, str]) -> None:
    url, ca = tls_server
    ws = tmp_path / "ws"
    _api(ws, url)
    assert_one_line_error(run_cli(ws, "send", "t/json"), "could not be verified")
    assert run_cli(ws, "set", "t", "--ca-bundle", ca).code == 0
    sent = run_cli(ws, "send", "t/json")
    assert sent.code == 0, sent.err
