"""Split a pasted shell command into words the way bash would, without running anything.

Handles single quotes, double quotes, ``$'…'`` ANSI-C quoting, backslash escapes,
``\\``-newline continuations (and Windows ``^``-newline ones), comments, and stops at the
end of the first command. ``$(…)``, backticks and ``$VAR`` are kept as literal text:
nothing is ever expanded or executed.
"""

from __future__ import annotations

import re

from .errors import CurlParseError

__all__ = ["split_command"]

_SIMPLE_ESCAPES = {
    "a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b", "f": "\f", "n": "\n", "r": "\r",
    "t": "\t", "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?",
}
_HEX = "0123456789abcdefABCDEF"
_OCT = "01234567"
# Characters that end an unquoted word and start a shell operator.
_OPERATOR_START = "|&;<>"
_VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")


def _line_col(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return f"line {line}, column {col}" if line > 1 else f"character {col}"


def _ansi_c(text: str, pos: int) -> tuple[str, int]:
    """Decode the body of ``$'…'`` starting after the opening quote; return (text, end)."""
    out = bytearray()
    i = pos
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "'":
            try:
                return out.decode("utf-8"), i + 1
            except UnicodeDecodeError:
                raise CurlParseError(
                    f"The $'…' string at {_line_col(text, pos - 2)} makes bytes that are not "
                    "UTF-8 text; Relaydesk imports text arguments only."
                ) from None
        if ch != "\\" or i + 1 >= n:
            out += ch.encode("utf-8", "surrogatepass")
            i += 1
            continue
        esc = text[i + 1]
        i += 2
        if esc in _SIMPLE_ESCAPES:
            out += _SIMPLE_ESCAPES[esc].encode()
        elif esc in _OCT:
            j = i
            while j < n and j < i + 2 and text[j] in _OCT:
                j += 1
            out.append(int(esc + text[i:j], 8) & 0xFF)
            i = j
        elif esc == "x":
            j = i
            while j < n and j < i + 2 and text[j] in _HEX:
                j += 1
            if j == i:
                out += b"\\x"
            else:
                out.append(int(text[i:j], 16))
            i = j
        elif esc in "uU":
            width = 4 if esc == "u" else 8
            j = i
            while j < n and j < i + width and text[j] in _HEX:
                j += 1
            code = int(text[i:j], 16) if j > i else -1
            if code < 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                out += ("\\" + esc + text[i:j]).encode()
            else:
                out += chr(code).encode()
            i = j
        elif esc == "c" and i < n:
            out.append(ord(text[i].upper()) ^ 0x40 if text[i] != "?" else 0x7F)
            i += 1
        else:  # bash keeps unknown escapes as written
            out += ("\\" + esc).encode("utf-8", "surrogatepass")
    raise CurlParseError(
        f"Unbalanced quote: the $' opened at {_line_col(text, pos - 2)} is never closed."
    )


def _skip_comment(text: str, i: int) -> int:
    end = text.find("\n", i)
    return len(text) if end < 0 else end


def _process_substitution(text: str, i: int) -> int:
    """End of the ``>(…)``/``<(…)`` starting at ``i``: nested parentheses counted."""
    depth = 0
    for j in range(i + 1, len(text)):
        if text[j] == "(":
            depth += 1
        elif text[j] == ")":
            depth -= 1
            if depth == 0:
                return j + 1
    raise CurlParseError(f"The {text[i:i + 2]} opened at {_line_col(text, i)} is never closed.")


def split_command(text: str, notes: list[str] | None = None,
                  variables: set[str] | None = None) -> tuple[list[str], str, str]:
    """Words of the first command in ``text``, the operator that ended it, and the rest.

    ``notes`` receives what a shell would read differently (an unquoted ``&`` kept in a
    URL); ``variables`` the names of ``$VAR``s a shell would expand (kept as text here).

    The operator is ``|``, ``||``, ``;``, ``&``, ``&&``, a newline, or "" when the command
    ran to the end of the text. Redirections (``> out.json``, ``2>&1``) are dropped with
    their target. ``(``, ``)``, ``$(…)`` and backticks are ordinary characters here.
    """
    words: list[str] = []
    cur: list[str] = []
    in_word = False
    skip_next_word = False  # the target of a redirection
    i = 0
    n = len(text)

    def finish() -> None:
        nonlocal in_word, skip_next_word
        if in_word:
            if skip_next_word:
                skip_next_word = False
            else:
                words.append("".join(cur))
        cur.clear()
        in_word = False

    while i < n:
        ch = text[i]
        if ch == "\\":
            if i + 1 < n and text[i + 1] == "\n":
                i += 2
                continue
            if i + 2 < n and text[i + 1] == "\r" and text[i + 2] == "\n":
                i += 3
                continue
            if i + 1 < n:
                cur.append(text[i + 1])
                in_word = True
                i += 2
                continue
            i += 1  # a lone backslash at the very end: bash waits for more; drop it
            continue
        if ch == "^" and text.startswith(("\n", "\r\n"), i + 1):
            i += 2 if text[i + 1] == "\n" else 3  # Windows cmd continuation
            continue
        if ch in " \t\r":
            finish()
            i += 1
            continue
        if ch == "\n":
            finish()
            if words:
                return words, "\n", text[i + 1:]
            i += 1
            continue
        if ch == "#" and not in_word:
            i = _skip_comment(text, i)
            continue
        if ch == "'":
            end = text.find("'", i + 1)
            if end < 0:
                raise CurlParseError(
                    f"Unbalanced quote: the ' opened at {_line_col(text, i)} is never closed."
                )
            cur.append(text[i + 1:end])
            in_word = True
            i = end + 1
            continue
        if ch == "$" and text[i + 1:i + 2] == "'":
            decoded, i = _ansi_c(text, i + 2)
            cur.append(decoded)
            in_word = True
            continue
        if ch == '"' or (ch == "$" and text[i + 1:i + 2] == '"'):
            start = i
            i += 2 if ch == "$" else 1
            while True:
                if i >= n:
                    raise CurlParseError(
                        f'Unbalanced quote: the " opened at {_line_col(text, start)} is never '
                        "closed."
                    )
                c = text[i]
                if c == '"':
                    i += 1
                    break
                if c == "$" and variables is not None and (match := _VARIABLE.match(text, i)):
                    variables.add(match.group(1))
                if c == "\\" and i + 1 < n and text[i + 1] in '$`"\\\n':
                    if text[i + 1] != "\n":
                        cur.append(text[i + 1])
                    i += 2
                    continue
                cur.append(c)
                i += 1
            in_word = True
            continue
        if ch in "&;" and in_word and i + 1 < n and text[i + 1] not in " \t\r\n&;|<>":
            # an unquoted URL pasted from docs ("?a=1&b=2"): read it as meant, not as bash
            if notes is not None and ch == "&":
                notes.append(f"cannot reproduce exactly: the unquoted & in '{''.join(cur)}&…' "
                             "would end the command in a shell (curl would get the URL "
                             "only up to it); Relaydesk reads the URL whole, as written")
            cur.append(ch)
            i += 1
            continue
        if ch in "<>" and text[i + 1:i + 2] == "(" and not in_word:
            end = _process_substitution(text, i)  # >(jq …): a file name to curl
            cur.append(text[i:end])
            in_word = True
            i = end
            continue
        if ch == "$" and variables is not None:
            match = _VARIABLE.match(text, i)
            if match:
                variables.add(match.group(1))
        if ch in _OPERATOR_START:
            # "2>" and "&>" are redirections, not words
            if ch in "<>" and in_word and "".join(cur).isdigit():
                cur.clear()
                in_word = False
            finish()
            op = ch
            if text[i:i + 2] in ("&&", "||", ">>", "&>", ">&", "<<"):
                op = text[i:i + 2]
            i += len(op)
            if op in ("<", ">", ">>", "&>", ">&", "<<"):
                if op == ">&" or op == "&>":
                    while i < n and text[i] in " \t":
                        i += 1
                    if op == ">&" and i < n and (text[i].isdigit() or text[i] == "-"):
                        i += 1  # 2>&1
                        continue
                skip_next_word = True
                continue
            return words, op, text[i:]
        cur.append(ch)
        in_word = True
        i += 1
    finish()
    if skip_next_word:
        raise CurlParseError("A redirection (> or <) at the end of the command has no target.")
    return words, "", ""
