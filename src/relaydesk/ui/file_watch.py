"""Notice workspace files changed on disk by someone else (the CLI, ``git pull``, an
editor) and say so once the burst of writes is over.

A ``QFileSystemWatcher`` watches the workspace's directories (not every file: a
write lands as a new file renamed into place, which changes its directory), plus
any files named with ``watch_files`` (open requests an editor may rewrite in place).
Events are debounced; then a signature (the modification times of those directories
and files) tells a real change from noise, and the workspace's change
token tells the app's own saves (written through its own ``Workspace``) from other
writers', so a save in the app never comes back as a "changed on disk".

Started after the first frame (``start``): listing the directories costs time the
first paint does not have.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Generator
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from relaydesk.core.workspace import Workspace

__all__ = ["WorkspaceWatcher"]

Signature = dict[str, tuple[int, int]]
WALK_STEP = 50  # directories listed, or watched, per event-loop turn of the first listing


class WorkspaceWatcher(QObject):
    changed = Signal()  # files changed on disk by another writer (debounced)

    def __init__(self, workspace: Workspace, parent: QObject | None = None, *,
                 debounce_ms: int = 300) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self._watcher: QFileSystemWatcher | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(debounce_ms)
        self._timer.timeout.connect(self.check)
        self._signature: Signature = {}
        self._token = ""
        self._files: set[str] = set()
        self._ready = False

    def start(self) -> None:
        """Watch from now on; the first listing of the directories (a 10,000-request
        workspace has hundreds) runs in steps on the event loop, and so does watching
        them; ``ready`` turns True after. (A thread walking them made the GUI thread
        wait for the GIL on every one of its calls, and starting it waited too.)"""
        if self._watcher is not None:
            return
        self._watcher = QFileSystemWatcher(self)
        self._watcher.directoryChanged.connect(lambda _p: self._timer.start())
        self._watcher.fileChanged.connect(self._file_changed)
        self._token = self._workspace.change_tokens()[0]
        walk = self._walk_in_steps({})

        def step() -> None:
            if self._watcher is None:  # stopped meanwhile
                return
            try:
                next(walk)
            except StopIteration as done:
                self._adopt(done.value)
                return
            QTimer.singleShot(0, self, step)

        QTimer.singleShot(0, self, step)

    @property
    def ready(self) -> bool:
        return self._ready

    def _adopt(self, signature: Signature) -> None:
        self._signature = signature
        dirs = sorted(p for p in signature if p not in self._files)

        def watch(start: int) -> None:
            if self._watcher is None:  # stopped meanwhile
                return
            if batch := dirs[start:start + WALK_STEP]:
                self._watcher.addPaths(batch)
                QTimer.singleShot(0, self, lambda: watch(start + WALK_STEP))
            else:
                self._ready = True

        watch(0)

    def stop(self) -> None:
        self._timer.stop()
        if self._watcher is not None:
            self._watcher.deleteLater()
            self._watcher = None

    def watch_files(self, paths: list[Path]) -> None:
        """Also watch these files (open requests), for writers that rewrite in place."""
        wanted = {str(p) for p in paths if p.is_file()}
        if self._watcher is None or wanted == self._files:
            return
        if gone := self._files - wanted:
            self._watcher.removePaths(sorted(gone))
        if new := wanted - self._files:
            self._watcher.addPaths(sorted(new))
        self._files = wanted
        # Part of the baseline from now on: starting to watch a file is no change.
        for path in gone:
            self._signature.pop(path, None)
        for path in new:
            with contextlib.suppress(OSError):
                st = os.stat(path)
                self._signature[path] = (st.st_mtime_ns, st.st_size)

    def is_watching(self, path: Path) -> bool:
        """Whether the file ``path`` is watched itself (an open request)."""
        return str(path) in self._files

    def _file_changed(self, path: str) -> None:
        # A file replaced by a rename is no longer watched: watch the new one.
        if self._watcher is not None and path in self._files and os.path.exists(path):
            self._watcher.addPath(path)
        self._timer.start()

    def check(self) -> bool:
        """Compare the disk with what was last seen; True (and ``changed``) when another
        writer changed it."""
        if not self._ready:
            return False  # the first listing is still running: it is the baseline
        signature = self._walk(self._signature)
        self._watch(signature)
        if signature == self._signature:
            return False
        self._signature = signature
        token, seen = self._workspace.change_tokens()
        own = token != self._token and token == seen  # written by this app's workspace
        self._token = token
        if own:
            return False
        self.changed.emit()
        return True

    def _walk(self, previous: Signature) -> Signature:
        walk = self._walk_in_steps(previous)
        while True:
            try:
                next(walk)
            except StopIteration as done:
                signature: Signature = done.value
                return signature

    def _walk_in_steps(self, previous: Signature) -> Generator[None, None, Signature]:
        """Modification times of the workspace's directories (a file written, renamed
        into place or deleted changes its directory's) and of the watched files (an
        editor may rewrite one in place). Plain ``os`` calls: safe in a thread.

        Only a directory that is new or whose time changed is listed again (for new
        subdirectories): a check stats each directory once and reads no file. Yields
        every ``WALK_STEP`` directories."""
        root = self._workspace.root
        tops = {str(root / "environments"), str(root / "connections")}
        files = set(self._files)
        known = [p for p in previous if p not in files] or [str(root)]
        signature: Signature = {}
        pending, seen = list(known), set(known)
        listed = 0
        while pending:
            listed += 1
            if listed % WALK_STEP == 0:
                yield  # a step's worth of directories
            path = pending.pop()
            try:
                st = os.stat(path)
            except OSError:
                continue  # gone: so are the directories inside it
            stamp = (st.st_mtime_ns, st.st_size)
            signature[path] = stamp
            if previous.get(path) == stamp:
                continue
            try:
                with os.scandir(path) as entries:
                    subdirs = [e.path for e in entries
                               if e.is_dir(follow_symlinks=False)
                               and not e.name.startswith(".")]
            except OSError:
                continue
            if path == str(root):
                subdirs = [d for d in subdirs if d in tops]
            for sub in subdirs:
                if sub not in seen:
                    seen.add(sub)
                    pending.append(sub)
        for path in files:
            try:
                st = os.stat(path)
            except OSError:
                continue
            signature[path] = (st.st_mtime_ns, st.st_size)
        return signature

    def _watch(self, signature: Signature) -> None:
        """Watch exactly the directories of ``signature``."""
        if self._watcher is not None:
            dirs = {p for p in signature if p not in self._files}
            watched = set(self._watcher.directories())
            if new := sorted(dirs - watched):
                self._watcher.addPaths(new)
            if gone := sorted(watched - dirs):
                self._watcher.removePaths(gone)
