"""The HTTP engine: prepares a request, sends it through a pooled client, reads the
answer into a ``Response``.

One long-lived ``httpx.AsyncClient`` is kept per distinct TLS/proxy setup (so every
request of a connection reuses its connections) and closed in ``aclose()``. Transport
failures come out as ``RequestError`` subclasses with plain-words messages; a
cancelled task closes the response and lets ``CancelledError`` propagate.

Every exchange (answered, or failed with a ``RelaydeskError``) is reported to the
``on_exchange`` observer, which is how history gets recorded whoever sends: the CLI,
the runner, pagination or the app. An observer that raises is logged, never fatal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

import anyio.to_thread
import httpx

from .auth import TokenProvider, auth_owner
from .cache import CACHEABLE_METHODS, ResponseCache, cache_key
from .check import CheckResult, check_connection
from .client_settings import transport_settings
from .deferred_ca import defers_ca
from .errors import HttpStatusError, RelaydeskError, ValidationError
from .jarless_client import JarlessClient
from .messages import explain_status, status_error, to_request_error
from .model import Connection, Environment, Request
from .prepare import PreparedRequest, check_headers, prepare, resolve_variables
from .printable import printable
from .redact import message_scrubber, redact_error
from .response import Response, parse_set_cookies
from .secrets import SecretStore
from .timeline import exchange_timeline
from .transfer import MAX_REDIRECTS, ProgressCallback, fetch, request_body

__all__ = ["DEFAULT_SPOOL_THRESHOLD", "Engine", "ExchangeObserver", "raise_for_request"]

log = logging.getLogger(__name__)

# (request path, what was sent, the answer or None, the error or None); called after
# every exchange, before a 4xx/5xx is raised, while a spooled body still exists.
ExchangeObserver = Callable[[str, PreparedRequest, Response | None, RelaydeskError | None],
                            None]

DEFAULT_SPOOL_THRESHOLD = 8 * 1024 * 1024
_USER_AGENT = "relaydesk/0.1"
_DEFAULT_HEADERS = (("User-Agent", _USER_AGENT), ("Accept", "*/*"),
                    ("Accept-Encoding", "gzip, deflate"))
_PROBLEM_PEEK = 256 * 1024  # how much of a spooled error body explain_status reads
_ClientKey = tuple[bool, str, str, str, str, str, str]
_ClientSlot = tuple[bool, str, str, str, str, str, str, bool]  # the key, then defer_ca


def _client_key(connection: Connection | None) -> _ClientKey:
    if connection is None:
        return (True, "", "", "", "", "auto", "bundled")
    tls = connection.tls
    return (tls.verify, tls.ca_bundle, tls.client_cert, tls.client_key, connection.proxy.strip(),
            connection.http_version, tls.trust_store)


def _mask(text: str, secrets: frozenset[str]) -> str:
    if not secrets:
        return text
    from urllib.parse import quote

    for value in secrets:
        if len(value) >= 3:
            text = text.replace(value, "****").replace(quote(value, safe=""), "****")
    return text


class Engine:
    def __init__(
        self,
        secrets: SecretStore | None,
        *,
        cache: ResponseCache | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        spool_threshold: int = DEFAULT_SPOOL_THRESHOLD,
        token_provider: TokenProvider | None = None,
        max_redirects: int = MAX_REDIRECTS,
        on_exchange: ExchangeObserver | None = None,
    ) -> None:
        self._secrets = secrets
        self._on_exchange = on_exchange
        self._cache = cache
        self._transport = transport
        self._spool_threshold = spool_threshold
        self._tokens = token_provider
        self._max_redirects = max_redirects
        self._clients: dict[_ClientSlot, httpx.AsyncClient] = {}

    @property
    def cache(self) -> ResponseCache | None:
        return self._cache

    async def _client(self, connection: Connection | None) -> httpx.AsyncClient:
        # A plain-http connection's client reads no CA file until a handshake needs it.
        defer_ca = defers_ca(connection)
        key = (*_client_key(connection), defer_ca)
        client = self._clients.get(key)
        if client is None and defer_ca:  # nothing slow to keep off the event loop
            client = self._clients[key] = self._new_client(connection, defer_ca=True)
        elif client is None:
            # Loading the CA certificates takes tens of milliseconds: done in a worker
            # thread, not on the event loop (which is the GUI's in the app).
            client = await anyio.to_thread.run_sync(self._new_client, connection)
            existing = self._clients.setdefault(key, client)
            if existing is not client:  # a concurrent first send built one meanwhile
                await client.aclose()
                client = existing
        return client

    def _new_client(self, connection: Connection | None,
                    defer_ca: bool = False) -> httpx.AsyncClient:
        # Cookies are whatever the request says: no jar carries them between requests.
        if self._transport is not None:
            return JarlessClient(transport=self._transport, follow_redirects=False,
                                 trust_env=False)
        return JarlessClient(follow_redirects=False,
                             **transport_settings(connection, self._secrets,
                                                  defer_ca=defer_ca))

    async def prepare(
        self,
        request: Request,
        connection: Connection | None,
        *,
        environment: Environment | None = None,
        variables: Mapping[str, str] | None = None,
        strict: bool = False,
    ) -> PreparedRequest:
        """What ``send`` would put on the wire (OAuth token fetched if needed); with
        ``strict`` an undefined ``{{name}}`` is an error instead of sent as written."""
        env_secrets: frozenset[str] = frozenset()
        if environment is not None and environment.secrets:  # no import per plain send
            from .env_secrets import with_secret_values

            environment, env_secrets = with_secret_values(environment, self._secrets)
        values = resolve_variables(connection, environment, variables)
        token = None
        settings, owner = auth_owner(request, connection)
        if settings.kind == "oauth2" and self._tokens is not None:
            token = await self._tokens.access_token(owner, settings, connection)
        prepared = prepare(request, connection, self._secrets, values, oauth_token=token,
                           strict=strict)
        check_headers(prepared.headers)  # a CR/LF named here, not as a protocol error
        if env_secrets:  # redacted from history like the auth's own secrets
            prepared.secret_values = prepared.secret_values | env_secrets
        return prepared

    async def send(
        self,
        request: Request,
        connection: Connection | None,
        *,
        environment: Environment | None = None,
        variables: Mapping[str, str] | None = None,
        on_progress: ProgressCallback | None = None,
        strict: bool = False,
        timeline: bool = True,
    ) -> Response:
        """Send ``request``; a 4xx/5xx raises ``HttpStatusError`` when the request says
        "raise on 4xx/5xx" (after the observer has seen it)."""
        _, response = await self.exchange(request, connection, environment=environment,
                                          variables=variables, on_progress=on_progress,
                                          strict=strict, timeline=timeline)
        raise_for_request(request, response)
        return response

    async def exchange(
        self,
        request: Request,
        connection: Connection | None,
        *,
        environment: Environment | None = None,
        variables: Mapping[str, str] | None = None,
        on_progress: ProgressCallback | None = None,
        strict: bool = False,
        timeline: bool = True,
    ) -> tuple[PreparedRequest, Response]:
        """What was sent and what came back, never raising for the status (for callers
        that need the prepared request too, such as pagination). A 401 on an OAuth 2.0
        request is retried once with a fresh token. Without ``timeline`` the response
        has none and only its total time (a collection run: less work per request)."""
        settings, owner = auth_owner(request, connection)
        oauth = settings.kind == "oauth2" and self._tokens is not None
        invalidate = getattr(self._tokens, "invalidate", None) if oauth else None
        for attempt in (1, 2):
            prepared = await self.prepare(request, connection, environment=environment,
                                          variables=variables, strict=strict)
            response = await self.send_prepared(
                prepared, connection, bypass_cache=request.options.bypass_cache,
                on_progress=on_progress, request_path=request.path, timeline=timeline)
            if response.status != 401 or invalidate is None or attempt == 2:
                break
            # A revoked or expired-early OAuth token: forget it and try once more with
            # a fresh one (refreshed, or a new client-credentials grant).
            response.discard()
            invalidate(owner)
        return prepared, response

    async def send_prepared(
        self,
        prepared: PreparedRequest,
        connection: Connection | None = None,
        *,
        raise_for_status: bool = False,
        bypass_cache: bool = False,
        on_progress: ProgressCallback | None = None,
        request_path: str = "",
        timeline: bool = True,
    ) -> Response:
        """Send exactly ``prepared``; the observer sees the outcome before a 4xx/5xx is
        raised (``raise_for_status``), so history keeps the status."""
        try:
            response = await self._transmit(prepared, connection, bypass_cache, on_progress,
                                            timeline)
        except RelaydeskError as exc:
            redact_error(exc, message_scrubber(prepared))
            self._observe(request_path, prepared, None, exc)
            raise
        self._observe(request_path, prepared, response, None)
        if raise_for_status and response.status >= 400:
            raise _status_error(response)
        return response

    def _observe(self, path: str, prepared: PreparedRequest, response: Response | None,
                 error: RelaydeskError | None) -> None:
        if self._on_exchange is None:
            return
        try:
            self._on_exchange(path, prepared, response, error)
        except Exception as exc:  # recording is a convenience: it never fails a send
            log.warning("the exchange observer failed: %s", exc)

    async def _transmit(self, prepared: PreparedRequest, connection: Connection | None,
                        bypass_cache: bool, on_progress: ProgressCallback | None,
                        timeline: bool = True) -> Response:
        content, multipart_type = request_body(prepared)
        headers = list(prepared.headers)
        if multipart_type:
            headers.append(("Content-Type", multipart_type))
        present = {k.lower() for k, _ in headers}
        headers = [*(h for h in _DEFAULT_HEADERS if h[0].lower() not in present), *headers]

        key = None
        if (self._cache is not None and connection is not None and connection.cache_ttl > 0
                and prepared.method in CACHEABLE_METHODS and not bypass_cache):
            key = cache_key(prepared.owner_path, prepared.method, prepared.url, headers,
                            content, prepared.secret_values)
            hit = self._cache.get(key)
            if hit is not None:
                if on_progress is not None:
                    on_progress(hit.size, hit.size)
                return hit

        client = await self._client(connection)
        try:
            got = await fetch(client, prepared, headers, content,
                              max_redirects=self._max_redirects,
                              spool_threshold=self._spool_threshold, on_progress=on_progress,
                              trace_events=timeline)
            opened, raw = got.exchange, got.exchange.response
            body, body_file, size = got.body, got.body_file, got.size
        except httpx.HTTPError as exc:
            raise to_request_error(exc, timeout=prepared.timeout) from exc
        except httpx.InvalidURL as exc:
            raise ValidationError(f"'{prepared.url}' is not a valid URL: {exc}.") from None
        except UnicodeEncodeError:
            raise ValidationError(
                "A header name or value contains characters that HTTP headers cannot carry "
                "(use plain ASCII, or percent-encode the value)."
            ) from None

        resp_headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in raw.headers.raw]
        response = Response(
            status=raw.status_code, reason=printable(raw.reason_phrase),
            http_version=raw.http_version,
            method=prepared.method, url=_mask(opened.answers[-1][1], prepared.secret_values),
            headers=resp_headers,
            cookies=parse_set_cookies([v for k, v in resp_headers if k.lower() == "set-cookie"]),
            size=size, timings=opened.trace.timings(), body_file=body_file, body=body,
            redirects=[_mask(u, prepared.secret_values) for u in opened.redirects],
        )
        if timeline:
            response.timeline = exchange_timeline(prepared, opened)
        if response.status >= 400:
            response.scrub = message_scrubber(prepared)
            response.problem = response.scrub(
                explain_status(response.status, resp_headers, _peek(response)) or "")
        elif key is not None and self._cache is not None and connection is not None:
            self._cache.put(key, response, connection.cache_ttl,
                            connection_path=connection.path)
        return response

    async def check(self, connection: Connection) -> CheckResult:
        return await check_connection(self, connection)

    async def aclose(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.aclose()


def _peek(response: Response) -> bytes:
    """The start of the body, from memory or from the spooled file."""
    if response.body_file is None:
        return response.body
    with open(response.body_file, "rb") as fh:
        data: bytes = fh.read(_PROBLEM_PEEK)
    return data


def raise_for_request(request: Request, response: Response) -> None:
    """Raise ``HttpStatusError`` for a 4xx/5xx when the request says "raise on 4xx/5xx"
    (the response is discarded then): what ``send`` does after ``exchange``."""
    if request.options.raise_for_status and response.status >= 400:
        raise _status_error(response)


def _status_error(response: Response) -> HttpStatusError:
    """The ``HttpStatusError`` for a 4xx/5xx answer; the response is discarded."""
    peek = _peek(response)
    response.discard()
    error = status_error(response.status, response.headers, peek, response.url)
    redact_error(error, response.scrub)
    return error
