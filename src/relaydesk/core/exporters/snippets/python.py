"""Python snippets: httpx, requests, and the Relaydesk client (``relaydesk.connect``)."""

from __future__ import annotations

from collections.abc import Sequence

from ...snippets import connection_import_line
from .spec import EnvRef, SnippetSpec, Text, is_text, relative_url

__all__ = ["py_bytes", "py_str", "render_httpx", "render_relaydesk", "render_requests"]

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def py_str(text: str) -> str:
    """A double-quoted Python literal (printable Unicode kept as it is)."""
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ch.isprintable():
            out.append(ch)
        elif 0xDC80 <= ord(ch) <= 0xDCFF:  # a stray byte (surrogateescape)
            out.append(f"\\x{ord(ch) - 0xDC00:02x}")
        elif ord(ch) < 0x100:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) < 0x10000:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return '"' + "".join(out) + '"'


def py_bytes(data: bytes) -> str:
    out = []
    for b in data:
        ch = chr(b)
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif 0x20 <= b < 0x7F:
            out.append(ch)
        else:
            out.append(f"\\x{b:02x}")
    return 'b"' + "".join(out) + '"'


def _expr(text: Text) -> str:
    pieces = [f"os.environ[{py_str(p.name)}]" if isinstance(p, EnvRef) else py_str(p)
              for p in text if p != ""]
    return " + ".join(pieces) or '""'


def _uses_env(spec: SnippetSpec) -> bool:
    return bool(spec.env)


def _text_block(text: str, indent: str) -> str:
    """A string literal, split over lines at newlines for readability."""
    lines = text.splitlines(keepends=True)
    if len(lines) <= 1:
        return py_str(text)
    inner = "".join(f"\n{indent}    {py_str(line)}" for line in lines)
    return f"({inner}\n{indent})"


def _body_value(data: bytes, *, as_bytes: bool) -> str:
    if is_text(data):
        literal = _text_block(data.decode("utf-8"), "    ")
        return f'{literal}.encode("utf-8")' if as_bytes else literal
    return py_bytes(data)


def _headers(spec: SnippetSpec, skip_multipart_type: bool) -> list[tuple[str, Text]]:
    return [(n, v) for n, v in spec.headers
            if not (skip_multipart_type and spec.files is not None
                    and n.lower() == "content-type")]


def _headers_literal(items: list[tuple[str, Text]], *, allow_list: bool) -> str:
    names = [n.lower() for n, _ in items]
    if allow_list and len(set(names)) != len(names):
        rows = "".join(f"\n        ({py_str(n)}, {_expr(v)})," for n, v in items)
        return f"[{rows}\n    ]"
    rows = "".join(f"\n        {py_str(n)}: {_expr(v)}," for n, v in items)
    return "{" + rows + "\n    }"


def _url_expr(spec: SnippetSpec, url: str) -> str:
    if not spec.url_secrets:
        return py_str(url)
    base = url + ("&" if "?" in url else "?")
    pieces = [py_str(base)]
    for i, (name, ref) in enumerate(spec.url_secrets):
        sep = "&" if i else ""
        pieces.append(py_str(f"{sep}{name}="))
        pieces.append(f'quote(os.environ[{py_str(ref.name)}], safe="")')
    return " + ".join(pieces)


def _files(spec: SnippetSpec, plain: str) -> str:
    rows = []
    for part in spec.files or []:
        if part.filename is None:
            value = py_str(part.data.decode("utf-8", "surrogateescape")) if is_text(
                part.data) else py_bytes(part.data)
            ctype = py_str(part.content_type) if part.content_type else "None"
            rows.append(f"({py_str(part.name)}, ({plain}, {value}, {ctype})),")
        else:
            rows.append(f"({py_str(part.name)}, ({py_str(part.filename)}, "
                        f"Path({py_str(part.source)}).read_bytes(), "
                        f"{py_str(part.content_type or 'application/octet-stream')})),")
    return "[" + "".join(f"\n        {r}" for r in rows) + "\n    ]"


def _render(spec: SnippetSpec, lib: str) -> str:
    imports = []
    if _uses_env(spec):
        imports.append("import os")
    if spec.url_secrets:
        imports.append("from urllib.parse import quote")
    if spec.files and any(p.filename is not None for p in spec.files):
        imports.append("from pathlib import Path")
    imports.append(f"import {lib}")
    args = [py_str(spec.method), _url_expr(spec, spec.url)]
    headers = _headers(spec, True)
    if headers:
        args.append("headers=" + _headers_literal(headers, allow_list=lib == "httpx"))
    if spec.content is not None and spec.files is None:
        key = "content" if lib == "httpx" else "data"
        args.append(f"{key}={_body_value(spec.content, as_bytes=lib == 'requests')}")
    if spec.files is not None:
        args.append("files=" + _files(spec, "None"))
    for creds, digest in ((spec.basic, False), (spec.digest, True)):
        if creds is None:
            continue
        pair = f"{py_str(creds[0])}, {_expr(creds[1])}"
        if not digest:
            args.append(f"auth=({pair})")
        elif lib == "httpx":
            args.append(f"auth=httpx.DigestAuth({pair})")
        else:
            imports.append("from requests.auth import HTTPDigestAuth")
            args.append(f"auth=HTTPDigestAuth({pair})")
    if lib == "httpx" and spec.follow_redirects:
        args.append("follow_redirects=True")
    if lib == "requests" and not spec.follow_redirects:
        args.append("allow_redirects=False")
    args.append(f"timeout={spec.timeout:g}")
    call = f"response = {lib}.request(" + "".join(f"\n    {a}," for a in args) + "\n)"
    return "\n".join(imports) + "\n\n" + call + "\nprint(response.text)\n"


def render_httpx(spec: SnippetSpec) -> str:
    return _render(spec, "httpx")


def render_requests(spec: SnippetSpec) -> str:
    return _render(spec, "requests")


_BODY_METHODS = {"POST": "post", "PUT": "put", "PATCH": "patch"}
_PLAIN_METHODS = {"GET": "get", "HEAD": "head", "OPTIONS": "options", "DELETE": "delete"}


def render_relaydesk(spec: SnippetSpec, *, base_url: str = "",
                     client_headers: Sequence[tuple[str, str]] = ()) -> str:
    """The import line plus the call; the connection supplies base URL, headers and auth."""
    path = spec.connection_path
    line = connection_import_line(path)  # named after the connection, as "Copy import
    # snippet" names it
    var = line.split(" = ", 1)[0]
    given = {(n.lower(), v) for n, v in client_headers}
    headers = [(n, v) for n, v in _headers(spec, True)
               if all(isinstance(p, str) for p in v)
               and (n.lower(), "".join(p for p in v if isinstance(p, str))) not in given]
    has_body = spec.content is not None or spec.files is not None
    method = spec.method
    args = [py_str(relative_url(spec.url, base_url))]
    if method in _BODY_METHODS:
        call = _BODY_METHODS[method]
    elif method in _PLAIN_METHODS and not has_body:
        call = _PLAIN_METHODS[method]
    else:
        call = "request"
        args.insert(0, py_str(method))
    if headers:
        args.append("headers=" + _headers_literal(headers, allow_list=True))
    if spec.content is not None and spec.files is None:
        args.append(f"content={_body_value(spec.content, as_bytes=False)}")
    if spec.files is not None:
        args.append("files=" + _files(spec, "None"))
    if not spec.follow_redirects:
        args.append("follow_redirects=False")
    if len(args) == 1:
        call_text = f"response = {var}.{call}({args[0]})"
    else:
        call_text = f"response = {var}.{call}(" + "".join(f"\n    {a}," for a in args) + "\n)"
    imports = "import relaydesk\n"
    if spec.files and any(p.filename is not None for p in spec.files):
        imports = "from pathlib import Path\n\n" + imports
    return f"{imports}\n{line}\n{call_text}\nprint(response.text)\n"
