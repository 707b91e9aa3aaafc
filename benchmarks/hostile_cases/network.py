"""The hostile-server cases of issue 18, for ``benchmarks/hostile.py`` ("tried N, held M").

Each case starts a server built to hurt a client on 127.0.0.1 (tests/hostile_servers.py),
runs Relaydesk against it the way a user does (`relaydesk send`, the engine the app
uses, ``relaydesk.connect()``) and raises ``AssertionError`` when the defect is not
refused or bounded. Size cases pass ``--max-size`` so a run writes tens of MB, not the
1 GiB default; the time case passes ``--max-time``.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # tests/hostile_servers.py, tests/hostile_client.py

from tests.conftest import MemoryKeyring  # noqa: E402
from tests.hostile_client import (  # noqa: E402
    engine_send,
    send_curl,
    signal_mid_body,
    spooled,
)
from tests.hostile_servers import (  # noqa: E402
    Hostile,
    chunked_forever,
    drip,
    gzip_bomb,
    http2_server,
    raw_answer,
    redirect_then_echo,
    start_raw,
)
from tests.servers import RunningServer  # noqa: E402

__all__ = ["CASES"]

MB = 1024 * 1024
SECRET = 'canary-p@ss/w0rd+"k3y"'


@contextlib.contextmanager
def running(handler: Any) -> Iterator[RunningServer]:
    server = start_raw(handler)
    try:
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="relaydesk-hostile-") as tmp:
        yield Path(tmp)


def refused(result: Any, *needles: str) -> str:
    """One `relaydesk: error:` line, no traceback, saying each of ``needles``."""
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert result.code != 0, f"not refused: {result}"
    assert "Traceback" not in result.err and len(lines) == 1, result.err
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return str(lines[0])


def no_secret(text: str) -> None:
    basic = base64.b64encode(f"alice:{SECRET}".encode()).decode()
    for form in (SECRET, json.dumps(SECRET)[1:-1], basic,
                 base64.b64encode(SECRET.encode()).decode()):
        assert form not in text, f"the credential ({form}) shows: {text}"


# -- bounded memory, disk and time -------------------------------------------------------


def endless_chunked_body() -> None:
    stats = Hostile()
    with running(chunked_forever(stats)) as server, scratch() as tmp:
        result = send_curl(tmp, server.base_url, "--max-size", "64M", "-o", str(tmp / "out"))
        refused(result, "size limit of 64.0 MB")
        assert spooled(tmp) == [], "the spooled part stayed behind"
        assert not (tmp / "out").exists()


def gzip_bomb_2mb_to_2gb() -> None:
    stats = Hostile()
    with running(gzip_bomb(stats, decoded_mb=2048, exact_trailer=False)) as server, \
            scratch() as tmp:
        result = send_curl(tmp, server.base_url, "--max-size", "100M", "-o", str(tmp / "out"))
        refused(result, "size limit of 100.0 MB", "decompressed")
        assert spooled(tmp) == [] and not (tmp / "out").exists()


def slow_drip_past_the_idle_timeout() -> None:
    # One byte a second never trips the 60 s idle timeout; the total limit ends it.
    with running(drip(Hostile(), every=1.0)) as server, scratch() as tmp:
        result = send_curl(tmp, server.base_url, "--max-time", "3")
        refused(result, "total time limit of 3 seconds")


def sigterm_leaves_the_spool_file() -> None:
    with running(chunked_forever(Hostile(), chunk=256 * 1024, pause=0.02)) as server, \
            scratch() as tmp:
        outcome = signal_mid_body(tmp, server.base_url, signal.SIGTERM, tmp / "out")
        assert outcome.code == -signal.SIGTERM, outcome
        assert outcome.left == [], f"left behind: {outcome.left}"


# -- no secret and no escape code in messages --------------------------------------------


def _keyed_connection(tmp: Path, base_url: str, *, https_only: bool = False) -> tuple[Any, Any]:
    """A workspace with an API-key-in-the-query connection 'svc'; (workspace, keyring)."""
    from relaydesk.core.model import AuthSettings, Connection, TlsSettings
    from relaydesk.core.secrets import SecretStore
    from relaydesk.core.workspace import Workspace

    ws = Workspace.open(tmp / "ws")
    keyring = MemoryKeyring()
    ws.save_connection(Connection(
        "svc", base_url, auth=AuthSettings("apikey", {"name": "api_key", "in": "query"}),
        tls=TlsSettings(https_only=https_only)), create=True)
    SecretStore.for_workspace(keyring, ws).set("svc", "value", SECRET)
    return ws, keyring


def https_only_refusal_prints_api_key() -> None:
    from relaydesk.core.errors import HttpsOnlyError
    from relaydesk.core.messages import user_message

    with scratch() as tmp:
        ws, keyring = _keyed_connection(tmp, "https://127.0.0.1:9", https_only=True)
        try:
            engine_send(ws, keyring, "http://127.0.0.1:9/items")
        except HttpsOnlyError as exc:
            no_secret(user_message(exc))
            assert "api_key" not in user_message(exc), user_message(exc)
            return
        raise AssertionError("the plain http:// URL was not refused")


def credential_echoed_in_a_422_with_fail() -> None:
    basic = base64.b64encode(f"alice:{SECRET}".encode()).decode()
    body = json.dumps({"errors": [{"field": "password", "message": f"{SECRET} is wrong"},
                                  {"field": "auth", "message": f"Basic {basic}"}]}).encode()
    with running(raw_answer("HTTP/1.1 422 Unprocessable Entity", body,
                            {"Content-Type": "application/json"})) as server, scratch() as tmp:
        result = send_curl(tmp, server.base_url, "--fail", curl=f"-u 'alice:{SECRET}'")
        assert result.code == 22, result
        no_secret(result.err)
        assert "Invalid values (422)" in result.err, result.err


def escape_codes_in_a_reason_phrase() -> None:
    with running(raw_answer("HTTP/1.1 400 \x1b]0;pwned\x07Bad\x1b[2J",
                            b'{"errors": ["\\u001b]0;again\\u0007 no"]}',
                            {"Content-Type": "application/json"})) as server, scratch() as tmp:
        result = send_curl(tmp, server.base_url)
        assert result.err.startswith("HTTP/1.1 400 Bad"), result.err
        for control in ("\x1b", "\x07", "\x9b"):
            assert control not in result.err, f"{control!r} reached stderr: {result.err!r}"


# -- redirects and protocols ---------------------------------------------------------------


def api_key_lost_after_same_origin_redirect() -> None:
    import relaydesk

    with running(redirect_then_echo(Hostile(), "/final")) as server, scratch() as tmp:
        ws, keyring = _keyed_connection(tmp, server.base_url)
        target = engine_send(ws, keyring, "/start").json()["target"]
        assert ("api_key", SECRET) in parse_qsl(target.partition("?")[2]), target
        with relaydesk.connect("svc", workspace=ws, keyring=keyring) as client:
            target = client.get("/start").json()["target"]
        assert ("api_key", SECRET) in parse_qsl(target.partition("?")[2]), target


def api_key_crossing_origins_on_redirect() -> None:
    other = Hostile()
    with running(redirect_then_echo(other)) as foreign, scratch() as tmp, \
            running(redirect_then_echo(Hostile(), f"{foreign.base_url}/final")) as server:
        ws, keyring = _keyed_connection(tmp, server.base_url)
        assert engine_send(ws, keyring, "/start").json()["target"] == "/final"
        assert all("api_key" not in head for head in other.requests), other.requests


def http2_never_offered() -> None:
    from relaydesk.core.engine import Engine
    from relaydesk.core.model import Connection, Request, TlsSettings

    with scratch() as tmp:
        server, ca = http2_server(tmp)
        try:
            conn = Connection("h2", server.base_url, tls=TlsSettings(ca_bundle=str(ca)))

            async def go() -> str:
                engine = Engine(None)
                try:
                    return (await engine.send(Request("h2/r", url="/"), conn)).http_version
                finally:
                    await engine.aclose()

            version = asyncio.run(go())
        finally:
            server.stop()
    assert version == "HTTP/2", f"spoke {version}"


CASES: list[tuple[str, Callable[[], None]]] = [
    ("endless chunked body", endless_chunked_body),
    ("2 MB gzip body that becomes 2 GB", gzip_bomb_2mb_to_2gb),
    ("one byte every second past the idle timeout", slow_drip_past_the_idle_timeout),
    ("SIGTERM mid-body leaves the spool file", sigterm_leaves_the_spool_file),
    ("HTTPS-only refusal prints api_key", https_only_refusal_prints_api_key),
    ("422 echoing the credential, with --fail", credential_echoed_in_a_422_with_fail),
    ("escape codes in a reason phrase and error", escape_codes_in_a_reason_phrase),
    ("API key lost after a same-origin redirect", api_key_lost_after_same_origin_redirect),
    ("API key crossing origins on a redirect", api_key_crossing_origins_on_redirect),
    ("HTTP/2 never offered", http2_never_offered),
]


if __name__ == "__main__":  # a quick look without benchmarks/hostile.py
    held = 0
    for name, case in CASES:
        try:
            case()
        except AssertionError as exc:
            print(f"FAILED  {name}: {exc}")
        else:
            held += 1
            print(f"held    {name}")
    print(f"tried {len(CASES)}, held {held}")
