"""The Save As dialog: pick a connection or folder and a name for a request.

Used by Save As (Ctrl+Shift+S), by Ctrl+S on a request that belongs to no connection
(one opened from History), and by "Save to…". Knows nothing of the window: it is
given the connections and their folders and returns the chosen path.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from relaydesk.core.model import join_path, split_path

__all__ = ["SaveAsDialog", "suggested_name"]

PATH = Qt.ItemDataRole.UserRole


def suggested_name(method: str, url: str) -> str:
    """A name for a request that has none yet (History): its method and the last
    segment of its URL's path, e.g. "GET search"."""
    from urllib.parse import urlsplit

    try:
        path = urlsplit(url).path
    except ValueError:
        path = ""
    last = next((s for s in reversed(path.split("/")) if s and "{{" not in s), "")
    return f"{method.upper()} {last}".strip() if last else f"{method.upper()} request"


class SaveAsDialog(QDialog):
    """``containers``: (connection path, [its folder paths]) in tree order."""

    def __init__(self, containers: list[tuple[str, list[str]]], *, name: str,
                 parent_path: str = "", title: str = "Save request as",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("saveAsDialog")
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("saveAsTree")
        self.tree.setHeaderHidden(True)
        self.name_edit = QLineEdit(name, self)
        self.name_edit.setObjectName("saveAsName")
        self.where = QLabel(self)
        self.where.setEnabled(False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Name:", self.name_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Save into a connection or folder:", self))
        layout.addWidget(self.tree, 1)
        layout.addLayout(form)
        layout.addWidget(self.where)
        layout.addWidget(self.buttons)
        self._fill(containers)
        self.tree.currentItemChanged.connect(lambda *_: self._update())
        self.name_edit.textChanged.connect(lambda _t: self._update())
        self.select(parent_path)
        self.resize(460, 420)
        self.name_edit.setFocus()
        self.name_edit.selectAll()
        self._update()

    def _fill(self, containers: list[tuple[str, list[str]]]) -> None:
        from .tree_icons import kind_icon

        for conn, folders in containers:
            top = QTreeWidgetItem(self.tree, [conn])
            top.setIcon(0, kind_icon("connection"))
            top.setData(0, PATH, conn)
            items = {conn: top}
            for folder in folders:
                segs = split_path(folder)
                parent = items.get(join_path(*segs[:-1]), top)
                item = QTreeWidgetItem(parent, [segs[-1]])
                item.setIcon(0, kind_icon("folder"))
                item.setData(0, PATH, folder)
                items[folder] = item
            top.setExpanded(True)

    def select(self, path: str) -> None:
        """Choose the deepest listed container at or above ``path``."""
        segs = split_path(path)
        for n in range(len(segs), 0, -1):
            wanted = join_path(*segs[:n])
            for item in self._items():
                if item.data(0, PATH) == wanted:
                    self.tree.setCurrentItem(item)
                    return
        if (first := self.tree.topLevelItem(0)) is not None:
            self.tree.setCurrentItem(first)

    def _items(self) -> list[QTreeWidgetItem]:
        out: list[QTreeWidgetItem] = []
        stack = [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]
        while stack:
            item = stack.pop()
            if item is not None:
                out.append(item)
                stack.extend(item.child(i) for i in range(item.childCount()))
        return out

    def container(self) -> str:
        item = self.tree.currentItem()
        return str(item.data(0, PATH)) if item is not None else ""

    def chosen_path(self) -> str:
        """Where the request goes ("" until a container and a name are given)."""
        name = self.name_edit.text().strip()
        return join_path(self.container(), name) if self.container() and name else ""

    def _update(self) -> None:
        path = self.chosen_path()
        self.where.setText(f"Saved as {path}" if path else
                           "Choose where to save it and give it a name.")
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(bool(path))

    def _accept(self) -> None:
        if self.chosen_path():
            self.accept()
