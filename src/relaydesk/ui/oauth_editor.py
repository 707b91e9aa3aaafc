"""The OAuth 2.0 settings form with Get token / Cancel, token info and Clear tokens.

Knows nothing of the app: it is given an ``OAuthService`` (``OAuthTokenProvider``
fits) and a ``SecretAccess`` for the write-only client secret, and runs its async
work on the running asyncio loop (qasync in the app). Tokens are shown masked with
expiry and scopes, with a verified ID token's claims; copying the access token is its
own explicit button. The device grant shows its user code and verification address
while it polls. "Timeline…" opens every call made to the authorization server
(secrets masked), updated live.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QIntValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from relaydesk.core.errors import RelaydeskError
from relaydesk.core.model import AuthSettings
from relaydesk.core.oauth.device import DeviceCode
from relaydesk.core.oauth.discovery import ServerMetadata
from relaydesk.core.oauth.flows import LoginPrompt
from relaydesk.core.oauth.id_token import describe_claims
from relaydesk.core.oauth.timeline import Timeline, TimelineEntry
from relaydesk.core.oauth.tokens import TokenSet, describe_tokens

__all__ = ["GRANT_LABELS", "OAuthEditor", "OAuthService", "SecretAccess", "TimelineDialog"]

GRANT_LABELS = {"authorization_code": "Authorization code (browser login, PKCE)",
                "client_credentials": "Client credentials (no user)",
                "device_code": "Device code (enter a code on any device)"}
TEXT_FIELDS = ("issuer", "auth_url", "token_url", "client_id", "scope", "audience", "resource",
               "redirect_port", "redirect_path", "device_url")
_LABELS = {"issuer": "Issuer", "auth_url": "Authorization URL", "token_url": "Token URL",
           "client_id": "Client ID", "scope": "Scope", "audience": "Audience",
           "resource": "Resource", "redirect_port": "Redirect port",
           "redirect_path": "Redirect path", "device_url": "Device authorization URL"}
_HINTS = {"issuer": "https://login.example.com (then Discover)",
          "scope": "read write", "redirect_port": "any free port",
          "redirect_path": "/callback", "audience": "optional", "resource": "optional",
          "device_url": "from the issuer, or https://login.example.com/device/code"}


class OAuthService(Protocol):
    async def discover(self, issuer: str) -> ServerMetadata: ...

    async def login_owner(self, owner_path: str, settings: AuthSettings, *,
                          open_browser: bool = True,
                          on_url: Callable[[str], object] | None = None,
                          on_prompt: Callable[[LoginPrompt], object] | None = None,
                          timeout: float | None = None,
                          on_device: Callable[[DeviceCode], object] | None = None
                          ) -> TokenSet: ...

    def tokens(self, owner_path: str) -> TokenSet | None: ...

    def timeline(self, owner_path: str) -> Timeline: ...

    def clear(self, owner_path: str) -> None: ...


class SecretAccess(Protocol):
    def secret_saved(self, owner: str, field: str) -> bool: ...
    def set_secret(self, owner: str, field: str, value: str) -> None: ...


class TimelineDialog(QDialog):
    """The calls made for one owner, oldest first, live while it is open."""

    def __init__(self, timeline: Timeline, owner: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"OAuth timeline — {owner}")
        self.resize(760, 420)
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setPlaceholderText("No call to the authorization server yet in this session.")
        self._timeline = timeline
        self.clear_button = QPushButton("Clear", self)
        self.clear_button.clicked.connect(self._clear)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.addButton(self.clear_button, QDialogButtonBox.ButtonRole.ResetRole)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self._unsubscribe = timeline.subscribe(self._added)
        self.finished.connect(lambda _r: self._unsubscribe())
        self.text.setPlainText(timeline.text())

    def _added(self, _entry: TimelineEntry) -> None:
        try:
            self.text.setPlainText(self._timeline.text())
        except RuntimeError:  # the widget went away with its parent: stop listening
            self._unsubscribe()
            return
        bar = self.text.verticalScrollBar()
        bar.setValue(bar.maximum())

    def _clear(self) -> None:
        self._timeline.clear()
        self.text.clear()


class OAuthEditor(QWidget):
    changed = Signal()  # a setting was edited
    tokensChanged = Signal()  # tokens obtained or cleared
    busyChanged = Signal(bool)

    def __init__(self, service: OAuthService, secrets: SecretAccess,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._secrets = secrets
        self._owner = ""
        self._task: asyncio.Task[Any] | None = None
        self._prompt: LoginPrompt | None = None

        self.grant = QComboBox(self)
        for value, label in GRANT_LABELS.items():
            self.grant.addItem(label, value)
        self.grant.currentIndexChanged.connect(self._grant_changed)
        self.client_auth = QComboBox(self)
        self.client_auth.addItem("HTTP Basic (client_secret_basic)", "basic")
        self.client_auth.addItem("In the form body (client_secret_post)", "post")
        self.client_auth.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.fields: dict[str, QLineEdit] = {}
        for name in TEXT_FIELDS:
            edit = QLineEdit(self)
            edit.setPlaceholderText(_HINTS.get(name, ""))
            edit.textEdited.connect(lambda _t: self.changed.emit())
            self.fields[name] = edit
        self.fields["redirect_port"].setValidator(QIntValidator(0, 65535, self))
        self.discover_button = QPushButton("Discover", self)
        self.discover_button.setToolTip("Fill the endpoints from the issuer's "
                                        "/.well-known metadata")
        self.discover_button.clicked.connect(self._discover)
        self.secret = QLineEdit(self)
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.textEdited.connect(lambda _t: self.changed.emit())
        self.secret_replace = QPushButton("saved — replace…", self)
        self.secret_replace.clicked.connect(lambda: self._show_secret_saved(False))

        self.get_button = QPushButton("Get token", self)
        self.get_button.clicked.connect(self.get_token)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.hide()
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.paste = QLineEdit(self)
        self.paste.setPlaceholderText("…or paste the address the browser ended on, then Enter")
        self.paste.returnPressed.connect(self._pasted)
        self.paste.hide()
        self.token_info = QLabel(self)
        self.token_info.setWordWrap(True)
        self.copy_button = QPushButton("Copy access token", self)
        self.copy_button.clicked.connect(self.copy_token)
        self.clear_button = QPushButton("Clear tokens", self)
        self.clear_button.clicked.connect(self.clear_tokens)
        self.timeline_button = QPushButton("Timeline…", self)
        self.timeline_button.setToolTip("Every call to the authorization server, secrets "
                                        "masked")
        self.timeline_button.clicked.connect(self.show_timeline)
        self.timeline_dialog: TimelineDialog | None = None
        self._layout()
        self._show_secret_saved(False)
        self.refresh_tokens()

    def _layout(self) -> None:
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Grant", self.grant)
        issuer_row = QHBoxLayout()
        issuer_row.addWidget(self.fields["issuer"], 1)
        issuer_row.addWidget(self.discover_button)
        form.addRow(_LABELS["issuer"], issuer_row)
        for name in ("auth_url", "token_url", "client_id"):
            form.addRow(_LABELS[name], self.fields[name])
        secret_row = QHBoxLayout()
        secret_row.addWidget(self.secret, 1)
        secret_row.addWidget(self.secret_replace)
        form.addRow("Client secret", secret_row)
        form.addRow("Client authentication", self.client_auth)
        for name in ("scope", "audience", "resource", "redirect_port", "redirect_path",
                     "device_url"):
            form.addRow(_LABELS[name], self.fields[name])
        buttons = QHBoxLayout()
        buttons.addWidget(self.get_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.timeline_button)
        tokens = QHBoxLayout()
        tokens.addWidget(self.token_info, 1)
        tokens.addWidget(self.copy_button)
        tokens.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addWidget(self.paste)
        layout.addLayout(tokens)

    # -- settings ------------------------------------------------------------------------

    def set_owner(self, owner_path: str) -> None:
        self._owner = owner_path
        self._refresh_secret()
        self.refresh_tokens()

    def set_settings(self, settings: AuthSettings, owner_path: str | None = None) -> None:
        if owner_path is not None:
            self._owner = owner_path
        self.grant.blockSignals(True)
        grant = settings.get("grant") or "authorization_code"
        self.grant.setCurrentIndex(max(0, self.grant.findData(grant)))
        self.grant.blockSignals(False)
        self.client_auth.setCurrentIndex(
            max(0, self.client_auth.findData(settings.get("client_auth") or "basic")))
        for name, edit in self.fields.items():
            edit.setText(settings.get(name))
        self._grant_changed(-1, emit=False)
        self._refresh_secret()
        self.refresh_tokens()

    def settings(self) -> AuthSettings:
        params = {"grant": str(self.grant.currentData()),
                  "client_auth": str(self.client_auth.currentData())}
        for name, edit in self.fields.items():
            if edit.text().strip():
                params[name] = edit.text().strip()
        return AuthSettings("oauth2", params)

    def pending_secrets(self) -> dict[str, str]:
        """The client secret typed (never read back from the keyring)."""
        return {"client_secret": self.secret.text()} if self.secret.text() else {}

    def _grant_changed(self, _index: int, *, emit: bool = True) -> None:
        browser = self.grant.currentData() == "authorization_code"
        for name in ("auth_url", "redirect_port", "redirect_path"):
            self.fields[name].setEnabled(browser)
        self.fields["device_url"].setEnabled(self.grant.currentData() == "device_code")
        if emit:
            self.changed.emit()

    def _show_secret_saved(self, saved: bool) -> None:
        self.secret.clear()
        self.secret.setVisible(not saved)
        self.secret_replace.setVisible(saved)
        self.secret.setPlaceholderText("stored in the system keyring")

    def _refresh_secret(self) -> None:
        saved = False
        if self._owner:
            with contextlib.suppress(RelaydeskError):
                saved = self._secrets.secret_saved(self._owner, "client_secret")
        self._show_secret_saved(saved)

    # -- tokens --------------------------------------------------------------------------

    def refresh_tokens(self) -> None:
        tokens = None
        if self._owner:
            try:
                tokens = self._service.tokens(self._owner)
            except RelaydeskError as exc:
                self.set_status(str(exc))
        text = f"Token: {describe_tokens(tokens)}" if tokens else "No token saved."
        if tokens is not None and tokens.id_claims:
            text += f"\nID token (verified): {describe_claims(tokens.id_claims)}"
        self.token_info.setText(text)
        self.copy_button.setEnabled(tokens is not None)
        self.clear_button.setEnabled(tokens is not None)

    def copy_token(self) -> None:
        tokens = self._service.tokens(self._owner) if self._owner else None
        if tokens is not None:
            QGuiApplication.clipboard().setText(tokens.access_token)
            self.set_status("Access token copied to the clipboard.")

    def clear_tokens(self) -> None:
        if not self._owner:
            return
        try:
            self._service.clear(self._owner)
        except RelaydeskError as exc:
            self.set_status(str(exc))
            return
        self.set_status("Tokens cleared.")
        self.refresh_tokens()
        self.tokensChanged.emit()

    def set_status(self, text: str) -> None:
        self.status.setText(text)

    def is_busy(self) -> bool:
        return self._task is not None and not self._task.done()

    def _set_busy(self, busy: bool) -> None:
        self.get_button.setEnabled(not busy)
        self.discover_button.setEnabled(not busy)
        self.cancel_button.setVisible(busy)
        if not busy:
            self.paste.hide()
            self.paste.clear()
            self._prompt = None
        self.busyChanged.emit(busy)

    # -- actions -------------------------------------------------------------------------

    def get_token(self) -> None:
        if self.is_busy():
            return
        if not self._owner:
            self.set_status("Save the connection first: tokens are stored under its path.")
            return
        secrets = self.pending_secrets()
        try:
            for name, value in secrets.items():
                self._secrets.set_secret(self._owner, name, value)
        except RelaydeskError as exc:
            self.set_status(str(exc))
            return
        if secrets:
            self._show_secret_saved(True)
        grant = self.grant.currentData()
        self.set_status({"authorization_code": "Waiting for the browser… finish the login "
                         "there.", "device_code": "Asking for a device code…"}.get(
                             str(grant), "Asking the token endpoint…"))
        self._set_busy(True)
        self._task = asyncio.get_event_loop().create_task(self._run_login())

    async def _run_login(self) -> None:
        try:
            tokens = await self._service.login_owner(self._owner, self.settings(),
                                                     on_prompt=self._on_prompt,
                                                     on_device=self._on_device)
        except asyncio.CancelledError:
            self.set_status("Login cancelled.")
        except RelaydeskError as exc:
            self.set_status(str(exc))
        else:
            self.set_status(f"Got a token: {describe_tokens(tokens)}.")
            self.refresh_tokens()
            self.tokensChanged.emit()
        finally:
            self._set_busy(False)

    def _on_prompt(self, prompt: LoginPrompt) -> None:
        self._prompt = prompt
        self.status.setText(
            "Waiting for the browser… finish the login there. If no browser opened, "
            f"visit:\n{prompt.url}")
        self.paste.show()

    def _on_device(self, code: DeviceCode) -> None:
        text = (f"Open {code.verification_uri} on any device and enter the code "
                f"{code.user_code}")
        if code.verification_uri_complete:
            text += f"\n(or open {code.verification_uri_complete})"
        self.status.setText(text + "\nWaiting for the approval…")

    def show_timeline(self) -> None:
        if not self._owner:
            self.set_status("Save the connection first: the timeline is kept per connection.")
            return
        if self.timeline_dialog is not None:
            self.timeline_dialog.close()
        self.timeline_dialog = TimelineDialog(self._service.timeline(self._owner), self._owner,
                                              self)
        self.timeline_dialog.show()

    def _pasted(self) -> None:
        if self._prompt is not None and self.paste.text().strip():
            self._prompt.paste(self.paste.text().strip())

    def cancel(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()

    def _discover(self) -> None:
        issuer = self.fields["issuer"].text().strip()
        if not issuer:
            self.set_status("Enter the issuer URL first.")
            return
        self.set_status("Discovering endpoints…")
        self.discover_button.setEnabled(False)
        asyncio.get_event_loop().create_task(self._run_discover(issuer))

    async def _run_discover(self, issuer: str) -> None:
        try:
            meta = await self._service.discover(issuer)
        except RelaydeskError as exc:
            self.set_status(str(exc))
        else:
            if meta.authorization_endpoint:
                self.fields["auth_url"].setText(meta.authorization_endpoint)
            self.fields["token_url"].setText(meta.token_endpoint)
            if meta.device_authorization_endpoint and self.grant.currentData() == "device_code":
                self.fields["device_url"].setText(meta.device_authorization_endpoint)
            self.set_status(f"Endpoints filled from {meta.source}.")
            self.changed.emit()
        finally:
            self.discover_button.setEnabled(not self.is_busy())
