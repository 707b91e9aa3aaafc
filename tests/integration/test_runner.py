"""The collection runner against the loopback echo server."""

from __future__ import annotations

import asyncio
import io
import json
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from relaydesk.core.checks import CheckResult
from relaydesk.core.datafile import DataFile
from relaydesk.core.engine import Engine
from relaydesk.core.errors import NotFoundError, ValidationError
from relaydesk.core.history import History
from relaydesk.core.model import AuthSettings, Connection, Request, RequestOptions
from relaydesk.core.oauth import OAuthTokenProvider
from relaydesk.core.redact import REDACTED
from relaydesk.core.reporters import ConsoleReporter, JsonReporter, JUnitReporter
from relaydesk.core.runner import RequestResult, Runner, RunOptions, RunPlan, RunSummary
from relaydesk.core.secrets import SecretStore
from relaydesk.core.workspace import Workspace
from tests.oauth_server import CLIENTS, OAuthServer, client_factory, start_oauth_server

SCHEMA = Path(__file__).parent.parent / "data" / "junit-10.xsd"


class Collect:
    def __init__(self) -> None:
        self.results: list[RequestResult] = []
        self.summary: RunSummary | None = None
        self.plan: RunPlan | None = None

    def start(self, plan: RunPlan) -> None:
        self.plan = plan

    def result(self, result: RequestResult) -> None:
        self.results.append(result)

    def finish(self, summary: RunSummary) -> None:
        self.summary = summary


@pytest.fixture
async def engine() -> AsyncIterator[Engine]:
    eng = Engine(None)
    yield eng
    await eng.aclose()


@pytest.fixture
def ws(workspace: Workspace, echo_server: str) -> Workspace:
    workspace.save_connection(Connection(path="echo", base_url=echo_server), create=True)
    return workspace


def add(ws: Workspace, path: str, url: str, checks: list[dict[str, Any]] | None = None,
        method: str = "GET") -> None:
    ws.save_request(Request(path=path, url=url, method=method, checks=checks or []),
                    create=True)


async def test_checks_are_saved_with_the_request(ws: Workspace) -> None:
    checks = [{"kind": "status_equals", "value": 200}, {"kind": "time_under", "ms": 500}]
    add(ws, "echo/a", "/json", checks)
    text = (ws.root / "connections/echo/a.request.json").read_text()
    assert '"kind": "time_under"' in text
    assert Workspace.open(ws.root).request("echo/a").checks == checks


async def test_ordered_run_in_workspace_order(ws: Workspace, engine: Engine) -> None:
    for name in ("c", "a", "b"):
        add(ws, f"echo/{name}", f"/echo/{name}", [{"kind": "jsonpath_equals",
                                                   "path": "$.path", "value": f"/echo/{name}"}])
    out = Collect()
    summary = await Runner(engine, ws).run("echo", RunOptions(), [out])
    # The tree's order (new requests go last), not the names' order.
    assert [r.path for r in out.results] == ["echo/c", "echo/a", "echo/b"]
    assert all(r.passed for r in out.results), [r.checks for r in out.results]
    assert summary.ok and summary.executed == 3 and summary.checks_passed == 3


async def test_concurrent_run_overlaps_requests_and_still_reports_in_order(
        ws: Workspace, engine: Engine) -> None:
    from tests.servers import SLOW_IN_FLIGHT

    for i in range(6):
        add(ws, f"echo/slow/{i}", "/slow?delay=0.5")
    out = Collect()
    SLOW_IN_FLIGHT[1] = 0
    summary = await Runner(engine, ws).run("echo/slow", RunOptions(concurrency=6), [out])
    assert summary.ok and summary.executed == 6
    assert [r.path for r in out.results] == [f"echo/slow/{i}" for i in range(6)]
    # The server saw several at once (a sequential run peaks at 1), whatever the load.
    assert SLOW_IN_FLIGHT[1] >= 3


async def test_sequential_run_with_delay(ws: Workspace, engine: Engine) -> None:
    add(ws, "echo/a", "/json")
    add(ws, "echo/b", "/json")
    started = time.perf_counter()
    await Runner(engine, ws).run("echo", RunOptions(delay_ms=300))
    assert time.perf_counter() - started >= 0.3


@pytest.mark.parametrize("kind", ["csv", "json"])
async def test_data_driven_iterations(ws: Workspace, engine: Engine, tmp_path: Path,
                                      kind: str) -> None:
    add(ws, "echo/user", "/echo/{{id}}?name={{name}}",
        [{"kind": "jsonpath_exists", "path": "$.query"}])
    if kind == "csv":
        data = tmp_path / "rows.csv"
        data.write_text("id,name\n1,ann\n2,bob\n3,cy d\n")
    else:
        data = tmp_path / "rows.json"
        data.write_text(json.dumps([{"id": 1, "name": "ann"}, {"id": 2, "name": "bob"},
                                    {"id": 3, "name": "cy d"}]))
    out = Collect()
    summary = await Runner(engine, ws).run(
        "echo", RunOptions(data=DataFile(data), variables={"name": "ignored"}), [out])
    assert out.plan is not None and out.plan.iterations == 3
    assert [r.iteration for r in out.results] == [0, 1, 2]
    assert [r.url.split("/", 3)[3] for r in out.results] == [
        "echo/1?name=ann", "echo/2?name=bob", "echo/3?name=cy%20d"]
    assert summary.ok


def test_bad_data_files(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="no such file"):
        DataFile(tmp_path / "missing.csv")
    bad = tmp_path / "bad.json"
    bad.write_text('{"id": 1}')
    with pytest.raises(ValidationError, match="array of objects"):
        DataFile(bad).count()
    wide = tmp_path / "wide.csv"
    wide.write_text("a\n1,2\n")
    with pytest.raises(ValidationError, match="line 2"):
        DataFile(wide).count()


PASSING = [
    {"kind": "status_equals", "value": 200},
    {"kind": "status_in_range", "min": 200, "max": 299},
    {"kind": "header_present", "header": "Content-Type"},
    {"kind": "header_equals", "header": "content-type", "value": "application/json"},
    {"kind": "jsonpath_exists", "path": "$.items[2]"},
    {"kind": "jsonpath_equals", "path": "$.name", "value": "relaydesk"},
    {"kind": "jsonpath_equals", "path": "items", "value": [1, 2, 3]},
    {"kind": "time_under", "ms": 5000},
]
FAILING = [
    ({"kind": "status_equals", "value": 201}, "got status 200"),
    ({"kind": "status_in_range", "min": 400, "max": 499}, "got status 200"),
    ({"kind": "header_present", "header": "ETag"}, "no ETag header"),
    ({"kind": "header_equals", "header": "content-type", "value": "text/html"},
     "got 'application/json'"),
    ({"kind": "jsonpath_exists", "path": "$.items[7]"}, "matched nothing"),
    ({"kind": "jsonpath_equals", "path": "$.name", "value": "other"},
     "expected 'other', got 'relaydesk'"),
    ({"kind": "jsonpath_equals", "path": "$.items[0]", "value": "1"}, "expected '1', got 1"),
    ({"kind": "time_under", "ms": 0.001}, "took"),
]


async def test_every_check_kind_passes_and_fails(ws: Workspace, engine: Engine) -> None:
    add(ws, "echo/pass", "/json", PASSING)
    add(ws, "echo/fail", "/json", [c for c, _ in FAILING])
    out = Collect()
    summary = await Runner(engine, ws).run("echo", RunOptions(), [out])
    ok, fail = out.results  # in the order they were made
    assert ok.passed and len(ok.checks) == len(PASSING)
    assert all(c.passed for c in ok.checks), ok.checks
    assert not fail.passed
    for result, (_, message) in zip(fail.checks, FAILING, strict=True):
        assert not result.passed
        assert message in result.message, result
    assert summary.failed == 1 and summary.checks_failed == len(FAILING)
    assert not summary.ok


async def test_jsonpath_on_a_non_json_body_fails_cleanly(ws: Workspace,
                                                         engine: Engine) -> None:
    add(ws, "echo/bytes", "/bytes?n=10", [{"kind": "jsonpath_exists", "path": "$.a"}])
    out = Collect()
    await Runner(engine, ws).run("echo", RunOptions(), [out])
    assert out.results[0].checks[0] == CheckResult(
        "$.a exists", False, "cannot evaluate $.a: the body is not JSON (JSONDecodeError)")


async def test_default_check_fails_on_error_status(ws: Workspace, engine: Engine) -> None:
    add(ws, "echo/missing", "/status/404")
    out = Collect()
    summary = await Runner(engine, ws).run("echo", RunOptions(), [out])
    assert not out.results[0].passed and summary.failed == 1


def test_bad_check_is_refused_before_anything_runs(ws: Workspace) -> None:
    add(ws, "echo/bad", "/json", [{"kind": "jsonpath_exists", "path": "$[[["}])
    with pytest.raises(ValidationError, match=r"echo/bad.*not a valid JSONPath"):
        Runner(Engine(None), ws).plan("echo", RunOptions())
    with pytest.raises(NotFoundError):
        Runner(Engine(None), ws).plan("nope", RunOptions())


async def test_bail_stops_at_first_failure(ws: Workspace, engine: Engine) -> None:
    add(ws, "echo/1", "/json")
    add(ws, "echo/2", "/status/500")
    add(ws, "echo/3", "/json")
    out = Collect()
    summary = await Runner(engine, ws).run("echo", RunOptions(bail=True), [out])
    assert [r.path for r in out.results] == ["echo/1", "echo/2"]
    assert summary.bailed and summary.executed == 2 and summary.planned == 3


async def test_request_errors_are_results_not_crashes(ws: Workspace, engine: Engine) -> None:
    add(ws, "echo/unknown-var", "/echo/{{$nope}}")  # unknown built-in
    out = Collect()
    summary = await Runner(engine, ws).run("echo", RunOptions(), [out])
    assert out.results[0].error is not None and "nope" in out.results[0].error
    assert summary.errors == 1


@pytest.mark.parametrize("concurrency", [1, 2])
async def test_cancel_stops_requests_in_flight(ws: Workspace, engine: Engine,
                                               concurrency: int) -> None:
    # One at a time, the requests go from the caller's own task: cancel() interrupts
    # it there, and the run ends normally all the same, the caller's task not left
    # cancelled.
    add(ws, "echo/a", "/json")
    for i in range(3):
        add(ws, f"echo/s{i}", "/slow?delay=10")
    runner = Runner(engine, ws)
    out = Collect()

    async def run() -> tuple[RunSummary, int]:
        summary = await runner.run("echo", RunOptions(concurrency=concurrency), [out])
        task = asyncio.current_task()
        assert task is not None
        return summary, task.cancelling()

    task = asyncio.create_task(run())
    while not out.results:
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.1)  # the slow ones are under way
    started = time.perf_counter()
    runner.cancel()
    runner.cancel()  # twice: still one cancellation
    summary, cancelling = await asyncio.wait_for(task, 3)
    assert time.perf_counter() - started < 1
    assert summary.cancelled and summary.executed == 1 and cancelling == 0
    assert out.summary is summary


async def test_cancelling_the_task_finishes_reporters(ws: Workspace, engine: Engine) -> None:
    add(ws, "echo/s", "/slow?delay=10")
    out = Collect()
    task = asyncio.create_task(Runner(engine, ws).run("echo", RunOptions(), [out]))
    await asyncio.sleep(0.3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert out.summary is not None and out.summary.cancelled


async def test_junit_report_is_valid_against_the_jenkins_schema(
        ws: Workspace, engine: Engine, tmp_path: Path) -> None:
    import xmlschema

    add(ws, "echo/folder/ok", "/json", PASSING[:2])
    add(ws, "echo/folder/bad &amp; ugly's", "/json", [{"kind": "status_equals", "value": 418}])
    add(ws, "echo/broken", "/echo/{{$missing}}")  # an unknown built-in: an error
    report = tmp_path / "out" / "junit.xml"
    await Runner(engine, ws).run("echo", RunOptions(), [JUnitReporter(report)])
    schema = xmlschema.XMLSchema(str(SCHEMA))
    schema.validate(str(report))
    doc = schema.to_dict(str(report))
    suite = doc["testsuite"][0]
    assert (suite["@tests"], suite["@failures"], suite["@errors"]) == ("3", "1", "1")
    cases = {c["@name"]: c for c in suite["testcase"]}
    assert "failure" in cases["bad &amp; ugly's"] and "got status 200" in \
        cases["bad &amp; ugly's"]["failure"][0]["@message"]
    assert "error" in cases["broken"]
    assert "failure" not in cases["ok"]


async def test_json_and_console_reporters(ws: Workspace, engine: Engine,
                                          tmp_path: Path) -> None:
    add(ws, "echo/ok", "/json")
    add(ws, "echo/teapot", "/status/418")
    out, err = io.StringIO(), io.StringIO()
    target = tmp_path / "run.json"
    await Runner(engine, ws).run("echo", RunOptions(), [
        JsonReporter(target), ConsoleReporter(out, err, progress=True)])
    doc = json.loads(target.read_text())
    assert [r["path"] for r in doc["results"]] == ["echo/ok", "echo/teapot"]
    assert doc["results"][1]["checks"][0]["message"] == "got status 418"
    assert doc["summary"]["failed"] == 1 and doc["summary"]["ok"] is False
    text = out.getvalue()
    assert "echo/teapot" in text and "1 passed, 1 failed" in text
    assert "│ requests │        2 │      1 │" in text
    assert "2/2" in err.getvalue()  # the progress bar reached the end


# -- through Engine.exchange: OAuth retry, statuses, history -------------------------------


@pytest.fixture(scope="module")
def oauth() -> Iterator[OAuthServer]:
    server = start_oauth_server()
    yield server
    server.stop()


async def test_run_retries_once_after_an_oauth_401_and_history_shows_both(
        workspace: Workspace, secret_store: SecretStore, oauth: OAuthServer,
        tmp_path: Path) -> None:
    settings = AuthSettings("oauth2", {
        "grant": "client_credentials", "token_url": f"{oauth.base_url}/token",
        "client_id": "basic-client"})
    workspace.save_connection(Connection(path="api/main", base_url=oauth.base_url,
                                         auth=settings), create=True)
    add(workspace, "api/main/me", "/api/me", [{"kind": "status_equals", "value": 200}])
    secret_store.set("api/main", "client_secret", CLIENTS["basic-client"]["secret"])
    tokens = OAuthTokenProvider(secret_store, client_factory)
    first = await tokens.access_token("api/main", settings)
    oauth.state.by_access(first).revoked = True  # type: ignore[union-attr]

    out = Collect()
    with History(tmp_path / "h.db") as history:
        engine = Engine(secret_store, token_provider=tokens,
                        on_exchange=history.observer("runner"))
        try:
            summary = await Runner(engine, workspace).run("api/main", RunOptions(), [out])
        finally:
            await engine.aclose()
        entries = list(reversed(history.search()))
    assert summary.ok and summary.passed == 1, out.results
    (result,) = out.results
    assert result.status == 200 and result.url == f"{oauth.base_url}/api/me"
    assert [(e.request_path, e.status) for e in entries] == [
        ("api/main/me", 401), ("api/main/me", 200)]
    assert all(dict(e.request_headers)["Authorization"] == REDACTED for e in entries)


async def test_raise_on_status_is_a_failed_check_not_an_error(ws: Workspace,
                                                               engine: Engine) -> None:
    """The runner judges statuses with checks, whatever "raise on 4xx/5xx" says."""
    ws.save_request(Request(path="echo/gone", url="/status/404",
                            options=RequestOptions(raise_for_status=True)), create=True)
    out = Collect()
    summary = await Runner(engine, ws).run("echo/gone", RunOptions(), [out])
    (result,) = out.results
    assert (result.status, result.error) == (404, None)
    assert (summary.failed, summary.errors) == (1, 0)


async def test_an_error_result_keeps_the_template_url(ws: Workspace, engine: Engine) -> None:
    add(ws, "echo/bad", "/echo/{{$nope}}")  # an unknown built-in is an error
    out = Collect()
    await Runner(engine, ws).run("echo/bad", RunOptions(), [out])
    (result,) = out.results
    assert result.url == "/echo/{{$nope}}" and result.error and "nope" in result.error
