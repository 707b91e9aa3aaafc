"""SwapWriter: many small files replaced atomically, with or without renameat2."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from relaydesk.core import file_swap
from relaydesk.core.file_swap import SwapWriter, replace_file


def _write_round(folder: Path, texts: dict[str, bytes]) -> None:
    with SwapWriter(folder) as files:
        for name, data in texts.items():
            files.write(str(folder / name), data)


@pytest.mark.parametrize("exchange", [True, False], ids=["swapped", "renamed"])
def test_files_are_replaced_whole_and_no_spare_is_left(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exchange: bool) -> None:
    if not exchange:
        monkeypatch.setattr(file_swap, "_exchange", None)
    first = {f"f{n}.json": b"first " * (50 - n) for n in range(5)}  # new files
    _write_round(tmp_path, first)
    second = {f"f{n}.json": b"second" * (n + 1) for n in range(5)}  # longer and shorter
    _write_round(tmp_path, second)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == second
    assert all(os.stat(p).st_mode & 0o777 == 0o600 for p in tmp_path.iterdir())


def test_the_spare_is_reused_between_writes(tmp_path: Path) -> None:
    if file_swap._renameat2() is None:
        pytest.skip("renameat2 is Linux-only")  # the renamed case above still runs
    (tmp_path / "a.json").write_bytes(b"old a")
    (tmp_path / "b.json").write_bytes(b"old b")
    inode_a = os.stat(tmp_path / "a.json").st_ino
    with SwapWriter(tmp_path) as files:
        files.write(str(tmp_path / "a.json"), b"new a")
        files.write(str(tmp_path / "b.json"), b"new b")
    # b's new content went into a's old file: no inode was freed and made again.
    assert os.stat(tmp_path / "b.json").st_ino == inode_a
    assert (tmp_path / "a.json").read_bytes() == b"new a"
    assert (tmp_path / "b.json").read_bytes() == b"new b"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "b.json"]


def test_replace_file_leaves_nothing_behind_when_it_fails(tmp_path: Path) -> None:
    (tmp_path / "dir.json").mkdir()
    with pytest.raises(OSError):
        replace_file(str(tmp_path / "dir.json"), b"x")
    assert [p.name for p in tmp_path.iterdir()] == ["dir.json"]


def test_a_link_in_a_target_s_place_is_replaced_and_what_it_points_at_kept(
        tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"not ours")
    folder = tmp_path / "kept"
    folder.mkdir()
    (folder / "a.json").symlink_to(outside)
    _write_round(folder, {"a.json": b"new a", "b.json": b"new b"})
    assert not (folder / "a.json").is_symlink()
    assert (folder / "a.json").read_bytes() == b"new a"
    assert (folder / "b.json").read_bytes() == b"new b"
    assert outside.read_bytes() == b"not ours"
    assert sorted(p.name for p in folder.iterdir()) == ["a.json", "b.json"]
