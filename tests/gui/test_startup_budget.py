"""The start-up budget, checked in CI on instruction counts (deterministic, unlike
timings): the app's first frame may cost at most ``BUDGETS[size]`` times the same
frame built from stock Qt widgets (``benchmarks/startup.py --instructions --requests
size``), at 1,000 and at 50,000 requests.

Each budget is today's cost with a small margin, so start-up cannot grow unnoticed;
issue 16's target is ``TARGET``. Lower the budget as start-up work lands, never
raise it to let a change through.

It runs the benchmark itself (three programs under callgrind, a few minutes per size), so it
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

TARGET = 1.15  # issues 16 and 20: first frame <= 1.15x the stock-widget frame
# Budgets per workspace size (requests): today's cost with a small margin.
# 1,000: 1.17x with plain Qt enums and the Python tree model, 1.22x once workspace
# format 2 and the core session landed, 1.15x once the core session, the request tabs,
# the closed docks, the send controller and the shortcuts waited until after the first
# frame, then 1.11x with the lazy workspace listing and one expandToDepth for the
# groups and connections: TARGET met; 1.07x with the tree's rows as Qt's own items.
# 50,000 (500 connections, 2,500 folders shown): 2.47x, 1.70x once folders were listed
# when opened, 1.38x with the lighter walk and tree calls, 1.20x once the tree's rows
# were Qt's own items (no Python per row laid out) and the workspace opened with one
# directory read per directory, 1.15x (TARGET met, narrowly) once a row's node was
# made when first asked for, items carried no text (one call per folder row, its
# placeholder included) and connections came in tree order from the workspace.
BUDGETS = {1000: 1.09, 50000: 1.16}
ROOT = Path(__file__).resolve().parents[2]
RATIO = re.compile(r"^Relaydesk / stock widgets\s+([\d.]+)x", re.MULTILINE)

pytestmark = pytest.mark.startup


@pytest.mark.skipif(shutil.which("valgrind") is None,
                    reason="needs valgrind (Debian package valgrind) to count instructions")
@pytest.mark.parametrize("requests", sorted(BUDGETS))
def test_first_frame_within_the_instruction_budget(requests: int) -> None:
    budget = BUDGETS[requests]
    src = str(Path(relaydesk.__file__).resolve().parents[1])  # the relaydesk under test
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [src, *filter(None, [os.environ.get("PYTHONPATH")])])}
    env.pop("QT_QPA_PLATFORM", None)  # the benchmark picks offscreen itself
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "startup.py"),
                           "--instructions", "--requests", str(requests)], env=env,
                          capture_output=True, text=True, timeout=1800, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    match = RATIO.search(proc.stdout)
    assert match is not None, proc.stdout
    ratio = float(match.group(1))
    assert ratio <= budget, f"first frame at {requests:,} requests costs {ratio:.2f}x " \
                            f"the stock widgets (budget {budget}x):\n{proc.stdout}"
