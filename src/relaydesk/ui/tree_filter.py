"""The connection tree's filter, made the first time the filter box is used."""

from __future__ import annotations

from PySide6.QtCore import QObject, QSortFilterProxyModel, Qt

__all__ = ["TreeFilterProxy"]


class TreeFilterProxy(QSortFilterProxyModel):
    """Filter box: an item stays if it, an ancestor or a descendant matches.

    Both rules are Qt's own (recursive filtering, auto-accepted child rows), so the
    filter runs in C++ apart from the model's own calls.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setRecursiveFilteringEnabled(True)
        self.setAutoAcceptChildRows(True)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
