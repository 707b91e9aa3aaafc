"""The start-up budget, checked in CI on instruction counts (deterministic, unlike
timings): the app's first frame may cost at most ``BUDGET`` times the same frame
built from stock Qt widgets (``benchmarks/startup.py --instructions``).

``BUDGET`` is today's cost with a small margin, so start-up cannot grow unnoticed;
issue 16's target is ``TARGET``. Lower the budget as start-up work lands, never
raise it to let a change through.

It runs the benchmark itself (three programs under callgrind, a few minutes), so it
carries the ``startup`` mark: ``-m "not startup"`` leaves it out of a quick run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import relaydesk

TARGET = 1.15  # issues 16 and 20: first frame <= 1.15x the stock-widget frame (met at 1,000)
# Measured 1.17x with plain Qt enums and the Python tree model, then 1.22x once the
# workspace format 2 (ids, order and lock files) and the core session landed, then
# 1.20x once the tree listed only the containers shown (no pass over every item), then
# 1.22x with the theme's palette, the empty state's buttons (the stock frame has them
# too), and the session's new parts (client certificates, secret references, limits)
# loading only what the first frame needs. TARGET met at 1,000 requests: 1.15x (920.8M
# against 802.7M) once the core session, the request tabs, the closed docks, the send
# controller and the shortcuts waited until after the first frame, QEvent stayed
# unbuilt, and the GUI-thread collector's policy started with run_app.
BUDGET = 1.16
ROOT = Path(__file__).resolve().parents[2]
RATIO = re.compile(r"^Relaydesk / stock widgets\s+([\d.]+)x", re.MULTILINE)

pytestmark = pytest.mark.startup


@pytest.mark.skipif(shutil.which("valgrind") is None,
                    reason="needs valgrind (Debian package valgrind) to count instructions")
def test_first_frame_within_the_instruction_budget() -> None:
    src = str(Path(relaydesk.__file__).resolve().parents[1])  # the relaydesk under test
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [src, *filter(None, [os.environ.get("PYTHONPATH")])])}
    env.pop("QT_QPA_PLATFORM", None)  # the benchmark picks offscreen itself
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "startup.py"),
                           "--instructions"], env=env, capture_output=True, text=True,
                          timeout=1800, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    match = RATIO.search(proc.stdout)
    assert match is not None, proc.stdout
    ratio = float(match.group(1))
    assert ratio <= BUDGET, f"first frame costs {ratio:.2f}x the stock widgets " \
                            f"(budget {BUDGET}x):\n{proc.stdout}"
