"""The one object the UI talks to core through.

Plain Python, no widgets: panels and windows call these methods and show the
``RelaydeskError`` messages they raise. Heavy core modules (the HTTP engine, curl,
snippets) are imported on first use so the window paints before httpx is loaded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from relaydesk.core.errors import SecretStoreError, ValidationError
from relaydesk.core.model import (
    AUTH_SECRET_FIELDS,
    Connection,
    Environment,
    Request,
    join_path,
    split_path,
)
from relaydesk.core.secrets import SecretStore
from relaydesk.core.workspace import Workspace

if TYPE_CHECKING:
    from relaydesk.core.check import CheckResult
    from relaydesk.core.curl import CurlImport
    from relaydesk.core.engine import Engine
    from relaydesk.core.history import History
    from relaydesk.core.importers import ImportPlan
    from relaydesk.core.oauth import OAuthTokenProvider
    from relaydesk.core.pagination import Page, PaginationResult
    from relaydesk.core.response import Response
    from relaydesk.core.runner import Runner

__all__ = ["ProgressCallback", "Service"]

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int | None], None]


class Service:
    """Workspace, secrets and engine behind one small API for the UI."""

    def __init__(self, workspace: Workspace, secrets: SecretStore,
                 engine_factory: Callable[[], Engine] | None = None) -> None:
        self.workspace = workspace
        self.secrets = secrets
        self._engine_factory = engine_factory
        self._engine: Engine | None = None
        self._oauth: OAuthTokenProvider | None = None
        self._history: History | None = None
        self._history_tried = False

    def set_secrets(self, secrets: SecretStore) -> None:
        """Swap the keyring store (the app resolves the system keyring after first paint)."""
        if self._engine is not None:
            raise RuntimeError("the keyring store must be set before the engine is used")
        self.secrets = secrets
        self._oauth = None  # rebuilt on next use, over the new store

    # -- engine, OAuth tokens, history ---------------------------------------------------

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            if self._engine_factory is not None:
                self._engine = self._engine_factory()
            else:
                from relaydesk.core.cache import ResponseCache
                from relaydesk.core.engine import Engine

                # History opens with the engine (first send or run), not at start-up;
                # every exchange through the engine is recorded, whoever sends it.
                history = self.history
                self._engine = Engine(
                    self.secrets, cache=ResponseCache(), token_provider=self.oauth,
                    on_exchange=history.observer("app") if history is not None else None)
        return self._engine

    @property
    def oauth(self) -> OAuthTokenProvider:
        """Hands out OAuth 2.0 tokens (kept in the keyring) to the engine and editors."""
        if self._oauth is None:
            from relaydesk.core.oauth import OAuthTokenProvider

            self._oauth = OAuthTokenProvider(self.secrets)
        return self._oauth

    @property
    def history(self) -> History | None:
        """The request history, opened on first use; None when off or unusable."""
        if not self._history_tried:
            self._history_tried = True
            from relaydesk.core.errors import RelaydeskError
            from relaydesk.core.history import History, default_history_path

            path = default_history_path()
            if path is not None:
                try:
                    self._history = History(path)
                except RelaydeskError as exc:  # the app works without history
                    log.warning("%s", exc)
        return self._history

    def runner(self) -> Runner:
        from relaydesk.core.runner import Runner

        return Runner(self.engine, self.workspace)

    async def aclose(self) -> None:
        if self._engine is not None:
            await self._engine.aclose()
            self._engine = None
        if self._history is not None:
            self._history.close()
            self._history = None

    # -- queries -----------------------------------------------------------------------

    def environment_names(self) -> list[str]:
        return [e.name for e in self.workspace.environments()]

    def environment(self, name: str | None) -> Environment | None:
        return self.workspace.environment(name) if name else None

    def connection(self, path: str) -> Connection:
        return self.workspace.connection(path)

    def request(self, path: str) -> Request:
        return self.workspace.request(path)

    def kind_of(self, path: str) -> str | None:
        return self.workspace.kind_of(path)

    def request_paths(self) -> list[str]:
        return self.workspace.request_paths()

    def connection_for(self, path: str) -> Connection | None:
        kind = self.workspace.kind_of(path)
        try:
            if kind == "connection":
                return self.workspace.connection(path)
            return self.workspace.connection_of(path)
        except Exception:  # a path outside every connection (e.g. a one-off request)
            return None

    def variable_names(self, path: str, environment_name: str | None) -> set[str]:
        """Names a request at ``path`` can use: connection + environment + built-ins."""
        from relaydesk.core.templating import BUILTINS

        names = set(BUILTINS)
        conn = self.connection_for(path)
        if conn is not None:
            names |= set(conn.variables)
        env = self.environment(environment_name) if environment_name else None
        if env is not None:
            names |= set(env.variables)
        return names

    # -- changes (each one is written to disk at once by the workspace) ---------------

    def create_connection(self, conn: Connection) -> Connection:
        return self.workspace.save_connection(conn, create=True)

    def save_connection(self, conn: Connection, *, old_path: str | None = None) -> Connection:
        """Save an edited connection; a changed path renames it first (secrets follow)."""
        if old_path and join_path(old_path) != join_path(conn.path):
            new_path = self.move(old_path, conn.path)
            conn = replace(conn, path=new_path)
        return self.workspace.save_connection(conn)

    def create_folder(self, parent: str, name: str) -> str:
        return self.workspace.create_folder(join_path(parent, _one_segment(name)))

    def create_request(self, parent: str, name: str, *, method: str = "GET",
                       url: str = "") -> Request:
        path = join_path(parent, _one_segment(name))
        return self.workspace.save_request(Request(path=path, method=method, url=url),
                                           create=True)

    def save_request(self, req: Request) -> Request:
        create = self.workspace.kind_of(req.path) is None
        return self.workspace.save_request(req, create=create)

    def rename(self, path: str, new_name: str) -> str:
        segs = split_path(path)
        return self.move(path, join_path(*segs[:-1], _one_segment(new_name)))

    def move(self, src: str, dst: str) -> str:
        owners = self._secret_owners(src)
        new_path = self.workspace.move(src, dst)
        for old_owner, fields in owners:
            new_owner = new_path + old_owner[len(join_path(src)):]
            self._move_secrets(old_owner, new_owner, fields)
        return new_path

    def duplicate(self, path: str) -> str:
        """Copy a request or folder next to itself as '<name> copy' (secrets not copied)."""
        kind = self.workspace.kind_of(path)
        segs = split_path(path)
        base = join_path(*segs[:-1])
        name = self._free_name(base, segs[-1] + " copy")
        dst = join_path(base, name)
        if kind == "request":
            self.workspace.save_request(replace(self.workspace.request(path), path=dst),
                                        create=True)
        elif kind == "folder":
            self.workspace.create_folder(dst)
            for folder in self.workspace.folders(path):
                self.workspace.create_folder(dst + folder[len(path):])
            for req in self.workspace.requests(path):
                self.workspace.save_request(replace(req, path=dst + req.path[len(path):]),
                                            create=True)
        elif kind == "connection":
            conn = self.workspace.connection(path)
            self.workspace.save_connection(replace(conn, path=dst), create=True)
            for folder in self.workspace.folders(path):
                self.workspace.create_folder(dst + folder[len(path):])
            for req in self.workspace.requests(path):
                self.workspace.save_request(replace(req, path=dst + req.path[len(path):]),
                                            create=True)
        else:
            raise ValidationError(f"Nothing at '{path}' to duplicate.")
        return dst

    def delete(self, path: str) -> None:
        owners = self._secret_owners(path)
        self.workspace.delete(path)
        for owner, fields in owners:
            for f in fields:
                try:
                    self.secrets.delete(owner, f)
                except SecretStoreError:
                    log.warning("could not forget the secret %s#%s", owner, f)

    def _free_name(self, base: str, name: str) -> str:
        candidate, n = name, 2
        while self.workspace.kind_of(join_path(base, candidate)) is not None:
            candidate, n = f"{name} {n}", n + 1
        return candidate

    def _secret_owners(self, path: str) -> list[tuple[str, tuple[str, ...]]]:
        """Items at or under ``path`` whose auth settings may own keyring entries."""
        path = join_path(path)
        owners: list[tuple[str, tuple[str, ...]]] = []
        for conn in self.workspace.connections():
            if conn.path == path or conn.path.startswith(path + "/"):
                owners.append((conn.path, _secret_fields(conn.auth.kind)))
        for req in self.workspace.requests():
            if req.auth is not None and (req.path == path or req.path.startswith(path + "/")):
                owners.append((req.path, _secret_fields(req.auth.kind)))
        return [(o, f) for o, f in owners if f]

    def _move_secrets(self, old: str, new: str, fields: tuple[str, ...]) -> None:
        try:
            self.secrets.move(old, new, fields)
        except SecretStoreError:
            log.warning("secrets of %s could not follow it to %s", old, new)

    # -- secrets (write-only from the UI's point of view) -----------------------------

    def secret_saved(self, owner: str, field: str) -> bool:
        """Whether a secret exists; raises SecretStoreError when the keyring is unusable."""
        return self.secrets.has(owner, field)

    def set_secret(self, owner: str, field: str, value: str) -> None:
        self.secrets.set(owner, field, value)

    def delete_secret(self, owner: str, field: str) -> None:
        self.secrets.delete(owner, field)

    # -- network -----------------------------------------------------------------------

    async def send(self, request: Request, environment_name: str | None = None, *,
                   on_progress: ProgressCallback | None = None) -> Response:
        """``Engine.send`` with the request's connection and the named environment (one
        retry after an OAuth 401, raise on 4xx/5xx when asked; history records it)."""
        return await self.engine.send(request, self.connection_for(request.path),
                                      environment=self.environment(environment_name),
                                      on_progress=on_progress)

    async def fetch_all_pages(self, request: Request, environment_name: str | None = None, *,
                              max_pages: int = 100,
                              on_page: Callable[[Page], None] | None = None
                              ) -> PaginationResult:
        """Every page of ``request`` merged (each page is recorded in the history)."""
        from relaydesk.core.pagination import PaginationSettings, fetch_all

        return await fetch_all(
            self.engine, request, self.connection_for(request.path),
            environment=self.environment(environment_name),
            settings=PaginationSettings(max_pages=max_pages), on_page=on_page)

    async def check(self, conn: str | Connection) -> CheckResult:
        connection = self.workspace.connection(conn) if isinstance(conn, str) else conn
        return await self.engine.check(connection)

    # -- snippets and import -----------------------------------------------------------

    def curl_for(self, request: Request, environment_name: str | None = None) -> str:
        """"Copy as curl": secrets as ``${ENV_VAR}`` references, never their values."""
        return self.snippet("curl", request, environment_name)

    def snippet(self, kind: str, request: Request, environment_name: str | None = None, *,
                include_secrets: bool = False) -> str:
        """A snippet of ``kind`` for ``request``; real secret values only when asked."""
        from relaydesk.core.exporters.snippets import snippet_for
        from relaydesk.core.prepare import resolve_variables

        conn = self.connection_for(request.path)
        variables = resolve_variables(conn, self.environment(environment_name))
        return snippet_for(kind, request, conn, self.secrets if include_secrets else None,
                           variables, include_secrets=include_secrets)

    def read_import_file(self, path: str) -> str:
        """The text of a file to import (called from a worker thread)."""
        from pathlib import Path

        from relaydesk.core.errors import FileFormatError

        try:
            return Path(path).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise FileFormatError(path, "is not UTF-8 text") from None
        except OSError as exc:
            raise FileFormatError(path, f"cannot be read ({exc.strerror or exc})") from None

    def apply_import(self, plan: ImportPlan, into: str | None = None) -> list[str]:
        """Write an import plan, all or nothing; returns the notes for the user.

        Runs in a worker thread, so it writes through a workspace object of its own:
        the GUI thread goes on reading ``self.workspace`` meanwhile (painting the tree
        reads request files on first use) and takes the new files in with
        ``self.workspace.reload()`` once the import is done.
        """
        from relaydesk.core.importers import apply_plan

        own = Workspace.open(self.workspace.root, create=False)
        return apply_plan(own, self.secrets if plan.secrets else None, plan, into=into)

    def import_line(self, conn_path: str) -> str:
        from relaydesk.core.snippets import connection_import_line

        return connection_import_line(self.workspace.connection(conn_path).path)

    def parse_curl(self, text: str) -> CurlImport:
        """A pasted curl command; credentials in headers move to auth + ``secrets``."""
        from relaydesk.core import curl

        imported = curl.parse_curl(text)
        lift = getattr(curl, "lift_credentials", None)
        return lift(imported) if lift is not None else imported


def _secret_fields(kind: str) -> tuple[str, ...]:
    """Keyring fields an auth kind owns: its secrets, plus saved OAuth tokens."""
    fields = AUTH_SECRET_FIELDS.get(kind, ())
    if kind == "oauth2":
        from relaydesk.core.oauth.tokens import TOKENS_FIELD

        fields = (*fields, TOKENS_FIELD)
    return fields


def _one_segment(name: str) -> str:
    name = name.strip()
    if not name:
        raise ValidationError("The name is empty.")
    if "/" in name:
        raise ValidationError(f"'{name}' cannot contain '/'; a name is a single segment.")
    return name

