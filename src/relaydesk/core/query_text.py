"""A URL's query string as items the Params table can show and edit.

Each item keeps its raw text, so an item the user did not edit is never rewritten;
only edited items are encoded again, with the engine's own rules
(``urls.encode_query``), leaving ``{{variables}}`` as typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from .model import KeyValue
from .templating import find_variables
from .urls import encode_query

__all__ = ["QueryPiece", "encode_piece", "fold_params", "query_pieces", "replace_query"]


@dataclass(frozen=True)
class QueryPiece:
    """One ``&``-separated query item: its raw text and its decoded name and value."""

    raw: str
    name: str
    value: str


def _split_url(text: str) -> tuple[str, str | None, str]:
    """``(before '?', query or None without a '?', '#fragment' or '')``."""
    base, hash_, fragment = text.partition("#")
    head, mark, query = base.partition("?")
    return head, (query if mark else None), hash_ + fragment


def query_pieces(text: str) -> list[QueryPiece]:
    """The query items of a URL, split raw on ``&`` and the first ``=``.

    Decoded with ``unquote`` (not ``unquote_plus``): a ``+`` shows as ``+``. Variables
    never contain ``%``, so ``{{templates}}`` come through untouched.
    """
    query = _split_url(text)[1] or ""
    pieces = []
    for raw in query.split("&"):
        if raw:
            name, _, value = raw.partition("=")
            pieces.append(QueryPiece(raw, unquote(name), unquote(value)))
    return pieces


def _quote(text: str) -> str:
    """Percent-encode like the engine encodes params, leaving ``{{variables}}`` as typed."""
    out, pos = [], 0
    for ref in find_variables(text):
        out.append(encode_query([(text[pos:ref.start], "")])[:-1])
        out.append(text[ref.start:ref.end])
        pos = ref.end
    out.append(encode_query([(text[pos:], "")])[:-1])
    return "".join(out)


def encode_piece(name: str, value: str, *, bare: bool = False) -> str:
    """``name=value`` encoded; just ``name`` when ``bare`` and the value is empty."""
    return _quote(name) if bare and not value else f"{_quote(name)}={_quote(value)}"


def replace_query(text: str, raw_pieces: list[str]) -> str:
    """``text`` with its query replaced by ``raw_pieces`` (no ``?`` when empty)."""
    head, _, fragment = _split_url(text)
    return head + ("?" + "&".join(raw_pieces) if raw_pieces else "") + fragment


def fold_params(url: str, params: list[KeyValue]) -> tuple[str, list[KeyValue]]:
    """The query in one place: enabled, named ``params`` appended to ``url``'s query
    (encoded as the engine sends them, so the wire is the same); the rest stay params.

    What the editor shows and saves, so a pasted curl command's query (parsed into
    params) is in the URL bar and the Params table alike.
    """
    moved = [p for p in params if p.enabled and p.name]
    if not moved:
        return url, list(params)
    head, query, fragment = _split_url(url.strip())  # the engine trims it too
    added = "&".join(encode_piece(p.name, p.value) for p in moved)
    # Appended to the raw query: the items already there keep their exact bytes.
    query = f"{query}&{added}" if query and not query.endswith("&") else (query or "") + added
    return head + "?" + query + fragment, [p for p in params if not (p.enabled and p.name)]
