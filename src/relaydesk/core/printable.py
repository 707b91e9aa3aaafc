"""Server-supplied text made safe for a terminal or a label.

A reason phrase, an error body quoted in a message or a header value can carry escape
sequences (``ESC ]0;title BEL`` retitles a terminal, ``ESC [2J`` clears it, C1's
single-byte CSI does the same on some terminals) or bidirectional overrides that make
text read differently than it is. ``printable`` removes whole escape sequences, then
every remaining C0/C1 control character, DEL and bidi control; line breaks and tabs
become spaces unless ``keep_lines``.
"""

from __future__ import annotations

import re

__all__ = ["printable"]

# OSC ... (BEL | ESC \), DCS/SOS/PM/APC ... ESC \, CSI ... final byte, two-byte ESC x.
_SEQUENCE = re.compile(
    r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"
    r"|(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|\x1b[ -~]?"
)
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e"
                       "\u2066-\u2069]")
_BREAKS = re.compile(r"[\t\r\n]")


def printable(text: str, *, keep_lines: bool = False) -> str:
    """``text`` without escape sequences and control characters."""
    if text.isprintable():  # the common case: nothing to do
        return text
    text = _CONTROLS.sub("", _SEQUENCE.sub("", text))
    if keep_lines:
        return text.replace("\r\n", "\n").replace("\r", "\n")
    return _BREAKS.sub(" ", text)
