"""Auth override and Settings tabs of the request editor.

The auth tab keeps only the kind and public fields (``AUTH_PUBLIC_FIELDS``); secrets of an
override are set through the app's auth editor and live in the keyring.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..core.model import AUTH_KINDS, AUTH_PUBLIC_FIELDS, AUTH_SECRET_FIELDS, AuthSettings
from ..core.model import RequestOptions as Options

__all__ = ["AuthOverride", "SettingsPanel"]

INHERIT = "inherit"
_LABELS = {INHERIT: "Inherit from connection", "none": "No auth", "basic": "Basic",
           "bearer": "Bearer token", "token": "Token (custom scheme)", "apikey": "API key",
           "digest": "Digest", "oauth2": "OAuth 2.0", "aws_sigv4": "AWS Signature V4"}
_FIELD_LABELS = {"username": "Username", "scheme": "Scheme", "name": "Key name",
                 "in": "Send in", "client_id": "Client ID", "token_url": "Token URL",
                 "auth_url": "Authorization URL"}


class AuthOverride(QWidget):
    changed = Signal()
    editRequested = Signal()  # "Edit auth…": the window opens the request's auth editor

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind_combo = QComboBox(self)
        for kind in (INHERIT, *AUTH_KINDS):
            self.kind_combo.addItem(_LABELS.get(kind, kind), kind)
        self.form = QFormLayout()
        self.secret_note = QLabel(self, wordWrap=True)
        self.secret_note.setEnabled(False)
        layout = QVBoxLayout(self)
        self.form.addRow("Authentication:", self.kind_combo)  # one form: labels line up
        layout.addLayout(self.form)
        self.edit_button = QPushButton("Edit auth…", self)
        self.edit_button.setObjectName("editAuthButton")
        self.edit_button.setToolTip("Set this request's own authentication, its secrets "
                                    "(kept in the system keyring) and OAuth 2.0 tokens")
        self.edit_button.clicked.connect(lambda: self.editRequested.emit())
        edit_row = QHBoxLayout()
        edit_row.addWidget(self.edit_button)
        edit_row.addStretch(1)
        layout.addLayout(edit_row)
        layout.addWidget(self.secret_note)
        layout.addStretch(1)
        self._values: dict[str, dict[str, str]] = {}  # kind -> public params, kept per kind
        self._fields: dict[str, QLineEdit | QComboBox] = {}
        self.kind_combo.currentIndexChanged.connect(self._on_kind)
        self._on_kind()

    def kind(self) -> str:
        return str(self.kind_combo.currentData())

    def set_auth(self, auth: AuthSettings | None) -> None:
        self._values = {} if auth is None else {auth.kind: dict(auth.params)}
        index = self.kind_combo.findData(INHERIT if auth is None else auth.kind)
        self.kind_combo.blockSignals(True)
        self.kind_combo.setCurrentIndex(max(index, 0))
        self.kind_combo.blockSignals(False)
        self._on_kind(emit=False)

    def auth(self) -> AuthSettings | None:
        kind = self.kind()
        if kind == INHERIT:
            return None
        params = {k: v for k, v in self._values.get(kind, {}).items() if v}
        return AuthSettings(kind=kind, params=params)

    def field(self, name: str) -> QLineEdit | QComboBox:
        return self._fields[name]

    def _on_kind(self, *_args: object, emit: bool = True) -> None:
        while self.form.rowCount() > 1:
            self.form.removeRow(1)
        self._fields = {}
        kind = self.kind()
        values = self._values.setdefault(kind, {}) if kind != INHERIT else {}
        for name in AUTH_PUBLIC_FIELDS.get(kind, ()):
            widget: QLineEdit | QComboBox
            if name == "in":
                widget = QComboBox(self)
                widget.addItems(["header", "query"])
                widget.setCurrentText(values.get(name, "header"))
                values.setdefault(name, widget.currentText())
                widget.currentTextChanged.connect(lambda v, n=name: self._set(n, v))
            else:
                widget = QLineEdit(values.get(name, ""), self)
                widget.textChanged.connect(lambda v, n=name: self._set(n, v))
            self._fields[name] = widget
            self.form.addRow(_FIELD_LABELS.get(name, name.replace("_", " ").capitalize()) + ":",
                             widget)
        secrets = AUTH_SECRET_FIELDS.get(kind, ())
        if kind == INHERIT:
            note = "The connection's authentication is used."
        elif secrets:
            note = (f"The {' and '.join(secrets)} for this override is kept in the system "
                    "keyring; set it with the auth editor (Edit auth…).")
        else:
            note = ""
        self.secret_note.setText(note)
        if emit:
            self.changed.emit()

    def _set(self, name: str, value: str) -> None:
        self._values.setdefault(self.kind(), {})[name] = value
        self.changed.emit()


class SettingsPanel(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.timeout_override = QCheckBox("Override the connection's timeout", self)
        self.timeout = QDoubleSpinBox(self, minimum=0.1, maximum=86400.0, value=60.0,
                                      suffix=" s", decimals=1)
        self.follow_redirects = QCheckBox("Follow redirects", self)
        self.response_format = QComboBox(self)
        self.response_format.addItems(["text", "json", "bytes"])
        self.timeout.setMaximumWidth(160)
        self.response_format.setMaximumWidth(160)
        self.raise_for_status = QCheckBox("Treat 4xx/5xx responses as errors", self)
        self.bypass_cache = QCheckBox("Bypass the response cache", self)
        form = QFormLayout(self)
        form.addRow(self.timeout_override)
        form.addRow("Timeout:", self.timeout)
        form.addRow(self.follow_redirects)
        form.addRow("Response format:", self.response_format)
        form.addRow(self.raise_for_status)
        form.addRow(self.bypass_cache)
        self.timeout_override.toggled.connect(self.timeout.setEnabled)
        for sig in (self.timeout_override.toggled, self.timeout.valueChanged,
                    self.follow_redirects.toggled, self.response_format.currentTextChanged,
                    self.raise_for_status.toggled, self.bypass_cache.toggled):
            sig.connect(lambda *_: self.changed.emit())

    def set_options(self, options: Options) -> None:
        self.timeout_override.setChecked(options.timeout is not None)
        self.timeout.setEnabled(options.timeout is not None)
        self.timeout.setValue(options.timeout if options.timeout is not None else 60.0)
        self.follow_redirects.setChecked(options.follow_redirects)
        self.response_format.setCurrentText(options.response_format)
        self.raise_for_status.setChecked(options.raise_for_status)
        self.bypass_cache.setChecked(options.bypass_cache)

    def options(self) -> Options:
        return Options(
            response_format=self.response_format.currentText(),
            raise_for_status=self.raise_for_status.isChecked(),
            follow_redirects=self.follow_redirects.isChecked(),
            timeout=self.timeout.value() if self.timeout_override.isChecked() else None,
            bypass_cache=self.bypass_cache.isChecked(),
        )
