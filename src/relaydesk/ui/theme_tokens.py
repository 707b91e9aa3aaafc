"""The design tokens of Relaydesk's two themes, as plain data (no Qt).

One table per variant: surfaces, text, accent, the semantic colours (methods, status
pills, problems, syntax) and one spacing and type scale. ``ui/theme.py`` turns them
into a Qt palette; tests check every text colour against every background it is drawn
on (WCAG AA, 4.5:1), for both variants, from ``text_pairs`` below.
"""

from __future__ import annotations

__all__ = ["DARK", "LIGHT", "SPACING", "THEMES", "TYPE_SCALE", "ThemeTokens",
           "contrast_ratio", "text_pairs"]

# One spacing scale (px) and type scale (factor of the system font) used everywhere.
SPACING = {"xs": 4, "s": 8, "m": 12, "l": 16, "xl": 24}
TYPE_SCALE = {"small": 0.9, "body": 1.0, "title": 1.25, "display": 1.6}


class ThemeTokens:
    """One variant's colours ("#rrggbb"). A plain class: a dataclass would generate and
    compile its methods at start-up, before the first frame."""

    def __init__(self, *, name: str, window: str, surface: str, surface_alt: str,
                 border: str, text: str, text_muted: str, accent: str, on_accent: str,
                 selection: str, on_selection: str, error: str, success: str, warning: str,
                 variable: str, link: str, on_badge: str, methods: dict[str, str],
                 method_text: dict[str, str], statuses: dict[str, str],
                 syntax: dict[str, str]) -> None:
        self.name = name
        self.window = window            # the window's background (panels, toolbars)
        self.surface = surface          # editors, tables, the response
        self.surface_alt = surface_alt  # alternate rows, tab strips, buttons
        self.border = border
        self.text = text
        self.text_muted = text_muted    # secondary text: hints, empty states, counts
        self.accent = accent            # primary buttons, focus, selection marks
        self.on_accent = on_accent      # text on the accent colour
        self.selection = selection
        self.on_selection = on_selection
        self.error = error
        self.success = success
        self.warning = warning
        self.variable = variable        # a known {{variable}} in the URL bar
        self.link = link                # links and accent-coloured text on surfaces
        self.on_badge = on_badge        # text on method badges and status pills
        self.methods = methods          # badge backgrounds
        self.method_text = method_text  # method names on surfaces
        self.statuses = statuses        # "1xx" … "5xx", "other"
        self.syntax = syntax

    def replace(self, **changes: object) -> ThemeTokens:
        return ThemeTokens(**{**self.__dict__, **changes})


_SYNTAX_KEYS = ("tag", "attr", "string", "number", "keyword", "comment", "name", "punct",
                "error")

LIGHT = ThemeTokens(
    name="light",
    window="#f3f4f6", surface="#ffffff", surface_alt="#e9ebef", border="#c9ced6",
    text="#1f2328", text_muted="#57606a", accent="#0b5cd5", on_accent="#ffffff",
    selection="#cfe0fb", on_selection="#0d1b2e",
    error="#b42318", success="#16733a", warning="#8a5300", variable="#0b5cd5", link="#0b5cd5",
    on_badge="#ffffff",
    methods={"GET": "#16733a", "POST": "#8a5300", "PUT": "#0b5cd5", "PATCH": "#7a3fc9",
             "DELETE": "#b42318", "HEAD": "#57606a", "OPTIONS": "#57606a", "other": "#57606a"},
    method_text={"GET": "#16733a", "POST": "#8a5300", "PUT": "#0b5cd5", "PATCH": "#7a3fc9",
                 "DELETE": "#b42318", "other": "#57606a"},
    statuses={"1xx": "#57606a", "2xx": "#16733a", "3xx": "#0b5cd5", "4xx": "#8a5300",
              "5xx": "#b42318", "other": "#57606a"},
    syntax={"tag": "#0451a5", "attr": "#c50000", "string": "#a31515", "number": "#098658",
            "keyword": "#0000c0", "comment": "#3b7d23", "name": "#795e26", "punct": "#555555",
            "error": "#e00000"},
)

DARK = ThemeTokens(
    name="dark",
    window="#1f2124", surface="#16171a", surface_alt="#2a2d32", border="#5d636d",
    text="#e6e8eb", text_muted="#a0a7b1", accent="#2f6bd8", on_accent="#ffffff",
    selection="#264c86", on_selection="#ffffff",
    error="#ff8a80", success="#56d37f", warning="#e3b341", variable="#7cb3ff", link="#7cb3ff",
    on_badge="#ffffff",
    methods={"GET": "#1e7a41", "POST": "#8f5a00", "PUT": "#2563c9", "PATCH": "#7a43c7",
             "DELETE": "#b8322a", "HEAD": "#5b636e", "OPTIONS": "#5b636e", "other": "#5b636e"},
    method_text={"GET": "#56d37f", "POST": "#e3b341", "PUT": "#7cb3ff", "PATCH": "#c9a3ff",
                 "DELETE": "#ff8a80", "other": "#a0a7b1"},
    statuses={"1xx": "#5b636e", "2xx": "#1e7a41", "3xx": "#2563c9", "4xx": "#8f5a00",
              "5xx": "#b8322a", "other": "#5b636e"},
    syntax={"tag": "#8cc8ff", "attr": "#9cdcfe", "string": "#e0a27c", "number": "#b5cea8",
            "keyword": "#6aa8ff", "comment": "#7fae6e", "name": "#dcdcaa", "punct": "#a8a8a8",
            "error": "#ff6b6b"},
)

THEMES = {"light": LIGHT, "dark": DARK}


def text_pairs(t: ThemeTokens) -> list[tuple[str, str, str]]:
    """Every (what, text colour, background) pair the theme draws text with."""
    pairs: list[tuple[str, str, str]] = []
    for bg_name in ("window", "surface", "surface_alt"):
        bg = getattr(t, bg_name)
        for fg_name in ("text", "text_muted", "error", "success", "warning"):
            pairs.append((f"{fg_name} on {bg_name}", getattr(t, fg_name), bg))
    pairs.append(("variable on surface", t.variable, t.surface))
    for bg_name in ("window", "surface"):
        pairs.append((f"link on {bg_name}", t.link, getattr(t, bg_name)))
    pairs.append(("on_accent on accent", t.on_accent, t.accent))
    pairs.append(("on_selection on selection", t.on_selection, t.selection))
    for method, colour in t.methods.items():
        pairs.append((f"{method} badge", t.on_badge, colour))
    for method, colour in t.method_text.items():
        for bg_name in ("surface", "surface_alt"):
            pairs.append((f"{method} text on {bg_name}", colour, getattr(t, bg_name)))
    for status, colour in t.statuses.items():
        pairs.append((f"{status} pill", t.on_badge, colour))
    for key in _SYNTAX_KEYS:
        pairs.append((f"syntax {key} on surface", t.syntax[key], t.surface))
    return pairs


def _luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of "#rrggbb"."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(foreground: str, background: str) -> float:
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
