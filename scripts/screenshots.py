"""Photograph the app's main screens in both themes at two window sizes.

    .venv/bin/python scripts/screenshots.py [--out artifacts/screenshots]
        [--themes light,dark] [--sizes 1600x1000,1000x700] [--readme]

Starts a loopback echo server, builds a sample workspace (and an empty one) in a
temporary directory, and runs the real app on a virtual X display (xvfb-run) once per
theme and size with ``tests/gui/screenshot_tour.py`` as its test hook. Writes
``THEME-SIZE-SCREEN.png`` for the screens empty, json, error, connection and runner.
``--readme`` also copies the pictures the README shows into docs/screenshots/.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
README_SHOTS = ("light-1600x1000-json", "dark-1600x1000-json", "light-1000x700-empty")


def _app(workspace: Path, env: dict[str, str]) -> None:
    display = [] if os.environ.get("DISPLAY") else [
        "xvfb-run", "-a", "-s", "-screen 0 1700x1100x24 -nolisten tcp"]
    code = "import sys; from relaydesk.app import run_app; sys.exit(run_app(sys.argv[1]))"
    proc = subprocess.run([*display, sys.executable, "-c", code, str(workspace)],
                          env=env, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        raise SystemExit(f"the app failed ({proc.returncode}): {proc.stderr[-2000:]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "artifacts" / "screenshots")
    parser.add_argument("--themes", default="light,dark")
    parser.add_argument("--sizes", default="1600x1000,1000x700")
    parser.add_argument("--readme", action="store_true",
                        help="copy the README's pictures into docs/screenshots/")
    args = parser.parse_args()
    if not os.environ.get("DISPLAY") and shutil.which("xvfb-run") is None:
        parser.error("needs an X display or xvfb-run (Debian package xvfb)")

    from tests.gui.sample_workspace import sample_workspace
    from tests.gui.screenshot_tour import SCREENS
    from tests.servers import start_uvicorn

    server = start_uvicorn()
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            sample = sample_workspace(root / "Relaydesk demo", server.base_url).root
            empty = root / "New workspace"
            empty.mkdir()
            base_env = {**os.environ, "QT_QPA_PLATFORM": "xcb",
                        "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)]),
                        "RELAYDESK_TEST_HOOK": "tests.gui.screenshot_tour:run",
                        "RELAYDESK_HISTORY": "off",
                        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
                        "SHOT_DIR": str(args.out)}
            for theme in args.themes.split(","):
                for size in args.sizes.split(","):
                    env = {**base_env, "RELAYDESK_THEME": theme, "SHOT_SIZE": size,
                           "SHOT_PREFIX": f"{theme}-{size}",
                           "RELAYDESK_SETTINGS": str(root / f"{theme}-{size}.ini")}
                    _app(empty, {**env, "SHOT_SCREENS": "empty"})
                    _app(sample, {**env, "SHOT_SCREENS": ",".join(
                        s for s in SCREENS if s != "empty")})
                    print(f"{theme} {size}: " + ", ".join(
                        f"{theme}-{size}-{s}.png" for s in SCREENS), flush=True)
    finally:
        server.stop()
    if args.readme:
        docs = REPO / "docs" / "screenshots"
        docs.mkdir(parents=True, exist_ok=True)
        for name in README_SHOTS:
            shutil.copy(args.out / f"{name}.png", docs / f"{name}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
