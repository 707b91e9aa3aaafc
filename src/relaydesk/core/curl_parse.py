"""``parse_curl``: a pasted curl command becomes a Relaydesk request.

What curl would send, Relaydesk sends: bodies keep curl's exact bytes (``-d`` pieces
joined with ``&``, ``-d @file`` without CR/LF, ``--data-urlencode`` encoded as curl
does), the query string stays byte-for-byte, and headers keep curl's defaults
(``-d`` → form content type, ``--json`` → JSON content type and accept). The password
of ``-u`` is handed back separately for the keyring, never put into the request.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import SplitResult, unquote, urlsplit, urlunsplit

from .curl_args import CurlImport, CurlState, abs_file, apply_option, as_text
from .curl_cookies import cookies_from_file
from .curl_lex import split_command
from .curl_options import read_options
from .errors import CurlParseError
from .model import FORBIDDEN_HEADERS, AuthSettings, Body, KeyValue, Request
from .templating import find_variables
from .urls import encode_query

__all__ = ["CurlImport", "parse_curl"]

_FORM_TYPE = "application/x-www-form-urlencoded"
_JSON_TYPE = "application/json"
_STANDARD_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE"}
_DIFF = "cannot reproduce exactly: "
# curl's URL globbing: {a,b} sets and [1-9] / [a-z] ranges make several requests.
_GLOB = re.compile(r"\{[^{}]*,[^{}]*\}|\[[0-9a-zA-Z]+-[0-9a-zA-Z]+(:\d+)?\]")

# -- putting the request together ---------------------------------------------------------


def _split_url(st: CurlState) -> SplitResult:
    if not st.urls:
        raise CurlParseError("The curl command has no URL.")
    if len(st.urls) > 1:
        raise CurlParseError(
            f"The curl command has {len(st.urls)} URLs ({', '.join(st.urls[:3])}); "
            "import one request at a time."
        )
    url = st.urls[0].strip()
    if not st.globoff and _GLOB.search(url):
        raise CurlParseError(
            f"The URL '{st.urls[0]}' uses curl's URL globbing ({{a,b}} or [1-9]), which "
            "makes several requests; import one URL at a time, or add -g to send the "
            "brackets as they are."
        )
    if "://" not in url:
        url = "http://" + url  # curl's guess for a bare host
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError as exc:
        raise CurlParseError(f"The URL '{st.urls[0]}' is malformed: {exc}.") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise CurlParseError(
            f"The URL '{st.urls[0]}' uses {parts.scheme}://; Relaydesk makes http:// and "
            "https:// requests only."
        )
    if not parts.hostname:
        raise CurlParseError(f"The URL '{st.urls[0]}' has no host name.")
    if "@" in parts.netloc:  # credentials in the URL act like -u
        userinfo, _, host = parts.netloc.rpartition("@")
        if st.user is None:
            user, colon, password = userinfo.partition(":")
            st.user = unquote(user) + (colon + unquote(password) if colon else "")
        parts = parts._replace(netloc=host)
    if st.upload and (not parts.path or parts.path.endswith("/")):
        parts = parts._replace(path=(parts.path or "/") + os.path.basename(st.upload))
    return parts._replace(fragment="")


def _set_url(st: CurlState, req: Request) -> None:
    parts = _split_url(st)
    query = parts.query
    bare_mark = not query and "?" in st.urls[0].partition("#")[0]  # curl keeps "…/c?"
    if st.get and st.data is not None:
        extra = as_text(bytes(st.data), "The -G data")
        query = f"{query}&{extra}" if query else extra
        st.data = None
    for extra in st.url_query:
        query = f"{query}&{extra}" if query else extra
    if st.globoff and any(c in parts.path + query for c in "{}"):
        st.result.notes.append(_DIFF + "curl sends { and } in the URL as typed (-g); "
                               "Relaydesk's HTTP client sends them percent-encoded")
    base = urlunsplit(parts._replace(query=""))
    params: list[KeyValue] = []
    pairs: list[tuple[str, str]] = []
    for piece in query.split("&") if query else []:
        key, _, value = piece.partition("=")
        pairs.append((unquote(key), unquote(value)))
    # Params only when the engine re-encodes them to the very bytes curl sends;
    # anything else (a+b, %2c, flags without =) stays in the URL as typed.
    if pairs and encode_query(pairs) == query:
        params = [KeyValue(k, v) for k, v in pairs]
        req.url = base
    else:
        req.url = base + ("?" + query if query or bare_mark else "")
    req.params = params


def _content_type(st: CurlState) -> str | None:
    for name, value in reversed(st.headers):
        if name.lower() == "content-type":
            return value
    return None


def _set_body(st: CurlState, req: Request) -> None:
    given_type = _content_type(st)
    if st.form:
        req.body = Body(kind="multipart", multipart=st.form)
    elif st.upload:
        req.body = Body(kind="binary", file=abs_file(st.upload, st.cwd, "-T"),
                        content_type=given_type or "")
        if given_type is None:
            st.result.notes.append(_DIFF + "-T: curl sends no Content-Type; Relaydesk sends "
                                   "application/octet-stream")
    elif st.data is not None:
        ctype = given_type or (_JSON_TYPE if st.json_used else _FORM_TYPE)
        if given_type is None and "content-type" in st.removed:
            ctype = ""
            st.result.notes.append("-H 'Content-Type:' cannot remove the body's type.")
        sources = st.data_sources
        if len(sources) == 1 and sources[0]:
            req.body = Body(kind="binary", content_type=ctype,
                            file=abs_file(sources[0], st.cwd, "--data-binary"))
        else:
            text = as_text(bytes(st.data), "The request body")
            if _is_json_type(ctype) and _is_json(text):
                req.body = Body(kind="json", text=text, content_type=ctype)
            else:
                req.body = Body(kind="raw", text=text, content_type=ctype)
        if given_type is None and ctype:
            st.headers.append(("Content-Type", ctype))
    if st.json_used and not any(n.lower() == "accept" for n, _ in st.headers):
        st.headers.append(("Accept", _JSON_TYPE))


def _is_json_type(ctype: str) -> bool:
    media = ctype.split(";", 1)[0].strip().lower()
    return media == _JSON_TYPE or media.endswith("+json")


def _is_json(text: str) -> bool:
    if not text.strip().startswith(("{", "[")):
        return False
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _set_method(st: CurlState, req: Request) -> None:
    if st.get and (st.form or st.upload):
        raise CurlParseError("-G puts the data in the URL; it cannot be combined with -F or -T.")
    has_body = (st.data is not None and not st.get) or bool(st.form)
    if st.head and (has_body or st.upload):
        raise CurlParseError("-I (HEAD) cannot be combined with a body (-d, -F or -T).")
    if st.form and (st.data is not None or st.upload):
        raise CurlParseError("-F cannot be combined with -d/--data or -T in one request.")
    if st.upload and st.data is not None and not st.get:
        raise CurlParseError("-T (a PUT of a file) and -d (a POST of data) cannot be combined; "
                             "curl refuses it too: keep one of them.")
    if st.upload and _GLOB.search(st.upload) and not st.globoff:
        raise CurlParseError(f"-T '{st.upload}' uses curl's file globbing, which uploads "
                             "several files; give one file.")
    if st.method is not None:
        method = st.method.strip()
        if not method or not method.isascii() or not method.isalpha():
            raise CurlParseError(f"'{st.method}' (-X) is not an HTTP method.")
        req.method = method.upper() if method.upper() in _STANDARD_METHODS else method
        if method != method.upper():
            st.result.notes.append(_DIFF + f"curl sends the method '{method}' as typed; "
                                   f"Relaydesk's HTTP client sends it as {method.upper()}")
    elif st.head:
        req.method = "HEAD"
    elif st.upload:
        req.method = "PUT"
    elif has_body:
        req.method = "POST"
    else:
        req.method = "GET"


def _empty_body_note(st: CurlState, req: Request) -> None:
    if req.body.kind == "none" and req.method.upper() in ("POST", "PUT", "PATCH"):
        st.result.notes.append(_DIFF + f"curl sends this {req.method} with no body and no "
                               "Content-Length; Relaydesk's HTTP client adds "
                               "Content-Length: 0")


def _jar_cookies(st: CurlState, req: Request) -> str:
    """The cookies of ``-b FILE`` for this URL, as curl's Cookie header has them."""
    parts = urlsplit(req.url)
    pairs: list[tuple[str, str]] = []
    for name in st.cookie_files:
        path = Path(os.path.expandvars(name)).expanduser()
        pairs += cookies_from_file(path if path.is_absolute() else st.cwd / path,
                                   parts.hostname or "", parts.path or "/",
                                   parts.scheme == "https", st.junk_session_cookies)
    return "; ".join(f"{k}={v}" for k, v in pairs)


def _set_headers_and_auth(st: CurlState, req: Request, one_off: bool,
                          ask_password: Callable[[str], str | None] | None) -> None:
    res = st.result
    given = {n.lower() for n, _ in st.headers}
    first = [(k, v) for k, v in st.internal.items() if k.lower() not in given]
    cookie_headers = [v for n, v in st.headers if n.lower() == "cookie"]
    # curl sends a -H Cookie instead of its -b cookies; several -b join with ";",
    # after the cookies of a -b file.
    jar = _jar_cookies(st, req) if st.cookie_files else ""
    cookie = cookie_headers[-1] if cookie_headers else "; ".join(
        p for p in (jar, ";".join(st.cookies)) if p)
    kept: list[KeyValue] = []
    for name, value in first + st.headers:
        low = name.lower()
        if low == "host" and one_off:
            kept.append(KeyValue(name, value))  # people test virtual hosts this way
        elif low in FORBIDDEN_HEADERS:
            res.notes.append(f"The header {name} was dropped: {FORBIDDEN_HEADERS[low]}.")
        elif low != "cookie":
            kept.append(KeyValue(name, value))
    if cookie:
        pieces = [p.strip() for p in cookie.split(";") if p.strip()]
        pairs = [p.partition("=") for p in pieces]
        if all(eq and k for k, eq, _ in pairs) and "; ".join(pieces) == cookie:
            req.cookies = [KeyValue(k, v) for k, _, v in pairs]
        else:  # keep curl's exact bytes
            kept.append(KeyValue("Cookie", cookie))
    req.headers = kept
    for low in sorted(st.removed - {"content-type"} - given):
        res.notes.append(_DIFF + f"-H '{low}:' asks curl not to send a header it would "
                         "add; Relaydesk's HTTP client sends it")
    if st.bearer is not None:
        req.auth = AuthSettings("bearer", {})
        res.secrets["token"] = st.bearer
    elif st.user is not None:
        user, colon, password = st.user.partition(":")
        req.auth = AuthSettings(st.auth_kind, {"username": user})
        if not colon and ask_password is not None:
            asked = ask_password(user)
            colon, password = ("", "") if asked is None else (":", asked)
        if colon:
            res.secrets["password"] = password
        elif one_off:
            raise CurlParseError(f"-u {user} gives no password: curl would prompt for the "
                                 "password; give -u user:password or set it with "
                                 "relaydesk secret set.")
        else:
            res.notes.append("-u gives no password: curl would ask for it; save it as the "
                             "request's password secret.")


def parse_curl(command: str, *, cwd: str | os.PathLike[str] | None = None,
               one_off: bool = False,
               ask_password: Callable[[str], str | None] | None = None) -> CurlImport:
    """Turn a pasted curl command into a request; files named with @ are read from ``cwd``.

    ``one_off`` is for a request sent once and not saved (``send --curl``): a ``Host``
    header is kept, and ``-u user`` without a password is refused unless
    ``ask_password(user)`` (the app's prompt) supplies one.
    Raises ``CurlParseError`` with one clear sentence for anything it cannot import.
    """
    try:
        command.encode("utf-8")
    except UnicodeEncodeError:
        raise CurlParseError("The command contains characters that are not valid text.") from None
    lex_notes: list[str] = []
    variables: set[str] = set()
    words, op, rest = split_command(command.replace("\r\n", "\n"), lex_notes, variables)
    while words and (words[0] == "$" or _is_assignment(words[0])):
        words = words[1:]  # a "$ " prompt or VAR=value before the command
    if not words:
        raise CurlParseError("Paste a curl command: the text holds no command.")
    exe = words[0].replace("\\", "/").rsplit("/", 1)[-1].lower()
    if exe not in ("curl", "curl.exe"):
        raise CurlParseError(
            f"A curl command must start with 'curl' (this one starts with '{words[0][:40]}')."
        )
    if op not in ("|", "||") and rest.strip():
        more, _, _ = split_command(rest)
        if any(w.replace("\\", "/").rsplit("/", 1)[-1].lower() in ("curl", "curl.exe")
               for w in more[:3]):
            raise CurlParseError("The text holds more than one curl command; "
                                 "import them one at a time.")
    options, positional = read_options(words[1:])
    st = CurlState(cwd=Path(cwd) if cwd is not None else Path.cwd())
    st.result.notes.extend(lex_notes)
    st.urls.extend(positional)
    for opt in options:
        apply_option(st, opt)
    req = st.result.request
    _set_method(st, req)
    _set_url(st, req)
    _set_body(st, req)
    _empty_body_note(st, req)
    _set_headers_and_auth(st, req, one_off, ask_password)
    req.options.follow_redirects = st.result.follow_redirects
    _variable_notes(st, req, variables)
    if _has_template(req):
        st.result.notes.append("The command contains {{…}}: a defined variable of that "
                               "name is substituted when the request is sent; any other "
                               "is sent as written (\\{{name}} always is).")
    return st.result


def _variable_notes(st: CurlState, req: Request, variables: set[str]) -> None:
    """A ``$VAR`` that reached the request: the shell would have put its value there."""
    texts = [req.url, req.body.text, *(h.value for h in req.headers), *st.result.secrets.values(),
             *(p.value for p in req.params), *(f.value for f in req.body.multipart),
             *(c.value for c in req.cookies), *(req.auth.params.values() if req.auth else ())]
    for name in sorted(variables):
        if any(re.search(r"\$\{?" + name + r"\b", t) for t in texts):
            st.result.notes.append(
                _DIFF + f"${name} is a shell variable: a shell would put its value here; "
                f"Relaydesk sends the text ${name} as written (replace it with the value, "
                "or use a {{variable}})")


def _is_assignment(word: str) -> bool:
    name, eq, _ = word.partition("=")
    return bool(eq) and name.isidentifier() and name.isascii()


def _has_template(req: Request) -> bool:
    texts = [req.url, req.body.text, *(h.value for h in req.headers),
             *(p.value for p in req.params), *(f.value for f in req.body.multipart)]
    return any(find_variables(t) for t in texts)
