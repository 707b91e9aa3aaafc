"""Case-insensitive search over the pieces of a ``TextStore``; runs in a worker.

Each piece is scanned with a compiled regex (C speed, one short GIL hold per piece), with
an overlap of ``len(term) - 1`` characters into the next piece so that a match crossing a
piece boundary is found once.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Sequence

__all__ = ["MAX_POSITIONS", "find_all"]

MAX_POSITIONS = 1_000_000  # positions kept for next/previous; the count goes on


def find_all(pieces: Sequence[str], starts: Sequence[int], term: str) -> tuple[int, array[int]]:
    """(number of matches, global start offsets of the first ``MAX_POSITIONS``)."""
    positions = array("q")
    if not term:
        return 0, positions
    pattern = re.compile(re.escape(term), re.IGNORECASE)
    overlap = len(term) - 1
    count = 0
    for i, piece in enumerate(pieces):
        text = piece + pieces[i + 1][:overlap] if overlap and i + 1 < len(pieces) else piece
        base = starts[i]
        for m in pattern.finditer(text):
            if m.start() >= len(piece):
                break
            count += 1
            if len(positions) < MAX_POSITIONS:
                positions.append(base + m.start())
    return count, positions
