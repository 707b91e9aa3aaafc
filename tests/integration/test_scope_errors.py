"""A 4xx about missing OAuth scopes is explained as such, naming the scopes (issue 14):
RFC 6750's ``WWW-Authenticate: Bearer error="insufficient_scope"`` on a 401 or 403, and
GitHub's ``X-Accepted-OAuth-Scopes`` beside ``X-OAuth-Scopes``. Against a loopback server."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

from relaydesk.core.engine import Engine
from relaydesk.core.errors import HttpStatusError, MissingScopesError
from relaydesk.core.model import Connection, Request, RequestOptions
from tests.integration.clitools import run_cli
from tests.servers import start_uvicorn


async def _scoped_api(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """``/answer?status=N&h=Name:value&h=…``: that status with those headers."""
    if scope["type"] != "http":
        return
    query = parse_qsl(scope["query_string"].decode(), keep_blank_values=True)
    status = int(dict(query).get("status", "200"))
    headers = [(b"content-type", b"application/json")]
    for key, value in query:
        if key == "h":
            name, _, val = value.partition(":")
            headers.append((name.encode(), val.strip().encode()))
    body = json.dumps({"message": "Not Found" if status == 404 else "no"}).encode()
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


@pytest.fixture(scope="module")
def api() -> Iterator[str]:
    server = start_uvicorn(_scoped_api)
    yield server.base_url
    server.stop()


@pytest.fixture
async def engine() -> AsyncIterator[Engine]:
    eng = Engine(None)
    yield eng
    await eng.aclose()


BEARER_401 = {"status": "401", "h": 'WWW-Authenticate: Bearer realm="api", '
              'error="insufficient_scope", scope="read:jira-work write:jira-work"'}
GITHUB_404 = [("status", "404"), ("h", "X-Accepted-OAuth-Scopes: repo"),
              ("h", "X-OAuth-Scopes: gist, read:user")]


async def _send(engine: Engine, api: str, query: Any, raise_: bool = False) -> Any:
    from urllib.parse import urlencode

    request = Request(path="gh/r", url=f"/answer?{urlencode(query)}",
                      options=RequestOptions(raise_for_status=raise_))
    return await engine.send(request, Connection("gh", api))


async def test_401_insufficient_scope_names_the_scopes(engine: Engine, api: str) -> None:
    response = await _send(engine, api, BEARER_401)
    assert response.status == 401
    assert response.problem and response.problem.startswith("Missing scopes")
    assert "read:jira-work, write:jira-work" in response.problem
    with pytest.raises(MissingScopesError) as info:
        await _send(engine, api, BEARER_401, raise_=True)
    assert info.value.scopes == ["read:jira-work", "write:jira-work"]
    assert info.value.status == 401 and info.value.host == "127.0.0.1"


async def test_github_scope_headers_give_the_missing_ones(engine: Engine, api: str) -> None:
    with pytest.raises(MissingScopesError) as info:
        await _send(engine, api, GITHUB_404, raise_=True)
    assert info.value.scopes == ["repo"] and info.value.granted == ["gist", "read:user"]
    assert "It needs: repo (it has: gist, read:user)" in str(info.value)


async def test_a_token_with_an_accepted_scope_is_not_blamed(engine: Engine, api: str) -> None:
    query = [("status", "404"), ("h", "X-Accepted-OAuth-Scopes: repo"),
             ("h", "X-OAuth-Scopes: repo")]
    with pytest.raises(HttpStatusError) as info:
        await _send(engine, api, query, raise_=True)
    assert not isinstance(info.value, MissingScopesError)
    assert info.value.status == 404 and "Not found" in str(info.value)


def test_cli_send_explains_missing_scopes(api: str, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert run_cli(ws, "new", "connection", "gh", "--base-url", api).code == 0
    assert run_cli(ws, "new", "request", "gh/Repo", "--url",
                   "/answer?status=403&h=X-Accepted-OAuth-Scopes:repo&h=X-OAuth-Scopes:").code == 0
    result = run_cli(ws, "send", "gh/Repo", "--fail")
    assert result.code == 22
    assert "Missing scopes (403)" in result.err and "It needs: repo." in result.err
