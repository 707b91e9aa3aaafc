"""The collection runner: every request of a connection or folder, checked.

Requests run in workspace order, once per data row (or once without data), one at
a time or ``concurrency`` at a time. Results come out in that same order whatever
the completion order, through a sliding window of tasks: at most a few times
``concurrency`` results exist at once, so memory stays flat however long the run.
One at a time, the requests are sent from the caller's own task (no task, semaphore
or extra event-loop turn per request). Each result goes to the reporters and is then
dropped.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping, Sequence
from dataclasses import field
from typing import TYPE_CHECKING, Any, Protocol

from .checks import Check, CheckResult, checks_of, evaluate_all
from .errors import NotFoundError, RelaydeskError, ValidationError
from .messages import user_message
from .model import Connection, Environment, Request, join_path
from .workspace import Workspace

if TYPE_CHECKING:
    from dataclasses import dataclass as _record

    from .datafile import DataFile  # (and csv with it) only for a run over a data file
    from .engine import Engine
else:  # a dataclass at a third of the cost to define (see _model_class)
    from ._model_class import model_class as _record

__all__ = [
    "Reporter",
    "RequestResult",
    "RunOptions",
    "RunPlan",
    "RunSummary",
    "Runner",
]


@_record
class RunOptions:
    """How a run goes: variables, data rows, concurrency, stopping early."""

    environment: Environment | None = None
    variables: Mapping[str, str] = field(default_factory=dict)  # --var; data rows win
    data: DataFile | Sequence[Mapping[str, str]] | None = None
    concurrency: int = 1
    bail: bool = False
    delay_ms: float = 0.0
    strict_variables: bool = False  # an undefined {{name}} fails the request


@_record
class RunPlan:
    """The requests a run sends, their checks and connections, resolved up front."""

    path: str
    requests: list[Request]
    checks: dict[str, list[Check]]
    connections: dict[str, Connection]
    iterations: int

    @property
    def total(self) -> int:
        return len(self.requests) * self.iterations


@_record
class RequestResult:
    """What one request of a run gave: status, size, time, checks or the error."""

    index: int  # position in the run, 0-based
    iteration: int
    path: str
    method: str
    url: str
    status: int | None = None
    elapsed_ms: float = 0.0
    size: int = 0
    checks: list[CheckResult] = field(default_factory=list)
    error: str | None = None
    # "{{message}} in the JSON body is not a defined variable; sent as written"…
    notes: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def passed(self) -> bool:
        if self.error is not None:
            return False
        for check in self.checks:  # noqa: SIM110 - no generator: asked thrice per result
            if not check.passed:
                return False
        return True


@_record
class RunSummary:
    """The counts of a run, kept up to date as results come."""

    path: str
    planned: int
    executed: int = 0
    passed: int = 0
    failed: int = 0  # a check did not hold
    errors: int = 0  # the request did not complete
    checks_passed: int = 0
    checks_failed: int = 0
    duration: float = 0.0
    cancelled: bool = False
    bailed: bool = False

    @property
    def ok(self) -> bool:
        return self.failed == 0 and self.errors == 0 and not self.cancelled

    def add(self, result: RequestResult) -> None:
        self.executed += 1
        ok = 0
        for check in result.checks:
            ok += check.passed
        if result.error is not None:
            self.errors += 1
        elif ok == len(result.checks):
            self.passed += 1
        else:
            self.failed += 1
        self.checks_passed += ok
        self.checks_failed += len(result.checks) - ok


class Reporter(Protocol):
    def start(self, plan: RunPlan) -> None: ...
    def result(self, result: RequestResult) -> None: ...
    def finish(self, summary: RunSummary) -> None: ...


class _Item:
    """One request of one iteration, in run order."""

    __slots__ = ("index", "iteration", "request", "row")

    def __init__(self, index: int, iteration: int, request: Request,
                 row: Mapping[str, str]) -> None:
        self.index, self.iteration, self.request, self.row = index, iteration, request, row


class Runner:
    """Runs through ``engine`` (history, if any, is the engine's exchange observer)."""

    def __init__(self, engine: Engine, workspace: Workspace) -> None:
        self._engine = engine
        self._workspace = workspace
        self._cancelled = False
        self._window: deque[asyncio.Task[RequestResult]] = deque()
        self._sending: asyncio.Task[Any] | None = None  # see _in_sequence
        self._interrupted = False

    # -- planning ----------------------------------------------------------------------

    def plan(self, path: str, options: RunOptions) -> RunPlan:
        """Resolve the requests and their checks; bad input fails here, before any send."""
        ws = self._workspace
        path = join_path(path)
        kind = ws.kind_of(path)
        # "" (everything) and groups of connections ("jira" for jira/cloud) run too.
        if kind is None and ws.requests(under=path):
            kind = "folder"
        if kind is None:
            problem = ws.problem_for(path)
            if problem is not None:
                raise ValidationError(f"'{path}' cannot be run: {problem}")
            raise NotFoundError(f"Nothing to run at '{path}': no connection, folder or "
                                f"request with that path in {ws.root}.")
        requests = [ws.request(path)] if kind == "request" else ws.requests(under=path)
        if not requests:
            raise ValidationError(f"'{path}' holds no requests to run.")
        checks: dict[str, list[Check]] = {}
        conns: dict[str, Connection] = {}
        # Neighbours share their folder's connection and, often, their checks (frozen,
        # so shared too): each is worked out once per run of alike requests, not per one.
        by_folder: dict[str, Connection] = {}
        last_docs: list[dict[str, Any]] | None = None
        last_checks: list[Check] = []
        for req in requests:
            if req.checks != last_docs:
                try:
                    last_checks = checks_of(req.checks)
                except ValidationError as exc:
                    raise ValidationError(
                        f"The request '{req.path}' has a bad check: {exc}") from None
                last_docs = req.checks
            checks[req.path] = last_checks
            folder = req.path.rpartition("/")[0]
            conn = by_folder.get(folder)
            if conn is None:
                conn = by_folder[folder] = ws.connection_of(req.path)
            conns[req.path] = conn
        if options.concurrency < 1:
            raise ValidationError("The concurrency must be at least 1.")
        iterations = 1
        if isinstance(options.data, Sequence):
            iterations = len(options.data)
        elif options.data is not None:  # a DataFile
            iterations = options.data.count()
        if options.data is not None and iterations == 0:
            raise ValidationError("The data file has no rows: nothing to iterate over.")
        return RunPlan(path, requests, checks, conns, iterations)

    def _items(self, plan: RunPlan, options: RunOptions) -> Iterator[_Item]:
        rows: Iterable[Mapping[str, str]] = options.data if options.data is not None else [{}]
        index = 0
        for iteration, row in enumerate(rows):
            for req in plan.requests:
                yield _Item(index, iteration, req, row)
                index += 1

    # -- running -----------------------------------------------------------------------

    def cancel(self) -> None:
        """Stop the run: nothing new starts and the requests in flight are cancelled."""
        self._cancelled = True
        for task in self._window:
            task.cancel()
        if (sending := self._sending) is not None:  # in sequence, from the caller's task
            self._sending, self._interrupted = None, True  # cancelled once, not per call
            sending.cancel()

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    def results(self, plan: RunPlan, options: RunOptions) -> AsyncIterator[RequestResult]:
        """Results in run order; at most ``4 × concurrency`` requests are ahead."""
        if options.concurrency == 1:
            return self._in_sequence(plan, options)
        return self._in_window(plan, options)

    async def _in_window(self, plan: RunPlan, options: RunOptions
                         ) -> AsyncIterator[RequestResult]:
        """``concurrency`` requests at a time, each in a task of its own."""
        self._cancelled = False
        sem = asyncio.Semaphore(options.concurrency)
        items = self._items(plan, options)
        window = self._window = deque()
        ahead = max(2, options.concurrency * 4)
        try:
            while True:
                while not self._cancelled and len(window) < ahead:
                    item = next(items, None)
                    if item is None:
                        break
                    window.append(asyncio.create_task(self._execute(item, plan, options, sem)))
                if not window or self._cancelled:
                    return
                head = window[0]
                try:
                    result = await head
                except asyncio.CancelledError:
                    if self._cancelled:
                        return
                    raise
                window.popleft()
                yield result
                if options.bail and not result.passed:
                    return
        finally:
            for task in window:
                task.cancel()
            if window:
                await asyncio.gather(*window, return_exceptions=True)
            window.clear()

    async def _in_sequence(self, plan: RunPlan, options: RunOptions
                           ) -> AsyncIterator[RequestResult]:
        """One request at a time, sent from the caller's own task: no task, semaphore
        or extra turn of the event loop per request. ``cancel`` then cancels that task
        while a request is under way, and the cancellation ends here."""
        self._cancelled = False
        task = asyncio.current_task()
        assert task is not None
        for item in self._items(plan, options):
            if self._cancelled:
                return
            self._sending, self._interrupted = task, False
            try:
                result = await self._send(item, plan, options)
            except asyncio.CancelledError:
                # Ours (``cancel``) ends the run quietly; anyone else's goes on.
                if not self._interrupted or task.uncancel() > 0:
                    raise
                return
            finally:
                self._sending = None
            if self._interrupted:  # cancelled, but the request finished all the same
                task.uncancel()
            yield result
            if options.bail and not result.passed:
                return

    async def run(self, path: str, options: RunOptions,
                  reporters: Sequence[Reporter] = (), *, plan: RunPlan | None = None
                  ) -> RunSummary:
        """Run what ``plan(path, options)`` finds, or the ``plan`` already made for
        them (the CLI validates first: every request file is then read once, not twice)."""
        plan = plan if plan is not None else self.plan(path, options)
        summary = RunSummary(plan.path, plan.total)
        started = time.perf_counter()
        for rep in reporters:
            rep.start(plan)
        try:
            async for result in self.results(plan, options):
                summary.add(result)
                for rep in reporters:
                    rep.result(result)
                if options.bail and not result.passed:
                    summary.bailed = True
        except asyncio.CancelledError:
            summary.cancelled = True
            raise
        finally:
            summary.cancelled = summary.cancelled or self._cancelled
            summary.duration = time.perf_counter() - started
            for rep in reporters:
                rep.finish(summary)
        return summary

    async def _execute(self, item: _Item, plan: RunPlan, options: RunOptions,
                       sem: asyncio.Semaphore) -> RequestResult:
        async with sem:
            return await self._send(item, plan, options)

    async def _send(self, item: _Item, plan: RunPlan, options: RunOptions) -> RequestResult:
        if options.delay_ms > 0 and item.index > 0:
            await asyncio.sleep(options.delay_ms / 1000)
        req = item.request
        conn = plan.connections[req.path]
        result = RequestResult(item.index, item.iteration, req.path, req.method, req.url)
        # (Read, never changed, by the engine: no copy when no data row adds to them.)
        variables = {**options.variables, **item.row} if item.row else options.variables
        try:
            # exchange(), not send(): a 4xx/5xx is a status for the checks to judge,
            # not an error, whatever "raise on 4xx/5xx" says; OAuth 401s still retry.
            prepared, response = await self._engine.exchange(
                req, conn, environment=options.environment, variables=variables,
                strict=options.strict_variables, timeline=False)
        except RelaydeskError as exc:
            result.error = user_message(exc)
            return result
        if prepared.unresolved:
            result.notes = [u.describe() for u in prepared.unresolved]
        try:
            result.status = response.status
            result.elapsed_ms = response.elapsed * 1000
            result.size = response.size
            result.url = response.url
            result.checks = evaluate_all(plan.checks[req.path], response)
        finally:
            response.discard()
        return result
