"""Open the real main window on an X display (Xvfb) and save screenshots to artifacts/.

Look at them: artifacts/screenshot.png (system palette) and screenshot-dark.png.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.gui.sample_workspace import sample_workspace

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts"


def _display_command() -> list[str]:
    if os.environ.get("DISPLAY"):
        return []
    if shutil.which("xvfb-run"):
        return ["xvfb-run", "-a", "-s", "-screen 0 1280x1024x24 -nolisten tcp"]
    pytest.skip("no X display and no xvfb-run (install xvfb, or run scripts/test)")


@pytest.mark.xvfb
def test_real_window_screenshot(tmp_path: Path, echo_server: str) -> None:
    from PySide6.QtGui import QImage

    prefix = _display_command()
    ws = sample_workspace(tmp_path / "ws", echo_server)
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb",
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
           "RELAYDESK_TEST_HOOK": "tests.gui.screenshot_hook:run",
           "RELAYDESK_SETTINGS": str(tmp_path / "settings.ini"), "RELAYDESK_THEME": "light",
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
           "SHOT_DIR": str(ARTIFACTS), "SHOT_REQUEST": "local/echo/Create item"}
    code = "import sys; from relaydesk.app import run_app; sys.exit(run_app(sys.argv[1]))"
    proc = subprocess.run([*prefix, sys.executable, "-c", code, str(ws.root)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    for name in ("screenshot.png", "screenshot-dark.png"):
        image = QImage(str(ARTIFACTS / name))
        assert image.width() >= 1000 and image.height() >= 600, name
        # A fine grid: a coarse one counts a colour less when a toolbar entry moves.
        colours = {image.pixel(x, y) for x in range(0, image.width(), 7)
                   for y in range(0, image.height(), 5)}
        assert len(colours) > 20, f"{name} looks blank"


@pytest.mark.xvfb
def test_the_screenshot_script_photographs_every_main_screen(tmp_path: Path) -> None:
    """scripts/screenshots.py, at one theme and size: each screen is a real picture of
    the right size, and the dark one is dark."""
    from PySide6.QtGui import QImage

    if not os.environ.get("DISPLAY") and not shutil.which("xvfb-run"):
        pytest.skip("no X display and no xvfb-run (install xvfb, or run scripts/test)")
    out = tmp_path / "shots"
    proc = subprocess.run([sys.executable, str(REPO / "scripts" / "screenshots.py"),
                           "--out", str(out), "--themes", "dark", "--sizes", "1000x700"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    from tests.gui.screenshot_tour import SCREENS

    for screen in SCREENS:
        image = QImage(str(out / f"dark-1000x700-{screen}.png"))
        assert (image.width(), image.height()) >= (1000, 700), screen
        samples = [image.pixelColor(x, y) for x in range(0, image.width(), 41)
                   for y in range(0, image.height(), 31)]
        assert len({c.name() for c in samples}) > 8, f"{screen} looks blank"
        dark = sum(c.lightness() < 100 for c in samples)
        assert dark > len(samples) * 0.6, f"{screen} is not dark"
