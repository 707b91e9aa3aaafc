"""Client certificates (mutual TLS) as PEM files and as a PKCS#12 bundle, driven
through the `relaydesk` command against a real OAuth server that requires them.

The Authlib server of tests/oauth_server.py is served over TLS with
``CERT_REQUIRED``: both its token endpoint (client credentials) and its protected API
see only clients presenting a certificate its CA signed.
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.clitools import (
    assert_one_line_error,
    requires_secret_service,
    run_cli,
    snapshot,
)
from tests.mtls import make_identities
from tests.oauth_server import CLIENTS, OAuthServer, start_oauth_server

pytestmark = requires_secret_service

P12_PASSPHRASE = "p12-Passphrase!"


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return make_identities(tmp_path_factory.mktemp("mtls"), P12_PASSPHRASE)


@pytest.fixture(scope="module")
def mtls_oauth(certs: dict[str, str]) -> Iterator[OAuthServer]:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(certs["server"], certs["server_key"])
    ctx.load_verify_locations(certs["ca"])
    ctx.verify_mode = ssl.CERT_REQUIRED
    server = start_oauth_server(ssl_context=ctx)
    yield server
    server.stop()


def _new_api(ws: Path, server: OAuthServer, certs: dict[str, str], *identity: str,
             input: str | None = None) -> None:
    """A client-credentials connection with ``identity`` options, a request, a secret."""
    made = run_cli(ws, "new", "connection", "api", "--base-url", server.base_url,
                   "--ca-bundle", certs["ca"], *identity, "--auth", "oauth2",
                   "--grant", "client_credentials",
                   "--set", f"token_url={server.base_url}/token",
                   "--set", "client_id=basic-client", input=input)
    assert made.code == 0, made.err
    assert run_cli(ws, "new", "request", "api/me", "--url", "/api/me").code == 0
    stored = run_cli(ws, "secret", "set", "api", "client_secret",
                     input=CLIENTS["basic-client"]["secret"])
    assert stored.code == 0, stored.err


@pytest.mark.parametrize("kind", ["pem", "p12", "p12_open"])
def test_identity_used_for_token_and_api_call(tmp_path: Path, certs: dict[str, str],
                                              mtls_oauth: OAuthServer, kind: str) -> None:
    mtls_oauth.reset()
    identity = {"pem": ["--client-cert", certs["client"], "--client-key", certs["client_key"]],
                "p12": ["--client-p12", certs["p12"]],
                "p12_open": ["--client-p12", certs["p12_open"]]}[kind]
    ws = tmp_path / "ws"
    _new_api(ws, mtls_oauth, certs, *identity,
             input=P12_PASSPHRASE if kind == "p12" else None)
    sent = run_cli(ws, "send", "api/me")
    assert sent.code == 0, sent.err
    assert json.loads(sent.text)["client_id"] == "basic-client"
    # The token came from the mTLS token endpoint in this run, not from anywhere else.
    assert [r["grant_type"] for r in mtls_oauth.state.token_requests] == ["client_credentials"]
    files = snapshot(ws)
    assert not any(P12_PASSPHRASE.encode() in data for data in files.values())
    if kind == "p12":  # a deleted connection takes its passphrase out of the keyring
        before = _passphrase_entries()
        assert before >= 1
        assert run_cli(ws, "rm", "api", "-r").code == 0
        assert _passphrase_entries() == before - 1


def _passphrase_entries() -> int:
    """How many client-certificate passphrases the Secret Service holds for Relaydesk."""
    from contextlib import closing

    import secretstorage

    from relaydesk.core.client_identity import CLIENT_CERT_PASSPHRASE

    with closing(secretstorage.dbus_init()) as bus:
        items = secretstorage.get_default_collection(bus).get_all_items()
        return sum(1 for item in items
                   if item.get_attributes().get("service") == "relaydesk"
                   and item.get_attributes().get("username", "").endswith(
                       "#" + CLIENT_CERT_PASSPHRASE))


def test_without_a_client_certificate_the_refusal_is_clear(
        tmp_path: Path, certs: dict[str, str], mtls_oauth: OAuthServer) -> None:
    mtls_oauth.reset()
    ws = tmp_path / "ws"
    _new_api(ws, mtls_oauth, certs)
    sent = run_cli(ws, "send", "api/me")
    assert_one_line_error(sent, "client certificate")
    assert mtls_oauth.state.token_requests == []  # the server never let the call in


def test_wrong_p12_passphrase_saves_nothing(tmp_path: Path, certs: dict[str, str],
                                            mtls_oauth: OAuthServer) -> None:
    ws = tmp_path / "ws"
    made = run_cli(ws, "new", "connection", "api", "--base-url", mtls_oauth.base_url,
                   "--client-p12", certs["p12"], input="not-the-passphrase")
    assert_one_line_error(made, "passphrase is wrong")
    assert snapshot(ws) == {}


def test_set_switches_a_connection_to_a_p12(tmp_path: Path, certs: dict[str, str],
                                            mtls_oauth: OAuthServer) -> None:
    mtls_oauth.reset()
    ws = tmp_path / "ws"
    _new_api(ws, mtls_oauth, certs)
    changed = run_cli(ws, "set", "api", "--client-p12", certs["p12"], input=P12_PASSPHRASE)
    assert changed.code == 0, changed.err
    sent = run_cli(ws, "send", "api/me")
    assert sent.code == 0, sent.err
    assert json.loads(sent.text)["client_id"] == "basic-client"
    both = run_cli(ws, "set", "api", "--client-p12", certs["p12"], "--client-cert",
                   certs["client"])
    assert_one_line_error(both, "--client-p12")


def test_api_call_without_a_certificate_is_refused_clearly(
        tmp_path: Path, certs: dict[str, str], mtls_oauth: OAuthServer) -> None:
    ws = tmp_path / "ws"
    made = run_cli(ws, "new", "connection", "plain", "--base-url", mtls_oauth.base_url,
                   "--ca-bundle", certs["ca"])
    assert made.code == 0, made.err
    assert run_cli(ws, "new", "request", "plain/jwks", "--url", "/jwks").code == 0
    for _ in range(3):  # the alert arrives at different moments of the exchange
        assert_one_line_error(run_cli(ws, "send", "plain/jwks"), "client certificate")
    assert run_cli(ws, "set", "plain", "--client-p12", certs["p12_open"]).code == 0
    sent = run_cli(ws, "send", "plain/jwks")
    assert sent.code == 0, sent.err
    assert json.loads(sent.text)["keys"]


def test_passphrase_from_an_environment_variable(tmp_path: Path, certs: dict[str, str],
                                                 mtls_oauth: OAuthServer) -> None:
    mtls_oauth.reset()
    ws = tmp_path / "ws"
    _new_api(ws, mtls_oauth, certs, "--client-p12", certs["p12"], input=P12_PASSPHRASE)
    assert run_cli(ws, "new", "request", "api/jwks", "--url", "/jwks").code == 0
    ref = run_cli(ws, "secret", "set", "api/jwks", "client_cert_passphrase",
                  "--from-env", "MY_P12_PASS")
    assert ref.code == 0, ref.err
    sent = run_cli(ws, "send", "api/jwks", env={"MY_P12_PASS": P12_PASSPHRASE})
    assert sent.code == 0, sent.err
    assert json.loads(sent.text)["keys"]
    wrong = run_cli(ws, "send", "api/jwks", env={"MY_P12_PASS": "wrong"})
    assert_one_line_error(wrong, "passphrase is wrong")
