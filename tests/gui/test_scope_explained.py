"""Missing OAuth scopes are explained as such in the app (issue 14), from the same core
words as the CLI: RFC 6750's ``insufficient_scope`` on a 401, and GitHub's
``X-Accepted-OAuth-Scopes`` beside ``X-OAuth-Scopes``. Against a loopback server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from PySide6.QtCore import Qt

from relaydesk.core.model import Connection, Request
from relaydesk.core.workspace import Workspace
from tests.integration.test_scope_errors import _scoped_api
from tests.servers import start_uvicorn

from .helpers import status_text


@pytest.fixture(scope="module")
def api() -> Iterator[str]:
    server = start_uvicorn(_scoped_api)
    yield server.base_url
    server.stop()


def _send(window: Any, qtbot: Any, path: str) -> Any:
    tab = window.open_request(path)
    tab.editor.focus_url()
    qtbot.keyClick(tab.editor.url_bar, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not tab.busy() and tab.view.response() is not None, timeout=10000)
    return tab


@pytest.mark.parametrize(("query", "status", "words"), [
    ([("status", "401"),
      ("h", 'WWW-Authenticate: Bearer realm="api", error="insufficient_scope", '
            'scope="read:jira-work write:jira-work"')],
     "401 Unauthorized",
     "Missing scopes (401): the token is valid but was not granted the scopes this call "
     "requires. It needs: read:jira-work, write:jira-work. Re-authorise with those scopes."),
    ([("status", "403"), ("h", "X-Accepted-OAuth-Scopes: repo, admin:org"),
      ("h", "X-OAuth-Scopes: gist, read:user")],
     "403 Forbidden",
     "Missing scopes (403): the token is valid but was not granted the scopes this call "
     "requires. It needs: repo, admin:org (it has: gist, read:user). Re-authorise with "
     "those scopes."),
])
def test_missing_scopes_are_named_in_the_response_view(
        window: Any, qtbot: Any, gui_workspace: Workspace, api: str,
        query: list[tuple[str, str]], status: str, words: str) -> None:
    gui_workspace.save_connection(Connection(path="scoped", base_url=api), create=True)
    gui_workspace.save_request(Request(path="scoped/Call", url="/answer?" + urlencode(query)),
                               create=True)
    window.tree.reload()
    tab = _send(window, qtbot, "scoped/Call")
    assert status_text(tab.view) == status
    problem = tab.view.problem_label
    assert problem.isVisible() and problem.text() == words
    assert "credentials" not in problem.text().lower()
