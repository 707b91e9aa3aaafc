"""A timeline is built for a response only when the caller shows one: the app and
``send`` get it, a collection run does not (it pays for httpcore's trace events on
every request otherwise) and still gets each request's time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from relaydesk.core.engine import Engine
from relaydesk.core.model import Connection, Request
from relaydesk.core.response import Response
from relaydesk.core.runner import Runner, RunOptions
from relaydesk.core.workspace import Workspace


async def test_exchange_without_timeline_keeps_the_total_time(echo_server: str) -> None:
    engine = Engine(None)
    conn = Connection(path="svc", base_url=echo_server)
    req = Request(path="svc/r", url="/echo/x")
    try:
        _, traced = await engine.exchange(req, conn)
        _, plain = await engine.exchange(req, conn, timeline=False)
    finally:
        await engine.aclose()
    assert traced.timeline is not None and traced.timeline.hops[0].status == 200
    assert plain.status == 200 and plain.timeline is None
    assert plain.elapsed > 0 and plain.timings.first_byte is None


async def test_a_run_builds_no_timelines(tmp_path: Path, echo_server: str) -> None:
    ws = Workspace.open(tmp_path / "ws", create=True)
    ws.save_connection(Connection(path="echo", base_url=echo_server), create=True)
    for name in ("a", "b"):
        ws.save_request(Request(path=f"echo/{name}", url="/echo/x"), create=True)
    seen: list[Response] = []

    def observe(path: str, prepared: Any, response: Response | None, error: Any) -> None:
        assert response is not None
        seen.append(response)

    engine = Engine(None, on_exchange=observe)
    try:
        summary = await Runner(engine, ws).run("echo", RunOptions())
    finally:
        await engine.aclose()
    assert summary.executed == 2 and summary.ok
    assert [r.status for r in seen] == [200, 200]
    assert all(r.timeline is None and r.elapsed > 0 for r in seen)
