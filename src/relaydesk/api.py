"""The Python API: a saved connection as a ready httpx client.

    import relaydesk
    jira = relaydesk.connect("jira/cloud")
    jira.get("/rest/api/3/myself").json()

The client carries the connection's base URL, custom headers, authentication (secrets
read from the system keyring; OAuth 2.0 tokens fetched, refreshed and renewed as
``relaydesk send`` does), TLS settings, HTTPS-only switch, timeout and proxy. It is
built by the same core session as the app and the CLI, so credentials follow the same
rule: only ever attached to requests for the connection's own origin.
"""

from __future__ import annotations

import os
from typing import Any

import httpx

from .core.client_auth import hooks_with
from .core.model import Environment
from .core.session import ClientConfig, Session
from .core.workspace import Workspace
from .paginate_client import AsyncPaginatingClient, PaginatingClient

__all__ = ["ClientConfig", "aconnect", "client_config", "connect"]

WorkspaceArg = Workspace | str | os.PathLike[str] | None
EnvironmentArg = Environment | str | None


def _session(workspace: WorkspaceArg, keyring: Any) -> Session:
    options: dict[str, Any] = {"history": False}
    if keyring is not None:
        options["keyring"] = keyring
    if isinstance(workspace, Workspace):
        return Session(workspace, **options)
    return Session.open(workspace, **options)


def client_config(
    path: str,
    *,
    workspace: WorkspaceArg = None,
    environment: EnvironmentArg = None,
    keyring: Any = None,
    variables: dict[str, str] | None = None,
) -> ClientConfig:
    """Resolve a saved connection into client settings."""
    return _session(workspace, keyring).client_config(path, environment, variables)


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
    kwargs = config.kwargs()
    hooks = hooks_with(client_kwargs.pop("event_hooks", None), config.auth.strip_foreign)
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
    hooks = hooks_with(client_kwargs.pop("event_hooks", None), strip)
    kwargs.update(client_kwargs)
    return AsyncPaginatingClient(event_hooks=hooks, **kwargs)
