"""Edit auth… for one request: the connections' auth form (every kind, OAuth 2.0
included) over a request's own auth override.

The request must be saved (its secrets are keyed by its id). On Save the window
writes the auth to the request's file and the typed secrets to the keyring through
the session (``Session.set_request_auth``); nothing typed is ever shown again.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from relaydesk.core.model import AuthSettings

from .auth_editor import AuthEditor

__all__ = ["RequestAuthDialog"]


class RequestAuthDialog(QDialog):
    applied = Signal(object, dict)  # AuthSettings, {field: typed secret}

    def __init__(self, service: Any, path: str, auth: AuthSettings | None,
                 connection_kind: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Authentication of {path.rsplit('/', 1)[-1]}")
        self.setObjectName("requestAuthDialog")
        self.path = path
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.note.setEnabled(False)
        self.note.setText(
            "This request's own authentication, used instead of its connection's"
            + (f" ({connection_kind})" if connection_kind else "") + ". Secrets go to "
            "the system keyring under this request and are never shown again. To use the "
            "connection's again, choose “Inherit from connection” in the Auth tab.")
        self.editor = AuthEditor(service, self)
        self.editor.set_auth(auth or AuthSettings("bearer"), path)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.buttons)
        self.resize(560, 520 if (auth and auth.kind == "oauth2") else 300)

    def _save(self) -> None:
        self.applied.emit(self.editor.auth(), self.editor.pending_secrets())

    def show_problem(self, message: str) -> None:
        self.editor.show_problem(message)
