"""`mypy --strict` over the packages pyproject's [tool.mypy] `files` names is part of the
test command: any error fails the suite and is printed."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _targets() -> list[str]:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    files = config["tool"]["mypy"]["files"]
    return [files] if isinstance(files, str) else list(files)


def test_mypy_targets_exist() -> None:
    targets = _targets()
    assert targets, "pyproject's [tool.mypy] names no files"
    for target in targets:
        assert (REPO / target).exists(), target


def test_mypy_strict_is_clean() -> None:
    env = {**os.environ, "MYPYPATH": str(REPO / "src")}
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--no-color-output",
         *_targets()],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    errors = [line for line in proc.stdout.splitlines() if ": error:" in line]
    assert proc.returncode == 0 and not errors, (
        f"mypy --strict found {len(errors)} error(s):\n" + (proc.stdout + proc.stderr).strip())
