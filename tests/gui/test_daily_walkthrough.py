"""The issue-14 walkthrough in the real app on an X display (Xvfb): one screenshot per
new screen, in artifacts/daily/. Look at them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from relaydesk.core.model import Connection, Request
from relaydesk.core.workspace import Workspace

from .test_screenshot import ARTIFACTS, REPO, _display_command

SHOTS = ("in-flight", "timeline", "restored", "query", "checks", "runner", "focus",
         "timeline-dark", "in-flight-dark")


@pytest.mark.xvfb
def test_walkthrough_screenshots(tmp_path: Path, echo_server: str) -> None:
    from PySide6.QtGui import QImage

    prefix = _display_command()
    ws = Workspace.open(tmp_path / "ws")
    ws.save_connection(Connection(path="local/echo", base_url=echo_server), create=True)
    for name, url, checks in (
            ("Json", "/json", [{"kind": "jsonpath_equals", "path": "$.name",
                                "value": "relaydesk"}]),
            ("Redirected", "/redirect?to=/echo/landed&code=302", []),
            ("Pasted", "/echo", []),
            ("Checked", "/json", [{"kind": "status_equals", "value": 201},
                                  {"kind": "header_present", "header": "ETag"}])):
        ws.save_request(Request(path=f"local/echo/{name}", url=url, checks=checks),
                        create=True)
    shots = ARTIFACTS / "daily"
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb",
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
           "RELAYDESK_TEST_HOOK": "tests.gui.daily_walkthrough_hook:run",
           "RELAYDESK_SETTINGS": str(tmp_path / "settings.ini"),
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
           "SHOT_DIR": str(shots)}
    code = "import sys; from relaydesk.app import run_app; sys.exit(run_app(sys.argv[1]))"
    proc = subprocess.run([*prefix, sys.executable, "-c", code, str(ws.root)], env=env,
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    for name in SHOTS:
        image = QImage(str(shots / f"{name}.png"))
        assert image.width() >= 1000 and image.height() >= 600, name
        colours = {image.pixel(x, y) for x in range(0, image.width(), 37)
                   for y in range(0, image.height(), 29)}
        assert len(colours) > 10, f"{name} looks blank"
