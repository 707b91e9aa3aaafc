"""The connection dialog: where a connection's URL, auth, headers and TLS are set.

Values are checked as they are typed (with the reason in red); OK saves the
connection through the service and writes typed secrets to the keyring.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from relaydesk.core.client_identity import CLIENT_CERT_PASSPHRASE
from relaydesk.core.errors import RelaydeskError, ValidationError
from relaydesk.core.model import (
    FORBIDDEN_HEADERS,
    MAX_CUSTOM_HEADERS,
    Connection,
    KeyValue,
    TlsSettings,
    validate_base_url,
    validate_header_name,
    validate_path,
)

from .auth_editor import AuthEditor
from .connection_limits import LimitFields
from .pair_table import PairTable
from .service import Service
from .theme import problem_style, success_style, tokens

__all__ = ["ConnectionEditor"]


def _problem_border() -> str:
    return f"border: 1px solid {tokens().error};"


def _header_problem(name: str, rows: int) -> str | None:
    if rows > MAX_CUSTOM_HEADERS:
        return f"A connection can have at most {MAX_CUSTOM_HEADERS} custom headers."
    try:
        validate_header_name(name)
    except ValidationError as exc:
        return str(exc)
    return None


class ConnectionEditor(QDialog):
    saved = Signal(str, str)  # old path ("" when created), new path

    def __init__(self, service: Service, connection: Connection | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._original = connection
        self._tasks: set[asyncio.Task[None]] = set()
        self.setWindowTitle("Edit connection" if connection else "New connection")
        self.setMinimumWidth(560)

        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._general_tab(), "General")
        self.auth_editor = AuthEditor(service, self)
        self.tabs.addTab(self.auth_editor, "Auth")
        self.headers = PairTable("Header", "Value", max_rows=MAX_CUSTOM_HEADERS,
                                 validator=_header_problem, parent=self)
        self.headers.table.setToolTip(
            "Sent with every request. Not allowed (the HTTP client owns them): "
            + ", ".join(sorted(FORBIDDEN_HEADERS)))
        self.tabs.addTab(self.headers, "Headers")
        self.tabs.addTab(self._tls_tab(), "TLS")
        self.tabs.addTab(self._advanced_tab(), "Advanced")
        self.variables = PairTable("Variable", "Value", parent=self)
        self.tabs.addTab(self.variables, "Variables")

        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet(problem_style())
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self._load(connection)

    # -- tabs --------------------------------------------------------------------------

    def _general_tab(self) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        self.path_edit = QLineEdit(page)
        self.path_edit.setPlaceholderText("jira/cloud")
        self.path_problem = self._problem_label(page)
        self.base_url = QLineEdit(page)
        self.base_url.setPlaceholderText("https://example.atlassian.net/rest/api/3")
        self.base_url_problem = self._problem_label(page)
        self.docs_url = QLineEdit(page)
        self.docs_url.setPlaceholderText("https://developer.example.com/docs")
        self.docs_button = QPushButton("Open", page)
        self.docs_button.clicked.connect(self.open_docs)
        self.test_url = QLineEdit(page)
        self.test_url.setPlaceholderText("/health (empty: the base URL must answer 2xx)")
        self.test_button = QPushButton("Test connection", page)
        self.test_button.clicked.connect(self.test_connection)
        self.test_result = QLabel(page)
        self.test_result.setWordWrap(True)
        self.description = QLineEdit(page)

        form.addRow("Path", self.path_edit)
        form.addRow("", self.path_problem)
        form.addRow("Base URL", self.base_url)
        form.addRow("", self.base_url_problem)
        form.addRow("Documentation", _row(self.docs_url, self.docs_button))
        form.addRow("Test URL", _row(self.test_url, self.test_button))
        form.addRow("", self.test_result)
        form.addRow("Description", self.description)
        self.path_edit.textChanged.connect(self._check_path)
        self.base_url.textChanged.connect(self._check_base_url)
        return page

    def _tls_tab(self) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        self.verify = QCheckBox("Verify the server certificate", page)
        self.https_only = QCheckBox("HTTPS only (refuse plain http://)", page)
        self.https_only.toggled.connect(lambda _c: self._check_base_url())
        self.ca_bundle = QLineEdit(page)
        self.client_cert = QLineEdit(page)
        self.client_key = QLineEdit(page)
        form.addRow(self.verify)
        form.addRow(self.https_only)
        for label, edit in (("CA bundle", self.ca_bundle), ("Client certificate", self.client_cert),
                            ("Client key", self.client_key)):
            edit.setPlaceholderText("a PEM file (optional)")
            button = QPushButton("Browse…", page)
            button.clicked.connect(lambda _c=False, e=edit, t=label: self._pick_file(e, t))
            form.addRow(label, _row(edit, button))
        self._add_identity_rows(page, form)
        return page

    def _add_identity_rows(self, page: QWidget, form: QFormLayout) -> None:
        """The system trust store choice and the certificate's passphrase (keyring)."""
        self.system_trust = QCheckBox("Use the operating system's trust store", page)
        self.system_trust.setToolTip("Trust the CAs installed in the system (e.g. a company "
                                     "CA) instead of the bundled list; a CA bundle adds to it.")
        form.insertRow(2, self.system_trust)
        self.client_cert.setPlaceholderText("a PEM file or a PKCS#12 .p12/.pfx (optional)")
        self.cert_passphrase = QLineEdit(page)
        self.cert_passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("Passphrase", self.cert_passphrase)

    def _advanced_tab(self) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        self.timeout = QDoubleSpinBox(page)
        self.timeout.setRange(0.1, 3600)
        self.timeout.setSuffix(" s")
        self.cache_ttl = QDoubleSpinBox(page)
        self.cache_ttl.setRange(0, 7 * 86400)
        self.cache_ttl.setSuffix(" s")
        self.cache_ttl.setToolTip("Successful responses are reused for this long; 0 turns "
                                  "the cache off.")
        self.proxy = QLineEdit(page)
        self.proxy.setPlaceholderText("http://proxy.local:3128, pac:URL or system (empty: none)")
        form.addRow("Timeout", self.timeout)
        form.addRow("Cache time", self.cache_ttl)
        form.addRow("Proxy", self.proxy)
        self.limits = LimitFields(page)
        self.limits.add_rows(form)
        return page

    @staticmethod
    def _problem_label(parent: QWidget) -> QLabel:
        label = QLabel(parent)
        label.setWordWrap(True)
        label.setStyleSheet(problem_style())
        label.hide()
        return label

    # -- loading and reading back ---------------------------------------------------------

    def _load(self, conn: Connection | None) -> None:
        c = conn or Connection(path="", base_url="")
        self.path_edit.setText(c.path)
        self.base_url.setText(c.base_url)
        self.docs_url.setText(c.docs_url)
        self.test_url.setText(c.test_url)
        self.description.setText(c.description)
        self.headers.set_pairs([(h.name, h.value) for h in c.headers])
        self.variables.set_pairs(list(c.variables.items()))
        self.verify.setChecked(c.tls.verify)
        self.https_only.setChecked(c.tls.https_only)
        self.ca_bundle.setText(c.tls.ca_bundle)
        self.client_cert.setText(c.tls.client_cert)
        self.client_key.setText(c.tls.client_key)
        self.system_trust.setChecked(c.tls.trust_store == "system")
        self.cert_passphrase.clear()
        self.cert_passphrase.setPlaceholderText(
            "saved in the keyring — type to replace" if c.path and self._passphrase_saved(c.path)
            else "of a .p12 or an encrypted key (kept in the keyring)")
        self.timeout.setValue(c.timeout)
        self.cache_ttl.setValue(c.cache_ttl)
        self.proxy.setText(c.proxy)
        self.auth_editor.set_auth(c.auth, c.path)
        self.limits.load(c)
        self.base_url_problem.hide()  # an empty new form is not an error yet
        self.path_problem.hide()

    def connection(self) -> Connection:
        """The connection as currently filled in (not validated)."""
        base = self.limits.apply(self._original or Connection(path="", base_url=""))
        return replace(
            base,
            path=self.path_edit.text().strip(),
            base_url=self.base_url.text().strip(),
            docs_url=self.docs_url.text().strip(),
            test_url=self.test_url.text().strip(),
            description=self.description.text().strip(),
            headers=[KeyValue(n, v) for n, v in self.headers.pairs()],
            auth=self.auth_editor.auth(),
            tls=TlsSettings(verify=self.verify.isChecked(), ca_bundle=self.ca_bundle.text().strip(),
                            client_cert=self.client_cert.text().strip(),
                            client_key=self.client_key.text().strip(),
                            https_only=self.https_only.isChecked(),
                            trust_store="system" if self.system_trust.isChecked() else "bundled"),
            timeout=self.timeout.value(),
            cache_ttl=self.cache_ttl.value(),
            proxy=self.proxy.text().strip(),
            variables=dict(self.variables.pairs()),
        )

    # -- live validation -----------------------------------------------------------------

    def _show(self, label: QLabel, problem: str | None) -> None:
        label.setText(problem or "")
        label.setVisible(bool(problem))

    def _check_path(self) -> str | None:
        problem = None
        try:
            validate_path(self.path_edit.text(), "connection path")
        except ValidationError as exc:
            problem = str(exc)
        self._show(self.path_problem, problem)
        self.path_edit.setStyleSheet(_problem_border() if problem else "")
        return problem

    def _check_base_url(self) -> str | None:
        problem = None
        try:
            validate_base_url(self.base_url.text(), https_only=self.https_only.isChecked())
        except ValidationError as exc:
            problem = str(exc)
        self._show(self.base_url_problem, problem)
        self.base_url.setStyleSheet(_problem_border() if problem else "")
        return problem

    # -- buttons -------------------------------------------------------------------------

    def open_docs(self) -> None:
        url = QUrl.fromUserInput(self.docs_url.text().strip())
        if url.isValid() and url.scheme() in ("http", "https"):
            QDesktopServices.openUrl(url)

    def _pick_file(self, edit: QLineEdit, title: str) -> None:
        path, _ = QFileDialog.getOpenFileName(self, title, edit.text(),
                                              "Certificates (*.pem *.crt *.key *.p12 *.pfx);;"
                                              "All files (*)")
        if path:
            edit.setText(path)

    def test_connection(self) -> None:
        """Call the test URL (saved secrets are used) and show the outcome inline."""
        if problem := self._check_base_url():
            self.test_result.setText(problem)
            self.test_result.setStyleSheet(problem_style())
            return
        self.test_button.setEnabled(False)
        self.test_result.setStyleSheet("")
        self.test_result.setText("Testing…")
        task = asyncio.ensure_future(self._run_check(self.connection()))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run_check(self, conn: Connection) -> None:
        from relaydesk.core.messages import user_message

        try:
            result = await self._service.check(conn)
        except Exception as exc:  # shown inline in the core's words, never a traceback
            ok, text = False, user_message(exc)
        else:
            ok, text = bool(result.ok), str(result.message)
        self.test_result.setText(("✓ " if ok else "✗ ") + text)
        self.test_result.setStyleSheet(success_style() if ok else problem_style())
        self.test_button.setEnabled(True)

    def accept(self) -> None:
        problem = self._check_path() or self._check_base_url() or self.headers.validate()
        if problem:
            self._fail(problem)
            return
        conn = self.connection()
        old = self._original.path if self._original else ""
        try:
            if self._original is None:
                saved = self._service.create_connection(conn)
            else:
                saved = self._service.save_connection(conn, old_path=old)
        except RelaydeskError as exc:
            self._fail(str(exc))
            return
        self._original = saved
        # The connection is on disk even if the keyring then fails; say so and stay open.
        if not (self.auth_editor.save_secrets(saved.path)
                and self._save_passphrase(saved.path)):
            self.saved.emit(old, saved.path)
            self._fail("The connection was saved, but its secret could not be stored.")
            self.tabs.setCurrentWidget(self.auth_editor)
            return
        self.saved.emit(old, saved.path)
        super().accept()

    def _passphrase_saved(self, path: str) -> bool:
        try:
            return self._service.secret_saved(path, CLIENT_CERT_PASSPHRASE)
        except RelaydeskError:
            return False

    def _save_passphrase(self, path: str) -> bool:
        """A typed passphrase goes to the keyring (owner: the connection), never to disk."""
        value = self.cert_passphrase.text()
        if not value:
            return True
        try:
            self._service.set_secret(path, CLIENT_CERT_PASSPHRASE, value)
        except RelaydeskError:
            return False
        self.cert_passphrase.clear()
        return True

    def _fail(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def done(self, result: int) -> None:
        for task in list(self._tasks):
            task.cancel()
        self.auth_editor.oauth_editor.cancel()  # a login still waiting for the browser
        super().done(result)


def _row(*widgets: QWidget) -> QWidget:
    box = QWidget()
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    for w in widgets:
        layout.addWidget(w)
    return box

