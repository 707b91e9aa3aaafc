"""``OAuthTokenProvider``: the engine's ``TokenProvider`` for ``oauth2`` auth.

Hands out a cached access token while it is fresh; shortly before it expires (or
after ``invalidate`` on a 401) it is refreshed with the refresh token, or fetched
again for client credentials. The authorization code grant never opens a browser
from here: without a usable refresh token the user is told to run
``relaydesk auth login PATH``. Tokens live in the keyring (one JSON blob per owner)
and in memory; they are never logged.

Calls to the token, discovery and authorization endpoints go out with the owning
connection's transport settings (proxy, CA bundle, client certificate), and an
HTTPS-only connection refuses plain http:// endpoints before any secret is sent.
Every such call is recorded, secrets masked, in the owner's ``Timeline`` (memory only).
"""

from __future__ import annotations

import asyncio
import webbrowser
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx

from ..client_settings import transport_settings
from ..errors import AuthError, HttpsOnlyError
from ..model import AuthSettings, Connection
from ..secrets import SecretStore
from .device import DeviceCode, device_flow
from .discovery import ServerMetadata, discover
from .flows import (
    BrowserOpener,
    LoginPrompt,
    OAuthConfig,
    authorization_code_flow,
    client_credentials,
    refresh,
    settings_fingerprint,
)
from .loopback import DEFAULT_TIMEOUT
from .timeline import Timeline, instrument
from .tokens import TokenSet, TokenStore

__all__ = ["DEFAULT_SKEW", "OAuthTokenProvider"]

DEFAULT_SKEW = 60.0
HttpClientFactory = Callable[[], httpx.AsyncClient]
_TOKEN_CALL_TIMEOUT = 30.0


def _connection_client(connection: Connection | None,
                       secrets: SecretStore | None = None) -> httpx.AsyncClient:
    # The same proxy, CA bundle and client certificate as the connection's API calls
    # (mTLS-bound tokens, corporate proxies); like the engine, no proxy from the
    # environment unless the connection asks for it.
    return httpx.AsyncClient(timeout=_TOKEN_CALL_TIMEOUT,
                             **transport_settings(connection, secrets))


def _check_https_only(owner: str, connection: Connection | None, *urls: str) -> None:
    if connection is None or not connection.tls.https_only:
        return
    for url in urls:
        if url and not url.strip().lower().startswith("https://"):
            raise HttpsOnlyError(
                f"The OAuth endpoint '{url}' of '{owner}' uses plain http://, but the "
                f"connection '{connection.path}' is HTTPS-only; its client secret and tokens "
                "would travel in clear.", url=url)


def _login_hint(owner: str) -> str:
    return (f"run `relaydesk auth login {owner}` (or use Get token in the connection's "
            "Auth tab)")


class OAuthTokenProvider:
    def __init__(self, secrets: SecretStore | None,
                 http_client_factory: HttpClientFactory | None = None, *,
                 opener: BrowserOpener | None = webbrowser.open,
                 skew: float = DEFAULT_SKEW, login_timeout: float = DEFAULT_TIMEOUT) -> None:
        self._secrets = secrets
        self._store = TokenStore(secrets)
        # A factory given here (tests) replaces the per-connection clients.
        self._client_factory = http_client_factory
        self._opener = opener
        self._skew = skew
        self._login_timeout = login_timeout
        self._memory: dict[str, TokenSet] = {}
        self._stale: set[str] = set()
        self._metadata: dict[str, ServerMetadata] = {}
        self._locks: dict[tuple[int, str], asyncio.Lock] = {}
        self._timelines: dict[str, Timeline] = {}

    # -- TokenProvider ------------------------------------------------------------------

    async def access_token(self, owner_path: str, settings: AuthSettings,
                           connection: Connection | None = None) -> str:
        owner = owner_path
        cached = self._memory.get(owner)
        if (cached is not None and owner not in self._stale
                and cached.fingerprint == settings_fingerprint(settings)
                and cached.is_fresh(self._skew)):
            return cached.access_token
        async with self._lock(owner):  # one renewal at a time: rotation must not race
            tokens = self._load(owner, settings)
            if tokens is not None and owner not in self._stale and tokens.is_fresh(self._skew):
                return tokens.access_token
            config = await self.config(owner, settings, connection)
            async with self._client(connection, owner) as client:
                if tokens is not None and tokens.refresh_token:
                    try:
                        fresh = await refresh(client, config, tokens)
                    except AuthError as exc:
                        self._forget(owner)
                        if config.grant != "client_credentials":
                            raise AuthError(
                                f"The saved login of '{owner}' could not be renewed, so a new "
                                f"login is needed: {_login_hint(owner)}. {exc}"
                            ) from None
                    else:
                        return self._save(owner, fresh).access_token
                if config.grant == "client_credentials":
                    return self._save(owner, await client_credentials(client, config)).access_token
            why = ("its access token expired and the server gave no refresh token"
                   if tokens is not None else "there is no saved login yet")
            raise AuthError(
                f"'{owner}' uses the OAuth authorization code grant and {why}: "
                f"{_login_hint(owner)}."
            )

    def invalidate(self, owner_path: str) -> None:
        """The server refused the current access token (401): renew before the next use."""
        self._stale.add(owner_path)

    # -- login / status / clear ---------------------------------------------------------

    async def login(self, connection: Connection, *, open_browser: bool = True,
                    on_url: Callable[[str], object] | None = None,
                    on_prompt: Callable[[LoginPrompt], object] | None = None,
                    timeout: float | None = None,
                    on_device: Callable[[DeviceCode], object] | None = None) -> TokenSet:
        return await self.login_owner(connection.path, connection.auth,
                                      connection=connection,
                                      open_browser=open_browser, on_url=on_url,
                                      on_prompt=on_prompt, timeout=timeout,
                                      on_device=on_device)

    async def login_owner(self, owner_path: str, settings: AuthSettings, *,
                          connection: Connection | None = None,
                          open_browser: bool = True,
                          on_url: Callable[[str], object] | None = None,
                          on_prompt: Callable[[LoginPrompt], object] | None = None,
                          timeout: float | None = None,
                          on_device: Callable[[DeviceCode], object] | None = None
                          ) -> TokenSet:
        """Get a token now: client credentials directly, the browser login, or the
        device flow.

        ``on_url`` receives the authorization URL (to print or show); ``on_prompt`` the
        ``LoginPrompt`` (URL, paste, cancel); ``on_device`` the device flow's user code
        and verification URI. Cancelling the task closes the listener / stops polling.
        """
        if settings.kind != "oauth2":
            raise AuthError(f"'{owner_path}' does not use OAuth 2.0 authentication.")
        config = await self.config(owner_path, settings, connection)

        def prompt(p: LoginPrompt) -> None:
            if on_url is not None:
                on_url(p.url)
            if on_prompt is not None:
                on_prompt(p)

        async with self._client(connection, owner_path) as client:
            config.timeline = self.timeline(owner_path)
            if config.grant == "client_credentials":
                tokens = await client_credentials(client, config)
            elif config.grant == "device_code":
                tokens = await device_flow(
                    client, config, on_code=on_device,
                    opener=self._opener if open_browser else None)
            else:
                tokens = await authorization_code_flow(
                    client, config, opener=self._opener if open_browser else None,
                    on_prompt=prompt,
                    timeout=self._login_timeout if timeout is None else timeout)
        return self._save(owner_path, tokens)

    def timeline(self, owner_path: str) -> Timeline:
        """The calls made for ``owner_path`` in this process, secrets masked."""
        timeline = self._timelines.get(owner_path)
        if timeline is None:
            timeline = self._timelines[owner_path] = Timeline()
        return timeline

    def tokens(self, owner_path: str) -> TokenSet | None:
        """What is saved for ``owner_path`` (for status display), or None."""
        return self._memory.get(owner_path) or self._store.load(owner_path)

    def forget_memory(self, owner_path: str) -> None:
        """Drop what is cached in memory for an owner that was deleted."""
        self._memory.pop(owner_path, None)
        self._stale.discard(owner_path)

    def clear(self, owner_path: str) -> None:
        self._memory.pop(owner_path, None)
        self._stale.discard(owner_path)
        self._store.clear(owner_path)

    # -- configuration ------------------------------------------------------------------

    async def discover(self, issuer: str, connection: Connection | None = None,
                       owner_path: str = "") -> ServerMetadata:
        key = issuer.strip().rstrip("/")
        meta = self._metadata.get(key)
        if meta is None:
            async with self._client(connection, owner_path) as client:
                meta = await discover(key, client)
            self._metadata[key] = meta
        return meta

    async def config(self, owner_path: str, settings: AuthSettings,
                     connection: Connection | None = None) -> OAuthConfig:
        """The checked configuration, secret read from the keyring, endpoints discovered."""
        _check_https_only(owner_path, connection, settings.get("issuer"),
                          settings.get("token_url"), settings.get("auth_url"))
        secret = self._secrets.get(owner_path, "client_secret") if self._secrets else None
        config = OAuthConfig.from_settings(owner_path, settings, secret)
        if config.issuer and (not config.token_url or (
                config.grant == "authorization_code" and not config.auth_url) or (
                config.grant == "device_code" and not config.device_url)):
            meta = await self.discover(config.issuer, connection, owner_path)
            config.token_url = config.token_url or meta.token_endpoint
            config.auth_url = config.auth_url or meta.authorization_endpoint
            config.device_url = config.device_url or meta.device_authorization_endpoint
            config.require_iss = meta.iss_parameter_supported
            config.jwks_uri = meta.jwks_uri
        config.check_endpoints()
        _check_https_only(owner_path, connection, config.token_url, config.auth_url,
                          config.device_url)
        return config

    # -- internals ----------------------------------------------------------------------

    @asynccontextmanager
    async def _client(self, connection: Connection | None,
                      owner_path: str = "") -> AsyncIterator[httpx.AsyncClient]:
        if self._client_factory is not None:
            client = self._client_factory()
        else:
            # CA (and client certificate) loading: off the event loop
            client = await asyncio.to_thread(_connection_client, connection, self._secrets)
        unanswered = instrument(client, self.timeline(owner_path)) if owner_path else None
        try:
            yield client
        except BaseException as exc:
            if unanswered is not None:
                unanswered(str(exc) or type(exc).__name__)
            raise
        finally:
            await client.aclose()

    def _lock(self, owner: str) -> asyncio.Lock:
        key = (id(asyncio.get_running_loop()), owner)
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        return lock

    def _load(self, owner: str, settings: AuthSettings) -> TokenSet | None:
        tokens = self._memory.get(owner)
        if tokens is None:
            tokens = self._store.load(owner)
        if tokens is None or tokens.fingerprint != settings_fingerprint(settings):
            return None  # obtained with other settings: not to be reused
        self._memory[owner] = tokens
        return tokens

    def _save(self, owner: str, tokens: TokenSet) -> TokenSet:
        self._store.save(owner, tokens)
        self._memory[owner] = tokens
        self._stale.discard(owner)
        return tokens

    def _forget(self, owner: str) -> None:
        self._memory.pop(owner, None)
        self._store.clear(owner)
