"""Proxy auto-config: a PAC file served on loopback sends one host through a real
proxy (proxy.py, run as a subprocess) and another directly, as the script says.

Which requests went through the proxy is read from proxy.py's access log.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from starlette.applications import Starlette
from starlette.requests import Request as StarletteRequest
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from relaydesk.api import connect
from relaydesk.core.model import Connection
from relaydesk.core.workspace import Workspace
from tests.integration.clitools import assert_one_line_error, run_cli
from tests.servers import start_uvicorn


class RealProxy:
    def __init__(self, folder: Path) -> None:
        self.log = folder / "proxy.log"
        port_file = folder / "proxy.port"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "proxy", "--hostname", "127.0.0.1", "--port", "0",
             "--port-file", str(port_file), "--log-file", str(self.log), "--log-level",
             "INFO", "--num-workers", "1"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while not (port_file.exists() and port_file.read_text().strip()):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("proxy.py did not start")
            time.sleep(0.05)
        self.port = int(port_file.read_text())

    def requests_seen(self) -> list[str]:
        """The ``METHOD host:port/path`` of every request proxy.py forwarded."""
        time.sleep(0.3)  # the access log line is written after the response
        text = self.log.read_text() if self.log.exists() else ""
        # proxy.py may write a record twice (two handlers): one entry per distinct line.
        lines = dict.fromkeys(line for line in text.splitlines() if "access_log" in line)
        return [line.split(" - ")[3] for line in lines]

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


@pytest.fixture(scope="module")
def real_proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealProxy]:
    proxy = RealProxy(tmp_path_factory.mktemp("proxy"))
    yield proxy
    proxy.stop()


@pytest.fixture(scope="module")
def pac_server(real_proxy: RealProxy) -> Iterator[str]:
    """``/proxy.pac``: 127.0.0.1 through the proxy, everything else (localhost) direct."""
    script = ('function FindProxyForURL(url, host) {\n'
              f'  if (host == "127.0.0.1") return "PROXY 127.0.0.1:{real_proxy.port}; DIRECT";\n'
              '  return "DIRECT";\n}\n')

    async def pac(request: StarletteRequest) -> PlainTextResponse:
        return PlainTextResponse(script, media_type="application/x-ns-proxy-autoconfig")

    async def broken(request: StarletteRequest) -> PlainTextResponse:
        return PlainTextResponse("function FindProxyForURL(url, host) { return ")

    server = start_uvicorn(Starlette(routes=[Route("/proxy.pac", pac),
                                             Route("/broken.pac", broken)]))
    yield server.base_url
    server.stop()


def _connection(ws: Path, name: str, base_url: str, proxy: str) -> None:
    made = run_cli(ws, "new", "connection", name, "--base-url", base_url, "--proxy", proxy)
    assert made.code == 0, made.err
    made = run_cli(ws, "new", "request", f"{name}/hello", "--url", f"/echo/{name}")
    assert made.code == 0, made.err


def test_pac_routes_through_the_proxy_and_direct(tmp_path: Path, echo_server: str,
                                                 pac_server: str, real_proxy: RealProxy) -> None:
    port = urlsplit(echo_server).port
    pac = f"pac:{pac_server}/proxy.pac"
    ws = tmp_path / "ws"
    _connection(ws, "routed", f"http://127.0.0.1:{port}", pac)
    _connection(ws, "direct", f"http://localhost:{port}", pac)
    before = len(real_proxy.requests_seen())
    for name in ("routed", "direct"):
        sent = run_cli(ws, "send", f"{name}/hello")
        assert sent.code == 0, sent.err
        assert f"/echo/{name}".encode() in sent.out
    seen = real_proxy.requests_seen()[before:]
    assert seen == [f"GET 127.0.0.1:{port}/echo/routed"], seen


def test_python_api_takes_the_pac_route(tmp_path: Path, echo_server: str, pac_server: str,
                                        real_proxy: RealProxy, memory_keyring: object) -> None:
    port = urlsplit(echo_server).port
    ws = Workspace.open(tmp_path / "ws")
    for name, host in (("routed", "127.0.0.1"), ("direct", "localhost")):
        ws.save_connection(Connection(path=name, base_url=f"http://{host}:{port}",
                                      proxy=f"pac:{pac_server}/proxy.pac"), create=True)
    before = len(real_proxy.requests_seen())
    for name in ("routed", "direct"):
        with connect(name, workspace=ws, keyring=memory_keyring) as client:
            assert client.get(f"/echo/api-{name}").status_code == 200
    seen = real_proxy.requests_seen()[before:]
    assert seen == [f"GET 127.0.0.1:{port}/echo/api-routed"], seen


def test_a_bad_pac_file_is_one_clear_line(tmp_path: Path, echo_server: str,
                                          pac_server: str) -> None:
    ws = tmp_path / "ws"
    _connection(ws, "broken", echo_server, f"pac:{pac_server}/broken.pac")
    assert_one_line_error(run_cli(ws, "send", "broken/hello"), "not a valid PAC file")
    _connection(ws, "missing", echo_server, f"pac:{pac_server}/nothing.pac")
    assert_one_line_error(run_cli(ws, "send", "missing/hello"), "proxy auto-config",
                          "answered 404")


def test_system_proxy_without_an_os_pac_takes_the_variables(
        tmp_path: Path, echo_server: str, real_proxy: RealProxy) -> None:
    ws = tmp_path / "ws"
    _connection(ws, "system", echo_server, "system")
    _connection(ws, "none", echo_server, "")
    port = urlsplit(echo_server).port
    proxy = f"http://127.0.0.1:{real_proxy.port}"
    env = {"HTTP_PROXY": proxy, "http_proxy": proxy, "NO_PROXY": "", "no_proxy": ""}
    before = len(real_proxy.requests_seen())
    for name in ("system", "none"):
        sent = run_cli(ws, "send", f"{name}/hello", env=env)
        assert sent.code == 0, sent.err
    seen = real_proxy.requests_seen()[before:]
    assert seen == [f"GET 127.0.0.1:{port}/echo/system"], seen
