"""Size and time limits as values; server text made safe; credential query parameters
across redirects; the settings kept in the connection file."""

from __future__ import annotations

import base64
import json

import pytest

from relaydesk.core.codec import connection_from_doc, connection_to_doc
from relaydesk.core.errors import ValidationError
from relaydesk.core.limits import DEFAULT_MAX_SIZE, parse_duration, parse_size
from relaydesk.core.model import Connection, Request, RequestOptions, validate_connection
from relaydesk.core.prepare import prepare
from relaydesk.core.printable import printable
from relaydesk.core.redact import Redactor, redact_error
from relaydesk.core.redirect_policy import carry_credential_params, display_url


@pytest.mark.parametrize(("text", "size"), [
    ("4096", 4096), ("500M", 500 * 1024 ** 2), ("2G", 2 * 1024 ** 3),
    ("1.5gib", 3 * 1024 ** 3 // 2), ("64 KB", 64 * 1024), (7, 7),
])
def test_sizes_read_as_curl_counts_them(text: str | int, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "lots", "0", "-1M", "2X", "1e9"])
def test_a_bad_size_is_a_clear_error(text: str) -> None:
    with pytest.raises(ValidationError, match="size"):
        parse_size(text)


@pytest.mark.parametrize("text", ["0", "-3", "soon", "inf", "nan"])
def test_a_bad_duration_is_a_clear_error(text: str) -> None:
    with pytest.raises(ValidationError, match="seconds"):
        parse_duration(text)


def test_the_limits_are_kept_in_the_connection_file_only_when_changed() -> None:
    plain = Connection("a", "https://api.example.com")
    assert {"max_size", "max_time", "http_version"}.isdisjoint(connection_to_doc(plain))
    tuned = Connection("a", "https://api.example.com", max_size=2 * 1024 ** 3, max_time=90.0,
                       http_version="1.1")
    doc = json.loads(json.dumps(connection_to_doc(tuned)))
    assert connection_from_doc("a", doc) == tuned
    doc["max_size"] = "500M"  # a person editing the file may write a size as text
    assert connection_from_doc("a", doc).max_size == 500 * 1024 ** 2
    with pytest.raises(ValidationError):
        validate_connection(Connection("a", "https://x.example", http_version="3"))


def test_a_request_option_beats_the_connection_limit() -> None:
    conn = Connection("c", "https://api.example.com", max_size=10, max_time=5.0)
    assert (prepare(Request("c/r"), conn, None, {}).max_size,
            prepare(Request("c/r"), conn, None, {}).max_time) == (10, 5.0)
    own = Request("c/r", options=RequestOptions(max_size=99, max_time=1.5))
    prepared = prepare(own, conn, None, {})
    assert (prepared.max_size, prepared.max_time) == (99, 1.5)
    assert prepare(Request("r", url="https://x.example"), None, None, {}).max_size == (
        DEFAULT_MAX_SIZE)


@pytest.mark.parametrize(("raw", "shown"), [
    ("OK \x1b]0;pwned\x07done", "OK done"),
    ("\x1b[2J\x1b[31mred\x1b[0m", "red"),
    ("a\x9b2Jb\x7fc\x00d", "abcd"),
    ("x\u202eevil\u202c y", "xevil y"),
    ("two\r\nlines\tand tab", "two  lines and tab"),
    ("plain é ünïcode", "plain é ünïcode"),
])
def test_server_text_loses_escape_sequences_and_controls(raw: str, shown: str) -> None:
    assert printable(raw) == shown


def test_an_error_is_rewritten_without_its_credential_in_any_encoding() -> None:
    secret = "s3cret/val+ue"
    basic = base64.b64encode(f"bob:{secret}".encode()).decode()
    redactor = Redactor.for_parts("https://x.example/?api_key=s3cret%2Fval%2Bue",
                                  [("Authorization", f"Basic {basic}")],
                                  secret_values=[secret])
    error = ValidationError(f"raw {secret} b64 {base64.b64encode(secret.encode()).decode()} "
                            f"basic {basic} url s3cret%2Fval%2Bue \x1b]0;t\x07end")
    redact_error(error, lambda text: redactor.text(printable(text)))
    assert str(error) == ("raw [redacted] b64 [redacted] basic [redacted] url [redacted] end")


def test_a_same_origin_hop_gets_the_api_key_back_once() -> None:
    first = "https://api.example.com/v1/items?api_key=k%2By&page=1"
    assert carry_credential_params(first, "https://api.example.com/v2/items", {"api_key"}) == (
        "https://api.example.com/v2/items?api_key=k%2By")
    kept = "https://api.example.com/v2/items?api_key=other"
    assert carry_credential_params(first, kept, {"api_key"}) == kept
    assert carry_credential_params(first, "https://api.example.com/v2", set()) == (
        "https://api.example.com/v2")


def test_a_url_in_a_message_has_no_query_or_user_info() -> None:
    assert display_url("http://bob:pw@h.example:8080/a/b?api_key=1#f") == (
        "http://h.example:8080/a/b?…")
    assert display_url("http://h.example/a") == "http://h.example/a"
