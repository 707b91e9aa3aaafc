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

from relaydesk.core.model import Body, Connection, KeyValue, Request
from relaydesk.core.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts"


def sample_workspace(root: Path, echo_server: str) -> Workspace:
    ws = Workspace.open(root)
    ws.save_connection(Connection(path="jira/cloud",
                                  base_url="https://example.atlassian.net/rest/api/3",
                                  docs_url="https://developer.atlassian.com/cloud/jira"),
                       create=True)
    for name, method, url in (("issues/Get issue", "GET", "/issue/{{key}}"),
                              ("issues/Create issue", "POST", "/issue"),
                              ("issues/Delete issue", "DELETE", "/issue/{{key}}"),
                              ("Search", "GET", "/search?jql={{jql}}")):
        ws.save_request(Request(path=f"jira/cloud/{name}", method=method, url=url), create=True)
    ws.save_connection(Connection(path="github", base_url="https://api.github.com"),
                       create=True)
    ws.save_request(Request(path="github/Get user", url="/user"), create=True)
    ws.save_request(Request(path="github/Update repo", method="PATCH", url="/repos/{{repo}}"),
                    create=True)
    ws.save_connection(Connection(path="local/echo", base_url=echo_server), create=True)
    ws.save_request(Request(
        path="local/echo/Create item", method="POST", url="/echo/items?notify=true",
        headers=[KeyValue("X-Request-Id", "rd-42")],
        body=Body.from_json({"name": "Relaydesk", "tags": ["api", "desktop"], "count": 3})),
        create=True)
    return ws


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
           "RELAYDESK_SETTINGS": str(tmp_path / "settings.ini"),
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
