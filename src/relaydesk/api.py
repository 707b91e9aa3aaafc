"""The Python API: a saved connection as a ready httpx client.

    import relaydesk
    jira = relaydesk.connect("jira/cloud")
    jira.get("/rest/api/3/myself").json()

The client carries the connection's base URL, custom headers, authentication (secrets
read from the system keyring), TLS settings, timeout and proxy. Credentials are only
ever attached to requests for the connection's own origin: a request or redirect to
another scheme/host/port goes out without them.
"""

from __future__ import annotations

import os
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import httpx

from .core.auth import AppliedAuth, apply_auth
from .core.client_settings import transport_settings
from .core.errors import NotFoundError
from .core.model import AUTH_SECRET_FIELDS, Connection, Environment
from .core.prepare import resolve_variables
from .core.secrets import SecretStore, system_keyring
from .core.templating import render
from .core.urls import remove_query_params, same_origin
from .core.workspace import Workspace, resolve_workspace_dir
from .paginate_client import AsyncPaginatingClient, PaginatingClient

__all__ = ["ClientConfig", "ConnectionAuth", "aconnect", "client_config", "connect"]

WorkspaceArg = Workspace | str | os.PathLike[str] | None
EnvironmentArg = Environment | str | None


class ConnectionAuth(httpx.Auth):
    """Applies a connection's credentials to requests for its own origin only."""

    def __init__(self, origin_url: str, applied: AppliedAuth) -> None:
        self.origin_url = origin_url
        self.applied = applied

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if not same_origin(str(request.url), self.origin_url):
            yield request
            return
        for name, value in self.applied.headers:
            request.headers[name] = value
        if self.applied.params:
            request.url = request.url.copy_merge_params(dict(self.applied.params))
        if self.applied.auth is not None:  # header-less schemes such as Digest
            yield from self.applied.auth.auth_flow(request)
        else:
            yield request

    def strip_foreign(self, request: httpx.Request) -> None:
        """Remove credentials from a request (a redirect hop) that left the origin."""
        if same_origin(str(request.url), self.origin_url):
            return
        for name in {*self.applied.sensitive_headers, "authorization", "proxy-authorization"}:
            request.headers.pop(name, None)
        if self.applied.sensitive_params:
            request.url = httpx.URL(
                remove_query_params(str(request.url), self.applied.sensitive_params))


@dataclass
class ClientConfig:
    """Everything an httpx client needs for one connection (shared by both twins)."""

    connection: Connection
    base_url: str
    headers: list[tuple[str, str]]
    auth: ConnectionAuth
    verify: Any
    timeout: float
    proxy: str | None
    trust_env: bool

    def kwargs(self) -> dict[str, Any]:
        return {
            "base_url": self.base_url, "headers": self.headers, "auth": self.auth,
            "verify": self.verify, "timeout": self.timeout, "proxy": self.proxy,
            "trust_env": self.trust_env, "follow_redirects": True,
        }


def _open_workspace(workspace: WorkspaceArg) -> Workspace:
    if isinstance(workspace, Workspace):
        return workspace
    return Workspace.open(resolve_workspace_dir(workspace), create=False)


def _environment(ws: Workspace, environment: EnvironmentArg) -> Environment | None:
    if environment is None or isinstance(environment, Environment):
        return environment
    return ws.environment(environment)


def client_config(
    path: str,
    *,
    workspace: WorkspaceArg = None,
    environment: EnvironmentArg = None,
    keyring: Any = None,
    variables: dict[str, str] | None = None,
) -> ClientConfig:
    """Resolve a saved connection into client settings (secrets read once, now)."""
    ws = _open_workspace(workspace)
    try:
        conn = ws.connection_of(path)
    except NotFoundError:
        problem = ws.problem_for(path)
        if problem is not None:
            raise NotFoundError(f"The connection '{path}' cannot be loaded: {problem}") from None
        raise
    env = _environment(ws, environment)
    values = resolve_variables(conn, env, variables)
    secrets = None
    if AUTH_SECRET_FIELDS.get(conn.auth.kind):
        secrets = SecretStore(keyring if keyring is not None else system_keyring(), ws.id)
    applied = apply_auth(conn.auth, conn.path, secrets, values)
    base_url = render(conn.base_url, values, where="the base URL")
    headers = [
        (render(h.name, values, where="a header name"),
         render(h.value, values, where=f"the header '{h.name}'"))
        for h in conn.headers if h.enabled and h.name
    ]
    transport = transport_settings(conn)
    return ClientConfig(
        connection=conn, base_url=base_url, headers=headers,
        auth=ConnectionAuth(base_url, applied), verify=transport["verify"],
        timeout=conn.timeout, proxy=transport["proxy"], trust_env=transport["trust_env"],
    )


def _merge_hooks(extra: dict[str, list[Any]] | None, hook: Any) -> dict[str, list[Any]]:
    hooks = {k: list(v) for k, v in (extra or {}).items()}
    hooks.setdefault("request", []).append(hook)
    return hooks


def connect(
    path: str,
    *,
    workspace: WorkspaceArg = None,
    environment: EnvironmentArg = None,
    keyring: Any = None,
    **client_kwargs: Any,
) -> httpx.Client:
    """A ready ``httpx.Client`` for the saved connection at ``path``.

    It also has ``paginate(url, ...)``, which follows the API's next-page links and
    yields the items of every page.

    ``workspace`` is a folder (default: ``$RELAYDESK_WORKSPACE``, else the user's
    default workspace) or an open ``Workspace``; ``environment`` names an environment
    whose variables fill ``{{placeholders}}`` in the base URL, headers and auth.
    ``keyring`` swaps the system keyring for another backend (tests). Extra keyword
    arguments go to ``httpx.Client`` and win over the connection's settings.
    """
    config = client_config(path, workspace=workspace, environment=environment,
                           keyring=keyring)

    def strip(request: httpx.Request) -> None:
        config.auth.strip_foreign(request)

    kwargs = config.kwargs()
    hooks = _merge_hooks(client_kwargs.pop("event_hooks", None), strip)
    kwargs.update(client_kwargs)
    return PaginatingClient(event_hooks=hooks, **kwargs)


def aconnect(
    path: str,
    *,
    workspace: WorkspaceArg = None,
    environment: EnvironmentArg = None,
    keyring: Any = None,
    **client_kwargs: Any,
) -> httpx.AsyncClient:
    """The async twin of ``connect``: a ready ``httpx.AsyncClient``."""
    config = client_config(path, workspace=workspace, environment=environment,
                           keyring=keyring)

    async def strip(request: httpx.Request) -> None:
        config.auth.strip_foreign(request)

    kwargs = config.kwargs()
    hooks = _merge_hooks(client_kwargs.pop("event_hooks", None), strip)
    kwargs.update(client_kwargs)
    return AsyncPaginatingClient(event_hooks=hooks, **kwargs)
