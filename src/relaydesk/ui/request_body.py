"""The Body tab of the request editor: none / JSON / form / multipart / raw / binary."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ..core.model import Body
from .widgets.json_editor import JsonEditor
from .widgets.kv_table import KvTable, MultipartTable

__all__ = ["BodyEditor"]

KINDS = (("none", "None"), ("json", "JSON"), ("form", "Form (urlencoded)"),
         ("multipart", "Multipart"), ("raw", "Raw"), ("binary", "Binary file"))
RAW_TYPES = ("text/plain", "application/xml", "text/html", "text/csv", "application/yaml",
             "application/javascript")


class BodyEditor(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind_combo = QComboBox(self)
        for key, label in KINDS:
            self.kind_combo.addItem(label, key)
        top = QHBoxLayout()
        top.addWidget(QLabel("Body type:", self))
        top.addWidget(self.kind_combo)
        top.addStretch(1)

        none = QLabel("This request sends no body.", self)
        none.setEnabled(False)
        self.json_editor = JsonEditor(self)
        self.form_table = KvTable(self)
        self.form_table.view.setAccessibleName("Form fields")
        self.multipart_table = MultipartTable(self)
        raw = QWidget(self)
        self.raw_type = QComboBox(raw, editable=True)
        self.raw_type.addItems(RAW_TYPES)
        self.raw_text = QPlainTextEdit(raw)
        self.raw_text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        raw_layout = QVBoxLayout(raw)
        raw_layout.setContentsMargins(0, 0, 0, 0)
        raw_form = QFormLayout()
        raw_form.addRow("Content type:", self.raw_type)
        raw_layout.addLayout(raw_form)
        raw_layout.addWidget(self.raw_text, 1)
        binary = QWidget(self)
        self.binary_path = QLineEdit(binary, placeholderText="/path/to/file")
        browse = QPushButton("Choose file…", binary)
        self.binary_type = QLineEdit(binary, placeholderText="application/octet-stream")
        path_row = QHBoxLayout()
        path_row.addWidget(self.binary_path, 1)
        path_row.addWidget(browse)
        binary_form = QFormLayout(binary)
        binary_form.setContentsMargins(0, 0, 0, 0)
        binary_form.addRow("File:", path_row)
        binary_form.addRow("Content type:", self.binary_type)
        self.stack = QStackedWidget(self)
        for w in (none, self.json_editor, self.form_table, self.multipart_table, raw, binary):
            self.stack.addWidget(w)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)

        self.kind_combo.currentIndexChanged.connect(self.stack.setCurrentIndex)
        self.kind_combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        browse.clicked.connect(self._browse)
        for sig in (self.json_editor.changed, self.form_table.changed,
                    self.multipart_table.changed, self.raw_text.textChanged,
                    self.raw_type.currentTextChanged, self.binary_path.textChanged,
                    self.binary_type.textChanged):
            sig.connect(lambda *_: self.changed.emit())

    def kind(self) -> str:
        return str(self.kind_combo.currentData())

    def set_kind(self, kind: str) -> None:
        index = self.kind_combo.findData(kind)
        self.kind_combo.setCurrentIndex(max(index, 0))

    def set_body(self, body: Body) -> None:
        self.json_editor.set_text(body.text if body.kind == "json" else "")
        self.raw_text.setPlainText(body.text if body.kind == "raw" else "")
        self.raw_type.setCurrentText(body.content_type if body.kind == "raw" and
                                     body.content_type else RAW_TYPES[0])
        self.form_table.set_items(body.form)
        self.multipart_table.set_items(body.multipart)
        self.binary_path.setText(body.file)
        self.binary_type.setText(body.content_type if body.kind == "binary" else "")
        self.set_kind(body.kind)

    def body(self) -> Body:
        """The body of the selected kind (fields of other kinds are left out)."""
        kind = self.kind()
        if kind == "json":
            return Body(kind="json", text=self.json_editor.text())
        if kind == "form":
            return Body(kind="form", form=self.form_table.items())
        if kind == "multipart":
            return Body(kind="multipart", multipart=self.multipart_table.items())
        if kind == "raw":
            return Body(kind="raw", text=self.raw_text.toPlainText(),
                        content_type=self.raw_type.currentText().strip())
        if kind == "binary":
            return Body(kind="binary", file=self.binary_path.text().strip(),
                        content_type=self.binary_type.text().strip())
        return Body()

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "File to send as the body")
        if path:
            self.binary_path.setText(path)
