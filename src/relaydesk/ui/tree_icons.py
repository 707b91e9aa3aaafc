"""The connection tree's small icons, loaded once from the package's PNG files.

``packaging/draw_tree_icons.py`` draws them; loading three small PNGs is cheaper at
start-up than painting them.
"""

from __future__ import annotations

import os

from PySide6.QtGui import QIcon

__all__ = ["kind_icon"]

_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "resources")
_icons: dict[str, QIcon] = {}


def kind_icon(kind: str) -> QIcon:
    """The icon of a tree row's kind: "group", "connection" or "folder"."""
    icon = _icons.get(kind)
    if icon is None:
        icon = _icons[kind] = QIcon(os.path.join(_DIR, f"tree-{kind}.png"))
    return icon
