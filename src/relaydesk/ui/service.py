"""The one object the UI talks to core through: a thin face over the core ``Session``.

Plain Python, no widgets: panels and windows call these methods and show the
``RelaydeskError`` messages they raise. Domain operations (rename, move, delete with
secrets and tokens, sending with history) live in the session, shared with the CLI
and the Python API. Heavy core modules (the HTTP engine, curl,
snippets) are imported on first use so the window paints before httpx is loaded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from relaydesk.core.model import AuthSettings, Connection, Environment, Request, join_path
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
    from relaydesk.core.secrets import SecretStore
    from relaydesk.core.session import Session

__all__ = ["ProgressCallback", "Service"]


ProgressCallback = Callable[[int, int | None], None]


class Service:
    """The app's face over the core ``Session``: small methods the UI calls.

    Given a ``workspace`` and ``make_session`` instead of a session, it makes the
    session on first use: the app's first frame only reads the workspace, and the
    session's modules (secrets, limits, client identities) load after it.
    """

    def __init__(self, session: Session | None = None, *, workspace: Workspace | None = None,
                 make_session: Callable[[], Session] | None = None) -> None:
        if session is not None:
            workspace = session.workspace
        elif workspace is None or make_session is None:
            raise TypeError("Service needs a session, or a workspace and make_session")
        self._session = session
        self._workspace = workspace
        self._make_session = make_session

    @property
    def session(self) -> Session:
        if self._session is None:
            assert self._make_session is not None
            self._session = self._make_session()
        return self._session

    @property
    def workspace(self) -> Workspace:
        return self._workspace

    @property
    def secrets(self) -> SecretStore:
        return self.session.secrets

    # -- engine, OAuth tokens, history ---------------------------------------------------

    @property
    def engine(self) -> Engine:
        return self.session.engine

    @property
    def oauth(self) -> OAuthTokenProvider:
        """Hands out OAuth 2.0 tokens (kept in the keyring) to the engine and editors."""
        return self.session.oauth

    @property
    def history(self) -> History | None:
        return self.session.history

    def runner(self) -> Runner:
        from relaydesk.core.runner import Runner

        return Runner(self.engine, self.workspace)

    async def aclose(self) -> None:
        await self.session.aclose()

    # -- queries -----------------------------------------------------------------------

    def environment_names(self) -> list[str]:
        return [e.name for e in self.workspace.environments()]

    def environment(self, name: str | None) -> Environment | None:
        return self.session.environment(name)

    def connection(self, path: str) -> Connection:
        return self.workspace.connection(path)

    def request(self, path: str) -> Request:
        return self.workspace.request(path)

    def kind_of(self, path: str) -> str | None:
        return self.workspace.kind_of(path)

    def request_paths(self) -> list[str]:
        return self.workspace.request_paths()

    def connection_for(self, path: str) -> Connection | None:
        return self.session.connection_for(path)

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
        return self.session.create_connection(conn)

    def save_connection(self, conn: Connection, *, old_path: str | None = None) -> Connection:
        """Save an edited connection; a changed path renames it first (secrets follow)."""
        return self.session.save_connection(conn, old_path=old_path)

    def create_folder(self, parent: str, name: str) -> str:
        from relaydesk.core.names import one_segment

        return self.session.create_folder(join_path(parent, one_segment(name)))

    def create_request(self, parent: str, name: str, *, method: str = "GET",
                       url: str = "") -> Request:
        from relaydesk.core.names import one_segment

        path = join_path(parent, one_segment(name))
        return self.session.create_request(Request(path=path, method=method, url=url))

    def save_request(self, req: Request) -> Request:
        return self.session.save_request(req)

    def rename(self, path: str, new_name: str) -> str:
        return self.session.rename(path, new_name)

    def move(self, src: str, dst: str) -> str:
        return self.session.move(src, dst)

    def duplicate(self, path: str) -> str:
        """Copy a request or folder next to itself as '<name> copy' (secrets not copied)."""
        return self.session.duplicate(path)

    def delete(self, path: str) -> None:
        report = self.session.delete(path)
        if report.secrets_left:
            import logging  # not at the top: no module the first frame loads imports it

            logging.getLogger(__name__).warning("secrets of %s stay in the keyring: %s",
                        ", ".join(report.secrets_left), report.reason)

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
        """Send through the session (one retry after an OAuth 401, raise on 4xx/5xx when
        asked; history records it)."""
        return await self.session.send(request, environment_name, on_progress=on_progress)

    async def fetch_all_pages(self, request: Request, environment_name: str | None = None, *,
                              max_pages: int = 100,
                              on_page: Callable[[Page], None] | None = None
                              ) -> PaginationResult:
        """Every page of ``request`` merged (each page is recorded in the history)."""
        from relaydesk.core.pagination import PaginationSettings

        return await self.session.fetch_all_pages(
            request, environment_name, settings=PaginationSettings(max_pages=max_pages),
            on_page=on_page)

    async def check(self, conn: str | Connection) -> CheckResult:
        return await self.session.check(conn)

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
        from relaydesk.core.managed import managed_api_for

        api = managed_api_for(self.workspace, conn) if conn is not None else None
        return snippet_for(kind, request, conn, self.secrets if include_secrets else None,
                           variables, include_secrets=include_secrets, api=api)

    def read_import_file(self, path: str) -> str:
        """The text of a file to import (called from a worker thread)."""
        from relaydesk.core.importers.loader import read_import_file

        return read_import_file(path)  # its size checked before it is read

    def apply_import(self, plan: ImportPlan, into: str | None = None, text: str = ""
                     ) -> list[str]:
        """Write an import plan, all or nothing; returns the notes for the user.

        Runs in a worker thread, so it writes through a workspace object of its own:
        the GUI thread goes on reading ``self.workspace`` meanwhile (painting the tree
        reads request files on first use) and takes the new files in with
        ``self.workspace.reload()`` once the import is done.
        """
        from relaydesk.core.importers import apply_plan

        own = Workspace.open(self.workspace.root, create=False)
        notes = apply_plan(own, self.secrets if plan.secrets else None, plan, into=into)
        if plan.kind == "openapi" and text and plan.connections:
            # The connection keeps its description: its operations (issue 17).
            from relaydesk.core.api_description import keep_imported_description
            from relaydesk.core.importers import relocate

            notes += keep_imported_description(own, relocate(plan, into).connections[0].path,
                                               text, plan.source)
        return notes

    def import_snippet(self, conn_path: str, selected: str = "") -> str:
        """``import relaydesk`` and the connection's import line; with a description,
        an example call of the operation the ``selected`` request matches (else the
        first)."""
        from relaydesk.core.errors import RelaydeskError
        from relaydesk.core.managed import managed_api_for
        from relaydesk.core.managed_request import import_example
        from relaydesk.core.snippets import connection_import_snippet, connection_variable

        conn = self.workspace.connection(conn_path)
        api = managed_api_for(self.workspace, conn)
        if api is None:
            return connection_import_snippet(conn.path)
        request = self.request(selected) if selected and self.kind_of(selected) == "request" \
            else None
        try:
            example = import_example(api, request, conn.base_url, connection_variable(conn.path))
        except RelaydeskError:  # an unreadable description: the import line still works
            example = ""
        return connection_import_snippet(conn.path, example)

    def parse_curl(self, text: str) -> CurlImport:
        """A pasted curl command; credentials in headers move to auth + ``secrets``."""
        from relaydesk.core import curl

        imported = curl.parse_curl(text)
        lift = getattr(curl, "lift_credentials", None)
        return lift(imported) if lift is not None else imported

    def last_response(self, path: str) -> Response | None:
        """The response last received for the request at ``path`` (kept across
        restarts, redacted), or None."""
        return self.session.last_response(path)

    # -- environments (the Environments dialog) ----------------------------------------

    def edit_environment(self, name: str, *, variables: Mapping[str, str],
                         secrets: Iterable[str] = (),
                         secret_values: Mapping[str, str] | None = None,
                         create: bool = False) -> Environment:
        return self.session.edit_environment(name, variables=variables, secrets=secrets,
                                             secret_values=secret_values, create=create)

    def rename_environment(self, name: str, new_name: str) -> Environment:
        return self.session.rename_environment(name, new_name)

    def delete_environment(self, name: str) -> None:
        self.session.delete_environment(name)

    def environment_secret_saved(self, name: str, variable: str) -> bool:
        return self.session.environment_secret_saved(name, variable)

    # -- Save As, Duplicate, a request's own auth -----------------------------------

    def save_request_as(self, req: Request, path: str) -> Request:
        return self.session.save_request_as(req, path)

    def free_path(self, path: str) -> str:
        return self.session.free_path(path)

    def set_request_auth(self, path: str, auth: AuthSettings | None,
                         secrets: Mapping[str, str] | None = None) -> Request:
        return self.session.set_request_auth(path, auth, secrets)
