import pytest

from relaydesk.core.query_text import encode_piece, query_pieces, replace_query


@pytest.mark.parametrize("url", [
    "/x?a=1&b=x%20y", "/x?q=a+b&c=%2C", "/x?debug", "/x?t={{tag}}&t=2", "/x", "/x?",
    "https://h/p?a=%FF%zz#frag?x",
])
def test_untouched_items_rebuild_the_same_url(url: str) -> None:
    rebuilt = replace_query(url, [p.raw for p in query_pieces(url)])
    # Only empty pieces (a bare "?" or "&&") may go; what the server reads is the same.
    assert rebuilt == url.replace("?#", "#").rstrip("?")


def test_items_are_decoded_for_display_and_plus_stays_plus() -> None:
    assert [(p.name, p.value) for p in query_pieces("/x?q=a+b&s=x%20y&f")] == [
        ("q", "a+b"), ("s", "x y"), ("f", "")]


def test_edited_items_are_encoded_like_the_engine_and_templates_kept() -> None:
    assert encode_piece("q", "z w") == "q=z%20w"
    assert encode_piece("tag", "{{tag}} x") == "tag={{tag}}%20x"
    assert encode_piece("debug", "", bare=True) == "debug"
    assert replace_query("/x?a=1#top", []) == "/x#top"
