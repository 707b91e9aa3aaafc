"""One workspace with everything attached to it: the core behind every face.

The desktop app, the CLI and the Python API each hold a ``Session`` and nothing else
of core's wiring. It owns the workspace, the keyring store (opened on first use), the
HTTP engine, the OAuth token provider and the history, and it carries out the domain
operations with everything attached to an item: creating, renaming, moving,
duplicating and deleting connections, folders and requests together with their
secrets and tokens.

Secrets and tokens are keyed by the stable id inside each item's file, so a rename or
move writes nothing to the keyring, and deleting an item forgets its entries by id:
an entry that could not be forgotten (no keyring at the time) is never picked up by a
new item created at the same path.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from . import secrets as secrets_module
from .client_identity import CLIENT_CERT_PASSPHRASE
from .errors import NotFoundError, RelaydeskError, SecretStoreError, ValidationError
from .model import (
    AUTH_SECRET_FIELDS,
    AuthSettings,
    Connection,
    Environment,
    Request,
    join_path,
    split_path,
)
from .names import one_segment
from .secret_owners import auth_owner_of, owned_secret_fields
from .secrets import SecretStore
from .workspace import Workspace, resolve_workspace_dir

if TYPE_CHECKING:
    import httpx

    from .cache import ResponseCache
    from .check import CheckResult
    from .client_config import ClientConfig
    from .engine import Engine, ExchangeObserver
    from .history import History, HistoryEntry
    from .last_response import LastResponses
    from .oauth import OAuthTokenProvider
    from .oauth.flows import BrowserOpener
    from .pagination import Page, PaginationResult, PaginationSettings
    from .response import Response
    from .transfer import ProgressCallback

__all__ = ["DeleteReport", "Session", "one_off_engine"]

log = logging.getLogger(__name__)

# Passed as ``keyring``: open the operating system's keyring on first use.
SYSTEM_KEYRING: Any = "system"


_ALL_OWNED_FIELDS: tuple[str, ...] = tuple(dict.fromkeys(
    f for kind in AUTH_SECRET_FIELDS for f in owned_secret_fields(kind)))


@dataclass
class DeleteReport:
    """What a delete did: the item's kind, and secrets that stayed in the keyring."""

    kind: str
    secrets_left: list[str] = field(default_factory=list)
    reason: str = ""


class Session:
    """A workspace and its keyring, engine, OAuth tokens and history.

    ``keyring``: a keyring backend, None for none, or (default) the system's, opened on
    first use. ``history``/``history_source``: record sends, under that label.
    ``cache``: a ``ResponseCache``, or True to make one with the engine (the app; the
    connections' opt-in cache), False for none. ``transport`` and
    ``oauth_client_factory`` replace the network (tests); ``browser`` opens login pages
    (default: the system browser).
    """

    def __init__(
        self,
        workspace: Workspace,
        *,
        keyring: Any = SYSTEM_KEYRING,
        history: bool = True,
        history_source: str = "",
        cache: ResponseCache | bool = False,
        transport: httpx.AsyncBaseTransport | None = None,
        oauth_client_factory: Callable[[], httpx.AsyncClient] | None = None,
        browser: BrowserOpener | None = None,
    ) -> None:
        self.workspace = workspace
        self._history_wanted = history
        self._history_source = history_source
        self._cache = cache
        self._transport = transport
        self._oauth_client_factory = oauth_client_factory
        self._browser = browser
        self._engine: Engine | None = None
        self._kept_responses: LastResponses | None = None  # the engine observer's
        self._oauth: OAuthTokenProvider | None = None
        self._history: History | None = None
        self._history_tried = False
        self.secrets = self._secret_store(keyring)

    @classmethod
    def open(cls, root: str | os.PathLike[str] | None = None, *, create: bool = False,
             **options: Any) -> Session:
        """The workspace at ``root`` (default: ``$RELAYDESK_WORKSPACE``, else the user's)."""
        from .workspace import MANIFEST

        folder = resolve_workspace_dir(root)
        if not create and not (folder / MANIFEST).exists():
            raise NotFoundError(
                f"No Relaydesk workspace at {folder} yet; create a connection first with "
                "`relaydesk new connection PATH --base-url URL`."
            )
        return cls(Workspace.open(folder, create=create), **options)

    # -- the attached parts, each made on first use ------------------------------------

    def _secret_store(self, keyring: Any) -> SecretStore:
        factory = None
        backend = keyring
        if keyring is SYSTEM_KEYRING:
            backend, factory = None, self._open_system_keyring
        elif keyring is not None:
            self._adopt_legacy_secrets(keyring)
        return SecretStore.for_workspace(backend, self.workspace, backend_factory=factory)

    def _open_system_keyring(self) -> Any:
        backend = secrets_module.system_keyring()  # looked up late: tests swap it
        self._adopt_legacy_secrets(backend)
        return backend

    def _adopt_legacy_secrets(self, backend: Any) -> None:
        """Move a migrated format-1 workspace's keyring entries (keyed by path) to ids."""
        legacy = getattr(self.workspace, "legacy_secret_owners", None)
        owners: Mapping[str, str] = legacy() if legacy is not None else {}
        if not owners:
            return
        store = SecretStore(backend, self.workspace.id)
        try:
            store.adopt_legacy(owners, _ALL_OWNED_FIELDS)
        except SecretStoreError as exc:
            log.warning("secrets of the migrated workspace stay under their old keys: %s", exc)
            return
        self.workspace.forget_legacy_secret_owners(list(owners))

    def set_keyring(self, backend: Any) -> None:
        """Swap the keyring (the app resolves the system's after its first frame)."""
        if self._engine is not None:
            raise RuntimeError("the keyring must be set before the engine is used")
        self.secrets = self._secret_store(backend)
        self._oauth = None

    def _owner_id(self, path: str) -> str | None:
        try:
            return self.workspace.id_of(path)
        except NotFoundError:
            return None

    @property
    def oauth(self) -> OAuthTokenProvider:
        """Hands out OAuth 2.0 tokens (kept in the keyring) to the engine and the faces."""
        if self._oauth is None:
            from .oauth import OAuthTokenProvider

            self._oauth = OAuthTokenProvider(self.secrets, self._oauth_client_factory,
                                             opener=self._browser or _system_browser)
        return self._oauth

    @property
    def history(self) -> History | None:
        """The request history, opened on first use; None when off or unusable."""
        if not self._history_tried:
            self._history_tried = True
            if self._history_wanted:
                from .history import History, default_history_path

                path = default_history_path()
                if path is not None:
                    try:
                        self._history = History(path)
                    except RelaydeskError as exc:  # sending works without history
                        log.warning("history is not recorded: %s", exc)
        return self._history

    def record_history_as(self, source: str | None) -> None:
        """Label this session's sends in the history (None: record nothing); before the
        engine is first used."""
        if self._engine is not None:
            raise RuntimeError("history must be chosen before the engine is used")
        self._history_wanted = source is not None
        self._history_source = source or ""
        self._history_tried = False

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from .engine import Engine

            history = self.history
            cache: ResponseCache | None = None
            if self._cache is True:  # made here: it loads httpx, after the app's first frame
                from .cache import ResponseCache

                cache = ResponseCache()
            elif self._cache is not False:  # an empty cache is falsy: test identity
                cache = self._cache
            self._engine = Engine(
                self.secrets, cache=cache, transport=self._transport,
                token_provider=_TokensOnFirstUse(self),
                on_exchange=self._exchange_observer(history))
        return self._engine

    async def aclose(self) -> None:
        if self._engine is not None:
            await self._engine.aclose()
            self._engine = None
        if (kept := self._kept_responses) is not None:
            kept.flush()  # what ``keep_responses_in_batches`` held
        self.close_history()

    def close_history(self) -> None:
        if self._history is not None:
            self._history.close()
            self._history = None

    # -- queries -----------------------------------------------------------------------

    def history_path(self, entry: HistoryEntry) -> str:
        """Where a history entry's request is now (it may have been renamed or moved)."""
        if entry.item_id:
            current = self.workspace.path_of_id(entry.item_id)
            if current is not None:
                return current
        return entry.request_path

    def environment(self, name: str | Environment | None) -> Environment | None:
        if name is None or isinstance(name, Environment):
            return name
        return self.workspace.environment(name) if name else None

    def connection_for(self, path: str) -> Connection | None:
        """The connection an item belongs to; None for a path outside every connection."""
        try:
            if self.workspace.kind_of(path) == "connection":
                return self.workspace.connection(path)
            return self.workspace.connection_of(path)
        except NotFoundError:
            return None

    def auth_owner(self, path: str) -> tuple[str, AuthSettings]:
        """The item whose auth settings (and so secrets) ``path`` means, and the settings."""
        return auth_owner_of(self.workspace, path)

    # -- changes -----------------------------------------------------------------------

    def create_connection(self, conn: Connection) -> Connection:
        return self.workspace.save_connection(replace(conn, id=""), create=True)

    def save_connection(self, conn: Connection, *, old_path: str | None = None) -> Connection:
        """Save an edited connection; a changed path renames it first."""
        if old_path and join_path(old_path) != join_path(conn.path):
            conn = replace(conn, path=self.move(old_path, conn.path))
        return self.workspace.save_connection(conn)

    def create_folder(self, path: str) -> str:
        return self.workspace.create_folder(path)

    def create_request(self, req: Request) -> Request:
        return self.workspace.save_request(replace(req, id=""), create=True)

    def create_request_with_secrets(self, req: Request, secrets: Mapping[str, str]
                                    ) -> Request:
        """A new request whose own auth has ``secrets`` (a pasted curl command): both are
        written, or neither is."""
        if secrets:
            self.secrets.backend  # noqa: B018 - no keyring: stop before writing anything
        created = self.create_request(req)
        try:
            for field_name, value in secrets.items():
                self.secrets.set(created.path, field_name, value)
        except BaseException:
            self.workspace.delete(created.path)
            with contextlib.suppress(SecretStoreError):
                self.secrets.delete_owned(created.id, secrets)
            raise
        return created

    def save_request(self, req: Request) -> Request:
        """Save a request, creating it when nothing is at its path yet."""
        create = self.workspace.kind_of(req.path) is None
        return self.workspace.save_request(replace(req, id="") if create else req,
                                           create=create)

    def save_environment(self, env: Environment) -> Environment:
        return self.workspace.save_environment(env)

    def update_environment(self, name: str, *, set: Mapping[str, str] | None = None,
                           unset: Iterable[str] = (), create: bool = False) -> Environment:
        try:
            was_secret = self.workspace.environment(name).secrets
        except NotFoundError:
            was_secret = []
        env = self.workspace.update_environment(name, set=set or {}, unset=unset,
                                                create=create)
        # A secret variable given a plain value (or unset) leaves the keyring too; the
        # keyring is not touched when no secret variable changed.
        if dropped := [n for n in was_secret if n not in env.secrets]:
            try:
                self.secrets.delete_owned(env.id, dropped)
            except SecretStoreError as exc:
                log.warning("dropped secret variables stay in the keyring: %s", exc)
        return env

    def delete_environment(self, name: str) -> None:
        """Delete an environment and forget its secret variables' keyring entries."""
        env = self.workspace.environment(name)
        self.workspace.delete_environment(name)
        if env.secrets and env.id:
            try:
                self.secrets.delete_owned(env.id, env.secrets)
            except SecretStoreError as exc:  # keyed by an id no new environment gets
                log.warning("secret variables of %s stay in the keyring: %s", name, exc)

    def edit_environment(self, name: str, *, variables: Mapping[str, str],
                         secrets: Iterable[str] = (),
                         secret_values: Mapping[str, str] | None = None,
                         create: bool = False) -> Environment:
        """Replace an environment's variables as an editor shows them: plain values go
        to its file, the names of ``secrets`` (and of ``secret_values``) too, and the
        values typed for secret variables to the keyring. A secret variable dropped from
        the list is forgotten in the keyring. ``create``: make it when missing."""
        from .env_secrets import environment_owner

        typed = dict(secret_values or {})
        names = list(dict.fromkeys([*secrets, *typed]))
        if typed:
            self.secrets.backend  # noqa: B018 - no keyring: stop before writing anything
        ws = self.workspace
        with ws.transaction():
            try:
                old: Environment | None = ws.environment(name)
            except NotFoundError:
                if not create:
                    raise
                old = None
            env = ws.save_environment(Environment(
                name, {k: v for k, v in variables.items() if k not in names}, secrets=names))
        try:
            for key, value in typed.items():
                self.secrets.set(environment_owner(env.name), key, value)
        except BaseException:
            if old is None:  # a new environment is written with its secrets or not at all
                ws.delete_environment(env.name)
            raise
        dropped = [n for n in (old.secrets if old else []) if n not in names]
        if dropped:
            try:
                self.secrets.delete_owned(env.id, dropped)
            except SecretStoreError as exc:
                log.warning("dropped secret variables stay in the keyring: %s", exc)
        return env

    def rename_environment(self, name: str, new_name: str) -> Environment:
        """Rename an environment; its id, and so its secret variables, stay with it."""
        return self.workspace.rename_environment(name, new_name)

    def environment_secret_saved(self, name: str, variable: str) -> bool:
        """Whether a secret variable has a value in the keyring (never the value)."""
        from .env_secrets import environment_owner

        return self.secrets.has(environment_owner(name), variable)

    def save_request_as(self, req: Request, path: str) -> Request:
        """Save ``req`` as a new request at ``path`` (Save As, "Save to…" from History):
        a new id, no secrets copied. A full URL under the target connection's base URL
        becomes a path under it, so the connection's base URL and auth apply."""
        from .model import validate_path

        path = validate_path(path, "request path")
        url = req.url
        conn = self.connection_for(path)
        if conn is not None and conn.base_url and "{{" not in conn.base_url:
            base = conn.base_url.rstrip("/")
            rest = url[len(base):] if url.startswith(base) else None
            if rest is not None and (not rest or rest[0] in "/?#"):
                url = rest or "/"
        return self.create_request(replace(req, path=path, url=url))

    def free_path(self, path: str) -> str:
        """``path`` if nothing is there, else the first free '<name> 2', '<name> 3'…"""
        segs = split_path(path)
        return join_path(*segs[:-1], self._free_name(join_path(*segs[:-1]), segs[-1]))

    def set_request_auth(self, path: str, auth: AuthSettings | None,
                         secrets: Mapping[str, str] | None = None) -> Request:
        """Give a saved request its own auth (None: its connection's), with the secrets
        typed for it stored in the keyring under the request. Secrets of a kind it no
        longer has are forgotten."""
        typed = dict(secrets or {})
        allowed = AUTH_SECRET_FIELDS.get(auth.kind, ()) if auth is not None else ()
        if wrong := [f for f in typed if f not in allowed]:
            raise ValidationError(f"'{wrong[0]}' is not a secret of this authentication"
                                  + (f"; it has: {', '.join(allowed)}." if allowed else "."))
        if typed:
            self.secrets.backend  # noqa: B018 - no keyring: stop before writing anything
        req = self.workspace.request(path)
        old_kind = req.auth.kind if req.auth is not None else ""
        saved = self.workspace.save_request(replace(req, auth=auth))
        for field_name, value in typed.items():
            self.set_secret(saved.path, field_name, value)
        gone = set(owned_secret_fields(old_kind)) - set(
            owned_secret_fields(auth.kind if auth is not None else ""))
        if gone:
            try:
                self.secrets.delete_owned(self.workspace.id_of(saved.path), sorted(gone))
            except SecretStoreError as exc:
                log.warning("secrets of %s stay in the keyring: %s", saved.path, exc)
            if self._oauth is not None:
                self._oauth.forget_memory(saved.path)
        return saved

    def rename(self, path: str, new_name: str) -> str:
        segs = split_path(path)
        return self.move(path, join_path(*segs[:-1], one_segment(new_name)))

    def move(self, src: str, dst: str, *, index: int | None = None) -> str:
        """Rename or move an item; ids, and so secrets, tokens and history, stay with it."""
        if index is None:
            return self.workspace.move(src, dst)
        return self.workspace.move(src, dst, index=index)

    def duplicate(self, path: str) -> str:
        """Copy an item next to itself as '<name> copy': new ids, secrets not copied."""
        ws = self.workspace
        kind = ws.kind_of(path)
        if kind is None:
            raise ValidationError(f"Nothing at '{path}' to duplicate.")
        segs = split_path(path)
        base = join_path(*segs[:-1])
        dst = join_path(base, self._free_name(base, segs[-1] + " copy"))
        with ws.transaction():
            if kind == "request":
                ws.save_request(replace(ws.request(path), path=dst, id=""), create=True)
                return dst
            if kind == "connection":
                ws.save_connection(replace(ws.connection(path), path=dst, id=""), create=True)
                from .api_description import copy_description

                copy_description(ws, path, dst)  # the copy keeps the API's operations
            else:
                ws.create_folder(dst)
            for folder in ws.folders(path):
                ws.create_folder(dst + folder[len(path):])
            for req in ws.requests(path):
                ws.save_request(replace(req, path=dst + req.path[len(path):], id=""),
                                create=True)
        return dst

    def delete(self, path: str) -> DeleteReport:
        """Delete an item and everything inside it, and forget their keyring entries."""
        ws = self.workspace
        path = join_path(path)
        kind = ws.kind_of(path)
        if kind is None:
            raise NotFoundError(f"Nothing at '{path}' to delete.")
        owners = self._owners_under(path)
        ws.delete(path)
        report = DeleteReport(kind)
        for item_id, owner_path, fields in owners:
            try:
                self.secrets.delete_owned(item_id, fields)
            except SecretStoreError as exc:
                # Keyed by an id no new item will ever have: harmless, but say so.
                report.secrets_left.append(owner_path)
                report.reason = str(exc)
            if self._oauth is not None:
                self._oauth.forget_memory(owner_path)
        return report

    def _owners_under(self, path: str) -> list[tuple[str, str, tuple[str, ...]]]:
        """(id, path, fields) of every item at or under ``path`` that may own secrets."""
        ws = self.workspace
        owners: list[tuple[str, str, tuple[str, ...]]] = []
        for conn in ws.connections():
            if conn.path == path or conn.path.startswith(path + "/"):
                owners.append((ws.id_of(conn.path), conn.path,
                               (*_ALL_OWNED_FIELDS, CLIENT_CERT_PASSPHRASE)))
        for req in ws.requests(path) if ws.kind_of(path) != "request" else [ws.request(path)]:
            if req.auth is not None:
                owners.append((ws.id_of(req.path), req.path, _ALL_OWNED_FIELDS))
        return owners

    def _free_name(self, base: str, name: str) -> str:
        candidate, n = name, 2
        while self.workspace.kind_of(join_path(base, candidate)) is not None:
            candidate, n = f"{name} {n}", n + 1
        return candidate

    # -- secrets -----------------------------------------------------------------------

    def secret_fields(self, path: str) -> tuple[str, tuple[str, ...]]:
        """The auth owner of ``path`` and the secret fields its auth kind has."""
        owner, auth = self.auth_owner(path)
        return owner, AUTH_SECRET_FIELDS.get(auth.kind, ())

    def set_secret(self, path: str, field_name: str, value: str) -> str:
        """Store a secret of the auth owner of ``path``; returns that owner's path."""
        owner, fields = self.secret_fields(path)
        if field_name not in fields:
            raise ValidationError(
                f"'{field_name}' is not a secret of the authentication of '{owner}'"
                + (f"; it has: {', '.join(fields)}." if fields else " (it has no secrets).")
            )
        self.secrets.set(owner, field_name, value)
        return owner

    # -- network -----------------------------------------------------------------------

    async def send(self, request: Request, environment: str | Environment | None = None, *,
                   variables: Mapping[str, str] | None = None,
                   on_progress: ProgressCallback | None = None) -> Response:
        """Send ``request`` through its connection (history records it)."""
        return await self.engine.send(request, self.connection_for(request.path),
                                      environment=self.environment(environment),
                                      variables=variables, on_progress=on_progress)

    async def fetch_all_pages(self, request: Request,
                              environment: str | Environment | None = None, *,
                              variables: Mapping[str, str] | None = None,
                              settings: PaginationSettings | None = None,
                              on_page: Callable[[Page], None] | None = None
                              ) -> PaginationResult:
        """Every page of ``request`` merged (each page is recorded in the history)."""
        from .pagination import PaginationSettings, fetch_all

        return await fetch_all(
            self.engine, request, self.connection_for(request.path),
            environment=self.environment(environment), variables=variables,
            settings=settings or PaginationSettings(), on_page=on_page)

    def client_config(self, path: str, environment: str | Environment | None = None,
                      variables: Mapping[str, str] | None = None) -> ClientConfig:
        """Settings of an httpx client for the connection of ``path`` (the Python API):
        base URL, headers, TLS, proxy, timeout and auth exactly as ``send`` uses them.
        A request ``path`` with its own authentication gets that authentication."""
        from .client_config import build_client_config

        return build_client_config(self, path, environment, variables)

    async def check(self, conn: str | Connection) -> CheckResult:
        connection = self.workspace.connection(conn) if isinstance(conn, str) else conn
        return await self.engine.check(connection)

    # -- the last response of each request (kept across restarts, beside history) ------

    @property
    def last_responses(self) -> LastResponses | None:
        """Kept where history is (the user data folder), and only when history is on;
        found without opening the history database (a tab restored at start-up)."""
        if not self._history_wanted:
            return None
        if self._history is not None:
            folder = self._history.path.parent
        else:
            from .history import default_history_path

            path = default_history_path()
            if path is None:
                return None
            folder = path.parent
        from .last_response import LastResponses

        return LastResponses(folder / "last-responses")

    def keep_responses_in_batches(self) -> None:
        """The engine's kept last responses are written at ``aclose`` (or in batches of
        some megabytes), not one file per request: for a collection run."""
        if (kept := self._kept_responses) is not None:
            kept.buffer()

    def last_response(self, path: str) -> Response | None:
        """The response last received for the workspace request at ``path``, if kept."""
        store, item_id = self.last_responses, self._owner_id(path)
        return store.load(item_id) if store is not None and item_id else None

    def _exchange_observer(self, history: History | None) -> ExchangeObserver | None:
        """History's observer, then the last-response keeper's (both when history is on)."""
        if history is None:
            return None
        last: list[tuple[str, str | None]] = []

        def owner_id(path: str) -> str | None:
            # Asked by both observers for the same exchange: looked up once.
            if not last or last[0][0] != path:
                last[:] = [(path, self._owner_id(path))]
            return last[0][1]

        record = history.observer(self._history_source, owner_id)
        store = self._kept_responses = self.last_responses
        keep = store.observer(owner_id) if store is not None else None

        def observe(*args: Any) -> None:
            try:
                record(*args)
                if keep is not None:
                    keep(*args)
            finally:
                last.clear()  # the next exchange looks again (an id may be given meanwhile)

        return observe


def _system_browser(url: str) -> object:
    import webbrowser  # on first use: it costs ~10 ms to import

    return webbrowser.open(url)


def one_off_engine(secrets: SecretStore | None, *,
                   on_exchange: ExchangeObserver | None = None) -> Engine:
    """An engine for a request that belongs to no workspace (``send --curl``): its
    secrets come with it, OAuth 2.0 tokens from a provider over them."""
    from .engine import Engine

    provider = None
    if secrets is not None:
        from .oauth import OAuthTokenProvider

        provider = OAuthTokenProvider(secrets)
    return Engine(secrets, token_provider=provider, on_exchange=on_exchange)


class _TokensOnFirstUse:
    """The session's OAuth 2.0 token provider, made (and ``core.oauth`` imported) when
    a request first needs a token: most commands and collection runs never do."""

    def __init__(self, session: Session) -> None:
        self._session = session

    async def access_token(self, owner_path: str, settings: AuthSettings,
                           connection: Connection | None = None) -> str:
        return await self._session.oauth.access_token(owner_path, settings, connection)

    def invalidate(self, owner_path: str) -> None:
        self._session.oauth.invalidate(owner_path)
