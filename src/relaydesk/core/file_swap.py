"""Replacing many small files atomically without churning inodes.

A file written beside its target and renamed over it (``os.replace``) is atomic for
readers, but on ext4 every such rename frees the old inode and its blocks and forces
the new file's blocks to be allocated at once ("auto_da_alloc"): for the couple of
hundred last responses a collection run keeps, that is most of the time its end takes.
``SwapWriter`` swaps instead (Linux ``renameat2(RENAME_EXCHANGE)``): the new content,
written into a spare file, changes places with the target, and the spare then holds
the old file, whose inode the next write reuses. A reader opening the target sees the
old file or the new one, never a part; only a read still under way on the old file
when the next write reuses it (microseconds later) can see it change, which for the
kept JSON means an unreadable file, taken as nothing kept. Where the exchange is not
available (another system, a filesystem without it), each write is a plain
write-then-rename.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .fileio import atomic_write_bytes

__all__ = ["SwapWriter", "replace_file"]

_names = itertools.count()
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
# renameat2 and the ctypes module that reaches it, looked up once, on first need.
_exchange: tuple[Callable[..., int], Any] | bool | None = False


def replace_file(target: str, data: bytes) -> None:
    """Write-then-rename: readers see the old file or the new one (no fsync: caches)."""
    atomic_write_bytes(Path(target), data, durable=False)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _renameat2() -> tuple[Callable[..., int], Any] | None:
    global _exchange
    if _exchange is False:
        _exchange = None
        if sys.platform.startswith("linux"):
            try:
                import ctypes

                fn = ctypes.CDLL(None, use_errno=True).renameat2
                fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int,
                               ctypes.c_char_p, ctypes.c_uint]
                fn.restype = ctypes.c_int
                _exchange = (fn, ctypes)
            except (OSError, AttributeError, ImportError):  # an older C library
                pass
    return _exchange if isinstance(_exchange, tuple) else None


class SwapWriter:
    """Writes files in ``folder`` in place of what they replace (see the module
    docstring); ``close`` removes the spare left at the end."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self._spare = os.path.join(os.fspath(folder),
                                   f".spare.{os.getpid()}.{next(_names)}.tmp")
        self._spare_made = False
        self._exchange = _renameat2()

    def write(self, target: str, data: bytes) -> None:
        if self._exchange is None:
            replace_file(target, data)
            return
        fd = self._open_spare()
        try:  # rewritten in place, then cut to size: the spare is nobody's file yet
            _write_all(fd, data)
            os.ftruncate(fd, len(data))
        finally:
            os.close(fd)
        rename, ctypes = self._exchange
        if rename(_AT_FDCWD, os.fsencode(self._spare), _AT_FDCWD, os.fsencode(target),
                  _RENAME_EXCHANGE) == 0:
            return  # the spare now holds the old file
        if ctypes.get_errno() != errno.ENOENT:  # no exchange on this filesystem
            self._exchange = None
        os.replace(self._spare, target)  # nothing there yet: a plain rename
        self._spare_made = False

    def _open_spare(self) -> int:
        if self._spare_made:
            try:
                return os.open(self._spare, os.O_WRONLY | os.O_NOFOLLOW)
            except FileNotFoundError:  # removed by someone meanwhile
                pass
            except OSError:  # a link swapped in from the target's place: not reused
                os.unlink(self._spare)
        fd = os.open(self._spare, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self._spare_made = True
        return fd

    def close(self) -> None:
        if self._spare_made:
            self._spare_made = False
            with contextlib.suppress(OSError):
                os.unlink(self._spare)

    def __enter__(self) -> SwapWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
