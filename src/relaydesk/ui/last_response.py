"""A reopened request shows the response it last got (kept across restarts by the
core, redacted, marked with when it arrived) until it is sent again."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer

from relaydesk.core.errors import RelaydeskError

if TYPE_CHECKING:
    from .request_tab import RequestTab
    from .service import Service

__all__ = ["show_last_response"]


def show_last_response(tab: RequestTab, service: Service) -> None:
    """After the current event (never in the way of the first frame): the kept
    response, if the tab has shown nothing yet."""

    def show() -> None:
        if tab.view.response() is not None or tab.busy():
            return
        try:
            response = service.last_response(tab.path)
        except (RelaydeskError, OSError):
            return  # a missing or unreadable copy: the tab simply starts empty
        if response is not None and tab.view.response() is None and not tab.busy():
            tab.view.show_response(response)

    QTimer.singleShot(0, tab, show)
