"""Where the window keeps its state (geometry, splitters, open tabs).

Tests and benchmarks point ``RELAYDESK_SETTINGS`` at a throwaway INI file so they
never read or overwrite the user's own settings.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QSettings

__all__ = ["ENV_SETTINGS", "make_settings"]

ENV_SETTINGS = "RELAYDESK_SETTINGS"


def make_settings(path: str | os.PathLike[str] | None = None) -> QSettings:
    path = path or os.environ.get(ENV_SETTINGS)
    if path:
        return QSettings(os.fspath(path), QSettings.Format.IniFormat)
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                     "Relaydesk", "Relaydesk")
