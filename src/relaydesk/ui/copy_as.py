"""The "Copy as" submenu: one entry per snippet kind, plus "Include secrets".

By default snippets reference secrets as environment variables; the checkable
"Include secrets" entry puts real values in, for the next copy only.
The entries are added when the menu first opens: the snippet module stays out of
start-up.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget

__all__ = ["build_copy_as_menu"]


def build_copy_as_menu(parent: QWidget, on_pick: Callable[[str, bool], None],
                       title: str = "Copy as") -> QMenu:
    """``on_pick(kind, include_secrets)`` runs when an entry is chosen."""
    menu = QMenu(title, parent)
    menu.setObjectName("copyAsMenu")

    def fill() -> None:
        menu.aboutToShow.disconnect(fill)
        _add_entries(menu, on_pick)

    menu.aboutToShow.connect(fill)
    return menu


def _add_entries(menu: QMenu, on_pick: Callable[[str, bool], None]) -> None:
    from relaydesk.core.snippets import SNIPPET_LABELS

    secrets = QAction("Include secrets (real values)", menu)
    secrets.setCheckable(True)
    secrets.setObjectName("includeSecrets")

    def pick(kind: str) -> None:
        include = secrets.isChecked()
        secrets.setChecked(False)  # one copy with real values, never the next ones too
        on_pick(kind, include)
    for kind, label in SNIPPET_LABELS.items():
        action = menu.addAction(label)
        action.setData(kind)
        action.triggered.connect(lambda _checked=False, k=kind: pick(k))
    menu.addSeparator()
    menu.addAction(secrets)
