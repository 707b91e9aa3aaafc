"""A few of Qt's enum values as plain ints, for the code that builds the first frame.

PySide creates every enum of Qt's ``Qt`` namespace (92 Python enums, about 13 ms, a
fifth of a bare window's start) the first time any one of them is used: naming
``Qt``, calling an overloaded method that could take one, or returning one from a
Python override. The start-up path sets these few through Qt properties, which take
ints. ``tests/gui/test_qt_enum_ints.py`` checks each against Qt's own enum.
"""

from __future__ import annotations

__all__ = ["ALIGN_CENTER", "BOTTOM_OR_RIGHT_DOCK", "WIDGET_WITH_CHILDREN_SHORTCUT"]

ALIGN_CENTER = 0x0084  # Qt.AlignmentFlag.AlignCenter
WIDGET_WITH_CHILDREN_SHORTCUT = 3  # Qt.ShortcutContext.WidgetWithChildrenShortcut
BOTTOM_OR_RIGHT_DOCK = 0x8 | 0x2  # Qt.DockWidgetArea.BottomDockWidgetArea | Right…
