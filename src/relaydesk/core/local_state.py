"""``<root>/.relaydesk/``: the workspace's machine-local state, never committed.

It holds the writers' lock, the temporary files of atomic writes, import staging
folders, items being deleted, and the migration backup. A ``.gitignore`` beside the
manifest keeps git out of it. Leftovers of a killed process (temporary files, staging
and trash folders, and the ``.*.tmp`` / ``.import-*`` files older versions left inside
the tree) are swept on the next open, under the lock.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from pathlib import Path

__all__ = [
    "LOCAL_DIR",
    "ensure_gitignore",
    "is_leftover",
    "lock_file",
    "scratch_dir",
    "sweep",
    "temp_dir",
]

LOCAL_DIR = ".relaydesk"
_IGNORE_LINE = f"{LOCAL_DIR}/"
_SCRATCH = ("staging", "trash")


def lock_file(root: Path) -> Path:
    return root / LOCAL_DIR / "lock"


def temp_dir(root: Path) -> Path:
    """Where atomic writes put their temporary files."""
    return root / LOCAL_DIR / "tmp"


def scratch_dir(root: Path, kind: str) -> Path:
    """``staging`` (imports being written) or ``trash`` (items being deleted)."""
    assert kind in _SCRATCH
    return root / LOCAL_DIR / kind


def is_leftover(name: str, is_dir: bool) -> bool:
    """A temporary file or import staging folder left in the tree by a killed process."""
    if is_dir:
        return name.startswith(".import-")
    return name.startswith(".") and name.endswith(".tmp")


def ensure_gitignore(root: Path) -> None:
    """Make ``<root>/.gitignore`` ignore the local state, keeping what it already says."""
    path = root / ".gitignore"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    entries = {line.strip().strip("/") for line in text.splitlines()}
    if LOCAL_DIR in entries:
        return
    sep = "" if not text or text.endswith("\n") else "\n"
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(f"{sep}{_IGNORE_LINE}\n")


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        import shutil  # loads on first use: most opens find nothing to sweep

        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            path.unlink()


def sweep(root: Path, leftovers: Iterable[Path] = ()) -> None:
    """Remove what killed processes left behind (call while holding the lock)."""
    for folder in (temp_dir(root), *(scratch_dir(root, k) for k in _SCRATCH)):
        with contextlib.suppress(OSError), os.scandir(folder) as it:
            for entry in list(it):
                _remove(Path(entry.path))
    for folder in (root, root / "environments"):
        with contextlib.suppress(OSError), os.scandir(folder) as it:
            for entry in list(it):
                if is_leftover(entry.name, entry.is_dir()):
                    _remove(Path(entry.path))
    for path in leftovers:
        _remove(path)
