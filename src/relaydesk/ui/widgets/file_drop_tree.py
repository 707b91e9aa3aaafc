"""A tree view that also takes files dragged in from outside (a file manager).

Drags of the view's own items still move them as before; a drag carrying local files
is accepted and, when dropped, reported by ``fileDropped`` with the first file's path.
A context-menu request (right click, the menu key) is reported by ``menuRequested``
with its position in the viewport, through the event handler rather than the
``CustomContextMenu`` policy, whose enum would be made before the first frame.
Overriding the view's drag handlers (rather than filtering its viewport's events)
keeps the viewport out of Python until it is needed. The event classes are named for
type checkers only: making their Python types (QEvent's enums among them) waits for
the first drag.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Signal
from PySide6.QtWidgets import QTreeView

if TYPE_CHECKING:
    from PySide6.QtCore import QMimeData
    from PySide6.QtGui import QContextMenuEvent, QDragEnterEvent, QDragMoveEvent, QDropEvent

__all__ = ["FileDropTreeView"]


def _local_files(mime: QMimeData) -> list[str]:
    return [u.toLocalFile() for u in mime.urls() if u.isLocalFile()] if mime.hasUrls() else []


class FileDropTreeView(QTreeView):
    fileDropped = Signal(str)
    menuRequested = Signal(QPoint)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        event.accept()
        self.menuRequested.emit(event.pos())

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _local_files(event.mimeData()):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if _local_files(event.mimeData()):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        if files := _local_files(event.mimeData()):
            event.acceptProposedAction()
            self.fileDropped.emit(files[0])
        else:
            super().dropEvent(event)
