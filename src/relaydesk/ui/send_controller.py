"""Sending from the main window: Send (optionally bypassing the cache), Fetch all
pages, Cancel and curl paste.

A controller the window composes. Each send runs as an asyncio task on the qasync
loop; the controller keeps every task it starts until it ends (so none is collected
mid-flight) and cancels them all on ``shutdown``. It shows results in the tab it was
given and tells the user everything else through the message bridge; ``finished``
says a send ended (History refreshes).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from relaydesk.core.errors import RelaydeskError

from .dialogs import ask
from .messages import MessageBridge

if TYPE_CHECKING:
    import asyncio

    from relaydesk.core.model import Request
    from relaydesk.core.pagination import Page
    from relaydesk.core.response import Response

    from .request_tab import RequestTab
    from .service import Service

__all__ = ["SendController"]

log = logging.getLogger(__name__)


class SendController(QObject):
    finished = Signal()  # a send or fetch ended (however it ended)

    def __init__(self, service: Service, messages: MessageBridge,
                 environment: Callable[[], str | None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._messages = messages
        self._environment = environment  # the window's environment picker, read per send
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def tasks(self) -> frozenset[asyncio.Task[None]]:
        return frozenset(self._tasks)

    def send(self, tab: RequestTab, *, bypass_cache: bool = False) -> None:
        """Send the tab's request as edited; ``bypass_cache`` always reaches the server."""
        request = tab.edited_request()
        if bypass_cache:
            request = replace(request, options=replace(request.options, bypass_cache=True))
        self._start(tab, self._send(tab, request, self._environment()))

    def fetch_all_pages(self, tab: RequestTab, max_pages: int = 100) -> None:
        self._start(tab, self._fetch_all(tab, tab.edited_request(), self._environment(),
                                         max_pages))

    def cancel(self, tab: RequestTab | None) -> None:
        if tab is not None and tab.task is not None and not tab.task.done():
            tab.task.cancel()

    def shutdown(self) -> None:
        """The window is closing: stop every send before the engine closes under it."""
        for task in list(self._tasks):
            task.cancel()

    def _start(self, tab: RequestTab, work: Coroutine[Any, Any, None]) -> None:
        if tab.busy():
            work.close()  # the coroutine never runs: close it, no "never awaited" warning
            return
        tab.set_busy(True)
        tab.view.show_progress(0, None)
        import asyncio

        task = asyncio.ensure_future(work)
        tab.task = task
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(lambda t: self._cancelled_before_start(tab, t))

    def _cancelled_before_start(self, tab: RequestTab, task: asyncio.Task[None]) -> None:
        """A task cancelled before its first step never runs ``_run_shown``'s cleanup
        (Escape right after Send): do it here, so the tab is never left busy."""
        if tab.task is not task:
            return
        tab.view.show_error("The request was stopped before it was sent.",
                            heading="Cancelled")
        tab.set_busy(False)
        tab.task = None
        self.finished.emit()

    async def _send(self, tab: RequestTab, request: Request, environment: str | None) -> None:
        async def work() -> Response:
            return await self._service.send(request, environment,
                                            on_progress=tab.view.show_progress)

        await self._run_shown(tab, work)

    async def _fetch_all(self, tab: RequestTab, request: Request, environment: str | None,
                         max_pages: int) -> None:
        import time

        from .request_tab import merged_response

        def page(p: Page) -> None:
            self._messages.status(f"Fetched page {p.number} ({len(p.items)} items)…", 0)

        async def work() -> Response:
            started = time.perf_counter()
            result = await self._service.fetch_all_pages(request, environment,
                                                         max_pages=max_pages, on_page=page)
            limit = f" — stopped at the limit of {max_pages} pages" \
                if result.pages >= max_pages else ""
            self._messages.status(
                f"Fetched {len(result.items)} items from {result.pages} pages{limit}.", 8000)
            return merged_response(result, request.url, time.perf_counter() - started)

        await self._run_shown(tab, work)

    async def _run_shown(self, tab: RequestTab, work: Callable[[], Awaitable[Response]]) -> None:
        """Await ``work()`` and show its response, error or cancellation in the tab."""
        import asyncio

        from relaydesk.core.messages import user_message

        try:
            response = await work()
        except asyncio.CancelledError:
            tab.view.show_error("The request was stopped before a response arrived; "
                                "the connection to the server was closed.",
                                heading="Cancelled")
        except Exception as exc:  # every failure is shown in the core's words
            log.debug("send failed", exc_info=True)
            tab.view.show_error(user_message(exc))
        else:
            tab.view.show_response(response)
        finally:
            tab.set_busy(False)
            tab.task = None
            self.finished.emit()

    # -- curl paste ----------------------------------------------------------------------

    def paste_curl(self, tab: RequestTab, text: str) -> None:
        try:
            imported = self._service.parse_curl(text)
        except RelaydeskError as exc:
            self._messages.problem(str(exc))
            return
        tab.editor.set_request(replace(imported.request, path=tab.path))
        tab.set_modified(True)
        if imported.secrets and imported.request.auth is not None:
            what = "a password" if "password" in imported.secrets else "a credential"
            answer = ask(
                tab, "Save credential",
                f"The curl command contains {what}. Save it to the system keyring for "
                f"'{tab.path}'? (It is never written to workspace files; without it the "
                "request cannot authenticate.)",
                ("Yes", "No"), "Yes")
            if answer == "Yes":
                try:
                    for name, value in imported.secrets.items():
                        self._service.set_secret(tab.path, name, value)
                except RelaydeskError as exc:
                    self._messages.problem(str(exc))
        self._messages.status("Request filled from the curl command.", 4000)
