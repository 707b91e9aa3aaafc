"""The Python API: a saved connection as a ready httpx client.

    import relaydesk
    jira = relaydesk.connect("jira/cloud")
    jira.get("/rest/api/3/myself").json()

A connection with an API description (``relaydesk describe``, or kept by
``relaydesk import openapi``) also exposes its operations, checked before sending::

    jira.Issue.getIssue(issueIdOrKey="ISSUE-1")       # parsed JSON, .response at hand

The client carries the connection's base URL, custom headers, authentication (secrets
read from the system keyring; OAuth 2.0 tokens fetched, refreshed and renewed as
``relaydesk send`` does), TLS settings, HTTPS-only switch, timeout and proxy. It is
built by the same core session as the app and the CLI, so credentials follow the same
rule: only ever attached to requests for the connection's own origin.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from .core.client_auth import hooks_with
from .core.client_config import ClientConfig
from .core.model import Environment
from .core.session import Session
from .core.workspace import Workspace

if TYPE_CHECKING:
    import httpx

    from .core.managed import ManagedApi
from .managed_client import AsyncManagedClient, ManagedClient, attach

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


def _configured(path: str, workspace: WorkspaceArg, environment: EnvironmentArg,
                keyring: Any) -> tuple[ClientConfig, ManagedApi | None]:
    from .core.managed import managed_api_for

    session = _session(workspace, keyring)
    config = session.client_config(path, environment)
    return config, managed_api_for(session.workspace, config.connection)


def connect(
    path: str,
    *,
    workspace: WorkspaceArg = None,
    environment: EnvironmentArg = None,
    keyring: Any = None,
    **client_kwargs: Any,
) -> ManagedClient:
    """A ready ``httpx.Client`` for the saved connection at ``path``.

    It also has ``paginate(url, ...)``, which follows the API's next-page links and
    yields the items of every page, and, when the connection has an API description,
    its operations as ``client.<Group>.<operationId>(**params)`` (see
    ``relaydesk.core.managed``).

    ``workspace`` is a folder (default: ``$RELAYDESK_WORKSPACE``, else the user's
    default workspace) or an open ``Workspace``; ``environment`` names an environment
    whose variables fill ``{{placeholders}}`` in the base URL, headers and auth.
    ``keyring`` swaps the system keyring for another backend (tests). Extra keyword
    arguments go to ``httpx.Client`` and win over the connection's settings.
    """
    config, api = _configured(path, workspace, environment, keyring)
    kwargs = config.kwargs()
    hooks = hooks_with(client_kwargs.pop("event_hooks", None), config.auth.strip_foreign)
    kwargs.update(client_kwargs)
    client = ManagedClient(event_hooks=hooks, **kwargs)
    attach(client, api)
    return client


def aconnect(
    path: str,
    *,
    workspace: WorkspaceArg = None,
    environment: EnvironmentArg = None,
    keyring: Any = None,
    **client_kwargs: Any,
) -> AsyncManagedClient:
    """The async twin of ``connect``: a ready ``httpx.AsyncClient`` (operations are
    awaited: ``await client.<Group>.<operationId>(**params)``)."""
    config, api = _configured(path, workspace, environment, keyring)

    async def strip(request: httpx.Request) -> None:
        config.auth.strip_foreign(request)

    kwargs = config.kwargs()
    hooks = hooks_with(client_kwargs.pop("event_hooks", None), strip)
    kwargs.update(client_kwargs)
    client = AsyncManagedClient(event_hooks=hooks, **kwargs)
    attach(client, api)
    return client
