"""Names that work as file names on Linux, macOS and Windows alike.

A workspace is shared through git; a name Linux accepts but Windows cannot create
(``CON``, ``nul.txt``, ``com1``, ``report.``, ``a:b``) breaks the checkout for every
Windows user. Names a user types are refused with one line saying why
(:func:`portable_problem`); names an import derives from someone else's file are made
safe instead (:func:`portable_segment`), so an import never fails over a title.
"""

from __future__ import annotations

import re

from .errors import ValidationError

__all__ = ["MAX_SEGMENT_BYTES", "one_segment", "portable_problem", "portable_segment"]

# Device names Windows reserves in every folder, with or without an extension and in
# any case; the superscript digits count too (Windows 10 and later).
_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{dev}{n}" for dev in ("COM", "LPT") for n in "0123456789\u00b9\u00b2\u00b3"}
)
_INVALID = re.compile(r"[<>:\"/\\|?*\x00-\x1f\x7f]")
# A file name is at most 255 bytes on Linux and macOS; the workspace adds ".json" and
# temporary-file prefixes, so a name keeps well below that.
MAX_SEGMENT_BYTES = 200


def _reserved(segment: str) -> bool:
    stem = segment.split(".", 1)[0].rstrip(" ")
    return stem.upper() in _RESERVED


def portable_problem(segment: str) -> str | None:
    """Why ``segment`` cannot be a file name everywhere, or ``None`` when it can."""
    bad = _INVALID.search(segment)
    if bad:
        char = bad.group()
        shown = char if char.isprintable() else repr(char)[1:-1]
        return f"contains '{shown}', which Windows does not allow in file names"
    if _reserved(segment):
        return (f"is a device name Windows reserves ({segment.split('.', 1)[0].upper()}, "
                "with or without an extension)")
    if segment.endswith((".", " ")):
        return "ends with a dot or a space, which Windows drops from file names"
    if len(segment.encode("utf-8")) > MAX_SEGMENT_BYTES:
        return f"is longer than {MAX_SEGMENT_BYTES} bytes, too long for a file name"
    return None


def portable_segment(segment: str, default: str = "Untitled") -> str:
    """``segment`` changed as little as possible to pass :func:`portable_problem`:
    invalid characters become ``-``, a trailing dot or space goes, a reserved device
    name gets a ``_`` after its stem (``CON`` → ``CON_``, ``nul.txt`` → ``nul_.txt``),
    an over-long name is cut."""
    text = _INVALID.sub("-", segment).rstrip(". ")
    while len(text.encode("utf-8")) > MAX_SEGMENT_BYTES:
        text = text[:-1].rstrip(". ")
    if _reserved(text):
        stem, dot, rest = text.partition(".")
        text = f"{stem.rstrip(' ')}_{dot}{rest}"
    return text or default


def one_segment(name: str) -> str:
    """A single name segment, or a clear error."""
    name = name.strip()
    if not name:
        raise ValidationError("The name is empty.")
    if "/" in name:
        raise ValidationError(f"'{name}' cannot contain '/'; a name is a single segment.")
    return name
