"""Relaydesk's look: the light and dark variants applied through Qt's own mechanisms.

The Fusion style with a palette built from ``theme_tokens`` (so native widgets, item
views and the highlighter follow it). The variant follows the system colour scheme unless
the user picked one (View → Theme, kept in the settings; ``--theme`` or
``RELAYDESK_THEME`` for one run). Qt's own ``-style`` option still wins over Fusion.

Widgets that draw semantic colours (method badges, status pills, problems) ask
``tokens()`` when they paint, and repaint on ``QEvent.ApplicationPaletteChange``.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from .theme_tokens import DARK, LIGHT, ThemeTokens

__all__ = ["ENV_THEME", "MODES", "SETTING", "apply_theme", "is_dark", "method_text_colour",
           "problem_style", "saved_mode", "status_colour", "success_style", "tokens"]

ENV_THEME = "RELAYDESK_THEME"
SETTING = "appearance/theme"
MODES = ("system", "light", "dark")

_platform_dark: bool | None = None  # the platform palette's darkness, before ours


def tokens(palette: QPalette | None = None) -> ThemeTokens:
    """The variant matching a palette (default: the app's): dark on a dark base.

    Read from the palette rather than remembered, so colours also match a palette the
    user's ``-style`` or platform theme supplied.
    """
    palette = palette or QGuiApplication.palette()
    return DARK if palette.color(QPalette.ColorRole.Base).lightness() < 128 else LIGHT


def is_dark() -> bool:
    return tokens() is DARK


def status_colour(status: int) -> str:
    """The pill colour of an HTTP status."""
    t = tokens()
    key = f"{status // 100}xx" if 100 <= status <= 599 else "other"
    return t.statuses.get(key, t.statuses["other"])


def problem_style() -> str:
    """A label's style sheet for a problem (validation error, failed check)."""
    return f"color: {tokens().error};"


def success_style() -> str:
    return f"color: {tokens().success};"


def method_text_colour(method: str, palette: QPalette | None = None) -> str:
    """A method's name drawn as text on a surface (the method box)."""
    t = tokens(palette)
    return t.method_text.get(method.upper(), t.method_text["other"])


def saved_mode(settings: QSettings) -> str:
    """The user's choice: ``RELAYDESK_THEME`` for this run, else the setting, else system."""
    mode = os.environ.get(ENV_THEME) or str(settings.value(SETTING, "system"))
    return mode if mode in MODES else "system"


def _system_is_dark() -> bool:
    from PySide6.QtCore import Qt

    hints = QGuiApplication.styleHints()
    scheme = hints.colorScheme()
    if scheme != Qt.ColorScheme.Unknown:
        return bool(scheme == Qt.ColorScheme.Dark)
    # No scheme reported (older desktops): a dark platform palette means dark.
    global _platform_dark
    if _platform_dark is None:
        window = QGuiApplication.palette().color(QPalette.ColorRole.Window)
        _platform_dark = window.lightness() < 128
    return _platform_dark


def _palette(t: ThemeTokens) -> QPalette:
    role, group = QPalette.ColorRole, QPalette.ColorGroup
    palette = QPalette()
    colours = {
        role.Window: t.window, role.WindowText: t.text, role.Base: t.surface,
        role.AlternateBase: t.surface_alt, role.ToolTipBase: t.surface, role.ToolTipText: t.text,
        role.PlaceholderText: t.text_muted, role.Text: t.text, role.Button: t.surface_alt,
        role.ButtonText: t.text, role.BrightText: t.error, role.Highlight: t.accent,
        role.HighlightedText: t.on_accent, role.Link: t.link, role.LinkVisited: t.link,
        role.Light: t.surface, role.Midlight: t.surface_alt, role.Mid: t.border,
        role.Dark: t.border, role.Shadow: "#000000", role.Accent: t.accent,
    }
    for colour_role, colour in colours.items():
        palette.setColor(colour_role, QColor(colour))
    for colour_role in (role.Text, role.WindowText, role.ButtonText):
        palette.setColor(group.Disabled, colour_role, QColor(t.text_muted))
    # Selected rows in views that lost focus keep a visible, softer selection.
    palette.setColor(group.Inactive, role.Highlight, QColor(t.selection))
    palette.setColor(group.Inactive, role.HighlightedText, QColor(t.on_selection))
    return palette


def apply_theme(app: QApplication, mode: str = "system") -> str:
    """Apply a variant's palette to the whole app; returns "light" or "dark".

    The style is Fusion, named on Qt's command line by ``run_app`` unless the user
    chose one with ``-style`` (asking Qt for its style from Python here would build
    every enum of QStyle before the first frame). Fusion draws with the palette
    everywhere; the tab close cross is the window's own button (a Python subclass of
    the style would put an override check on every style call).
    """
    dark = _system_is_dark() if mode == "system" else mode == "dark"
    variant = DARK if dark else LIGHT
    app.setPalette(_palette(variant))  # icons and pills read the colours when they paint
    return variant.name
