"""The connection editor's TLS tab: a PKCS#12 client certificate with its passphrase
(kept in the keyring) and the system trust store choice, used for a real mTLS call."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from relaydesk.core.client_identity import CLIENT_CERT_PASSPHRASE
from relaydesk.core.model import Request
from tests.mtls import make_identities
from tests.servers import start_uvicorn

PASSPHRASE = "gui-p12-Passphrase"


@pytest.fixture
def mtls(tmp_path: Path) -> Iterator[dict[str, str]]:
    files = make_identities(tmp_path, PASSPHRASE)
    server = start_uvicorn(certfile=Path(files["server"]), keyfile=Path(files["server_key"]),
                           ssl_ca_certs=files["ca"], ssl_cert_reqs=ssl.CERT_REQUIRED)
    yield {"url": server.base_url, **files}
    server.stop()


def test_p12_identity_from_the_tls_tab(mtls: dict[str, str], window: Any, service: Any,
                                       qtbot: Any, run: Any, tmp_path: Path) -> None:
    # ``mtls`` first: the server stops after the app's connections to it are closed.
    dialog = window.tree.ask_new_connection()
    dialog.path_edit.setText("secure")
    dialog.base_url.setText(mtls["url"])
    dialog.tabs.setCurrentIndex(dialog.tabs.indexOf(dialog.verify.parentWidget()))
    dialog.ca_bundle.setText(mtls["ca"])
    dialog.client_cert.setText(mtls["p12"])
    qtbot.keyClicks(dialog.cert_passphrase, PASSPHRASE)
    dialog.system_trust.setChecked(False)
    qtbot.waitExposed(dialog)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert not dialog.isVisible(), dialog.error.text()

    assert service.secrets.get("secure", CLIENT_CERT_PASSPHRASE) == PASSPHRASE
    on_disk = b"".join(p.read_bytes() for p in (tmp_path / "ws").rglob("*") if p.is_file())
    assert PASSPHRASE.encode() not in on_disk
    saved = service.workspace.connection("secure")
    assert saved.tls.client_cert == mtls["p12"] and saved.tls.trust_store == "bundled"

    service.workspace.save_request(Request(path="secure/json", url="/json"), create=True)
    response = run(service.session.send(service.workspace.request("secure/json")))
    assert response.status == 200 and response.json()["name"] == "relaydesk"

    again = window.tree.edit_connection("secure")
    assert again.cert_passphrase.text() == ""
    assert "saved in the keyring" in again.cert_passphrase.placeholderText()
    again.system_trust.setChecked(True)
    again.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert service.workspace.connection("secure").tls.trust_store == "system"
