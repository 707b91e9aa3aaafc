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

from .auth_editor import AUTH_LABELS, AuthEditor

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
        inherited = AUTH_LABELS.get(connection_kind or "", "")
        self.note.setText(
            "Authentication for this request only"
            + (f"; its connection uses {inherited[0].lower() + inherited[1:]}"
               if inherited else "") + ". Secrets go to the system keyring under this "
            "request and are never shown again. “Inherit from connection” in the Auth "
            "tab goes back to the connection's.")
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
        self.editor.mode.currentIndexChanged.connect(lambda _i: self._fit())
        self._fit()

    def _fit(self) -> None:
        """As tall as the chosen kind's form (a stack is as tall as its tallest page)."""
        from PySide6.QtWidgets import QSizePolicy

        stack = self.editor.stack
        for i in range(stack.count()):
            policy = QSizePolicy.Policy.Preferred if i == stack.currentIndex() \
                else QSizePolicy.Policy.Ignored
            if (page := stack.widget(i)) is not None:
                page.setSizePolicy(policy, policy)
        self.adjustSize()
        self.resize(max(self.width(), 580), self.sizeHint().height())

    def _save(self) -> None:
        self.applied.emit(self.editor.auth(), self.editor.pending_secrets())

    def show_problem(self, message: str) -> None:
        self.editor.show_problem(message)
