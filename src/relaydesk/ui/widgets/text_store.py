"""Append-only text held as pieces plus a line index; what ``CodeView`` displays.

A ``QTextDocument`` costs ~140 bytes and ~2.5 µs per line: a 50 MB JSON pretty-printed to
6 M lines took 17 s and 860 MB to load into a ``QPlainTextEdit``. Here a line costs 8 bytes
(its start offset in an ``array``) and appending a piece is a list append plus an array
extend, so the GUI thread only ever does tiny amounts of work. Line offsets are computed by
``index_piece`` (a worker can call it) before the piece reaches the GUI.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from itertools import accumulate

__all__ = ["IndexedPiece", "TextStore", "index_piece"]


class IndexedPiece:
    """A piece of text to append at offset ``base``, with the (global) offsets where new
    lines start inside it."""

    __slots__ = ("base", "line_starts", "longest", "text")

    def __init__(self, text: str, base: int, line_starts: array[int], longest: int) -> None:
        self.text = text
        self.base = base
        self.line_starts = line_starts
        self.longest = longest


def index_piece(text: str, base: int = 0) -> IndexedPiece:
    """Find the line starts of ``text`` (every position after a newline), ``base`` being
    the offset the piece will have in its store — so the GUI thread need not shift them."""
    lines = text.split("\n")
    starts = array("q", accumulate((len(line) + 1 for line in lines[:-1]), initial=base))
    del starts[0]
    longest = max(map(len, lines)) if lines else 0
    return IndexedPiece(text, base, starts, longest)


class TextStore:
    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self._pieces: list[str] = []
        self._piece_starts = array("q")
        self._line_starts = array("q", [0])
        self._length = 0
        self._longest = 0
        self._tail_run = 0  # length of the (unterminated) last line so far

    # -- building ------------------------------------------------------------------------

    def append(self, piece: IndexedPiece | str) -> None:
        base = self._length
        if isinstance(piece, str) or piece.base != base:
            piece = index_piece(piece if isinstance(piece, str) else piece.text, base)
        if not piece.text:
            return
        self._pieces.append(piece.text)
        self._piece_starts.append(base)
        if piece.line_starts:
            first = piece.line_starts[0] - base
            self._longest = max(self._longest, self._tail_run + first - 1, piece.longest)
            self._line_starts.extend(piece.line_starts)
            self._tail_run = base + len(piece.text) - piece.line_starts[-1]
        else:
            self._tail_run += len(piece.text)
        self._longest = max(self._longest, self._tail_run)
        self._length += len(piece.text)

    # -- reading -------------------------------------------------------------------------

    def __len__(self) -> int:
        return self._length

    @property
    def pieces(self) -> list[str]:
        return self._pieces

    @property
    def piece_starts(self) -> array[int]:
        return self._piece_starts

    def line_count(self) -> int:
        return len(self._line_starts)

    def longest_line(self) -> int:
        return self._longest

    def line_start(self, line: int) -> int:
        return self._line_starts[line]

    def line_length(self, line: int) -> int:
        if line + 1 < len(self._line_starts):
            return self._line_starts[line + 1] - 1 - self._line_starts[line]
        return self._length - self._line_starts[line]

    def line_of(self, offset: int) -> int:
        return max(bisect_right(self._line_starts, offset) - 1, 0)

    def text(self, start: int, end: int) -> str:
        """Characters ``start:end`` (global offsets), across pieces."""
        start = max(start, 0)
        end = min(end, self._length)
        if end <= start:
            return ""
        i = bisect_right(self._piece_starts, start) - 1
        out: list[str] = []
        while start < end and i < len(self._pieces):
            base = self._piece_starts[i]
            piece = self._pieces[i]
            chunk = piece[start - base : end - base]
            out.append(chunk)
            start += len(chunk)
            i += 1
        return "".join(out)

    def line_text(self, line: int, col_start: int = 0, col_end: int | None = None) -> str:
        start = self._line_starts[line]
        length = self.line_length(line)
        end = start + (length if col_end is None else min(col_end, length))
        return self.text(start + col_start, end)
