"""Pygments highlighting computed in a worker, chunk by chunk, visible chunks first.

``ChunkHighlighter.spans(line)`` is the span provider of a ``CodeView``: it answers from a
cache, and for a line whose chunk is not lexed yet it answers ``None`` (drawn plain for a
moment) and asks the worker pool to lex that chunk. Only chunks that are looked at are ever
lexed, so a 6 M-line body costs the screenful in view, not the whole text.

Trade-off: each chunk of ``CHUNK_LINES`` lines is lexed on its own, so a construct spanning
a chunk boundary (an XML comment over 200 lines) may be coloured wrongly at the boundary;
JSON (pretty-printed: no token spans lines) is always exact. Lines longer than
``LEX_LIMIT`` characters are only coloured up to that column.
"""

from __future__ import annotations

from concurrent.futures import Executor
from typing import Any

from pygments.lexer import Lexer
from pygments.lexers import get_lexer_for_mimetype
from pygments.lexers.data import JsonLexer
from pygments.token import (
    Comment,
    Error,
    Keyword,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
    _TokenType,
)
from pygments.util import ClassNotFound
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QColor, QPalette

from .widgets.code_view import Span
from .widgets.text_store import TextStore

__all__ = ["CHUNK_LINES", "ChunkHighlighter", "lex_lines", "lexer_for", "theme_for"]

CHUNK_LINES = 200
LEX_LIMIT = 4000

# (token type, category) — first match wins, so specific types come first.
_CATEGORIES: tuple[tuple[_TokenType, str], ...] = (
    (Name.Tag, "tag"),
    (Name.Attribute, "attr"),
    (String, "string"),
    (Number, "number"),
    (Keyword, "keyword"),
    (Comment, "comment"),
    (Name.Builtin, "name"),
    (Name.Function, "name"),
    (Name.Class, "name"),
    (Punctuation, "punct"),
    (Operator, "punct"),
    (Error, "error"),
)
def theme_for(palette: QPalette) -> dict[str, QColor]:
    """Token colours that read well on the palette's base colour (light or dark): the
    theme's syntax colours (AA contrast on its surfaces)."""
    from .theme import tokens

    return {k: QColor(v) for k, v in tokens(palette).syntax.items()}


def lexer_for(content_type: str) -> Lexer | None:
    """A Pygments lexer for a content type, or None for plain text."""
    mime = content_type.split(";", 1)[0].strip().lower()
    if not mime or mime == "text/plain":
        return None
    if mime.endswith("+json") or mime.endswith("/json") or mime == "json":
        return JsonLexer()
    if mime.endswith("+xml"):
        mime = "application/xml"
    try:
        return get_lexer_for_mimetype(mime)
    except ClassNotFound:
        return None


def _category(ttype: _TokenType, cache: dict[_TokenType, str | None]) -> str | None:
    try:
        return cache[ttype]
    except KeyError:
        cat = next((c for t, c in _CATEGORIES if ttype in t), None)
        cache[ttype] = cat
        return cat


def lex_lines(lexer: Lexer, lines: list[str]) -> list[list[tuple[int, int, str]]]:
    """Per-line spans ``(column, length, category)`` for consecutive ``lines``."""
    result: list[list[tuple[int, int, str]]] = [[] for _ in lines]
    cache: dict[_TokenType, str | None] = {}
    text = "\n".join(line[:LEX_LIMIT] for line in lines)
    row = 0
    col = 0
    for _pos, ttype, value in lexer.get_tokens_unprocessed(text):
        cat = _category(ttype, cache)
        parts = value.split("\n")
        for k, part in enumerate(parts):
            if k:
                row += 1
                col = 0
            if part and cat and row < len(result):
                result[row].append((col, len(part), cat))
            col += len(part)
    return result


class ChunkHighlighter(QObject):
    """Lazily lexes chunks of a ``TextStore`` in an executor; a ``CodeView`` span provider."""

    updated = Signal()
    _done = Signal(int, int, object)  # generation, chunk, spans (emitted from a worker)

    def __init__(self, executor: Executor, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._executor = executor
        self._generation = 0
        self._lexer: Lexer | None = None
        self._store: TextStore | None = None
        self._chunks: dict[int, list[list[tuple[int, int, str]]]] = {}
        self._pending: set[int] = set()
        self._colors: dict[str, QColor] = {}
        self._complete_lines = 0
        self._done.connect(self._on_done)

    def reset(self, store: TextStore | None, lexer: Lexer | None, palette: QPalette) -> None:
        self._generation += 1
        self._store, self._lexer = store, lexer
        self._chunks.clear()
        self._pending.clear()
        self._colors = theme_for(palette)
        self._complete_lines = 0

    def set_complete_lines(self, n: int) -> None:
        """Lines below ``n`` are final (the last line of a growing store may still grow)."""
        self._complete_lines = n

    @property
    def lexer(self) -> Lexer | None:
        return self._lexer

    @property
    def active(self) -> bool:
        return self._lexer is not None

    def spans(self, line: int) -> list[Span] | None:
        if self._lexer is None or self._store is None:
            return None
        chunk = line // CHUNK_LINES
        lexed = self._chunks.get(chunk)
        if lexed is None:
            self._request(chunk)
            return None
        colors = self._colors
        return [(c, n, colors[cat]) for c, n, cat in lexed[line - chunk * CHUNK_LINES]]

    def is_lexed(self, line: int) -> bool:
        return line // CHUNK_LINES in self._chunks

    def _request(self, chunk: int) -> None:
        store = self._store
        if chunk in self._pending or store is None or self._lexer is None:
            return
        first = chunk * CHUNK_LINES
        last = min(first + CHUNK_LINES, store.line_count())
        if last > self._complete_lines:
            return  # still loading: lexed once the chunk is complete
        self._pending.add(chunk)
        lines = [store.line_text(i, 0, LEX_LIMIT) for i in range(first, last)]
        gen, lexer = self._generation, self._lexer
        future = self._executor.submit(lex_lines, lexer, lines)

        def deliver(f: Any) -> None:
            if not f.cancelled() and f.exception() is None:
                self._done.emit(gen, chunk, f.result())

        future.add_done_callback(deliver)

    def _on_done(self, gen: int, chunk: int, spans: object) -> None:
        if gen != self._generation:
            return
        self._pending.discard(chunk)
        self._chunks[chunk] = spans  # type: ignore[assignment]
        self.updated.emit()
