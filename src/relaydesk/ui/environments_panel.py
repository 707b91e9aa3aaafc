"""The Environments dialog: create, rename, delete environments and edit their
variables, secret ones included.

A secret variable's value goes to the keyring through the session and is never read
back: its cell shows "saved — replace…" (or dots for a value typed but not saved
yet), and editing it types a new value in a password box. Knows nothing of the
window: it is given an ``EnvironmentAccess`` (the app's ``Service`` fits) and emits
``environmentsChanged`` after every write and ``activeChosen`` for "Use".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from relaydesk.core.errors import RelaydeskError
from relaydesk.core.model import Environment

from .auth_editor import SAVED_TEXT
from .dialogs import ask, ask_text, confirm

__all__ = ["EnvironmentAccess", "EnvironmentsDialog", "fill_picker"]

NAME, VALUE, SECRET = range(3)
TYPED = Qt.ItemDataRole.UserRole  # on a secret row's value cell: the value typed, unsaved
MASK = "••••••••"
NOT_SET = "not set — type a value"


class EnvironmentAccess(Protocol):
    def environment_names(self) -> list[str]: ...
    def environment(self, name: str | None) -> Environment | None: ...
    def edit_environment(self, name: str, *, variables: Mapping[str, str],
                         secrets: Iterable[str] = (),
                         secret_values: Mapping[str, str] | None = None,
                         create: bool = False) -> Environment: ...
    def rename_environment(self, name: str, new_name: str) -> Environment: ...
    def delete_environment(self, name: str) -> None: ...
    def environment_secret_saved(self, name: str, variable: str) -> bool: ...


def fill_picker(combo: object, names: list[str], none_label: str, keep: str | None) -> None:
    """Refill an environment picker (a QComboBox) and keep ``keep`` chosen if it is
    still there, without signalling a change when the choice stays the same."""
    from PySide6.QtWidgets import QComboBox

    assert isinstance(combo, QComboBox)
    current = [combo.itemData(i) for i in range(1, combo.count())]
    if current == names and combo.currentData() == keep:
        return
    combo.blockSignals(True)
    combo.clear()
    combo.addItem(none_label, None)
    for name in names:
        combo.addItem(name, name)
    index = combo.findData(keep) if keep else 0
    combo.setCurrentIndex(max(index, 0))
    combo.blockSignals(False)
    if (combo.currentData() or None) != keep:  # the active one went away
        combo.currentIndexChanged.emit(combo.currentIndex())


class _SecretDelegate(QStyledItemDelegate):
    """A password box for the value of a secret row; the stored value is never shown."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,
                     index: QModelIndex | QPersistentModelIndex) -> QWidget:
        editor = super().createEditor(parent, option, index)
        if _is_secret(index) and isinstance(editor, QLineEdit):
            editor.setEchoMode(QLineEdit.EchoMode.Password)
            editor.setPlaceholderText("new value, kept in the system keyring")
        return editor

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex
                      ) -> None:
        if _is_secret(index) and isinstance(editor, QLineEdit):
            editor.setText(str(index.data(TYPED) or ""))
            return
        super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: object,
                     index: QModelIndex | QPersistentModelIndex) -> None:
        if _is_secret(index) and isinstance(editor, QLineEdit):
            from PySide6.QtCore import QAbstractItemModel

            assert isinstance(model, QAbstractItemModel)
            if editor.text():  # an empty box keeps what the keyring has
                model.setData(index, editor.text(), TYPED)
                model.setData(index, MASK, Qt.ItemDataRole.DisplayRole)
            return
        super().setModelData(editor, model, index)  # type: ignore[arg-type]


def _is_secret(index: QModelIndex | QPersistentModelIndex) -> bool:
    if index.column() != VALUE:
        return False
    secret = index.model().index(index.row(), SECRET, index.parent())
    return bool(secret.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked.value
                or secret.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked)


class EnvironmentsDialog(QDialog):
    environmentsChanged = Signal()
    activeChosen = Signal(str)
    renamed = Signal(str, str)  # old name, new name (the window's choice follows)

    def __init__(self, access: EnvironmentAccess, current: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Environments")
        self.setObjectName("environmentsDialog")
        self._access = access
        self._active = current  # the window's active environment, shown in bold
        self._shown: str | None = None  # the environment the table shows
        self._loading = False
        self._dirty = False

        self.list = QListWidget(self)
        self.list.setObjectName("environmentList")
        self.new_button = QPushButton("New…", self)
        self.rename_button = QPushButton("Rename…", self)
        self.delete_button = QPushButton("Delete…", self)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.list, 1)
        row = QHBoxLayout()
        for button in (self.new_button, self.rename_button, self.delete_button):
            row.addWidget(button)
        left_layout.addLayout(row)

        self.title = QLabel(self)
        self.title.setObjectName("environmentTitle")
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.table = QTableWidget(0, 3, self)
        self.table.setObjectName("environmentVariables")
        self.table.setHorizontalHeaderLabels(["Variable", "Value", "Secret"])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(VALUE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(SECRET, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setColumnWidth(NAME, 180)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setItemDelegate(_SecretDelegate(self.table))
        self.add_button = QPushButton("Add variable", self)
        self.remove_button = QPushButton("Remove variable", self)
        self.use_button = QPushButton("Use this environment", self)
        self.use_button.setToolTip("Make it the active environment of the window")
        self.hint = QLabel("Secret values are kept in the system keyring and never shown "
                           "again; the environment file lists only their names.", self)
        self.hint.setWordWrap(True)
        self.hint.setEnabled(False)
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #c0392b;")
        self.problem.hide()
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.title)
        right_layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        buttons.addWidget(self.use_button)
        right_layout.addLayout(buttons)
        right_layout.addWidget(self.hint)
        right_layout.addWidget(self.problem)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([200, 520])
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Close, self)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.buttons)
        self.resize(760, 440)

        self.list.currentTextChanged.connect(self._switch)
        self.new_button.clicked.connect(self.ask_new)
        self.rename_button.clicked.connect(self.ask_rename)
        self.delete_button.clicked.connect(self.ask_delete)
        self.add_button.clicked.connect(self.add_variable)
        self.remove_button.clicked.connect(self._remove_current)
        self.use_button.clicked.connect(self._use)
        self.save_button.clicked.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.table.itemChanged.connect(self._item_changed)
        self.reload(current)

    # -- the list ------------------------------------------------------------------------

    def reload(self, select: str | None = None) -> None:
        """Re-read the environments (after a change here or on disk)."""
        keep = select or self._shown
        self.list.blockSignals(True)
        self.list.clear()
        self.list.addItems(self._access.environment_names())
        self.list.blockSignals(False)
        self.mark_active(self._active)
        items = self.list.findItems(keep, Qt.MatchFlag.MatchExactly) if keep else []
        if items:
            self.list.setCurrentItem(items[0])
        elif self.list.count():
            self.list.setCurrentRow(0)
        self._show(self.list.currentItem().text() if self.list.currentItem() else None)

    def mark_active(self, name: str | None) -> None:
        """Show which environment the window uses (bold, with a tooltip)."""
        self._active = name
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item is None:
                continue
            font = item.font()
            font.setBold(item.text() == name)
            item.setFont(font)
            item.setToolTip("The active environment" if item.text() == name else "")

    def _switch(self, name: str) -> None:
        if self._loading or name == self._shown:
            return
        if self._dirty:
            answer = ask(self, "Unsaved changes",
                         f"The environment '{self._shown}' has changes that are not saved.",
                         ("Save", "Discard", "Cancel"), "Save")
            if answer == "Cancel" or (answer == "Save" and not self.save()):
                self._select_quietly(self._shown)
                return
        self._show(name or None)

    def _select_quietly(self, name: str | None) -> None:
        self.list.blockSignals(True)
        items = self.list.findItems(name, Qt.MatchFlag.MatchExactly) if name else []
        if items:
            self.list.setCurrentItem(items[0])
        self.list.blockSignals(False)

    def _show(self, name: str | None) -> None:
        self._shown = name
        env = self._access.environment(name) if name else None
        self._loading = True
        self.table.setRowCount(0)
        self.problem.hide()
        if env is not None:
            for key in sorted(env.variables):
                if key not in env.secrets:
                    self._add_row(key, env.variables[key], secret=False)
            for key in env.secrets:
                self._add_row(key, "", secret=True, saved=self._saved(env.name, key))
        self._loading = False
        has = env is not None
        self.title.setText(f"Variables of “{name}”" if has else
                           "No environments yet: press New… to make one.")
        for widget in (self.table, self.add_button, self.remove_button, self.use_button,
                       self.rename_button, self.delete_button):
            widget.setEnabled(has)
        self._set_dirty(False)

    def _saved(self, name: str, key: str) -> bool:
        try:
            return self._access.environment_secret_saved(name, key)
        except RelaydeskError as exc:
            self._problem(str(exc))
            return False

    # -- rows ----------------------------------------------------------------------------

    def _add_row(self, name: str, value: str, *, secret: bool, saved: bool = False) -> int:
        was_loading, self._loading = self._loading, True
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, NAME, QTableWidgetItem(name))
        value_item = QTableWidgetItem(value)
        self.table.setItem(row, VALUE, value_item)
        check = QTableWidgetItem()
        check.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled
                       | Qt.ItemFlag.ItemIsSelectable)
        check.setCheckState(Qt.CheckState.Checked if secret else Qt.CheckState.Unchecked)
        check.setToolTip("Keep the value in the system keyring, not in the file")
        self.table.setItem(row, SECRET, check)
        if secret:
            self._mask(value_item, SAVED_TEXT if saved else NOT_SET)
        self._loading = was_loading
        return row

    def _cell(self, row: int, column: int) -> QTableWidgetItem:
        item = self.table.item(row, column)
        assert item is not None  # every row is made with its three cells
        return item

    def _mask(self, item: QTableWidgetItem, text: str) -> None:
        item.setText(text)
        item.setForeground(self.palette().placeholderText())

    def add_variable(self, name: str = "", value: str = "", secret: bool = False) -> int:
        """A new row (the name cell is edited when nothing is given)."""
        row = self._add_row(name, value, secret=secret)
        if secret and value:
            item = self._cell(row, VALUE)
            item.setData(TYPED, value)
            item.setText(MASK)
        self._set_dirty(True)
        if not name:
            self.table.setCurrentCell(row, NAME)
            self.table.editItem(self._cell(row, NAME))
        return row

    def _remove_current(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)
            self._set_dirty(True)

    def _item_changed(self, item: QTableWidgetItem) -> None:
        if self._loading:
            return
        if item.column() == SECRET:
            self._secret_toggled(item.row(), item.checkState() == Qt.CheckState.Checked)
        self._set_dirty(True)

    def _secret_toggled(self, row: int, secret: bool) -> None:
        value = self._cell(row, VALUE)
        self._loading = True
        if secret:  # what was typed as plain text becomes the secret to store
            plain = value.text()
            value.setData(TYPED, plain or None)
            if plain:
                value.setText(MASK)
            else:
                self._mask(value, NOT_SET)
        else:  # only a value typed here comes back; a stored one is never read
            typed = value.data(TYPED)
            value.setData(TYPED, None)
            value.setText(str(typed or ""))
            value.setData(Qt.ItemDataRole.ForegroundRole, None)
        self._loading = False

    def _rows(self) -> tuple[dict[str, str], list[str], dict[str, str]]:
        variables: dict[str, str] = {}
        secrets: list[str] = []
        typed: dict[str, str] = {}
        for row in range(self.table.rowCount()):
            name = (self._cell(row, NAME).text() or "").strip()
            if not name:
                continue
            if name in variables or name in secrets:
                raise RelaydeskError(f"The variable '{name}' is listed twice.")
            if self._cell(row, SECRET).checkState() == Qt.CheckState.Checked:
                secrets.append(name)
                if value := self._cell(row, VALUE).data(TYPED):
                    typed[name] = str(value)
            else:
                variables[name] = self._cell(row, VALUE).text()
        return variables, secrets, typed

    # -- writes --------------------------------------------------------------------------

    def save(self) -> bool:
        """Write the shown environment (secrets to the keyring); False if refused."""
        if self._shown is None:
            return False
        try:
            variables, secrets, typed = self._rows()
            self._access.edit_environment(self._shown, variables=variables, secrets=secrets,
                                          secret_values=typed)
        except RelaydeskError as exc:
            self._problem(str(exc))
            return False
        self._show(self._shown)
        self.environmentsChanged.emit()
        return True

    def create_environment(self, name: str) -> bool:
        try:
            if name in self._access.environment_names():
                raise RelaydeskError(f"An environment named '{name}' already exists.")
            env = self._access.edit_environment(name, variables={}, create=True)
        except RelaydeskError as exc:
            self._problem(str(exc))
            return False
        self._dirty = False
        self.reload(env.name)
        self.environmentsChanged.emit()
        return True

    def rename(self, new_name: str) -> bool:
        if self._shown is None or (self._dirty and not self.save()):
            return False
        old = self._shown
        try:
            env = self._access.rename_environment(old, new_name)
        except RelaydeskError as exc:
            self._problem(str(exc))
            return False
        self.reload(env.name)
        self.renamed.emit(old, env.name)
        self.environmentsChanged.emit()
        return True

    def delete(self) -> bool:
        if self._shown is None:
            return False
        try:
            self._access.delete_environment(self._shown)
        except RelaydeskError as exc:
            self._problem(str(exc))
            return False
        self._shown, self._dirty = None, False
        self.reload()
        self.environmentsChanged.emit()
        return True

    def ask_new(self) -> None:
        if self._dirty and not self.save():
            return
        if name := ask_text(self, "New environment", "Name of the new environment:"):
            self.create_environment(name)

    def ask_rename(self) -> None:
        if self._shown and (name := ask_text(self, "Rename environment",
                                             f"New name for {self._shown}:", self._shown)):
            self.rename(name)

    def ask_delete(self) -> None:
        if self._shown and confirm(self, "Delete environment",
                                   f"Delete the environment '{self._shown}' and its secret "
                                   "values? This cannot be undone."):
            self.delete()

    def _use(self) -> None:
        if self._shown is not None and (not self._dirty or self.save()):
            self.activeChosen.emit(self._shown)

    # -- state ---------------------------------------------------------------------------

    def _set_dirty(self, dirty: bool) -> None:
        self._dirty = dirty
        self.save_button.setEnabled(dirty)
        self.setWindowTitle("Environments" + (" •" if dirty else ""))

    def is_dirty(self) -> bool:
        return self._dirty

    def _problem(self, message: str) -> None:
        self.problem.setText(message)
        self.problem.show()

    def reject(self) -> None:
        if self._dirty:
            answer = ask(self, "Unsaved changes",
                         f"The environment '{self._shown}' has changes that are not saved.",
                         ("Save", "Discard", "Cancel"), "Save")
            if answer == "Cancel" or (answer == "Save" and not self.save()):
                return
        super().reject()
