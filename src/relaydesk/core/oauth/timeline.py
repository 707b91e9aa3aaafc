"""The OAuth timeline: every call to the authorization server, secrets masked.

"Why did my token request fail" is answered by what was sent and what came back.
A ``Timeline`` records each call an OAuth client makes (discovery, JWKS, device
authorization, token) through httpx event hooks, plus the browser steps of the code
flow (the authorization URL opened, the redirect that came back). An entry keeps
the method, the URL, the status, the time taken, the parameters sent and the
server's answer — every value whose name says it is a credential (client_secret,
code, code_verifier, device_code, tokens, passwords, assertions) replaced by
``***``, and the client authentication header reduced to its scheme. Entries live
in memory only: nothing here is ever written to disk.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

__all__ = [
    "MASK",
    "Timeline",
    "TimelineEntry",
    "format_entry",
    "instrument",
    "is_secret_name",
    "mask_params",
    "mask_url",
]

MASK = "***"
MAX_ENTRIES = 200
_MAX_VALUE = 200
_MAX_FIELDS = 12
# A parameter whose name contains one of these words carries a credential...
_SECRET_WORDS = ("secret", "password", "token", "code", "verifier", "assertion", "key")
# ...unless it is one of these public names.
_PUBLIC_NAMES = frozenset({
    "token_type", "grant_type", "response_type", "code_challenge", "code_challenge_method",
    "user_code", "expires_in", "token_endpoint", "token_endpoint_auth_method",
    "requested_token_type", "issued_token_type", "subject_token_type", "actor_token_type",
    "client_assertion_type", "error", "error_description", "error_uri",
})


def is_secret_name(name: str) -> bool:
    low = name.lower()
    return low not in _PUBLIC_NAMES and any(w in low for w in _SECRET_WORDS)


def _short(value: str) -> str:
    return value if len(value) <= _MAX_VALUE else value[:_MAX_VALUE] + "…"


def mask_params(params: Mapping[str, Any]) -> dict[str, str]:
    """Parameters as text, credentials replaced by ``***``."""
    out: dict[str, str] = {}
    for name, value in params.items():
        if isinstance(value, (dict, list)):
            text = f"({type(value).__name__}, {len(value)} items)"
        else:
            text = "" if value is None else str(value)
        out[str(name)] = MASK if is_secret_name(str(name)) and text else _short(text)
    return out


def mask_url(url: str) -> str:
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = urlencode(list(mask_params(dict(parse_qsl(parts.query, keep_blank_values=True)))
                           .items()), safe="*")
    return urlunsplit(parts._replace(query=query))


@dataclass
class TimelineEntry:
    what: str  # "token (authorization_code)", "discovery", "browser", ...
    method: str
    url: str
    params: dict[str, str] = field(default_factory=dict)
    client_auth: str = ""  # "Basic ***", "client_secret_post", ""
    status: int | None = None
    elapsed_ms: float | None = None
    error: str = ""  # as the server sent it (error: description), or the transport error
    answer: dict[str, str] = field(default_factory=dict)  # masked fields of a success
    at: float = field(default_factory=time.time)
    browser: bool = False  # a step the browser made, not a call of ours


def format_entry(entry: TimelineEntry) -> str:
    """One readable line (plus detail lines) per call."""
    stamp = time.strftime("%H:%M:%S", time.localtime(entry.at))
    if entry.browser:
        outcome = "failed" if entry.error else "done"
    else:
        outcome = str(entry.status) if entry.status is not None else "no answer"
    took = f" {entry.elapsed_ms:.0f} ms" if entry.elapsed_ms is not None else ""
    lines = [f"{stamp} {entry.what}: {entry.method} {entry.url} → {outcome}{took}"]
    if entry.client_auth:
        lines.append(f"    client authentication: {entry.client_auth}")
    if entry.params:
        lines.append("    sent: " + ", ".join(f"{k}={v}" for k, v in entry.params.items()))
    if entry.error:
        lines.append(f"    error: {entry.error}")
    if entry.answer:
        lines.append("    answer: " + ", ".join(f"{k}={v}" for k, v in entry.answer.items()))
    return "\n".join(lines)


Listener = Callable[[TimelineEntry], object]


class Timeline:
    """The calls of one auth owner, oldest first (the last ``MAX_ENTRIES``)."""

    def __init__(self) -> None:
        self._entries: list[TimelineEntry] = []
        self._listeners: list[Listener] = []

    def entries(self) -> list[TimelineEntry]:
        return list(self._entries)

    def clear(self) -> None:
        self._entries.clear()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` with each finished entry; returns the unsubscribe."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def add(self, entry: TimelineEntry) -> TimelineEntry:
        self._entries.append(entry)
        del self._entries[:-MAX_ENTRIES]
        return entry

    def finish(self, entry: TimelineEntry) -> None:
        for listener in list(self._listeners):
            listener(entry)

    def note(self, what: str, method: str, url: str, *, params: Mapping[str, Any] | None = None,
             error: str = "") -> TimelineEntry:
        """A step that is not an HTTP call of ours (the browser's part of the code flow)."""
        entry = self.add(TimelineEntry(what, method, mask_url(url),
                                       mask_params(params or {}), error=error, browser=True))
        self.finish(entry)
        return entry

    def text(self) -> str:
        return "\n".join(format_entry(e) for e in self._entries)


def _what(request: httpx.Request, form: Mapping[str, str]) -> str:
    grant = form.get("grant_type", "")
    if grant:
        return f"token ({grant.rsplit(':', 1)[-1]})"
    path = request.url.path
    if "/.well-known/" in path:
        return "discovery"
    if request.method == "POST" and "device" in path:
        return "device authorization"
    if request.method == "GET" and ("jwk" in path or "cert" in path or "keys" in path):
        return "issuer keys (JWKS)"
    return "request"


def _form_of(request: httpx.Request) -> dict[str, str]:
    if "x-www-form-urlencoded" not in request.headers.get("content-type", ""):
        return {}
    try:
        return dict(parse_qsl(request.content.decode("utf-8", "replace"),
                              keep_blank_values=True))
    except (httpx.RequestNotRead, UnicodeError):
        return {}


def _client_auth(request: httpx.Request, form: Mapping[str, str]) -> str:
    header = request.headers.get("authorization", "")
    if header:
        return f"{header.split(' ', 1)[0]} {MASK}"
    if "client_secret" in form:
        return "client_secret_post"
    if "client_assertion" in form:
        return "private_key_jwt / client_secret_jwt"
    return "none (public client)" if "client_id" in form else ""


def _answer(response: httpx.Response, entry: TimelineEntry) -> None:
    try:
        data = json.loads(response.content)
    except ValueError:
        if response.status_code >= 400:
            entry.error = _short(response.text.strip().replace("\n", " ")) or response.reason_phrase
        return
    if not isinstance(data, dict):
        return
    if isinstance(data.get("error"), str):
        described = data.get("error_description")
        entry.error = data["error"] + (f": {described}" if isinstance(described, str) else "")
        if isinstance(data.get("error_uri"), str):
            entry.error += f" ({data['error_uri']})"
        return
    if entry.what == "discovery" or entry.what.startswith("issuer keys"):
        entry.answer = {"fields": str(len(data))}
        return
    entry.answer = mask_params(dict(list(data.items())[:_MAX_FIELDS]))


def instrument(client: httpx.AsyncClient, timeline: Timeline) -> Callable[[str], None]:
    """Record every call ``client`` makes into ``timeline`` (hooks appended, kept).

    Returns ``unanswered(error)``: a call that got no answer never reaches the
    response hook, so whoever saw the transport error settles it with that."""
    pending: dict[int, tuple[TimelineEntry, float]] = {}

    async def on_request(request: httpx.Request) -> None:
        form = _form_of(request)
        entry = timeline.add(TimelineEntry(
            _what(request, form), request.method, mask_url(str(request.url)),
            mask_params(form), client_auth=_client_auth(request, form)))
        pending[id(request)] = (entry, time.perf_counter())

    async def on_response(response: httpx.Response) -> None:
        item = pending.pop(id(response.request), None)
        if item is None:
            return
        entry, started = item
        entry.status = response.status_code
        entry.elapsed_ms = (time.perf_counter() - started) * 1000
        await response.aread()
        _answer(response, entry)
        timeline.finish(entry)

    hooks = client.event_hooks
    client.event_hooks = {"request": [*hooks.get("request", []), on_request],
                          "response": [*hooks.get("response", []), on_response]}

    def unanswered(error: str) -> None:
        for entry, started in pending.values():
            entry.elapsed_ms = (time.perf_counter() - started) * 1000
            entry.error = error
            timeline.finish(entry)
        pending.clear()

    return unanswered
