"""Sending from the main window: Send, Fetch all pages, Cancel and curl paste.

A mixin of ``MainWindow`` (kept apart so the window module stays small). Each send
runs as an asyncio task on the qasync loop, kept in ``self._tasks`` until it ends so
it is never collected mid-flight; ``Send`` turns into ``Cancel`` while it runs.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtWidgets import QWidget

from relaydesk.core.errors import RelaydeskError

if TYPE_CHECKING:
    import asyncio

    from PySide6.QtWidgets import QStatusBar

    from .docks import Docks
    from .request_tab import RequestTab
    from .service import Service

__all__ = ["SendMixin"]

log = logging.getLogger(__name__)


def _ask(parent: QWidget, title: str, text: str, buttons: tuple[str, ...], default: str) -> str:
    """QMessageBox.question with buttons by name (QMessageBox is imported on demand:
    materialising its Python type costs start-up time)."""
    from PySide6.QtWidgets import QMessageBox

    b = QMessageBox.StandardButton
    flags = b.NoButton
    for name in buttons:
        flags |= getattr(b, name)
    answer = QMessageBox.question(parent, title, text, flags, getattr(b, default))
    return next((n for n in buttons if answer == getattr(b, n)), "Cancel")


class SendMixin:
    if TYPE_CHECKING:
        service: Service
        docks: Docks
        _tasks: set[asyncio.Task[None]]

        def current_tab(self) -> RequestTab | None: ...
        def environment_name(self) -> str | None: ...
        def show_problem(self, message: str) -> None: ...
        def statusBar(self) -> QStatusBar: ...

    def send_current(self) -> None:
        tab = self.current_tab()
        if tab is not None:
            self.send(tab)

    def send(self, tab: RequestTab) -> None:
        self._start(tab, self._send(tab, tab.edited_request(), self.environment_name()))

    def fetch_all_current(self) -> None:
        tab = self.current_tab()
        if tab is not None:
            self.fetch_all_pages(tab)

    def fetch_all_pages(self, tab: RequestTab, max_pages: int = 100) -> None:
        self._start(tab, self._fetch_all(tab, tab.edited_request(), self.environment_name(),
                                         max_pages))

    def _start(self, tab: RequestTab, work: Any) -> None:
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

    async def _send(self, tab: RequestTab, request: Any, environment: str | None) -> None:
        async def work() -> Any:
            return await self.service.send(request, environment,
                                           on_progress=tab.view.show_progress)

        await self._run_shown(tab, work)

    async def _fetch_all(self, tab: RequestTab, request: Any, environment: str | None,
                         max_pages: int) -> None:
        import time

        from .request_tab import merged_response

        def page(p: Any) -> None:
            self.statusBar().showMessage(f"Fetched page {p.number} ({len(p.items)} items)…")

        async def work() -> Any:
            started = time.perf_counter()
            result = await self.service.fetch_all_pages(request, environment,
                                                        max_pages=max_pages, on_page=page)
            limit = f" — stopped at the limit of {max_pages} pages" \
                if result.pages >= max_pages else ""
            self.statusBar().showMessage(
                f"Fetched {len(result.items)} items from {result.pages} pages{limit}.", 8000)
            return merged_response(result, request.url, time.perf_counter() - started)

        await self._run_shown(tab, work)

    async def _run_shown(self, tab: RequestTab, work: Any) -> None:
        """Await ``work()`` and show its response, error or cancellation in the tab."""
        import asyncio

        from relaydesk.core.messages import user_message

        try:
            response = await work()
        except asyncio.CancelledError:
            tab.view.show_error("Cancelled: the request was stopped before a response "
                                "arrived.")
        except Exception as exc:  # every failure is shown in the core's words
            log.debug("send failed", exc_info=True)
            tab.view.show_error(user_message(exc))
        else:
            tab.view.show_response(response)
        finally:
            tab.set_busy(False)
            tab.task = None
            self.docks.refresh_history()

    def cancel(self, tab: RequestTab | None) -> None:
        if tab is not None and tab.task is not None and not tab.task.done():
            tab.task.cancel()

    # -- curl paste ----------------------------------------------------------------------

    def paste_curl(self, tab: RequestTab, text: str) -> None:
        from dataclasses import replace

        try:
            imported = self.service.parse_curl(text)
        except RelaydeskError as exc:
            self.show_problem(str(exc))
            return
        tab.editor.set_request(replace(imported.request, path=tab.path))
        tab.set_modified(True)
        if imported.secrets and imported.request.auth is not None:
            what = "a password" if "password" in imported.secrets else "a credential"
            answer = _ask(
                cast(QWidget, self), "Save credential",
                f"The curl command contains {what}. Save it to the system keyring for "
                f"'{tab.path}'? (It is never written to workspace files; without it the "
                "request cannot authenticate.)",
                ("Yes", "No"), "Yes")
            if answer == "Yes":
                try:
                    for name, value in imported.secrets.items():
                        self.service.set_secret(tab.path, name, value)
                except RelaydeskError as exc:
                    self.show_problem(str(exc))
        self.statusBar().showMessage("Request filled from the curl command.", 4000)
