"""Streaming JSON pretty-printer that works on the text, not on parsed objects.

Why not ``json.dumps(json.loads(text), indent=2)``: on Python 3.11 the indenting encoder is
pure Python (≈5 s for 50 MB) and ``json.loads`` is one C call that holds the GIL for
hundreds of milliseconds, which freezes the GUI thread even when run in a worker thread.
This formatter re-indents the token stream chunk by chunk, so the first screen is ready
after a few kilobytes and every step is short. It keeps the original tokens (numbers keep
their precision, escapes stay as sent) and never fails: invalid JSON comes out re-indented
as well as it can be, which is what a viewer wants.

Qt-free on purpose (unit-testable and usable by a benchmark without a display).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["JsonReformatter", "pretty_json_pieces"]

# One token, leading whitespace skipped: a value (a complete string or a run of anything
# else: numbers, true/false/null, garbage) together with the ':' or ',' that follows it —
# one loop turn instead of two for most tokens —, or a structural char on its own. An
# unterminated string runs to the end of the chunk; a value touching the end of a chunk may
# continue in the next one, so it is carried over.
_TOKEN = re.compile(
    r'[ \t\r\n]*((?:"(?:[^"\\]|\\.)*(?:"|\\?\Z)|[^{}\[\],:"\s]+)(?:[ \t\r\n]*[:,])?|[{}\[\],:])',
    re.S,
)
_INDENTS = ["\n" + "  " * i for i in range(64)]


def _indent(depth: int) -> str:
    return _INDENTS[depth] if depth < len(_INDENTS) else "\n" + "  " * depth


class JsonReformatter:
    """Feed text chunks, get pretty text back; state is carried across chunks."""

    def __init__(self) -> None:
        self._depth = 0
        self._open = False  # the last token opened a container: newline not written yet
        self._carry = ""

    def feed(self, text: str, *, final: bool = False) -> str:
        text = self._carry + text
        self._carry = ""
        tokens = _TOKEN.findall(text)
        # Only a token that touches the end can continue (tokens carry no trailing blanks
        # except an unterminated string, which does touch the end).
        if tokens and not final and tokens[-1][0] not in "{}[],:" and text.endswith(tokens[-1]):
            self._carry = tokens.pop()  # may continue in the next chunk
        out: list[str] = []
        append = out.append
        depth = self._depth
        opened = self._open
        for tok in tokens:
            c = tok[0]
            if opened:
                opened = False
                if c == "}" or c == "]":
                    depth -= 1
                    append(tok)
                    continue
                append(_indent(depth))
            if c == "{" or c == "[":
                append(tok)
                depth += 1
                opened = True
            elif c == "}" or c == "]":
                depth = max(depth - 1, 0)
                append(_indent(depth))
                append(tok)
            elif c == ",":
                append(",")
                append(_indent(depth))
            elif c == ":":
                append(": ")
            else:
                last = tok[-1]
                if last == ",":
                    append(tok[:-1].rstrip())
                    append(",")
                    append(_indent(depth))
                elif last == ":" and len(tok) > 1:
                    append(tok[:-1].rstrip())
                    append(": ")
                else:
                    append(tok)
        self._depth = depth
        self._open = opened
        return "".join(out)


def pretty_json_pieces(text: str, chunk: int = 256 * 1024) -> Iterator[str]:
    """Pretty pieces of ``text`` (convenience for tests and benchmarks)."""
    fmt = JsonReformatter()
    for i in range(0, len(text), chunk):
        yield fmt.feed(text[i : i + chunk], final=i + chunk >= len(text))
    if not text:
        yield ""
