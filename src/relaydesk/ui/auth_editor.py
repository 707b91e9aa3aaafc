"""Authentication settings: one form per mode, with write-only secret fields.

A secret that is already in the keyring is never read back into the UI: its field
shows a "saved — replace…" button that reveals an empty password box. A keyring that
is missing or locked is explained inline with the core's message. OAuth 2.0 is the
``OAuthEditor`` form (Get token, token info), fed by the service's token provider.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from relaydesk.core.errors import SecretStoreError
from relaydesk.core.model import AUTH_PUBLIC_FIELDS, AUTH_SECRET_FIELDS, AuthSettings

from .theme import problem_style

if TYPE_CHECKING:
    from .oauth_editor import OAuthEditor, OAuthService

__all__ = ["AUTH_LABELS", "SAVED_TEXT", "AuthEditor", "SecretAccess", "SecretField"]

SAVED_TEXT = "saved — replace…"
AUTH_LABELS: dict[str, str] = {
    "none": "No authentication",
    "basic": "Basic (user name and password)",
    "bearer": "Bearer token",
    "token": "Token with a custom scheme",
    "apikey": "API key (header or query parameter)",
    "digest": "Digest",
    "oauth2": "OAuth 2.0",
    "aws_sigv4": "AWS Signature Version 4",
}


class SecretAccess(Protocol):
    def secret_saved(self, owner: str, field: str) -> bool: ...
    def set_secret(self, owner: str, field: str, value: str) -> None: ...


class SecretField(QWidget):
    """An empty password box, or a "saved — replace…" button once a value is stored."""

    edited = Signal()

    def __init__(self, placeholder: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit(self)
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.setPlaceholderText(placeholder)
        self.edit.textEdited.connect(lambda _t: self.edited.emit())
        self.replace_button = QPushButton(SAVED_TEXT, self)
        self.replace_button.setToolTip("A value is stored in the system keyring. "
                                       "Click to type a new one.")
        self.replace_button.clicked.connect(self._reveal)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        layout.addWidget(self.replace_button)
        self.set_saved(False)

    def set_saved(self, saved: bool) -> None:
        self.edit.clear()  # the stored value is never shown, not even masked
        self.edit.setVisible(not saved)
        self.replace_button.setVisible(saved)

    def is_saved_shown(self) -> bool:
        return not self.replace_button.isHidden()

    def _reveal(self) -> None:
        self.set_saved(False)
        self.edit.setFocus()

    def value(self) -> str | None:
        """What the user typed (None when nothing: keep what the keyring has)."""
        return self.edit.text() or None


class AuthEditor(QWidget):
    """Mode selector plus the form of the chosen mode."""

    changed = Signal()

    def __init__(self, secrets: SecretAccess, parent: QWidget | None = None, *,
                 oauth: OAuthService | None = None) -> None:
        super().__init__(parent)
        self._secrets = secrets
        # The app's Service is both the secret access and the holder of the provider.
        self._oauth = oauth if oauth is not None else getattr(secrets, "oauth", None)
        self._owner = ""
        self.oauth_editor: OAuthEditor
        self.mode = QComboBox(self)
        for kind, label in AUTH_LABELS.items():
            self.mode.addItem(label, kind)
        self.stack = QStackedWidget(self)
        self.public: dict[tuple[str, str], QLineEdit | QComboBox] = {}
        self.secret_fields: dict[tuple[str, str], SecretField] = {}
        for kind in AUTH_LABELS:
            self.stack.addWidget(self._page(kind))
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(problem_style())
        self.problem.hide()
        self.mode.currentIndexChanged.connect(self._mode_changed)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        form = QFormLayout()
        form.addRow("Authentication", self.mode)
        layout.addLayout(form)
        layout.addWidget(self.stack)
        layout.addWidget(self.problem)
        layout.addStretch(1)

    def _page(self, kind: str) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        form.setContentsMargins(0, 4, 0, 0)
        if kind == "none":
            form.addRow(QLabel("Requests are sent without credentials.", page))
        elif kind in ("basic", "digest"):
            self._line(form, kind, "username", "User name", "e.g. alice@example.com")
            self._secret(form, kind, "password", "Password")
        elif kind == "bearer":
            self._secret(form, kind, "token", "Token")
        elif kind == "token":
            self._line(form, kind, "scheme", "Scheme", "Token")
            self._secret(form, kind, "token", "Token")
        elif kind == "apikey":
            self._line(form, kind, "name", "Name", "X-API-Key")
            where = QComboBox(page)
            where.addItem("Header", "header")
            where.addItem("Query parameter", "query")
            self.public[(kind, "in")] = where
            form.addRow("Send in", where)
            self._secret(form, kind, "value", "Key")
        elif kind == "aws_sigv4":
            self._line(form, kind, "access_key_id", "Access key ID", "AKIA…")
            self._secret(form, kind, "secret_access_key", "Secret access key")
            self._secret(form, kind, "session_token", "Session token (optional)")
            self._line(form, kind, "region", "Region", "us-east-1")
            self._line(form, kind, "service", "Service", "execute-api")
        elif kind == "oauth2":
            from .oauth_editor import OAuthEditor

            if self._oauth is None:  # no app around it: tokens cannot be stored
                from relaydesk.core.oauth import OAuthTokenProvider

                self._oauth = OAuthTokenProvider(None)
            self.oauth_editor = OAuthEditor(self._oauth, self._secrets, page)
            self.oauth_editor.changed.connect(self.changed)
            form.addRow(self.oauth_editor)
        return page

    def _line(self, form: QFormLayout, kind: str, name: str, label: str, hint: str) -> None:
        edit = QLineEdit(form.parentWidget())
        edit.setPlaceholderText(hint)
        edit.textEdited.connect(lambda _t: self.changed.emit())
        self.public[(kind, name)] = edit
        form.addRow(label, edit)

    def _secret(self, form: QFormLayout, kind: str, name: str, label: str) -> None:
        field = SecretField("stored in the system keyring", form.parentWidget())
        field.edited.connect(self.changed)
        self.secret_fields[(kind, name)] = field
        form.addRow(label, field)

    # -- state -------------------------------------------------------------------------

    def kind(self) -> str:
        return str(self.mode.currentData())

    def _mode_changed(self, _index: int) -> None:
        self.stack.setCurrentIndex(self.mode.currentIndex())
        self.refresh_secret_state()
        self.changed.emit()

    def set_auth(self, auth: AuthSettings | None, owner_path: str) -> None:
        auth = auth or AuthSettings()
        self._owner = owner_path
        for (kind, name), widget in self.public.items():
            value = auth.get(name) if kind == auth.kind else ""
            if isinstance(widget, QComboBox):
                widget.setCurrentIndex(max(0, widget.findData(value or "header")))
            else:
                widget.setText(value)
        self.mode.blockSignals(True)
        self.mode.setCurrentIndex(max(0, self.mode.findData(auth.kind)))
        self.mode.blockSignals(False)
        self.stack.setCurrentIndex(self.mode.currentIndex())
        self.oauth_editor.set_settings(
            auth if auth.kind == "oauth2" else AuthSettings("oauth2"), owner_path)
        self.refresh_secret_state()

    def set_owner(self, owner_path: str) -> None:
        self._owner = owner_path
        self.oauth_editor.set_owner(owner_path)

    def auth(self) -> AuthSettings:
        kind = self.kind()
        if kind == "oauth2":
            return self.oauth_editor.settings()
        params: dict[str, str] = {}
        for name in AUTH_PUBLIC_FIELDS.get(kind, ()):
            widget = self.public.get((kind, name))
            if isinstance(widget, QComboBox):
                params[name] = str(widget.currentData())
            elif widget is not None and widget.text().strip():
                params[name] = widget.text().strip()
        return AuthSettings(kind=kind, params=params)

    def pending_secrets(self) -> dict[str, str]:
        kind = self.kind()
        if kind == "oauth2":
            return self.oauth_editor.pending_secrets()
        out: dict[str, str] = {}
        for name in AUTH_SECRET_FIELDS.get(kind, ()):
            value = self.secret_fields[(kind, name)].value()
            if value is not None:
                out[name] = value
        return out

    def refresh_secret_state(self) -> None:
        """Ask the keyring which secrets exist (never their values); explain failures."""
        kind = self.kind()
        self.problem.hide()
        if kind == "oauth2":  # its own client secret field and token info
            self.oauth_editor.set_owner(self._owner)
            return
        for name in AUTH_SECRET_FIELDS.get(kind, ()):
            field = self.secret_fields[(kind, name)]
            if not self._owner:
                field.set_saved(False)
                continue
            try:
                field.set_saved(self._secrets.secret_saved(self._owner, name))
            except SecretStoreError as exc:
                field.set_saved(False)
                self.show_problem(str(exc))

    def show_problem(self, message: str) -> None:
        self.problem.setText(message)
        self.problem.show()

    def save_secrets(self, owner_path: str | None = None) -> bool:
        """Write what was typed to the keyring; False (message shown) if it failed."""
        if owner_path:
            self._owner = owner_path
        try:
            for name, value in self.pending_secrets().items():
                self._secrets.set_secret(self._owner, name, value)
        except SecretStoreError as exc:
            self.show_problem(str(exc))
            return False
        self.refresh_secret_state()
        return True
