"""GUI: a 3 GB file dropped on File → Import and a rename to a name Windows reserves,
each refused with one clear line and nothing written (issue 18)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.hostile_inputs import alias_bomb_openapi, sparse_file


def test_a_3_gb_file_in_the_import_dialog_is_refused_by_its_size(
        window: Any, qtbot: Any, tmp_path: Path) -> None:
    big = sparse_file(tmp_path / "huge.json", 3 * 1024 ** 3, b'{"openapi": "3.0.0"}')
    before = sorted(str(p) for p in window.service.workspace.iter_files())
    dialog = window.open_import(str(big))
    qtbot.waitUntil(lambda: "too large" in dialog.status.text(), timeout=10000)
    assert "3 GB; the limit is 200 MB" in dialog.status.text()
    assert not dialog.import_button.isEnabled()
    assert sorted(str(p) for p in window.service.workspace.iter_files()) == before
    dialog.reject()


def test_an_openapi_bomb_previews_with_a_note_and_imports_the_rest(
        window: Any, qtbot: Any, tmp_path: Path) -> None:
    source = tmp_path / "bomb.yaml"
    source.write_text(alias_bomb_openapi())
    dialog = window.open_import(str(source))
    qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=20000)
    lines = [dialog.preview.item(i).text() for i in range(dialog.preview.count())]
    assert any(line.startswith("Note: Examples left empty in 'Bomb/Bomb'") for line in lines)
    dialog.into.setText("bomb")
    with qtbot.waitSignal(dialog.imported, timeout=10000):
        dialog.import_button.click()
    assert window.service.kind_of("bomb/Fine") == "request"
    assert window.service.request("bomb/Bomb").body.text == ""


def test_renaming_to_a_reserved_name_says_why_and_keeps_the_item(
        window: Any, qtbot: Any) -> None:
    errors: list[str] = []
    window.tree.errorOccurred.connect(errors.append)
    assert window.tree.rename("local/echo/Get echo", "CON") is None
    assert errors and "device name Windows reserves" in errors[-1]
    assert window.service.kind_of("local/echo/Get echo") == "request"
    assert window.tree.rename("local/echo/Get echo", "trailing.") is None
    assert "ends with a dot" in errors[-1]
