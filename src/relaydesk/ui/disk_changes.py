"""What the window does when workspace files changed on disk under it.

A tab with no unsaved edits takes the new version silently (the status bar says so);
a tab with unsaved edits gets a bar across its top with a clear choice: "Load theirs"
(the version on disk replaces the edits) or "Keep mine" (the edits stay; saving them
overwrites the file). A request whose file is gone keeps its tab, marked unsaved, so
nothing typed is lost.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from relaydesk.core.errors import RelaydeskError
from relaydesk.core.model import Request

if TYPE_CHECKING:
    from .request_tab import RequestTab
    from .service import Service

__all__ = ["ChangedOnDiskBar", "TabOutcome", "reconcile_tab"]

TabOutcome = str  # "same", "reloaded", "asked", "gone"


class ChangedOnDiskBar(QFrame):
    """The "changed on disk" choice shown over a tab with unsaved edits."""

    def __init__(self, tab: RequestTab, disk: Request) -> None:
        super().__init__(tab)
        self.setObjectName("changedOnDiskBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("#changedOnDiskBar { background: #fff4ce; color: #3b2f00; "
                           "border: 1px solid #e0c060; border-radius: 4px; }")
        self.tab = tab
        self.disk = disk
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setStyleSheet("color: #3b2f00;")
        self.load_button = QPushButton("Load theirs", self)
        self.load_button.setToolTip("Replace your unsaved edits with the version on disk")
        self.keep_button = QPushButton("Keep mine", self)
        self.keep_button.setToolTip("Keep your edits; saving them overwrites the file")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.load_button)
        layout.addWidget(self.keep_button)
        self.load_button.clicked.connect(self.load_theirs)
        self.keep_button.clicked.connect(self.keep_mine)
        self._say()
        outer = tab.layout()
        if outer is not None:
            from PySide6.QtWidgets import QBoxLayout

            if isinstance(outer, QBoxLayout):
                outer.insertWidget(0, self)

    def _say(self) -> None:
        self.label.setText(f"“{self.tab.name}” was changed on disk (by another program "
                           "or a git pull) while you have unsaved edits here.")

    def update_disk(self, disk: Request) -> None:
        self.disk = disk
        self._say()

    def load_theirs(self) -> None:
        self.tab.editor.set_request(replace(self.disk, path=self.tab.path))
        self.tab.mark_saved()
        self._close()

    def keep_mine(self) -> None:
        self._close()

    def _close(self) -> None:
        self.hide()
        self.deleteLater()


def _bar_of(tab: QWidget) -> ChangedOnDiskBar | None:
    bar = tab.findChild(ChangedOnDiskBar)
    return bar if bar is not None and bar.isVisibleTo(tab) else None


def reconcile_tab(tab: RequestTab, service: Service, kept: dict[int, Request]
                  ) -> TabOutcome:
    """Bring one open tab up to date with its file; ``kept`` remembers, per tab, the
    disk version the user already chose "Keep mine" over (not asked twice)."""
    if service.kind_of(tab.path) != "request":
        if service.connection_for(tab.path) is None:
            return "same"  # not a workspace request (History): nothing on disk
        if not tab.modified:
            tab.set_modified(True)  # the file is gone: saving writes it again
        return "gone"
    try:
        disk = service.request(tab.path)
    except RelaydeskError:
        return "same"  # a broken file: the tree reports it; the tab keeps what it has
    saved = replace(tab.editor.saved_request(), path=tab.path)
    if disk == saved:
        return "same"
    if not tab.modified:
        tab.editor.set_request(disk)
        tab.mark_saved()
        return "reloaded"
    if kept.get(id(tab)) == disk:
        return "same"
    bar = _bar_of(tab)
    if bar is None:
        bar = ChangedOnDiskBar(tab, disk)
        bar.keep_button.clicked.connect(lambda: kept.__setitem__(id(tab), bar.disk))
        bar.show()
    else:
        bar.update_disk(disk)
    return "asked"
