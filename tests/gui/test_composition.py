"""The window is composed, not mixed: no module under ui/ defines a mixin, and the
main window's only base is QMainWindow (controllers and docks are objects it holds)."""

from __future__ import annotations

import ast
from pathlib import Path

import relaydesk.ui

UI = Path(relaydesk.ui.__file__).resolve().parent


def _classes() -> list[tuple[Path, ast.ClassDef]]:
    found = []
    for file in sorted(UI.rglob("*.py")):
        tree = ast.parse(file.read_text(encoding="utf-8"), str(file))
        found += [(file, node) for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]
    return found


def _base_names(node: ast.ClassDef) -> list[str]:
    return [ast.unparse(base).rpartition(".")[2] for base in node.bases]


def test_ui_defines_no_mixin() -> None:
    classes = _classes()
    assert len(classes) > 20  # the scan sees the package
    mixins = [f"{f.relative_to(UI)}:{c.name}" for f, c in classes if c.name.endswith("Mixin")]
    assert mixins == []


def test_no_ui_class_inherits_from_another_ui_class_as_a_second_base() -> None:
    # A class of ours listed beside a Qt base is a mixin whatever its name.
    ours = {c.name for _f, c in _classes()}
    mixed = [f"{f.relative_to(UI)}:{c.name}({', '.join(_base_names(c))})"
             for f, c in _classes() if len(c.bases) > 1
             and any(name in ours for name in _base_names(c))]
    assert mixed == []


def test_main_window_has_qmainwindow_as_its_only_base() -> None:
    from PySide6.QtWidgets import QMainWindow

    from relaydesk.ui.main_window import MainWindow

    assert MainWindow.__bases__ == (QMainWindow,)


def test_no_ui_class_shadows_a_qt_method_with_an_attribute() -> None:
    # ``self.actions = …`` once hid QWidget.actions() on the main window.
    from PySide6.QtWidgets import QMainWindow

    shadowing = []
    qt_classes = [(f, c) for f, c in _classes()
                  if any(name.startswith("Q") for name in _base_names(c))]
    assert len(qt_classes) > 20
    for file, cls in qt_classes:
        for node in ast.walk(cls):
            if (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store)
                    and isinstance(node.value, ast.Name) and node.value.id == "self"
                    and callable(getattr(QMainWindow, node.attr, None))):
                shadowing.append(f"{file.relative_to(UI)}:{cls.name}.{node.attr}")
    assert shadowing == []
