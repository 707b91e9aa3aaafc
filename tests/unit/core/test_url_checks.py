"""Every bad URL part and header a clear validation message before sending (issue 18)."""

from __future__ import annotations

import pytest

from relaydesk.core.errors import ValidationError
from relaydesk.core.model import Connection, KeyValue, Request, validate_base_url
from relaydesk.core.prepare import check_headers, prepare
from relaydesk.core.urls import header_name_problem, header_value_problem, url_problem


@pytest.mark.parametrize(("url", "problem"), [
    ("http://h:99999/x", "the port 99999, outside 1-65535"),
    ("http://h:0/", "the port 0"),
    ("http://h:8a/", "not a number"),
    ("http://h/a\r\nb", "CR"),
    ("http://h/a\x00", "\\x00"),
    ("http://ex ample.com/", "a space in its host name"),
    ("http://[::1/", "Invalid IPv6 URL"),
    ("http:///x", "no host name"),
])
def test_a_bad_url_part_is_named(url: str, problem: str) -> None:
    assert problem in (url_problem(url) or "")


@pytest.mark.parametrize("url", ["http://h/x", "http://h:/x", "http://[::1]:8080/x",
                                 "https://u:p@h:443/a b?q=a:b", "http://é.example/"])
def test_good_urls_pass(url: str) -> None:
    assert url_problem(url) is None


def test_header_values_and_names() -> None:
    assert "line break (CR/LF)" in (header_value_problem("a\r\nX-Evil: 1") or "")
    assert "\\x01" in (header_value_problem("a\x01") or "")
    assert "non-ASCII" in (header_value_problem("é") or "")
    assert header_value_problem("a\tb ok") is None
    assert "a space" in (header_name_problem("X A") or "")
    assert header_name_problem("X-Ok") is None


def _request(url: str, headers: list[KeyValue] | None = None) -> Request:
    return Request(path="c/r", url=url, headers=headers or [])


def test_prepare_refuses_a_port_out_of_range_after_variables_are_filled_in() -> None:
    conn = Connection(path="c", base_url="http://127.0.0.1:{{port}}")
    with pytest.raises(ValidationError, match=r"^The URL 'http://127.0.0.1:99999/x' has "
                                              r"the port 99999, outside 1-65535\.$"):
        prepare(_request("/x"), conn, None, {"port": "99999"})


def test_a_url_message_leaves_typed_credentials_out() -> None:
    with pytest.raises(ValidationError) as caught:
        prepare(_request("http://ann:s3cret@h:99999/x"), None, None, {})
    assert "s3cret" not in str(caught.value) and "99999" in str(caught.value)


def test_a_line_break_in_a_header_names_the_header_and_not_the_value() -> None:
    with pytest.raises(ValidationError) as caught:
        check_headers([("X-Ok", "1"), ("Authorization", "Bearer tok-123\r\n")])
    assert str(caught.value).startswith("The header 'Authorization' has a line break")
    assert "tok-123" not in str(caught.value)


def test_a_saved_header_with_a_line_break_and_a_bad_base_url_are_refused() -> None:
    from relaydesk.core.model import validate_request

    with pytest.raises(ValidationError, match="The header 'X-A' has a line break"):
        validate_request(_request("/x", [KeyValue("X-A", "a\nb")]))
    with pytest.raises(ValidationError, match="port 0"):
        validate_base_url("http://h:0")
    assert validate_base_url("http://{{host}}/v1") == "http://{{host}}/v1"
