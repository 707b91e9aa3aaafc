"""``to_curl``: "Copy as curl" for a prepared request.

The command sends what Relaydesk sends: same method, URL, headers and body bytes.
Every argument is quoted for a POSIX shell; ``$'…'`` (bash, zsh, ksh) is used only
for arguments holding control characters such as newlines, and a body holding NUL
bytes, which no shell argument can carry, is piped in through ``printf``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .prepare import PreparedRequest

__all__ = ["shell_quote", "to_curl"]

_SAFE = re.compile(r"^[A-Za-z0-9_@%+=:,./-]+$")
_ANSI_ESCAPES = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _needs_ansi(text: str) -> bool:
    return any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 or 0xD800 <= ord(c) < 0xE000
               or c in "\u2028\u2029" for c in text)


def _ansi_c(text: str) -> str:
    out: list[str] = []
    for ch in text:
        code = ord(ch)
        if ch in _ANSI_ESCAPES:
            out.append(_ANSI_ESCAPES[ch])
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif 0x80 <= code < 0xA0 or ch in "\u2028\u2029":
            out.append(f"\\u{code:04x}")
        elif 0xDC80 <= code <= 0xDCFF:  # a raw byte smuggled through surrogateescape
            out.append(f"\\x{code - 0xDC00:02x}")
        else:
            out.append(ch)
    return "$'" + "".join(out) + "'"


def shell_quote(value: str | bytes) -> str:
    """One shell word that stands for exactly ``value`` (no NUL bytes)."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "surrogateescape")
    if "\x00" in value:
        raise ValueError("a shell argument cannot hold a NUL byte")
    if value and _SAFE.fullmatch(value):
        return value
    if _needs_ansi(value):
        return _ansi_c(value)
    return "'" + value.replace("'", "'\\''") + "'"


def _printf_pipe(content: bytes) -> str:
    """``printf '…' |`` writing exactly ``content`` (octal escapes for every odd byte)."""
    out: list[str] = []
    for b in content:
        if 0x20 <= b < 0x7F and b not in (0x25, 0x5C, 0x27):
            out.append(chr(b))
        else:
            out.append(f"\\{b:03o}")
    return "printf '" + "".join(out) + "' |"


def _form_value(value: str) -> str:
    # curl reads -F values with quotes, so quote when ; , or " would be misread
    if any(c in value for c in ';,') or value.startswith(('"', "@", "<")):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return value


def _digest_credentials(auth: object) -> tuple[str, str] | None:
    import httpx

    if not isinstance(auth, httpx.DigestAuth):
        return None
    user, password = getattr(auth, "_username", b""), getattr(auth, "_password", b"")
    as_text = [v.decode("utf-8", "surrogateescape") if isinstance(v, bytes) else str(v)
               for v in (user, password)]
    return as_text[0], as_text[1]


def to_curl(prepared: PreparedRequest, *, multiline: bool = True) -> str:
    """A curl command line that sends ``prepared`` (secrets included, as prepared)."""
    method = prepared.method.upper()
    content = prepared.content
    multipart = prepared.is_multipart
    prefix = ""
    args: list[str] = []
    if method == "HEAD":
        args.append("--head")
    elif (content is not None or multipart) and method == "POST":
        pass  # curl infers POST from the body
    elif method != "GET" or content is not None:
        args.append(f"-X {shell_quote(prepared.method)}")
    args.append(shell_quote(prepared.url))

    has_type = False
    for name, value in prepared.headers:
        if name.lower() == "content-type":
            has_type = True
            if multipart and "boundary=" in value:
                continue  # curl writes its own boundary
        arg = f"{name};" if value == "" else f"{name}: {value}"
        args.append(f"-H {shell_quote(arg)}")

    if content is not None and not multipart:
        if not has_type:
            args.append("-H 'Content-Type:'")  # stop curl adding a form type
        if b"\x00" in content:
            prefix = _printf_pipe(content) + " "
            args.append("--data-binary @-")
        elif content.startswith(b"@"):
            # --data-binary would read a file named by the rest; --data-raw sends it as is.
            args.append(f"--data-raw {shell_quote(content)}")
        else:
            args.append(f"--data-binary {shell_quote(content)}")
    for name, (filename, data, ctype) in prepared.files or []:
        if filename is None:
            value = _form_value(data.decode("utf-8", "surrogateescape"))
        else:
            value = "@" + _form_value(filename)
        if ctype:
            value += f";type={ctype}"
        args.append(f"-F {shell_quote(f'{name}={value}')}")

    digest = _digest_credentials(prepared.auth)
    if digest is not None:
        args.append(f"--digest -u {shell_quote(f'{digest[0]}:{digest[1]}')}")
    if prepared.follow_redirects:
        args.append("-L")

    sep = " \\\n  " if multiline else " "
    return prefix + "curl " + sep.join(args)
