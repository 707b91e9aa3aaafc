"""HTTP/2 through ALPN: hypercorn over TLS (throwaway trustme certificates) offers h2.

With the connection's default (``auto``) the CLI, the engine and the Python API all
speak HTTP/2 to it and say so; ``1.1`` keeps them on HTTP/1.1.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import relaydesk
from relaydesk.core.engine import Engine
from relaydesk.core.model import Connection, Request, TlsSettings
from relaydesk.core.workspace import Workspace
from tests.hostile_servers import http2_server
from tests.integration.clitools import run_cli


@pytest.fixture(scope="module")
def h2(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    server, ca = http2_server(tmp_path_factory.mktemp("h2"))
    yield server.base_url, ca
    server.stop()


def test_the_cli_sends_http2_when_the_server_offers_it(
        h2: tuple[str, Path], tmp_path: Path) -> None:
    url, ca = h2
    ws = tmp_path / "ws"
    assert run_cli(ws, "new", "connection", "fast", "--base-url", url,
                   "--ca-bundle", str(ca)).code == 0
    assert run_cli(ws, "new", "request", "fast/get", "--url", "/").code == 0
    result = run_cli(ws, "send", "fast/get")
    assert result.code == 0, result
    assert result.err.startswith("HTTP/2 200"), result.err  # the status line says so
    assert b'"http_version": "2"' in result.out  # and the server saw it

    assert run_cli(ws, "set", "fast", "--http", "1.1").code == 0
    result = run_cli(ws, "send", "fast/get", "-i")
    assert result.code == 0, result
    assert result.err.startswith("HTTP/1.1 200"), result.err
    assert b'"http_version": "1.1"' in result.out


@pytest.mark.parametrize(("setting", "expected"), [("auto", "HTTP/2"), ("1.1", "HTTP/1.1")])
def test_the_engine_and_python_api_follow_the_setting(
        h2: tuple[str, Path], workspace: Workspace, memory_keyring: Any,
        setting: str, expected: str) -> None:
    url, ca = h2
    conn = Connection("fast", url, tls=TlsSettings(ca_bundle=str(ca)), http_version=setting)
    workspace.save_connection(conn, create=True)

    async def go() -> str:
        engine = Engine(None)
        try:
            response = await engine.send(Request("fast/r", url="/"), conn)
            return response.http_version
        finally:
            await engine.aclose()

    assert asyncio.run(go()) == expected
    with relaydesk.connect("fast", workspace=workspace, keyring=memory_keyring) as client:
        assert client.get("/").http_version == expected
