from __future__ import annotations

import asyncio
import json
import socket
import ssl

import httpx
import pytest

from relaydesk.core.errors import (
    ConnectError,
    DnsError,
    HttpStatusError,
    InvalidValuesError,
    MissingScopesError,
    NotFoundError,
    ProtocolError,
    RequestTimeout,
    TlsError,
)
from relaydesk.core.messages import explain_status, status_error, to_request_error, user_message

REQ = httpx.Request("GET", "https://api.example.test:8443/x")


def _with_cause(exc: httpx.HTTPError, cause: BaseException) -> httpx.HTTPError:
    exc.__cause__ = cause
    return exc


def test_relaydesk_errors_are_their_message() -> None:
    assert user_message(NotFoundError("No connection 'x'.")) == "No connection 'x'."


def test_dns_failure() -> None:
    exc = _with_cause(httpx.ConnectError("[Errno -2] Name or service not known", request=REQ),
                      socket.gaierror(-2, "Name or service not known"))
    err = to_request_error(exc)
    assert isinstance(err, DnsError)
    assert str(err).startswith("Could not find the server 'api.example.test' (DNS lookup failed)")
    assert user_message(exc) == str(err)


def test_refused() -> None:
    exc = _with_cause(httpx.ConnectError("[Errno 111] Connection refused", request=REQ),
                      ConnectionRefusedError(111, "Connection refused"))
    err = to_request_error(exc)
    assert isinstance(err, ConnectError)
    assert "api.example.test:8443" in str(err) and "refused" in str(err)


def test_tls_certificate() -> None:
    cause = ssl.SSLCertVerificationError(1, "certificate verify failed")
    cause.verify_message = "self-signed certificate in certificate chain"
    err = to_request_error(_with_cause(httpx.ConnectError("CERTIFICATE_VERIFY_FAILED",
                                                          request=REQ), cause))
    assert isinstance(err, TlsError)
    assert "self-signed certificate" in str(err)
    assert "CA bundle" in str(err)
    assert "turn off verification for this connection only if you trust it" in str(err)


def test_timeout_names_the_value() -> None:
    err = to_request_error(httpx.ReadTimeout("timed out", request=REQ), timeout=2.5)
    assert isinstance(err, RequestTimeout)
    assert "within 2.5 seconds" in str(err)
    assert "waiting for the response" in str(err)


def test_protocol_and_other_errors() -> None:
    assert isinstance(to_request_error(httpx.RemoteProtocolError("bad", request=REQ)),
                      ProtocolError)
    msg = user_message(ZeroDivisionError("division by zero"))
    assert msg == "Unexpected error (ZeroDivisionError): division by zero"
    assert "Traceback" not in user_message(RuntimeError("x\n  File 'a.py'"))
    assert user_message(asyncio.CancelledError()) == "The request was cancelled."
    assert user_message(FileNotFoundError(2, "No such file or directory", "/x")) == (
        "No such file or directory (/x).")


def test_missing_scopes_from_header() -> None:
    headers = [("WWW-Authenticate",
                'Bearer error="insufficient_scope", scope="read:jira-work write:jira-work"')]
    text = explain_status(403, headers, b"")
    assert text is not None
    assert text.startswith("Missing scopes")
    assert "read:jira-work, write:jira-work" in text
    assert isinstance(status_error(403, headers, b""), MissingScopesError)


def test_missing_scopes_from_body_only() -> None:
    body = json.dumps({"error": "insufficient_scope"}).encode()
    assert (explain_status(403, [], body) or "").startswith("Missing scopes")
    plain = explain_status(403, [], b"{}") or ""
    assert "Access denied" in plain


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"errors": [{"field": "summary", "message": "is required"}]}, ["summary: is required"]),
        ({"errors": {"email": ["is invalid", "is taken"]}},
         ["email: is invalid", "email: is taken"]),
        ({"detail": [{"loc": ["body", "user", "age"], "msg": "must be >= 0",
                      "type": "value_error"}]}, ["user.age: must be >= 0"]),
        ({"errorMessages": ["Issue does not exist"], "errors": {"project": "unknown"}},
         ["project: unknown", "Issue does not exist"]),
        ({"errors": [{"source": {"pointer": "/data/name"}, "detail": "blank"}]},
         ["/data/name: blank"]),
    ],
)
def test_invalid_values_shapes(body: object, expected: list[str]) -> None:
    raw = json.dumps(body).encode()
    text = explain_status(422, {}, raw) or ""
    assert text.startswith("Invalid values (422)")
    for item in expected:
        assert item in text
    err = status_error(400, [], raw)
    assert isinstance(err, InvalidValuesError)
    assert err.fields == expected
    assert err.status == 400


def test_short_statuses() -> None:
    assert "rejected the credentials" in (explain_status(401, {}, None) or "")
    assert "Not found" in (explain_status(404, {}, None) or "")
    assert "Retry after 7 seconds" in (explain_status(429, [("Retry-After", "7")], b"") or "")
    assert "server's side" in (explain_status(503, {}, b"<html>") or "")
    assert explain_status(200, {}, b"") is None
    assert explain_status(302, {}, b"") is None
    assert explain_status(400, {}, b"not json") == (
        "Invalid values (400): the server refused the request's data.")
    err = status_error(500, {}, b"", "https://h/x")
    assert type(err) is HttpStatusError and err.status == 500 and "https://h/x" in str(err)
