"""Reading a file the user points at without trusting its size.

``Path.read_text`` of a 3 GB file allocates 3 GB (or more, decoded) before any size
check can run, and a FIFO, ``/dev/zero`` or a pipe has no size to stat. These look at
the size first and then read at most ``limit + 1`` bytes, so the check holds for every
kind of file; callers turn ``TooLarge`` into their own one-line message.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

__all__ = ["TooLarge", "as_text", "human_size", "read_capped", "read_stream_capped"]

_CHUNK = 1024 * 1024


class TooLarge(Exception):
    """More than the limit; ``size`` is the file's size when known (else ``None``)."""

    def __init__(self, limit: int, size: int | None = None) -> None:
        super().__init__(f"over {human_size(limit)}")
        self.limit = limit
        self.size = size

    def describe(self) -> str:
        """``3 GB; the limit is 200 MB`` or ``over 200 MB``."""
        if self.size is not None:
            return f"{human_size(self.size)}; the limit is {human_size(self.limit)}"
        return f"over {human_size(self.limit)}"


def as_text(data: bytes) -> str:
    """UTF-8 with universal newlines, as ``Path.read_text`` gives (``UnicodeDecodeError``
    when it is not UTF-8)."""
    return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


def human_size(size: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{size} bytes"


def read_stream_capped(stream: BinaryIO, limit: int) -> bytes:
    """At most ``limit`` bytes of ``stream``, or ``TooLarge`` when it holds more."""
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = stream.read(min(_CHUNK, limit + 1 - total))
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > limit:
            raise TooLarge(limit)
        chunks.append(chunk)


def read_capped(path: str | os.PathLike[str], limit: int) -> bytes:
    """The bytes of ``path``: ``TooLarge`` before reading when its size says so, and
    while reading when it has no size (a FIFO, a device) or grows. ``OSError`` as
    ``open`` raises it."""
    with Path(path).open("rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > limit:
            raise TooLarge(limit, size)
        return read_stream_capped(fh, limit)
