"""The ints the start-up path uses in place of Qt's enums are Qt's values."""

from __future__ import annotations

from PySide6.QtCore import Qt

from relaydesk.ui import qt_enum_ints, tree_model


def test_values_match_qts_enums() -> None:
    area = Qt.DockWidgetArea
    expected = {
        "ALIGN_CENTER": Qt.AlignmentFlag.AlignCenter.value,
        "WIDGET_WITH_CHILDREN_SHORTCUT": Qt.ShortcutContext.WidgetWithChildrenShortcut.value,
        "BOTTOM_OR_RIGHT_DOCK": (area.BottomDockWidgetArea | area.RightDockWidgetArea).value,
    }
    assert {name: getattr(qt_enum_ints, name) for name in expected} == expected


def test_tree_model_roles_are_qts() -> None:
    role = Qt.ItemDataRole
    expected = {
        "DISPLAY_ROLE": role.DisplayRole.value,
        "DECORATION_ROLE": role.DecorationRole.value,
        "EDIT_ROLE": role.EditRole.value,
        "TOOLTIP_ROLE": role.ToolTipRole.value,
        "USER_ROLE": role.UserRole.value,
    }
    assert {name: getattr(tree_model, name) for name in expected} == expected
