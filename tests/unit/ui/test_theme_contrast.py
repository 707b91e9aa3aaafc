"""Every text colour the theme defines, against every background it is drawn on, in
both variants: WCAG AA (4.5:1 for text)."""

from __future__ import annotations

import pytest

from relaydesk.ui.theme_tokens import THEMES, ThemeTokens, contrast_ratio, text_pairs

AA_TEXT = 4.5


@pytest.mark.parametrize("variant", sorted(THEMES))
def test_every_text_colour_meets_aa_on_its_backgrounds(variant: str) -> None:
    theme = THEMES[variant]
    pairs = text_pairs(theme)
    failing = [f"{what}: {fg} on {bg} is {contrast_ratio(fg, bg):.2f}:1"
               for what, fg, bg in pairs if contrast_ratio(fg, bg) < AA_TEXT]
    assert not failing, failing
    # The table covers every semantic colour the theme has, so a new one cannot skip it.
    covered = {fg for _what, fg, _bg in pairs} | {bg for _what, _fg, bg in pairs}
    assert set(theme.methods.values()) | set(theme.statuses.values()) <= covered
    assert set(theme.syntax.values()) <= covered


def test_the_contrast_formula_matches_wcag_reference_values() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    # WebAIM's checker: #777777 on white is 4.48:1 (fails AA), #767676 is 4.54:1.
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


def test_a_colour_below_aa_is_caught() -> None:
    light = THEMES["light"]
    broken = light.replace(text_muted="#9aa0a6")
    assert isinstance(broken, ThemeTokens)
    assert any(contrast_ratio(fg, bg) < AA_TEXT for _w, fg, bg in text_pairs(broken))
