"""Removing credentials from a request/response before it is written anywhere.

Two layers: headers and query parameters that carry credentials by name
(Authorization, Cookie, the API-key header/param of the auth settings…) are
replaced whole, and every secret value that went into the request is replaced
wherever it appears — URL, any header, either body — in its raw, percent-encoded,
JSON-escaped and base64 forms. What remains is safe to keep in history.

Messages go through the same step: ``redact_error`` rewrites an exception raised while
sending (its text, field messages and redirect target), so whichever face shows it —
CLI, app, Python API — never shows a credential or a server's echo of one, nor the
escape codes a server put in its words (``printable``).
"""

from __future__ import annotations

import base64
import functools
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

from .prepare import PreparedRequest
from .printable import printable

__all__ = ["REDACTED", "SENSITIVE_HEADERS", "Redactor", "message_scrubber", "redact_error"]

REDACTED = "[redacted]"
_REDACTED_RAW = REDACTED.encode()
SENSITIVE_HEADERS = frozenset({
    "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api-key",
    "x-auth-token", "x-access-token",
})
_SENSITIVE_PARAMS = frozenset({"access_token", "api_key", "apikey", "token", "client_secret"})
_MIN_SECRET = 3  # shorter values would redact ordinary text everywhere
_MIN_BASE64 = 6


# Percent-encoders differ in what they leave alone; a secret is looked for under each.
_SAFE_SETS = ("", "/", "-._~", "/:@!$'()*,;", "/:@!$'()*,;=&+", "!$'()*,;:@/?")


def _forms(value: str) -> set[str]:
    forms = {value, quote_plus(value), json.dumps(value)[1:-1]}
    forms |= {quote(value, safe=safe) for safe in _SAFE_SETS}
    raw = value.encode("utf-8", "surrogatepass")
    if len(raw) >= _MIN_BASE64:  # shorter ones would match ordinary words
        for encoded in (base64.b64encode(raw), base64.urlsafe_b64encode(raw)):
            forms |= {encoded.decode(), encoded.decode().rstrip("=")}
    return {f for f in forms if len(f) >= _MIN_SECRET}


@dataclass(frozen=True)
class Redactor:
    secrets: frozenset[str]
    headers: frozenset[str]
    params: frozenset[str]

    @classmethod
    def for_request(cls, prepared: PreparedRequest) -> Redactor:
        # History and the kept last response each ask after every send, and a run sends
        # the same URL and headers over and over: the (immutable) answer is shared.
        try:
            return _for_request(prepared.url, tuple(prepared.headers),
                                frozenset(prepared.secret_values),
                                frozenset(prepared.sensitive_headers),
                                frozenset(prepared.sensitive_params))
        except TypeError:  # a header given as a list, not a tuple: nothing to share
            return cls.for_parts(prepared.url, prepared.headers,
                                 secret_values=prepared.secret_values,
                                 sensitive_headers=prepared.sensitive_headers,
                                 sensitive_params=prepared.sensitive_params)

    @classmethod
    def for_parts(cls, url: str, headers_sent: Iterable[tuple[str, str]], *,
                  secret_values: Iterable[str] = (),
                  sensitive_headers: Iterable[str] = (),
                  sensitive_params: Iterable[str] = ()) -> Redactor:
        """From what was sent, e.g. an ``httpx.Request`` (the Python API's pages)."""
        headers = SENSITIVE_HEADERS | {h.lower() for h in sensitive_headers}
        params = _SENSITIVE_PARAMS | {p.lower() for p in sensitive_params}
        values: set[str] = set()
        for value in secret_values:
            values |= _forms(value)
        # The whole value of a credential header, and its part after the scheme
        # ("Basic dXNl…"), so echoes of it in a response body go too.
        for name, value in headers_sent:
            if name.lower() in headers:
                values |= _forms(value)
                values |= _forms(value.partition(" ")[2])
        for name, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
            if name.lower() in params:
                values |= _forms(value)
        # Longest first, so a value is never half-replaced by one of its substrings.
        ordered = sorted((v for v in values if len(v) >= _MIN_SECRET), key=len, reverse=True)
        return cls(frozenset(ordered), frozenset(headers), frozenset(params))

    @functools.cached_property
    def _ordered(self) -> tuple[str, ...]:
        """The secrets longest first (a redactor is shared by a run's every request:
        sorted once, not per use)."""
        return tuple(sorted(self.secrets, key=len, reverse=True))

    @functools.cached_property
    def _ordered_raw(self) -> tuple[bytes, ...]:
        return tuple(v.encode("utf-8", "surrogatepass") for v in self._ordered)

    def text(self, text: str) -> str:
        for value in self._ordered:
            if value in text:
                text = text.replace(value, REDACTED)
        return text

    def data(self, data: bytes) -> bytes:
        for raw in self._ordered_raw:
            if raw in data:
                data = data.replace(raw, _REDACTED_RAW)
        return data

    def url(self, url: str) -> str:
        parts = urlsplit(url)
        if parts.query:
            pairs = parse_qsl(parts.query, keep_blank_values=True)
            if any(k.lower() in self.params for k, _ in pairs):
                query = urlencode([(k, REDACTED if k.lower() in self.params else v)
                                   for k, v in pairs], safe="[]")
                parts = parts._replace(query=query)
        if parts.password:
            netloc = parts.netloc.replace(f":{parts.password}@", f":{REDACTED}@")
            parts = parts._replace(netloc=netloc)
        return self.text(urlunsplit(parts))

    def header_list(self, headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        return [(k, REDACTED if k.lower() in self.headers else self.text(v)) for k, v in headers]


@functools.lru_cache(maxsize=64)
def _for_request(url: str, headers: tuple[tuple[str, str], ...], secret_values: frozenset[str],
                 sensitive_headers: frozenset[str], sensitive_params: frozenset[str]
                 ) -> Redactor:
    return Redactor.for_parts(url, headers, secret_values=secret_values,
                              sensitive_headers=sensitive_headers,
                              sensitive_params=sensitive_params)


def message_scrubber(prepared: PreparedRequest) -> Callable[[str], str]:
    """Text of a message about ``prepared`` → without its credentials (in any of their
    encodings, echoed by the server or not) and without control characters."""
    redactor = Redactor.for_request(prepared)

    def scrub(text: str) -> str:
        return redactor.text(printable(text))

    return scrub


def redact_error(exc: BaseException, scrub: Callable[[str], str] = printable) -> None:
    """Rewrite ``exc`` in place with ``scrub`` (see ``message_scrubber``): its message,
    ``fields`` and ``location``; its type and other fields are kept."""
    if exc.args and isinstance(exc.args[0], str):
        exc.args = (scrub(exc.args[0]), *exc.args[1:])
    fields = getattr(exc, "fields", None)
    if isinstance(fields, list):
        exc.fields = [scrub(str(f)) for f in fields]  # type: ignore[attr-defined]
    location = getattr(exc, "location", None)
    if isinstance(location, str) and location:
        exc.location = scrub(location)  # type: ignore[attr-defined]
