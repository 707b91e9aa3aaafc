"""Atomic file writes: write to a temporary file, fsync, rename over the target.

The temporary file goes beside the target unless ``temp_dir`` names another folder on
the same file system (the workspace keeps its temporary files in ``.relaydesk/tmp`` so
a killed process never leaves one where git sees it).
"""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path

__all__ = ["atomic_write_bytes", "atomic_write_text", "fsync_dir"]


def fsync_dir(directory: Path) -> None:
    """Make the renames inside ``directory`` durable (best effort: not on Windows)."""
    with contextlib.suppress(OSError):
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _write_and_replace(path: Path, data: bytes, temp_dir: Path, durable: bool = True) -> None:
    import tempfile  # on first write: reading commands (`relaydesk ls`) never load it

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=temp_dir)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write_bytes(path: Path, data: bytes, *, temp_dir: Path | None = None,
                       durable: bool = True) -> None:
    """``durable=False``: still all-or-nothing for readers, but not forced to disk (a
    cache that a power cut may lose, written without two fsyncs per file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if temp_dir is None:
        _write_and_replace(path, data, path.parent, durable)
    else:
        temp_dir.mkdir(parents=True, exist_ok=True)
        try:
            _write_and_replace(path, data, temp_dir, durable)
        except OSError as exc:
            if exc.errno != errno.EXDEV:  # the target sits on another file system
                raise
            _write_and_replace(path, data, path.parent, durable)
    if durable:  # the rename is only durable once the directory entry is on disk too
        fsync_dir(path.parent)


def atomic_write_text(path: Path, text: str, *, temp_dir: Path | None = None,
                      durable: bool = True) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), temp_dir=temp_dir, durable=durable)
