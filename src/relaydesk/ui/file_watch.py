"""Notice workspace files changed on disk by someone else (the CLI, ``git pull``, an
editor) and say so once the burst of writes is over.

A ``QFileSystemWatcher`` watches the workspace's directories (not every file: a
write lands as a new file renamed into place, which changes its directory), plus
any files named with ``watch_files`` (open requests an editor may rewrite in place).
Events are debounced; then a signature of the watched directories (names, sizes and
modification times) tells a real change from noise, and the workspace's change
token tells the app's own saves (written through its own ``Workspace``) from other
writers', so a save in the app never comes back as a "changed on disk".

Started after the first frame (``start``): listing the directories costs time the
first paint does not have.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from relaydesk.core.workspace import Workspace

__all__ = ["WorkspaceWatcher"]

Signature = dict[str, tuple[int, int]]


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

    def start(self) -> None:
        if self._watcher is not None:
            return
        self._watcher = QFileSystemWatcher(self)
        self._watcher.directoryChanged.connect(lambda _p: self._timer.start())
        self._watcher.fileChanged.connect(self._file_changed)
        self._signature = self._scan()
        self._token = self._workspace.change_tokens()[0]

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

    def _file_changed(self, path: str) -> None:
        # A file replaced by a rename is no longer watched: watch the new one.
        if self._watcher is not None and path in self._files and os.path.exists(path):
            self._watcher.addPath(path)
        self._timer.start()

    def check(self) -> bool:
        """Compare the disk with what was last seen; True (and ``changed``) when another
        writer changed it."""
        signature = self._scan()
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

    def _scan(self) -> Signature:
        """Sizes and times of the workspace files; (re)watches every directory."""
        root = self._workspace.root
        signature: Signature = {}
        dirs = [str(root)]
        for top in (root / "environments", root / "connections"):
            for current, subdirs, files in os.walk(top):
                subdirs[:] = [d for d in subdirs if not d.startswith(".")]
                dirs.append(current)
                for name in files:
                    if name.startswith("."):
                        continue  # temporary files of an atomic write
                    full = os.path.join(current, name)
                    try:
                        st = os.stat(full)
                    except OSError:
                        continue  # gone meanwhile: the next event rescans
                    signature[full] = (st.st_mtime_ns, st.st_size)
        for name in ("relaydesk.json",):
            path = root / name
            if path.is_file():
                st = path.stat()
                signature[str(path)] = (st.st_mtime_ns, st.st_size)
        if self._watcher is not None:
            watched = set(self._watcher.directories())
            if new := [d for d in dirs if d not in watched]:
                self._watcher.addPaths(new)
            if gone := [d for d in watched if d not in set(dirs)]:
                self._watcher.removePaths(gone)
        return signature
