"""The real app starts, sends real requests through its window, and exits with 0.

PySide6 6.12.0 + qasync 0.28.0 was seen aborting at interpreter exit with a
"refcount error" (exit 134) after many loop iterations; this is the test that
pins what passes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from relaydesk.core.model import Connection, Request
from relaydesk.core.workspace import Workspace

HOOK = textwrap.dedent('''
    import asyncio, json, os

    async def run(window, service):
        results = []
        send = service.send

        async def recording_send(*args, **kwargs):
            response = await send(*args, **kwargs)
            results.append(response.status)
            return response

        service.send = recording_send
        for i in range(int(os.environ["ROUNDS"])):
            path = ["local/echo/Get echo", "local/echo/Json"][i % 2]
            tab = window.open_request(path)
            window.sending.send(tab)
            await asyncio.sleep(0)
            while tab.busy():
                await asyncio.sleep(0.005)
        # One cancelled request too: cancelling must not leave anything behind.
        tab = window.open_request("local/echo/Slow")
        window.sending.send(tab)
        await asyncio.sleep(0.2)
        window.sending.cancel(tab)
        while tab.busy():
            await asyncio.sleep(0.005)
        with open(os.environ["RESULT_FILE"], "w") as f:
            json.dump(results, f)
        window.close()
''')


def _workspace(root: Path, echo_server: str) -> Path:
    ws = Workspace.open(root)
    ws.save_connection(Connection(path="local/echo", base_url=echo_server), create=True)
    ws.save_request(Request(path="local/echo/Get echo", url="/echo/exit"), create=True)
    ws.save_request(Request(path="local/echo/Json", url="/json"), create=True)
    ws.save_request(Request(path="local/echo/Slow", url="/slow?delay=10"), create=True)
    return root


def _app_env(tmp_path: Path, hook: str, **extra: str) -> dict[str, str]:
    """The app's environment: offscreen, the hook module from ``tmp_path``, its own
    settings file."""
    return {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]),
        "RELAYDESK_TEST_HOOK": hook,
        "RELAYDESK_SETTINGS": str(tmp_path / "settings.ini"),
        # No keyring probing over D-Bus: the app must also start without one.
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        **extra,
    }


def test_app_sends_real_requests_and_exits_zero(tmp_path: Path, echo_server: str) -> None:
    root = _workspace(tmp_path / "ws", echo_server)
    (tmp_path / "exit_hook.py").write_text(HOOK)
    result_file = tmp_path / "result.json"
    env = _app_env(tmp_path, "exit_hook:run", RESULT_FILE=str(result_file), ROUNDS="40")
    # Started as a user starts it: the command with no subcommand opens the app.
    proc = subprocess.run([sys.executable, "-m", "relaydesk", "--workspace", str(root)],
                          env=env, capture_output=True, text=True, timeout=120)
    assert "refcount" not in proc.stderr.lower(), proc.stderr
    assert proc.returncode == 0, proc.stderr
    assert json.loads(result_file.read_text()) == [200] * 40
    # The window saved its state on the way out.
    assert "local/echo/Slow" in (tmp_path / "settings.ini").read_text()


READY_HOOK = textwrap.dedent('''
    import os

    def ready(window, service):
        window.open_request("local/echo/Json")
        open(os.environ["READY_FILE"], "w").close()
''')


def _signal_when_ready(root: Path, env: dict[str, str], ready: Path,
                       signum: int) -> tuple[int, str]:
    """Start the app as a user does, send ``signum`` once the hook wrote ``ready``;
    the exit code and stderr."""
    proc = subprocess.Popen([sys.executable, "-m", "relaydesk", "--workspace", str(root)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not ready.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ready.exists(), "the app did not start"
        proc.send_signal(signum)
        _out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return proc.returncode, err


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_sigint_and_sigterm_quit_cleanly(tmp_path: Path, echo_server: str, signum: int) -> None:
    """Ctrl+C in the terminal (or a SIGTERM) closes the window the normal way: exit 0,
    no KeyboardInterrupt, no "Something went wrong", the window's state saved."""
    root = _workspace(tmp_path / "ws", echo_server)
    (tmp_path / "ready_hook.py").write_text(READY_HOOK)
    ready = tmp_path / "ready"
    env = _app_env(tmp_path, "ready_hook:ready", READY_FILE=str(ready))
    code, err = _signal_when_ready(root, env, ready, signum)
    assert code == 0, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert "unexpected error" not in err, err  # what the "Something went wrong" box logs
    assert "local/echo/Json" in (tmp_path / "settings.ini").read_text()


UNSAVED_HOOK = textwrap.dedent('''
    import os
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    def ready(window, service):
        tab = window.open_request("local/echo/Json")
        tab.editor.url_bar.setText("/json?edited=1")  # unsaved work

        def answer():
            box = QApplication.activeModalWidget()
            if not isinstance(box, QMessageBox):
                QTimer.singleShot(20, answer)
                return
            with open(os.environ["ASKED_FILE"], "w") as f:
                f.write(box.text())
            box.button(QMessageBox.StandardButton.Save).click()

        QTimer.singleShot(0, answer)
        open(os.environ["READY_FILE"], "w").close()
''')


def test_sigint_with_unsaved_work_asks_and_saves_then_exits_zero(
        tmp_path: Path, echo_server: str) -> None:
    """Ctrl+C in the terminal never loses an edit: the window asks Save / Discard /
    Cancel as any close does; answered Save, the edit is on disk and the exit is 0."""
    root = _workspace(tmp_path / "ws", echo_server)
    (tmp_path / "unsaved_hook.py").write_text(UNSAVED_HOOK)
    ready, asked = tmp_path / "ready", tmp_path / "asked"
    env = _app_env(tmp_path, "unsaved_hook:ready", READY_FILE=str(ready),
                   ASKED_FILE=str(asked))
    code, err = _signal_when_ready(root, env, ready, signal.SIGINT)
    assert code == 0, err
    assert "KeyboardInterrupt" not in err and "Traceback" not in err, err
    assert "has changes that are not saved" in asked.read_text()
    saved = Workspace.open(root).request("local/echo/Json")
    assert saved.url == "/json?edited=1"
