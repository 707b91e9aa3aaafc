"""The one composition root of the desktop app.

Builds the workspace, keyring store, engine, service and main window, runs asyncio
inside Qt's event loop (qasync) and shuts down in order: window closed → engine
closed (awaited) → loop closed → exit code 0. Heavy modules load after the window is
built, so start-up stays close to a bare Qt window.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
import traceback
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import asyncio

    from relaydesk.core.session import Session

__all__ = ["ENV_QUIT_AFTER_MS", "ENV_TEST_HOOK", "run_app"]

log = logging.getLogger("relaydesk")

# "module:function" called with (window, service) once the window is shown; the exit
# test uses it to send real requests and quit. Not a user feature.
ENV_TEST_HOOK = "RELAYDESK_TEST_HOOK"
# Close the window (the normal way) N ms after start-up: smoke checks of installed
# bundles, which cannot load a test hook module. Not a user feature.
ENV_QUIT_AFTER_MS = "RELAYDESK_QUIT_AFTER_MS"


def _icon_path() -> Path | None:
    here = Path(__file__).resolve().parent
    for candidate in (here / "resources" / "relaydesk.svg",
                      here.parent.parent / "resources" / "relaydesk.svg"):
        if candidate.is_file():
            return candidate
    return None


class _ErrorReporter:
    """Logs unexpected exceptions and shows them in a non-modal message; the app lives on."""

    def __init__(self) -> None:
        self.window: Any = None
        self._box: Any = None
        self._showing = False

    def excepthook(self, kind: type[BaseException], exc: BaseException,
                   tb: TracebackType | None) -> None:
        log.error("unexpected error", exc_info=(kind, exc, tb))
        self.show(exc, "".join(traceback.format_exception(kind, exc, tb)))

    def loop_handler(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if exc is None:
            log.error("asyncio: %s", context.get("message"))
            return
        log.error("unexpected error in a task: %s", context.get("message"), exc_info=exc)
        self.show(exc, "".join(traceback.format_exception(exc)))

    def show(self, exc: BaseException, details: str) -> None:
        if self._showing:  # an error while reporting an error: the log has it
            return
        self._showing = True
        try:
            from PySide6.QtWidgets import QMessageBox

            from relaydesk.core.messages import user_message

            box = QMessageBox(self.window)
            box.setIcon(QMessageBox.Icon.Warning)
            box.setWindowTitle("Relaydesk: unexpected error")
            box.setText("Something went wrong, but Relaydesk is still running.\n\n"
                        + user_message(exc))
            box.setDetailedText(details)
            box.setModal(False)
            box.show()
            self._box = box  # keep it alive while shown
        finally:
            self._showing = False


class _QuitOnSignals:
    """SIGINT (Ctrl+C in the terminal) and SIGTERM close the window the normal way
    (unsaved tabs are asked about; the engine closes; exit 0) instead of raising
    KeyboardInterrupt inside some Qt callback.

    Python runs signal handlers only between bytecodes, and Qt's event loop waits in
    C++: the handler writes a byte to a socket Qt watches (``set_wakeup_fd``), so the
    handler runs as soon as the signal arrives, and the close is queued for the loop.
    """

    SIGNALS = ("SIGINT", "SIGTERM")

    def __init__(self, close: Any) -> None:
        import signal
        import socket

        from PySide6.QtCore import QSocketNotifier, QTimer

        self._reader, self._writer = socket.socketpair()
        for sock in (self._reader, self._writer):
            sock.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno())
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read)
        self._notifier.activated.connect(self._drain)
        self._previous: dict[int, Any] = {}

        def handler(signum: int, _frame: object) -> None:
            log.info("signal %d: closing the window", signum)
            QTimer.singleShot(0, close)

        for name in self.SIGNALS:
            number = getattr(signal, name)
            self._previous[number] = signal.signal(number, handler)

    def _drain(self) -> None:
        try:
            while self._reader.recv(64):
                pass
        except OSError:  # empty (would block)
            pass

    def stop(self) -> None:
        import signal

        for number, previous in self._previous.items():
            signal.signal(number, previous)
        signal.set_wakeup_fd(self._previous_fd)
        self._notifier.setEnabled(False)
        self._reader.close()
        self._writer.close()


def _system_keyring() -> Any:
    """The OS keyring, or None (logged) when there is none: every dialog that needs it
    then explains what to do."""
    from relaydesk.core.errors import SecretStoreError
    from relaydesk.core.secrets import system_keyring

    try:
        return system_keyring()
    except SecretStoreError as exc:
        log.warning("%s", exc)
        return None


def _probe_keyring() -> None:
    """Import keyring and find the OS's backend (keyring keeps it for the next ask)."""
    from relaydesk.core.secrets import system_keyring

    system_keyring()


def run_app(workspace_dir: Path | None = None, argv: list[str] | None = None,
            theme: str | None = None) -> int:
    """``argv``: Qt's own options (``-style fusion``…); ``theme``: light, dark or system
    for this run (else the saved choice)."""
    import gc

    # Python's cyclic collector runs on the GUI thread only, from a timer, once the event
    # loop runs (ui/gc_guard.py). Off from here on, start-up does not stop to walk the
    # objects Qt's modules have just made (14M instructions before the first frame),
    # and no collection can start in the warm-up thread either.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _start(workspace_dir, argv, theme)
    finally:
        if collecting:
            gc.enable()


def _start(workspace_dir: Path | None, argv: list[str] | None, theme: str | None) -> int:
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from relaydesk.core.errors import RelaydeskError
    from relaydesk.core.workspace import Workspace, resolve_workspace_dir

    logging.basicConfig(level=os.environ.get("RELAYDESK_LOG", "WARNING"))
    qt_args = [sys.argv[0] if sys.argv else "relaydesk", *(argv or [])]
    keep_style = any(a == "-style" or a.startswith("-style=") for a in qt_args) \
        or bool(os.environ.get("QT_STYLE_OVERRIDE"))  # the user's own choice of style
    if not keep_style:
        # Fusion by name: asking Qt for its default style first searches the style
        # plugins (about 45M instructions before the first frame).
        qt_args += ["-style", "fusion"]
    app = QApplication.instance() or QApplication(qt_args)
    assert isinstance(app, QApplication)
    app.setApplicationName("Relaydesk")
    app.setApplicationDisplayName("Relaydesk")
    app.setOrganizationName("Relaydesk")
    app.setDesktopFileName("io.github.relaydesk.Relaydesk")
    # The window's close, not the last-window rule, ends the app: the engine must be
    # closed inside the still-running loop first.
    app.setQuitOnLastWindowClosed(False)
    reporter = _ErrorReporter()
    previous_hook = sys.excepthook
    sys.excepthook = reporter.excepthook
    try:
        try:
            workspace = Workspace.open(resolve_workspace_dir(workspace_dir), lazy=True)
        except RelaydeskError as exc:
            print(f"relaydesk: {exc}", file=sys.stderr)
            return 2
        from relaydesk.ui.main_window import MainWindow
        from relaydesk.ui.service import Service
        from relaydesk.ui.settings import make_settings
        from relaydesk.ui.theme import apply_theme, saved_mode

        settings = make_settings()
        apply_theme(app, theme or saved_mode(settings))

        # Paint first, then do what the first frame does not need: the window icon,
        # reading the rest of the request files (in steps), probing the keyring (D-Bus)
        # and importing asyncio/qasync. No user input is handled before all but the
        # stepped reading is done. The session is the app's one core session (the CLI
        # and scripts build the same). The first frame reads only the workspace: the
        # session is made on first use, and its keyring attached after the first frame.
        def make_session() -> Session:
            from relaydesk.core.session import Session

            return Session(workspace, keyring=None, cache=True, history_source="app")

        service = Service(workspace=workspace, make_session=make_session)
        window = MainWindow(service, settings)
        reporter.window = window
        window.show()
        app.processEvents()
        session = service.session  # its modules load now, after the first frame
        # After the first frame, the imports and the keyring probe run in a worker
        # thread while the window keeps painting; then the stepped reading starts.
        from relaydesk.ui.warm_up import warm_up

        warm_up(("asyncio", "socket", "signal"), _probe_keyring)
        # Paints and timers between the steps of the start (no input yet): each step
        # takes 5-25 ms, together more than an event-loop turn should.
        from PySide6.QtCore import QEventLoop

        def paint() -> None:
            app.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)

        window.install_workflow()  # what read_workspace and finish_start build on
        paint()
        window.read_workspace()
        paint()
        quit_on_signals = _QuitOnSignals(window.close)
        window.finish_start(paint)
        if (icon := _icon_path()) is not None:  # loads the SVG plugin: after first paint
            app.setWindowIcon(QIcon(str(icon)))
        paint()
        session.set_keyring(_system_keyring())  # the probe's answer, kept by keyring
        # What start-up made lives as long as the app: the collector skips it from now
        # on (its first pass walked it all, a 25 ms stop at 50,000 requests).
        import gc

        gc.freeze()
        try:
            return _run_loop(app, window, service, reporter)
        finally:
            quit_on_signals.stop()
    finally:
        sys.excepthook = previous_hook


def _run_loop(app: Any, window: Any, service: Any, reporter: _ErrorReporter) -> int:
    import asyncio

    import qasync

    from relaydesk.ui.gc_guard import GuiThreadCollector

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    loop.set_exception_handler(reporter.loop_handler)
    collector = GuiThreadCollector(app)
    try:
        try:
            loop.run_until_complete(_main(window, service))
        except RuntimeError as exc:  # Qt quit on its own (session end): still close cleanly
            log.info("event loop stopped early: %s", exc)
            loop.run_until_complete(service.aclose())
        window.deleteLater()
        app.processEvents()
        return 0
    finally:
        collector.stop()
        if not loop.is_closed():
            loop.close()
        asyncio.set_event_loop(None)


async def _main(window: Any, service: Any) -> None:
    import asyncio

    closed = asyncio.Event()
    window.closed.connect(closed.set)
    hook_task = None
    if hook := os.environ.get(ENV_TEST_HOOK):
        module, _, func = hook.partition(":")
        result = getattr(importlib.import_module(module), func)(window, service)
        if asyncio.iscoroutine(result):
            hook_task = asyncio.ensure_future(result)  # referenced until the app ends
    if quit_after := os.environ.get(ENV_QUIT_AFTER_MS):
        asyncio.get_running_loop().call_later(int(quit_after) / 1000, window.close)
    await closed.wait()
    if hook_task is not None and not hook_task.done():
        hook_task.cancel()
    await service.aclose()
