"""One bridge for what the user is told: status text and problems.

Controllers and panels emit here (or emit signals the window forwards here); the
window connects the bridge to its status bar once. Nothing below the window calls
the window to show a message.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

__all__ = ["PROBLEM_MS", "STATUS_MS", "MessageBridge"]

STATUS_MS = 5000  # how long a status line stays
PROBLEM_MS = 10000  # problems stay longer: they are read, not glanced at


class MessageBridge(QObject):
    statusShown = Signal(str, int)  # text, milliseconds (0: until replaced)
    problemShown = Signal(str)  # a user message about something that failed

    # A server's words may reach here (a reason phrase, an error body): no control
    # characters get to the window.
    def status(self, text: str, msecs: int = STATUS_MS) -> None:
        from relaydesk.core.printable import printable  # its patterns compile on import

        self.statusShown.emit(printable(text), msecs)

    def problem(self, text: str) -> None:
        from relaydesk.core.printable import printable

        self.problemShown.emit(printable(text))
