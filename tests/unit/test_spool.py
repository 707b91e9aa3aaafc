"""The spool folder is private to the user, or not used."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

import pytest

from relaydesk.core import spool


@pytest.fixture
def tmp_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(spool, "_private", [])
    return tmp_path


def test_bodies_go_to_a_private_folder_of_the_user(tmp_root: Path) -> None:
    handle = spool.new_spool_file()
    handle.close()
    path = Path(handle.name)
    assert path.parent == tmp_root / f"relaydesk-{os.getuid()}"
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert path.name.startswith(f"{os.getpid()}-")
    spool.release(path)
    assert not path.exists()


def test_a_folder_opened_up_by_someone_else_is_not_used(tmp_root: Path) -> None:
    planted = tmp_root / f"relaydesk-{os.getuid()}"
    planted.mkdir()
    planted.chmod(0o777)  # what a hostile user on a shared /tmp would prepare
    handle = spool.new_spool_file()
    handle.close()
    path = Path(handle.name)
    assert path.parent != planted and path.parent.parent == tmp_root
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert list(planted.iterdir()) == []
    spool.release(path)
