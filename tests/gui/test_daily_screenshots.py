"""The daily-driver screens in the real app on an X display (Xvfb), saved to
artifacts/daily/ to be looked at (see tests/gui/daily_screens_hook.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .test_screenshot import REPO, _display_command, sample_workspace

SHOTS = REPO / "artifacts" / "daily"
NAMES = ("environments.png", "auth-tab.png", "auth-dialog-bearer.png",
         "auth-dialog-oauth.png", "save-to.png", "changed-on-disk.png",
         "environments-dark.png", "changed-on-disk-dark.png", "file-menu.png")


@pytest.mark.xvfb
def test_daily_driver_screens(tmp_path: Path, echo_server: str) -> None:
    from PySide6.QtGui import QImage

    prefix = _display_command()
    ws = sample_workspace(tmp_path / "ws", echo_server)
    for name in NAMES:
        (SHOTS / name).unlink(missing_ok=True)
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb",
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
           "RELAYDESK_TEST_HOOK": "tests.gui.daily_screens_hook:run",
           "RELAYDESK_SETTINGS": str(tmp_path / "settings.ini"),
           "RELAYDESK_HISTORY": str(tmp_path / "history.sqlite3"),
           "SHOT_DIR": str(SHOTS), "SHOT_REQUEST": "local/echo/Create item"}
    code = "import sys; from relaydesk.app import run_app; sys.exit(run_app(sys.argv[1]))"
    proc = subprocess.run([*prefix, sys.executable, "-c", code, str(ws.root)], env=env,
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    for name in NAMES:
        image = QImage(str(SHOTS / name))
        assert image.width() >= 600 and image.height() >= 400, name
        # A fine grid: a coarse one counts a colour less when a toolbar entry moves.
        colours = {image.pixel(x, y) for x in range(0, image.width(), 7)
                   for y in range(0, image.height(), 5)}
        assert len(colours) > 20, f"{name} looks blank"
    # The secret variable's value is in no workspace file.
    assert not [f for f in ws.iter_files() if "shot-secret-1" in f.read_text()]
