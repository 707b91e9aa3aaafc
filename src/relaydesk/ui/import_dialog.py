"""File → Import… and files dropped on the tree: a preview, then the import.

The file is read and planned in a worker thread (a multi-MB OpenAPI document must
not freeze the window), the plan is shown — connections, folders, requests,
environments, secrets that will go to the keyring, notes — and only "Import" writes
it, again in a worker thread, all or nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QVBoxLayout,
    QWidget,
)

from .service import Service
from .switch_interval import fast_switching

__all__ = ["ImportDialog", "run_in_worker"]


class _Bridge(QObject):
    done = Signal(object, object)  # result, error


def run_in_worker(fn: Callable[[], Any], on_done: Callable[[Any, BaseException | None], None],
                  owner: QObject) -> threading.Thread:
    """Run ``fn`` in a thread; ``on_done(result, error)`` is called on the GUI thread."""
    bridge = _Bridge(owner)

    def finish(result: Any, error: BaseException | None) -> None:
        bridge.deleteLater()
        on_done(result, error)

    bridge.done.connect(finish)

    def work() -> None:
        try:
            with fast_switching():  # parsing holds the GIL: hand it back to the GUI often
                result = fn()
        except BaseException as exc:  # handed to the GUI thread, shown there
            bridge.done.emit(None, exc)
        else:
            bridge.done.emit(result, None)

    thread = threading.Thread(target=work, name="relaydesk-import", daemon=True)
    thread.start()
    return thread


class ImportDialog(QDialog):
    imported = Signal(str, list)  # first connection path, notes

    def __init__(self, service: Service, path: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from relaydesk.core.importers import IMPORT_KINDS

        self.setWindowTitle("Import")
        self.setObjectName("importDialog")
        self._service = service
        self._path = path
        self._text = ""
        self.plan: Any = None
        self.worker: threading.Thread | None = None
        self.kind = QComboBox(self)
        self.kind.addItems(list(IMPORT_KINDS))
        self.into = QLineEdit(self)
        self.into.setPlaceholderText("path of the new connection")
        self.status = QLabel("Reading…", self)
        self.status.setWordWrap(True)
        self.preview = QListWidget(self)
        self.preview.setObjectName("importPreview")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.import_button = self.buttons.addButton(
            "Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setEnabled(False)
        self.buttons.rejected.connect(self.reject)
        self.import_button.clicked.connect(self.start_import)
        form = QFormLayout()
        form.addRow("File:", QLabel(Path(path).name, self))
        form.addRow("Format:", self.kind)
        form.addRow("Create at:", self.into)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.buttons)
        self.resize(620, 480)
        self.worker = run_in_worker(self._read, self._read_done, self)

    def _read(self) -> tuple[str, str]:
        from relaydesk.core.importers import detect_kind

        text = self._service.read_import_file(self._path)
        return text, detect_kind(text, self._path)

    def _read_done(self, result: Any, error: BaseException | None) -> None:
        if error is not None:
            self._fail(error)
            return
        self._text, kind = result
        self.kind.setCurrentText(kind)
        self.kind.currentTextChanged.connect(lambda _k: self.start_plan())
        self.start_plan()

    def start_plan(self) -> None:
        from relaydesk.core.importers import plan_import

        self.import_button.setEnabled(False)
        self.status.setText("Reading…")
        kind, text, name = self.kind.currentText(), self._text, Path(self._path).name
        self.worker = run_in_worker(lambda: plan_import(kind, text, name), self._planned, self)

    def _planned(self, plan: Any, error: BaseException | None) -> None:
        self.preview.clear()
        if error is not None:
            self._fail(error)
            return
        self.plan = plan
        if plan.connections and not self.into.text():
            self.into.setText(plan.connections[0].path if len(plan.connections) == 1 else "")
        self.status.setText(f"Will create {plan.counts()}. Nothing is written until you "
                            "press Import.")
        self.preview.addItems(plan.summary())
        self.preview.addItems([f"Note: {note}" for note in plan.notes])
        self.import_button.setEnabled(True)

    def start_import(self) -> None:
        if self.plan is None:
            return
        plan, into = self.plan, self.into.text().strip() or None
        self.import_button.setEnabled(False)
        self.status.setText("Importing…")
        self.worker = run_in_worker(lambda: self._service.apply_import(plan, into, self._text),
                                    self._applied, self)

    def _applied(self, result: Any, error: BaseException | None) -> None:
        if error is not None:
            self._fail(error)
            self.import_button.setEnabled(self.plan is not None)
            return
        first = self.into.text().strip() or (
            self.plan.connections[0].path if self.plan.connections else "")
        self.imported.emit(first, list(result))
        self.accept()

    def _fail(self, error: BaseException) -> None:
        from relaydesk.core.messages import user_message

        self.status.setText(user_message(error))
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
