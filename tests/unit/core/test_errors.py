"""The exception tree: subclasses chosen by exception types, structured fields kept."""

from __future__ import annotations

import socket
import ssl

import httpx
import pytest

from relaydesk.core.errors import (
    CertificateError,
    ConnectError,
    ConnectionRefused,
    DnsError,
    HttpStatusError,
    InvalidValuesError,
    MissingScopesError,
    ProxyError,
    RequestError,
    RequestTimeout,
    TlsError,
    UnsupportedScheme,
)
from relaydesk.core.messages import explain_status, status_error, to_request_error

URL = "https://alice:pw@api.example.test:8443/v1/items?api_key=s3cret"
REQ = httpx.Request("GET", URL)


def _failed(message: str, *causes: BaseException,
            kind: type[httpx.HTTPError] = httpx.ConnectError) -> httpx.HTTPError:
    """An httpx error raised the way httpcore raises it: ``from`` its cause."""
    exc = kind(message, request=REQ)
    for cause in reversed(causes):
        cause.__cause__, exc.__cause__ = exc.__cause__, cause
    return exc


def test_fields_carry_where_without_secrets() -> None:
    err = to_request_error(_failed("x", ConnectionRefusedError(111, "refused")))
    assert isinstance(err, ConnectionRefused) and isinstance(err, ConnectError)
    assert err.kind == "refused"
    assert err.host == "api.example.test"
    assert err.url == "https://api.example.test:8443/v1/items"  # no user info, no query
    assert "s3cret" not in err.url and "pw" not in err.url


def test_the_type_decides_not_the_words() -> None:
    # Words that used to steer the classification, on causes of another type.
    misleading = "SSL handshake: Name or service not known, connection refused"
    assert type(to_request_error(_failed(misleading, ConnectionRefusedError(111, "x")))) is (
        ConnectionRefused)
    assert type(to_request_error(_failed(misleading, OSError(113, "No route")))) is ConnectError
    assert type(to_request_error(_failed("refused", socket.gaierror(-2, "x")))) is DnsError
    assert type(to_request_error(_failed("plain", ssl.SSLError(1, "bad record")))) is TlsError


def test_certificate_reason_is_a_field() -> None:
    cause = ssl.SSLCertVerificationError(1, "certificate verify failed")
    cause.verify_message = "certificate has expired"
    err = to_request_error(_failed("boom", cause))
    assert isinstance(err, CertificateError) and isinstance(err, TlsError)
    assert err.reason == "certificate has expired" and err.kind == "certificate"
    assert "certificate has expired" in str(err)


def test_cause_found_deep_in_the_chain_and_in_groups() -> None:
    # anyio: OSError("All connection attempts failed") from a group of per-address errors.
    group = ExceptionGroup("multiple connection attempts failed",
                           [ConnectionRefusedError(111, "a"), ConnectionRefusedError(111, "b")])
    err = to_request_error(_failed("All connection attempts failed",
                                   OSError("All connection attempts failed"), group))
    assert isinstance(err, ConnectionRefused)
    context_only = httpx.ConnectError("x", request=REQ)
    context_only.__context__ = ssl.SSLCertVerificationError(1, "verify failed")
    assert isinstance(to_request_error(context_only), CertificateError)


def test_timeout_phase_and_limit() -> None:
    err = to_request_error(httpx.ConnectTimeout("timed out", request=REQ), timeout=4)
    assert isinstance(err, RequestTimeout)
    assert (err.phase, err.limit, err.kind) == ("connect", 4, "timeout")
    assert "within 4 seconds" in str(err) and "connecting" in str(err)


def test_proxy_and_scheme() -> None:
    assert isinstance(to_request_error(httpx.ProxyError("407", request=REQ)), ProxyError)
    err = to_request_error(httpx.UnsupportedProtocol("ftp", request=REQ))
    assert isinstance(err, UnsupportedScheme) and isinstance(err, RequestError)


def test_no_request_attached() -> None:
    err = to_request_error(httpx.ConnectError("x"))
    assert (err.url, err.host) == ("", "")


# -- statuses ----------------------------------------------------------------------------


def test_insufficient_scope_on_401_names_the_scopes() -> None:
    headers = [("WWW-Authenticate",
                'Bearer realm="api", error="insufficient_scope", scope="a:read b:write"')]
    err = status_error(401, headers, b"", "https://api.example.test/x?token=t")
    assert isinstance(err, MissingScopesError)
    assert err.scopes == ["a:read", "b:write"] and err.status == 401
    assert err.kind == "missing-scopes" and err.host == "api.example.test"
    assert "Missing scopes" in str(err) and "a:read, b:write" in str(err)
    assert explain_status(401, headers, b"") == str(status_error(401, headers, b""))


def test_a_plain_401_is_not_about_scopes() -> None:
    headers = [("WWW-Authenticate", 'Bearer error="invalid_token"')]
    err = status_error(401, headers, b"")
    assert type(err) is HttpStatusError and err.kind == "status"
    assert "rejected the credentials" in str(err)


def test_github_scope_headers_give_the_difference() -> None:
    headers = [("X-Accepted-OAuth-Scopes", "repo, admin:org"), ("X-OAuth-Scopes", "gist, user")]
    err = status_error(403, headers, b"{}")
    assert isinstance(err, MissingScopesError)
    assert err.scopes == ["repo", "admin:org"] and err.granted == ["gist", "user"]
    assert "It needs: repo, admin:org (it has: gist, user)" in str(err)
    # A token with no scopes at all: GitHub sends the header empty.
    empty = status_error(404, [("X-Accepted-OAuth-Scopes", "repo"), ("X-OAuth-Scopes", "")], b"")
    assert isinstance(empty, MissingScopesError) and empty.scopes == ["repo"]


def test_github_headers_when_scopes_are_not_the_problem() -> None:
    # GitHub sends both headers on every answer; a token holding an accepted scope
    # failed for another reason.
    headers = [("X-Accepted-OAuth-Scopes", "repo"), ("X-OAuth-Scopes", "repo, gist")]
    assert type(status_error(403, headers, b"")) is HttpStatusError
    assert type(status_error(404, [("X-Accepted-OAuth-Scopes", "repo")], b"")) is HttpStatusError


def test_invalid_values_fields() -> None:
    err = status_error(422, {}, b'{"errors": {"summary": ["is required"]}}', "http://h/x")
    assert isinstance(err, InvalidValuesError)
    assert err.fields == ["summary: is required"] and err.kind == "invalid-values"
    assert str(err).endswith("[http://h/x]")


@pytest.mark.parametrize("status", [404, 429, 500, 503])
def test_other_statuses_are_plain_status_errors(status: int) -> None:
    err = status_error(status, [], b"")
    assert type(err) is HttpStatusError and err.status == status
