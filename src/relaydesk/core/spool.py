"""Temporary files holding big response bodies, and their cleanup.

Bodies over the spool threshold go to ``<tmp>/relaydesk-<uid>/<pid>-<random>.body``.
The process keeps a set of the files it made, so a SIGTERM or SIGHUP (what CI and a
closed terminal send) removes them before the process dies; whatever a ``kill -9`` or
a power cut leaves behind is swept by the next process that spools, or by
``relaydesk send``: a file whose process is gone is removed.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import tempfile
import threading
from pathlib import Path
from types import FrameType
from typing import IO

__all__ = ["install_signal_cleanup", "new_spool_file", "new_spool_name", "release",
           "remove_all", "spool_dir", "sweep", "track"]

_live: set[str] = set()
_lock = threading.Lock()
_swept = [False]
_exit_hook = [False]
_private: list[Path] = []  # the fallback folder, when the usual one is not safe


def spool_dir() -> Path:
    """The per-user spool folder (private: bodies may hold personal data). One that
    someone else made or opened up in a shared temporary folder is not used: a fresh
    private folder is made instead."""
    uid = os.getuid() if hasattr(os, "getuid") else 0
    path = Path(tempfile.gettempdir()) / f"relaydesk-{uid}"
    path.mkdir(mode=0o700, exist_ok=True)
    if hasattr(os, "getuid"):
        info = path.lstat()
        if info.st_uid != uid or info.st_mode & 0o077 or not path.is_dir() or path.is_symlink():
            if not _private:
                _private.append(Path(tempfile.mkdtemp(prefix=f"relaydesk-{uid}-")))
            return _private[0]
    return path


def new_spool_file() -> IO[bytes]:
    """An open temporary file for a body, remembered until ``release``."""
    if not _swept[0]:
        sweep()
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - the caller closes it
        prefix=f"{os.getpid()}-", suffix=".body", dir=spool_dir(), delete=False)
    track(handle.name)
    return handle


def track(path: str | os.PathLike[str]) -> None:
    """Remove ``path`` too on SIGTERM/SIGHUP or at exit (e.g. a half-written ``-o``
    file): nothing a process spooled outlives it."""
    with _lock:
        if not _exit_hook[0]:
            atexit.register(remove_all)
            _exit_hook[0] = True
        _live.add(os.fspath(path))


def new_spool_name() -> Path:
    """A free, remembered name in the spool folder, for a file made by other means
    (a hard link to a spooled body)."""
    handle = new_spool_file()
    handle.close()
    os.unlink(handle.name)
    return Path(handle.name)


def release(path: str | os.PathLike[str]) -> None:
    """Delete a spooled body (gone already is fine) and forget it."""
    name = os.fspath(path)
    with _lock:
        _live.discard(name)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(name)


def remove_all() -> None:
    """Delete every body this process spooled (signal handlers, exit)."""
    with _lock:
        names = list(_live)
        _live.clear()
    for name in names:
        with contextlib.suppress(OSError):
            os.unlink(name)


def _alive(pid: int) -> bool:
    if os.name == "nt":  # os.kill(pid, 0) would send CTRL_C there: never judge
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def sweep() -> int:
    """Remove the spool files of processes that no longer run; how many went."""
    _swept[0] = True
    removed = 0
    try:
        entries = list(os.scandir(spool_dir()))
    except OSError:
        return 0
    for entry in entries:
        pid, sep, _ = entry.name.partition("-")
        if not sep or not pid.isdigit() or not entry.name.endswith(".body"):
            continue
        if int(pid) != os.getpid() and not _alive(int(pid)):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed += 1
    return removed


def _on_signal(signum: int, frame: FrameType | None) -> None:
    remove_all()
    # Die of the same signal, as the sender expects (exit status 128 + signum).
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def install_signal_cleanup() -> None:
    """SIGTERM and SIGHUP remove the spooled bodies first (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for name in ("SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is not None and signal.getsignal(signum) in (signal.SIG_DFL, None):
            signal.signal(signum, _on_signal)
