"""``relaydesk send -v`` prints the timeline (issue 14): each redirect hop, the phase
times and the request headers as sent, with credentials masked."""

from __future__ import annotations

from pathlib import Path

from relaydesk.core.model import Connection, KeyValue, Request
from relaydesk.core.workspace import Workspace
from tests.integration.clitools import run_cli


def test_send_verbose_prints_hops_times_and_masked_headers(tmp_path: Path,
                                                            echo_server: str) -> None:
    ws = Workspace.open(tmp_path / "ws")
    ws.save_connection(Connection(path="local/echo", base_url=echo_server), create=True)
    ws.save_request(Request(path="local/echo/Hop", url="/redirect?to=/echo/landed&code=302",
                            headers=[KeyValue("Authorization", "Bearer hunter2-cli-token"),
                                     KeyValue("X-Trace", "t-1")]), create=True)
    result = run_cli(ws.root, "send", "local/echo/Hop", "-v")
    assert result.code == 0, result.err
    err = result.err
    assert f"* Hop 1: GET {echo_server}/redirect?to=/echo/landed&code=302 → 302 → " \
           "/echo/landed" in err
    assert f"* Hop 2: GET {echo_server}/echo/landed → 200" in err
    for phase in ("DNS", "Connect", "First byte (waiting)", "Download", "Total"):
        assert f"*   {phase}" in err
    assert f"> GET {echo_server}/echo/landed" in err
    assert "> X-Trace: t-1" in err and "> Host: 127.0.0.1:" in err
    assert "> Authorization: [redacted]" in err
    assert "hunter2-cli-token" not in err
    # Without -v: the status line only.
    quiet = run_cli(ws.root, "send", "local/echo/Hop")
    assert quiet.code == 0 and "* Hop" not in quiet.err and "200 OK" in quiet.err


async def test_https_timeline_has_connect_and_tls_then_reuses_the_connection(
        tls_server: tuple[str, str]) -> None:
    from relaydesk.core.engine import Engine
    from relaydesk.core.model import TlsSettings
    from relaydesk.core.timeline import phase_rows

    url, ca = tls_server
    conn = Connection(path="secure", base_url=url, tls=TlsSettings(ca_bundle=ca))
    engine = Engine(None)
    try:
        first = await engine.send(Request(path="secure/a", url="/echo/a"), conn)
        again = await engine.send(Request(path="secure/a", url="/echo/b"), conn)
    finally:
        await engine.aclose()
    assert first.timeline is not None and again.timeline is not None
    phases = first.timeline.phases
    assert phases.connect is not None and phases.tls is not None and phases.tls > 0
    assert phases.wait is not None and phases.download is not None
    assert phases.total >= phases.connect + phases.tls + phases.wait
    reused = dict(phase_rows(again.timeline.phases, again.timeline.url))
    assert reused["Connect"] == reused["TLS"] == "reused connection"
