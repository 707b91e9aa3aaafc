"""The desktop app wired to the core: OAuth 2.0 in the connection editor, history,
the runner dock, fetch all pages, the response cache and curl paste without leaks.

Everything runs against real loopback servers (echo, Authlib, paging) and the real
main window; only the keyring is the in-memory test backend.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from relaydesk.core.model import AuthSettings, Connection
from relaydesk.core.oauth import TOKENS_FIELD
from tests.gui.helpers import body_text, status_text
from tests.oauth_server import CLIENTS, OAuthServer, start_oauth_server
from tests.paging_server import ITEMS, make_app
from tests.servers import start_uvicorn


@pytest.fixture(scope="module")
def oauth() -> Iterator[OAuthServer]:
    server = start_oauth_server()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def paging() -> Iterator[str]:
    server = start_uvicorn(make_app())
    yield server.base_url
    server.stop()


def _wait_response(qtbot: Any, tab: Any, timeout: int = 10000) -> None:
    qtbot.waitUntil(lambda: not tab.busy(), timeout=timeout)


def _echoed(tab: Any) -> dict[str, Any]:
    data: dict[str, Any] = tab.view.response().json()
    return data


# -- OAuth 2.0 ----------------------------------------------------------------------------


def test_oauth_editor_gets_a_token_and_requests_use_it(
        window: Any, service: Any, qtbot: Any, oauth: OAuthServer, memory_keyring: Any) -> None:
    conn = Connection(path="idp/api", base_url=oauth.base_url, cache_ttl=0, auth=AuthSettings(
        "oauth2", {"grant": "client_credentials", "token_url": f"{oauth.base_url}/token",
                   "client_id": "basic-client", "client_auth": "basic", "scope": "read"}))
    service.create_connection(conn)
    service.create_request("idp/api", "Me", url="/api/me")
    window.tree.reload()

    dialog = window.tree.edit_connection("idp/api")
    auth = dialog.auth_editor
    assert auth.kind() == "oauth2" and auth.mode.currentText() == "OAuth 2.0"
    assert all("coming soon" not in auth.mode.itemText(i) for i in range(auth.mode.count()))
    dialog.tabs.setCurrentWidget(auth)
    editor = auth.oauth_editor
    assert editor.isVisibleTo(dialog)
    assert editor.fields["token_url"].text() == f"{oauth.base_url}/token"
    assert editor.token_info.text() == "No token saved."

    editor.secret.setText(CLIENTS["basic-client"]["secret"])  # typed, write-only
    assert auth.pending_secrets() == {"client_secret": CLIENTS["basic-client"]["secret"]}
    editor.get_button.click()
    qtbot.waitUntil(lambda: not editor.is_busy(), timeout=10000)
    assert "Got a token" in editor.status.text(), editor.status.text()
    grants = len(oauth.state.token_requests)
    tokens = service.oauth.tokens("idp/api")
    assert tokens is not None and tokens.access_token not in editor.token_info.text()
    assert auth.auth() == conn.auth  # the form gives back exactly what was loaded
    dialog.accept()
    saved = service.connection("idp/api")
    assert saved.auth.kind == "oauth2" and saved.auth.get("client_id") == "basic-client"

    tab = window.open_request("idp/api/Me")
    window.sending.send(tab)
    _wait_response(qtbot, tab)
    assert status_text(tab.view).startswith("200"), status_text(tab.view)
    assert _echoed(tab)["client_id"] == "basic-client"
    # The token fetched in the editor was reused: no second token request.
    assert len(oauth.state.token_requests) == grants

    # A revoked token: the 401 is answered by fetching a new one and sending once more.
    oauth.state.by_access(tokens.access_token).revoked = True  # type: ignore[union-attr]
    window.sending.send(tab)
    _wait_response(qtbot, tab)
    assert status_text(tab.view).startswith("200"), status_text(tab.view)
    assert service.oauth.tokens("idp/api").access_token != tokens.access_token
    assert [e.status for e in service.history.search()][:3] == [200, 401, 200]

    # Saved tokens follow a rename and go away with the connection.
    service.rename("idp/api", "api2")
    assert service.secrets.get("idp/api2", TOKENS_FIELD) is not None
    assert service.secrets.get("idp/api", TOKENS_FIELD) is None
    service.delete("idp/api2")
    assert not any(TOKENS_FIELD in user for (_svc, user) in memory_keyring.passwords)


def test_switching_to_oauth_in_the_auth_editor_shows_its_form(window: Any, qtbot: Any) -> None:
    dialog = window.tree.edit_connection("local/echo")
    auth = dialog.auth_editor
    dialog.tabs.setCurrentWidget(auth)
    assert not auth.oauth_editor.isVisibleTo(dialog)
    auth.mode.setCurrentIndex(auth.mode.findData("oauth2"))
    assert auth.oauth_editor.isVisibleTo(dialog)
    auth.oauth_editor.fields["client_id"].setText("abc")
    assert auth.auth().kind == "oauth2" and auth.auth().get("client_id") == "abc"
    dialog.reject()


# -- history ------------------------------------------------------------------------------


def test_history_records_sends_and_opens_an_entry_as_a_new_tab(
        window: Any, qtbot: Any, echo_server: str) -> None:
    window.docks.show(window.docks.history_dock)
    panel = window.docks.history_panel()
    assert panel is not None and panel.table.rowCount() == 0

    tab = window.open_request("local/echo/Get echo")
    window.sending.send(tab)
    _wait_response(qtbot, tab)
    assert panel.table.rowCount() == 1  # refreshed after the send
    assert panel.table.item(0, 4).text() == f"{echo_server}/echo/hello"
    assert panel.table.item(0, 2).text() == "200"

    panel.table.selectRow(0)
    panel.open_button.click()
    opened = window.current_tab()
    assert opened is not tab and opened.path.startswith("History/")
    assert opened.edited_request().url == f"{echo_server}/echo/hello"
    assert opened.modified  # not in the workspace: closing asks to save
    window.sending.send(opened)
    _wait_response(qtbot, opened)
    assert _echoed(opened)["path"] == "/echo/hello"
    assert panel.table.rowCount() == 2


def test_failed_send_is_recorded_with_its_error(window: Any, service: Any, qtbot: Any) -> None:
    service.create_connection(Connection(path="dead/port", base_url="http://127.0.0.1:9"))
    service.create_request("dead/port", "Nothing", url="/x")
    tab = window.open_request("dead/port/Nothing")
    window.sending.send(tab)
    _wait_response(qtbot, tab)
    entries = service.history.search()
    assert entries[0].url == "http://127.0.0.1:9/x" and entries[0].status is None
    assert entries[0].error and "refused the connection" in entries[0].error
    assert "refused the connection" in status_text(tab.view)


# -- runner -------------------------------------------------------------------------------


def test_run_a_folder_from_the_tree_in_the_runner_dock(
        window: Any, service: Any, qtbot: Any, echo_server: str) -> None:
    service.create_folder("local/echo", "quick")
    service.create_request("local/echo/quick", "One", url="/echo/one")
    service.create_request("local/echo/quick", "Two", method="POST", url="/echo/two")
    window.tree.reload()
    window.tree.expand_path("local/echo/quick")
    window.tree.select_path("local/echo/quick")
    assert window.tree.act_run.isEnabled()
    assert not window.docks.runner_dock.isVisible()

    window.tree.act_run.trigger()
    panel = window.docks.runner_panel()
    assert window.docks.runner_dock.isVisible()
    with qtbot.waitSignal(panel.runFinished, timeout=10000) as finished:
        pass
    assert finished.args[0].passed == 2
    rows = [panel.tree.topLevelItem(i) for i in range(panel.tree.topLevelItemCount())]
    assert [(r.text(0), r.text(1), r.text(3)) for r in rows] == [
        ("local/echo/quick/One", "200", "passed"), ("local/echo/quick/Two", "200", "passed")]
    assert "2 passed" in panel.summary.text()

    panel.tree.itemDoubleClicked.emit(rows[1], 0)
    assert window.current_tab().path == "local/echo/quick/Two"
    # The runner sends through the app's engine, whose observer records every exchange.
    runs = [e for e in service.history.search() if e.request_path.startswith("local/echo/q")]
    assert {e.request_path for e in runs} == {"local/echo/quick/One", "local/echo/quick/Two"}
    assert {(e.source, e.status) for e in runs} == {("app", 200)}

    # Run… in the menu bar runs the current request's connection when no connection or
    # folder is selected (it holds a 10 s request: cancel it, the window stays usable).
    window.tree.select_path("local/echo/quick/Two")
    window.act_run.trigger()
    qtbot.waitUntil(lambda: panel.title.text() == "local/echo", timeout=5000)
    assert panel.running
    panel.cancel_button.click()
    qtbot.waitUntil(lambda: not panel.running, timeout=10000)
    assert "Cancelled" in panel.summary.text()


def test_closing_the_window_stops_a_run(window: Any, qtbot: Any) -> None:
    window.run_path("local/echo")  # holds a request that takes 10 s
    panel = window.docks.runner_panel()
    qtbot.waitUntil(lambda: panel.running, timeout=5000)
    window.close()
    qtbot.waitUntil(lambda: not panel.running, timeout=5000)


# -- fetch all pages ----------------------------------------------------------------------


def test_fetch_all_pages_shows_the_merged_items(
        window: Any, service: Any, qtbot: Any, paging: str) -> None:
    service.create_connection(Connection(path="pages/api", base_url=paging))
    service.create_request("pages/api", "Links", url="/links")
    tab = window.open_request("pages/api/Links")
    assert tab.send_menu_button.isVisible()
    assert tab.send_menu_button.parentWidget() is tab.editor

    with qtbot.waitSignal(tab.view.loaded, timeout=10000):
        tab.fetch_all_action.trigger()
    assert json.loads(body_text(tab.view)) == ITEMS
    assert "7 items from 3 pages" in status_text(tab.view)
    assert "7 items from 3 pages" in window.statusBar().currentMessage()
    pages = [e.url for e in service.history.search() if e.request_path == "pages/api/Links"]
    assert len(pages) == 3  # every page is in the history


def test_fetch_all_pages_of_the_ops_api_follows_its_base_relative_links(
        window: Any, service: Any, qtbot: Any) -> None:
    from tests.seed_apis import INTEGRATION_ID, OpsApi

    api = OpsApi("ops@example.com", "gui-ops-t0ken")
    server = start_uvicorn(api)
    try:
        service.create_connection(Connection(
            path="ops/jsm", base_url=server.base_url + OpsApi.base_path(),
            auth=AuthSettings("basic", {"username": "ops@example.com"})))
        service.set_secret("ops/jsm", "password", "gui-ops-t0ken")
        service.create_request("ops/jsm", "List",
                               url=f"/v1/integrations/{INTEGRATION_ID}/actions")
        tab = window.open_request("ops/jsm/List")
        with qtbot.waitSignal(tab.view.loaded, timeout=10000):
            tab.fetch_all_action.trigger()
        assert [a["id"] for a in json.loads(body_text(tab.view))] == [
            a["id"] for a in api.actions]
        assert "7 items from 3 pages" in status_text(tab.view)
        assert [a.query for a in api.arrivals] == ["", "offset=3&size=3", "offset=6&size=3"]
    finally:
        server.stop()


def test_fetch_all_pages_error_is_plain(window: Any, service: Any, qtbot: Any,
                                        paging: str) -> None:
    service.create_connection(Connection(path="pages/bad", base_url=paging))
    service.create_request("pages/bad", "Loop", url="/loop")
    tab = window.open_request("pages/bad/Loop")
    window.sending.fetch_all_pages(tab)
    _wait_response(qtbot, tab)
    assert "The request did not complete" in status_text(tab.view)
    assert "repeats a page already fetched" in status_text(tab.view) and not tab.busy()


# -- response cache -----------------------------------------------------------------------


def test_send_reaches_the_server_every_time_unless_the_connection_caches(
        window: Any, service: Any, qtbot: Any) -> None:
    from dataclasses import replace

    assert service.connection("local/echo").cache_ttl == 0  # the default: no cache
    service.create_request("local/echo", "Count", url="/counter")
    tab = window.open_request("local/echo/Count")
    counts = []
    for _ in range(2):
        window.sending.send(tab)
        _wait_response(qtbot, tab)
        assert not tab.view.response().from_cache and tab.view.cache_label.isHidden()
        counts.append(_echoed(tab)["count"])
    assert counts[1] == counts[0] + 1  # two Sends, two hits on the server

    service.save_connection(replace(service.connection("local/echo"), cache_ttl=300.0),
                            old_path="local/echo")
    window.sending.send(tab)
    _wait_response(qtbot, tab)
    assert not tab.view.response().from_cache
    first = _echoed(tab)["count"]
    window.sending.send(tab)
    _wait_response(qtbot, tab)
    assert tab.view.response().from_cache and tab.view.cache_label.isVisible()
    assert tab.view.response().cache_age >= 0 and _echoed(tab)["count"] == first


# -- curl paste ---------------------------------------------------------------------------


def test_pasted_bearer_token_goes_to_the_keyring_not_the_workspace(
        window: Any, service: Any, qtbot: Any, monkeypatch: Any, echo_server: str,
        memory_keyring: Any, tmp_path: Path) -> None:
    asked: list[str] = []

    def question(_parent: Any, _title: str, text: str, *_a: Any) -> Any:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", question)
    tab = window.open_request("local/echo/Get echo")
    window.sending.paste_curl(tab, f"curl -H 'Authorization: Bearer canary-123' "
                           f"-H 'X-Trace: t1' {echo_server}/echo/lifted")
    assert asked and "credential" in asked[0]
    req = tab.edited_request()
    assert [h.name for h in req.headers] == ["X-Trace"]
    assert req.auth is not None and req.auth.kind == "bearer"
    assert window.save_tab(tab)

    root = Path(service.workspace.root)
    files = [p for p in root.rglob("*") if p.is_file()]
    assert files and not any(b"canary-123" in p.read_bytes() for p in files)
    assert service.request("local/echo/Get echo").auth.kind == "bearer"
    assert "canary-123" in memory_keyring.passwords.values()

    window.sending.send(tab)
    _wait_response(qtbot, tab)
    echoed = _echoed(tab)
    assert echoed["path"] == "/echo/lifted"
    assert ["authorization", "Bearer canary-123"] in echoed["headers"]
    assert ["x-trace", "t1"] in echoed["headers"]
    history = service.history.path
    for p in history.parent.glob(history.name + "*"):  # the database and its WAL
        assert b"canary-123" not in p.read_bytes()


def test_declined_credential_is_not_stored(window: Any, qtbot: Any, monkeypatch: Any,
                                           echo_server: str, memory_keyring: Any) -> None:
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.No)
    tab = window.open_request("local/echo/Get echo")
    window.sending.paste_curl(tab, f"curl -H 'X-API-Key: k-999' {echo_server}/echo/k")
    assert "k-999" not in memory_keyring.passwords.values()
    assert all(h.name.lower() != "x-api-key" for h in tab.edited_request().headers)
    window.sending.send(tab)
    _wait_response(qtbot, tab)
    assert "not saved yet" in status_text(tab.view)

