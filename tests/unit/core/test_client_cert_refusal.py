"""A server refusing the client certificate, however the refusal reaches httpx."""

from __future__ import annotations

import ssl

import httpx
import pytest

from relaydesk.core.client_identity import REFUSAL_HINT, client_cert_refusal


def _read_error(behind: BaseException) -> httpx.ReadError:
    """An httpx error with ``behind`` as its context, as httpcore raises them."""
    try:
        try:
            raise behind
        except BaseException as inner:
            raise httpx.ReadError("") from inner
    except httpx.ReadError as outer:
        return outer


def test_a_tls_alert_names_the_certificate() -> None:
    alert = ssl.SSLError(1, "[SSL: TLSV13_ALERT_CERTIFICATE_REQUIRED] tlsv13 alert "
                            "certificate required (_ssl.c:2580)")
    assert client_cert_refusal(_read_error(alert)) == REFUSAL_HINT


@pytest.mark.parametrize("behind", [
    ConnectionResetError(104, "Connection reset by peer"),
    BrokenPipeError(32, "Broken pipe"),
    ssl.SSLZeroReturnError(6, "TLS/SSL connection has been closed (EOF) (_ssl.c:2706)"),
    ssl.SSLEOFError(8, "[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation"),
])
def test_a_dropped_https_connection_suggests_the_certificate(behind: BaseException) -> None:
    # TLS 1.3: the handshake is over for the client before the server checks the
    # certificate, so the refusal may come as a reset on the first read or write.
    hint = client_cert_refusal(_read_error(behind), "https://idp.example/token")
    assert hint is not None and "may require a client certificate" in hint


def test_a_reset_over_plain_http_or_a_named_failure_is_not_blamed_on_certificates() -> None:
    reset = _read_error(ConnectionResetError(104, "Connection reset by peer"))
    assert client_cert_refusal(reset, "http://idp.example/token") is None
    refused = _read_error(ConnectionRefusedError(111, "Connection refused"))
    assert client_cert_refusal(refused, "https://idp.example/token") is None


def test_a_reset_wrapped_by_httpcore_with_its_text_still_suggests_the_certificate() -> None:
    # httpx.ReadError('') <- httpcore.ReadError('[Errno 104] ...') <- ConnectionResetError
    import httpcore

    reset = ConnectionResetError(104, "Connection reset by peer")
    try:
        try:
            try:
                raise reset
            except ConnectionResetError as inner:
                raise httpcore.ReadError(str(inner)) from inner
        except httpcore.ReadError as middle:
            raise httpx.ReadError("") from middle
    except httpx.ReadError as outer:
        hint = client_cert_refusal(outer, "https://idp.example/token")
    assert hint is not None and "may require a client certificate" in hint


def test_what_the_library_was_doing_under_a_reset_says_nothing_against_it() -> None:
    # Seen in CI: httpx.ReadError('') <- httpcore.ReadError('') <- BrokenResourceError('')
    # <- ConnectionResetError, whose context is anyio's read loop: an IndexError from its
    # empty buffer, itself raised while handling ssl.SSLWantReadError.
    import anyio
    import httpcore

    def chain() -> BaseException:
        try:
            try:
                try:
                    try:
                        try:
                            raise ssl.SSLWantReadError(2, "The operation did not complete "
                                                          "(read) (_ssl.c:2580)")
                        except ssl.SSLWantReadError:
                            raise IndexError("pop from an empty deque") from None
                    except IndexError:
                        raise ConnectionResetError(104, "Connection reset by peer")  # noqa: B904
                except ConnectionResetError as reset:
                    raise anyio.BrokenResourceError from reset
            except anyio.BrokenResourceError as broken:
                raise httpcore.ReadError("") from broken
        except httpcore.ReadError as middle:
            return _read_error(middle)
        raise AssertionError("unreachable")

    hint = client_cert_refusal(chain(), "https://idp.example/token")
    assert hint is not None and "may require a client certificate" in hint
