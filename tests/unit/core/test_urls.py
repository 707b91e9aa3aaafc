from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relaydesk.core.urls import (
    build_url,
    encode_query,
    is_absolute,
    join_url,
    origin_of,
    remove_query_params,
    same_origin,
)


@pytest.mark.parametrize(
    ("base", "path", "expected"),
    [
        ("https://h/api/v2", "/issues", "https://h/api/v2/issues"),
        ("https://h/api/v2/", "issues", "https://h/api/v2/issues"),
        ("https://h/api/v2/", "/issues", "https://h/api/v2/issues"),
        ("https://h/api/v2", "issues", "https://h/api/v2/issues"),
        ("https://h", "/issues", "https://h/issues"),
        ("https://h/", "", "https://h/"),
        ("https://h/api", "", "https://h/api"),
        ("https://h/api", "?q=1", "https://h/api?q=1"),
        ("https://h/api?key=a", "/x?b=2", "https://h/api/x?key=a&b=2"),
        ("https://h/api", "/x#frag", "https://h/api/x"),
        ("https://h/api/v2", "https://other.example/x?y=1", "https://other.example/x?y=1"),
        ("https://h/api/v2", "HTTP://Other/x", "HTTP://Other/x"),
        ("", "https://h/x", "https://h/x"),
        ("https://h/api", "/a%2Fb/c d", "https://h/api/a%2Fb/c d"),
    ],
)
def test_join_url(base: str, path: str, expected: str) -> None:
    assert join_url(base, path) == expected


def test_params_appended_after_typed_query_and_repeats_kept_in_order() -> None:
    url = build_url("https://h/api", "/search?q=a&tag=x",
                    [("tag", "y"), ("tag", "z"), ("jql", "project = ABC & x")])
    assert url == "https://h/api/search?q=a&tag=x&tag=y&tag=z&jql=project%20%3D%20ABC%20%26%20x"


def test_params_without_typed_query() -> None:
    assert build_url("https://h/", "x", [("a", "1")]) == "https://h/x?a=1"
    assert build_url("https://h/", "x?", [("a", "1")]) == "https://h/x?a=1"
    assert build_url("https://h/", "x", []) == "https://h/x"


def test_encode_query_escapes_reserved_characters() -> None:
    assert encode_query([("a b", "c+d&e=f#g")]) == "a%20b=c%2Bd%26e%3Df%23g"
    assert encode_query([("when", "2024-01-01T00:00:00Z")]) == "when=2024-01-01T00:00:00Z"
    assert encode_query([("name", "é")]) == "name=%C3%A9"


def test_is_absolute() -> None:
    assert is_absolute("https://h")
    assert is_absolute("http://h/x")
    assert not is_absolute("/path")
    assert not is_absolute("path?next=https://h")
    assert not is_absolute("{{base}}/x")


def test_origins() -> None:
    assert origin_of("https://H.example/x") == ("https", "h.example", 443)
    assert origin_of("http://h:8080") == ("http", "h", 8080)
    assert same_origin("https://h/a", "https://h:443/b")
    assert not same_origin("https://h/a", "http://h/a")
    assert not same_origin("http://127.0.0.1:1/a", "http://127.0.0.1:2/a")
    assert not same_origin("https://a.h/", "https://b.h/")


def test_remove_query_params() -> None:
    url = "https://h/x?api_key=s&a=1&api_key=t&b=2"
    assert remove_query_params(url, ["api_key"]) == "https://h/x?a=1&b=2"
    assert remove_query_params("https://h/x", ["api_key"]) == "https://h/x"
    assert remove_query_params(url, []) == url


_segment = st.text(alphabet="abcxyz09-_.~%", min_size=1, max_size=8)


@given(base_segs=st.lists(_segment, max_size=3), rel_segs=st.lists(_segment, min_size=1,
                                                                   max_size=3),
       base_slash=st.booleans(), rel_slash=st.booleans())
def test_join_has_exactly_one_slash_at_the_seam(base_segs: list[str], rel_segs: list[str],
                                                base_slash: bool, rel_slash: bool) -> None:
    base = "https://h" + "".join("/" + s for s in base_segs) + ("/" if base_slash else "")
    rel = ("/" if rel_slash else "") + "/".join(rel_segs)
    expected = "https://h/" + "/".join([*base_segs, *rel_segs])
    assert join_url(base, rel) == expected
