"""Small modal questions shared by the window, the tree and the panels.

Qt is imported on demand: nothing in the first frame asks anything, and a module
that imports PySide6 when it loads has its source scanned by PySide's import hook.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

__all__ = ["ask", "ask_text", "confirm"]


def ask(parent: QWidget, title: str, text: str, buttons: tuple[str, ...], default: str) -> str:
    """A question with standard buttons by name ("Save", "Discard", …); the one chosen.

    Closing the box without choosing answers "Cancel".
    """
    from PySide6.QtWidgets import QMessageBox

    b = QMessageBox.StandardButton
    flags = b.NoButton
    for name in buttons:
        flags |= getattr(b, name)
    answer = QMessageBox.question(parent, title, text, flags, getattr(b, default))
    return next((n for n in buttons if answer == getattr(b, n)), "Cancel")


def confirm(parent: QWidget, title: str, text: str, *, default_yes: bool = False) -> bool:
    """Yes / No; True for Yes."""
    return ask(parent, title, text, ("Yes", "No"), "Yes" if default_yes else "No") == "Yes"


def ask_text(parent: QWidget, title: str, label: str, text: str = "") -> str | None:
    """One line of text, stripped; None when cancelled or left empty."""
    from PySide6.QtWidgets import QInputDialog, QLineEdit

    value, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Normal, text)
    return value.strip() if ok and value.strip() else None
