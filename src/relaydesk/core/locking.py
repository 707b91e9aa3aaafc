"""An advisory lock per workspace, re-entrant within the process.

Writers of one workspace (the app, CLI commands, scripts) serialise on an exclusive
``flock`` of ``<root>/.relaydesk/lock``. Inside a process the lock is re-entrant and
thread-safe: a thread mutex is held for as long as the file lock is.

The lock file also holds a change token: the last writer stores a fresh random token,
so a process entering the lock reloads its view of the workspace only when someone
else wrote since it last looked.
"""

from __future__ import annotations

# _thread, not threading: the same C locks (what threading.RLock makes) without the
# import of threading, which `relaydesk ls` would pay for nothing else.
import _thread
import errno
import os
from pathlib import Path
from types import TracebackType

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks, writers do not serialise
    fcntl = None  # type: ignore[assignment]

__all__ = ["WorkspaceLock", "lock_for"]

# A workspace on a read-only medium can still be read; nothing can be written to it
# either, so there is nothing to serialise.
_READ_ONLY = (errno.EROFS, errno.EACCES, errno.EPERM)


class WorkspaceLock:
    """Use ``lock_for(path)``: every Workspace object of one folder in a process must
    share one lock, or a thread holding one would wait forever on the other's flock."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._mutex = _thread.RLock()
        self._depth = 0
        self._fd: int | None = None

    @property
    def depth(self) -> int:
        """How many times the current holder has entered (0: not held)."""
        return self._depth

    def __enter__(self) -> WorkspaceLock:
        self._mutex.acquire()
        try:
            if self._depth == 0:
                self._fd = self._acquire()
        except BaseException:
            self._mutex.release()
            raise
        self._depth += 1
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._depth -= 1
        try:
            if self._depth == 0 and self._fd is not None:
                fd, self._fd = self._fd, None
                os.close(fd)  # closing the file releases the flock
        finally:
            self._mutex.release()

    def _acquire(self) -> int | None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            if exc.errno in _READ_ONLY:
                return None
            raise
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
            except BaseException:
                os.close(fd)
                raise
        return fd

    def token(self) -> str:
        """The change token stored by the last writer ("" when none)."""
        if self._fd is None:
            return ""
        os.lseek(self._fd, 0, os.SEEK_SET)
        return os.read(self._fd, 64).decode("ascii", "replace").strip()

    def new_token(self) -> str:
        """Store and return a fresh change token (call while holding the lock)."""
        import uuid  # loads on first write: opening for reading needs no uuid

        token = uuid.uuid4().hex
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            os.lseek(self._fd, 0, os.SEEK_SET)
            os.write(self._fd, token.encode("ascii"))
        return token


_registry: dict[str, WorkspaceLock] = {}
_registry_mutex = _thread.allocate_lock()


def lock_for(path: Path) -> WorkspaceLock:
    """The process's one lock object for the lock file at ``path``."""
    key = os.path.realpath(path)
    with _registry_mutex:
        lock = _registry.get(key)
        if lock is None:
            lock = _registry[key] = WorkspaceLock(path)
        return lock
