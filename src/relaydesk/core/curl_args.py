"""Reading curl's options into a state: data pieces, form parts, headers, auth.

The rules are curl's own (7.88 checked against the real binary): ``-d`` pieces join
with ``&`` while ``--json`` pieces join with nothing, ``-d @file`` loses CR/LF,
``--data-urlencode`` encodes everything but ``A-Za-z0-9-._~`` with a space as ``+``,
``-F`` values are a "quoted" word or text up to the first ``;``.
``curl_parse`` turns the finished state into a request.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .curl_options import Option
from .errors import CurlParseError
from .model import MultipartField, Request

__all__ = ["CurlImport", "CurlState", "abs_file", "apply_option", "as_text"]

# curl's own guesses for -F file parts (lib/mime.c); anything else is octet-stream.
_CURL_MIME = {
    ".gif": "image/gif", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
    ".svg": "image/svg+xml", ".txt": "text/plain", ".htm": "text/html",
    ".html": "text/html", ".pdf": "application/pdf", ".xml": "application/xml",
}
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_MAX_FILE = 256 * 1024 * 1024


@dataclass
class CurlImport:
    """A parsed curl command. ``secrets`` maps auth secret fields (``password``,
    ``token``) to values the caller stores in the keyring under the request's path."""

    request: Request
    insecure: bool = False
    follow_redirects: bool = False
    secrets: dict[str, str] = field(default_factory=dict)
    ca_bundle: str = ""
    client_cert: str = ""
    client_key: str = ""
    proxy: str = ""
    notes: list[str] = field(default_factory=list)  # what was accepted but has no effect


# -- small helpers ------------------------------------------------------------------------


def _read_file(name: str, cwd: Path, what: str) -> bytes:
    if name == "-":
        raise CurlParseError(
            f"{what} reads standard input (@-), which a pasted command cannot provide; "
            "put the content in a file and use @FILE."
        )
    path = _local(name, cwd)
    try:
        if not path.is_file():
            raise CurlParseError(f"{what} names the file '{name}', which does not exist "
                                 f"(looked in {path.parent}).")
        if path.stat().st_size > _MAX_FILE:
            raise CurlParseError(f"The file '{name}' for {what} is too large to import.")
        return path.read_bytes()
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise CurlParseError(f"Cannot read the file '{name}' for {what}: {reason}.") from None


def _local(name: str, cwd: Path) -> Path:
    """A file name as the shell would hand it to curl: ``~`` and ``$HOME`` expanded."""
    path = Path(os.path.expandvars(name)).expanduser()
    return path if path.is_absolute() else cwd / path


def abs_file(name: str, cwd: Path, what: str) -> str:
    _read_file(name, cwd, what)  # fail now, with the option named, not at send time
    return str(_local(name, cwd))


def as_text(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise CurlParseError(
            f"{what} is not UTF-8 text; send a binary file on its own with --data-binary @FILE."
        ) from None


def _curl_escape(data: bytes, hexdigits: str = "%{:02X}") -> str:
    """--data-urlencode's encoding: unreserved bytes kept, space as +, the rest %XX
    (--url-query's are lower-case: curl's URL parser rewrites them so)."""
    return "".join(
        chr(b) if b in _UNRESERVED else "+" if b == 0x20 else hexdigits.format(b) for b in data
    )


def _urlencode_arg(arg: str, cwd: Path, what: str, hexdigits: str = "%{:02X}") -> str:
    """``name=content``, ``=content``, ``name@file``, ``@file`` or ``content``, encoded."""
    sep = arg.find("=")
    if sep < 0:
        sep = arg.find("@")
    if sep < 0:
        prefix, kind, content = "", "", arg
    else:
        prefix, kind, content = arg[:sep], arg[sep], arg[sep + 1:]
    raw = _read_file(content, cwd, what) if kind == "@" else content.encode("utf-8")
    encoded = _curl_escape(raw, hexdigits)
    return f"{prefix}={encoded}" if prefix else encoded


def _strip_crlf(data: bytes) -> bytes:
    return data.replace(b"\r", b"").replace(b"\n", b"")


# -- the pieces of a command --------------------------------------------------------------


@dataclass
class CurlState:
    cwd: Path
    method: str | None = None
    urls: list[str] = field(default_factory=list)
    headers: list[tuple[str, str]] = field(default_factory=list)
    removed: set[str] = field(default_factory=set)  # -H 'Name:' drops a default header
    internal: dict[str, str] = field(default_factory=dict)  # -A, -e, -r
    data: bytearray | None = None
    data_sources: list[str] = field(default_factory=list)
    binary_file: str = ""  # a lone --data-binary @file
    json_used: bool = False
    form: list[MultipartField] = field(default_factory=list)
    get: bool = False
    head: bool = False
    upload: str = ""
    user: str | None = None
    auth_kind: str = "basic"
    bearer: str | None = None
    cookies: list[str] = field(default_factory=list)
    cookie_files: list[str] = field(default_factory=list)
    junk_session_cookies: bool = False
    url_query: list[str] = field(default_factory=list)
    globoff: bool = False
    result: CurlImport = field(default_factory=lambda: CurlImport(Request(path="")))

    def add_data(self, piece: bytes, kind: str, source: str = "") -> None:
        if self.data is None:
            self.data = bytearray()
        elif kind != "json":  # curl appends --json pieces with no separator
            self.data += b"&"
        self.data += piece
        self.data_sources.append(source)


def _data_option(st: CurlState, opt: Option) -> None:
    arg = opt.arg or ""
    name = opt.name
    if name == "json":
        st.json_used = True
    if name == "data-urlencode":
        st.add_data(_urlencode_arg(arg, st.cwd, "--data-urlencode").encode("ascii"), name)
        return
    if name != "data-raw" and arg.startswith("@"):
        data = _read_file(arg[1:], st.cwd, f"--{name}")
        if name in ("data", "data-ascii"):
            data = _strip_crlf(data).partition(b"\0")[0]  # curl reads it as a C string
        source = arg[1:] if name == "data-binary" else ""
        st.add_data(data, name, source)
        return
    st.add_data(arg.encode("utf-8"), name)


def _form_option(st: CurlState, opt: Option) -> None:
    arg = opt.arg or ""
    name, eq, rest = arg.partition("=")
    if not eq or not name:
        raise CurlParseError(f"The form field '{arg}' needs the shape name=value.")
    if opt.name == "form-string":
        st.form.append(MultipartField(name=name, value=rest))
        return
    prefix, value, params = _split_form_value(rest)
    ctype = params.get("type", "")
    if "filename" in params:
        st.result.notes.append(
            f"-F {name}: the file name is sent as the file's own name "
            f"(filename={params['filename']} is not supported)."
        )
    if "headers" in params:
        raise CurlParseError(f"-F {name}: custom part headers (;headers=) are not supported.")
    if prefix == "@":
        path = abs_file(value, st.cwd, f"-F {name}")
        guess = _CURL_MIME.get(os.path.splitext(path)[1].lower(), "application/octet-stream")
        st.form.append(MultipartField(name=name, file=path, content_type=ctype or guess))
    elif prefix == "<":
        text = as_text(_read_file(value, st.cwd, f"-F {name}"), f"The file for -F {name}")
        st.form.append(MultipartField(name=name, value=text, content_type=ctype))
    else:
        st.form.append(MultipartField(name=name, value=value, content_type=ctype))


def _split_form_value(rest: str) -> tuple[str, str, dict[str, str]]:
    """``@"file;x";type=a/b`` → ('@', 'file;x', {'type': 'a/b'}), as curl 7.88 reads -F:
    an optional @ or <, then a "quoted" word or everything up to the first ``;``."""
    prefix = rest[:1] if rest[:1] in ("@", "<") else ""
    body = rest[len(prefix):]
    if body.startswith('"'):
        out: list[str] = []
        i = 1
        while i < len(body) and body[i] != '"':
            if body[i] == "\\" and i + 1 < len(body):
                i += 1
            out.append(body[i])
            i += 1
        value, tail = "".join(out), body[i + 1:]
    else:
        value, _, tail = body.partition(";")
        tail = ";" + tail if tail else ""
    params: dict[str, str] = {}
    for piece in tail.split(";"):
        key, eq, val = piece.partition("=")
        if eq:
            params[key.strip().lower()] = val.strip().strip('"')
    return prefix, value, params


def _header_option(st: CurlState, arg: str) -> None:
    if arg.startswith("@"):
        text = as_text(_read_file(arg[1:], st.cwd, "-H"), "The header file")
        for line in text.splitlines():
            if line.strip():
                _header_option(st, line.strip())
        return
    colon, semi = arg.find(":"), arg.find(";")
    if colon < 0 and semi < 0:
        raise CurlParseError(f"The header '{arg}' needs the shape 'Name: value'.")
    if colon >= 0 and (semi < 0 or colon < semi):
        name, value = arg[:colon].strip(), arg[colon + 1:].strip(" \t")
        if not value:
            st.removed.add(name.lower())  # curl: "Name:" removes a header it would add
            return
    else:
        name, value = arg[:semi].strip(), ""  # curl: "Name;" sends an empty header
        if arg[semi + 1:].strip():
            raise CurlParseError(f"The header '{arg}' needs the shape 'Name: value'.")
    if not name or any(c in name for c in " \t\"(),/:;<=>?@[\\]{}") or not name.isascii():
        raise CurlParseError(f"'{name}' is not a valid header name (in -H '{arg}').")
    st.headers.append((name, value))


def apply_option(st: CurlState, opt: Option) -> None:
    name, arg, res = opt.name, opt.arg or "", st.result
    if name in ("data", "data-ascii", "data-raw", "data-binary", "data-urlencode", "json"):
        _data_option(st, opt)
    elif name in ("form", "form-string"):
        _form_option(st, opt)
    elif name == "header":
        _header_option(st, arg)
    elif name == "request":
        st.method = arg
    elif name == "url":
        if arg.startswith("@"):
            raise CurlParseError(f"--url {arg} reads URLs from a file (curl 8.13 and later); "
                                 "give the URL itself.")
        st.urls.append(arg)
    elif name == "user":
        st.user = arg
    elif name == "basic":
        st.auth_kind = "basic"
    elif name == "digest":
        st.auth_kind = "digest" if opt.enabled else "basic"
    elif name == "oauth2-bearer":
        st.bearer = arg
    elif name == "cookie":
        if "=" in arg:
            st.cookies.append(arg)
        elif arg:  # a cookie file; "" only turns curl's cookie engine on
            st.cookie_files.append(arg)
    elif name == "junk-session-cookies":
        st.junk_session_cookies = opt.enabled
    elif name == "url-query":
        st.url_query.append(arg[1:] if arg.startswith("+") else _urlencode_arg(
            arg, st.cwd, "--url-query", "%{:02x}"))
    elif name == "globoff":
        st.globoff = opt.enabled
    elif name == "user-agent":
        st.internal["User-Agent"] = arg
    elif name == "referer":
        if arg.removesuffix(";auto"):  # ";auto" alone sets only the redirect behaviour
            st.internal["Referer"] = arg.removesuffix(";auto")
    elif name == "range":
        # curl 7.88 completes a bare start ("600") to an open range ("600-")
        st.internal["Range"] = f"bytes={arg}-" if arg.isdigit() else f"bytes={arg}"
    elif name == "get":
        st.get = opt.enabled
    elif name == "head":
        st.head = opt.enabled
    elif name == "insecure":
        res.insecure = opt.enabled
    elif name in ("location", "location-trusted"):
        res.follow_redirects = opt.enabled
    elif name in ("fail", "fail-with-body"):
        res.request.options.raise_for_status = opt.enabled
    elif name == "max-time":
        res.request.options.timeout = _seconds(arg)
    elif name == "upload-file":
        st.upload = arg
    elif name == "cacert":
        res.ca_bundle = arg
    elif name == "cert":
        res.client_cert = arg
    elif name == "key":
        res.client_key = arg
    elif name == "proxy":
        res.proxy = arg
    # everything else (--compressed, -s, -o…) changes nothing the server receives


def _seconds(arg: str) -> float:
    try:
        value = float(arg)
    except ValueError:
        value = -1.0
    if not 0 < value < 1e9:
        raise CurlParseError(f"--max-time needs a positive number of seconds, not '{arg}'.")
    return value
