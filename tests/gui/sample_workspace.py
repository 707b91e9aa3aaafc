"""The workspace the screenshots show: a few connections and requests, one of them
against a loopback echo server so its response is real."""

from __future__ import annotations

from pathlib import Path

from relaydesk.core.model import Body, Connection, KeyValue, Request
from relaydesk.core.workspace import Workspace

__all__ = ["sample_workspace"]


def sample_workspace(root: Path, echo_server: str) -> Workspace:
    ws = Workspace.open(root)
    ws.save_connection(Connection(path="jira/cloud",
                                  base_url="https://example.atlassian.net/rest/api/3",
                                  docs_url="https://developer.atlassian.com/cloud/jira"),
                       create=True)
    for name, method, url in (("issues/Get issue", "GET", "/issue/{{key}}"),
                              ("issues/Create issue", "POST", "/issue"),
                              ("issues/Delete issue", "DELETE", "/issue/{{key}}"),
                              ("Search", "GET", "/search?jql={{jql}}")):
        ws.save_request(Request(path=f"jira/cloud/{name}", method=method, url=url), create=True)
    ws.save_connection(Connection(path="github", base_url="https://api.github.com"),
                       create=True)
    ws.save_request(Request(path="github/Get user", url="/user"), create=True)
    ws.save_request(Request(path="github/Update repo", method="PATCH", url="/repos/{{repo}}"),
                    create=True)
    ws.save_connection(Connection(path="local/echo", base_url=echo_server), create=True)
    ws.save_request(Request(
        path="local/echo/Create item", method="POST", url="/echo/items?notify=true",
        headers=[KeyValue("X-Request-Id", "rd-42")],
        body=Body.from_json({"name": "Relaydesk", "tags": ["api", "desktop"], "count": 3})),
        create=True)
    # A 403 whose WWW-Authenticate names the missing scopes: the error screen.
    ws.save_request(Request(path="local/echo/Read reports", url="/insufficient-scope"),
                    create=True)
    ws.save_request(Request(path="local/echo/List items", url="/json"), create=True)
    return ws
