"""View → Theme (System, Light, Dark), kept in the settings, and the system follower."""

from __future__ import annotations

from PySide6.QtCore import QObject, QSettings
from PySide6.QtGui import QAction, QActionGroup, QGuiApplication
from PySide6.QtWidgets import QApplication, QMenu

from .theme import MODES, SETTING, apply_theme, saved_mode

__all__ = ["ThemeChooser"]

_LABELS = {"system": "Follow the system", "light": "Light", "dark": "Dark"}


class ThemeChooser(QObject):
    def __init__(self, menu: QMenu, settings: QSettings) -> None:
        super().__init__(menu)
        self._settings = settings
        self.mode = saved_mode(settings)
        self.menu = menu.addMenu("&Theme")
        self.group = QActionGroup(self)
        self.choices: dict[str, QAction] = {}
        for mode in MODES:
            action = QAction(_LABELS[mode], self.group)
            action.setCheckable(True)
            action.setChecked(mode == self.mode)
            action.setObjectName(f"theme-{mode}")
            action.triggered.connect(lambda _checked=False, m=mode: self.choose(m))
            self.menu.addAction(action)
            self.choices[mode] = action
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._system_changed)

    def choose(self, mode: str) -> None:
        self.mode = mode
        self._settings.setValue(SETTING, mode)
        self._apply()

    def _system_changed(self, *_scheme: object) -> None:
        if self.mode == "system":
            self._apply()

    def _apply(self) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, self.mode)
