"""The clients ``relaydesk.connect``/``aconnect`` return: httpx clients with
``paginate`` and, for a connection with an API description, its operations.

    jira = relaydesk.connect("jira/cloud")
    jira.get("/rest/api/3/myself")                       # plain httpx, as before
    jira.Issue.getIssue(issueIdOrKey="ISSUE-1")          # the managed API

Groups are looked up only when an attribute is not one of httpx's own (group names
are capitalised, httpx's attributes never are), so the httpx client is untouched.
"""

from __future__ import annotations

from typing import Any

from .core.managed import Group, ManagedApi, group_of
from .paginate_client import AsyncPaginatingClient, PaginatingClient

__all__ = ["AsyncManagedClient", "ManagedClient", "attach"]


def _group(self: Any, name: str) -> Group:
    return group_of(self, self.__dict__.get("managed_api"), name)


def _dir(self: Any) -> list[str]:
    api = self.__dict__.get("managed_api")
    return [*object.__dir__(self), *(api.groups() if api is not None else [])]


class ManagedClient(PaginatingClient):
    """``httpx.Client`` + ``paginate`` + ``client.<Group>.<operation>(**params)``;
    ``managed_api`` lists the groups and operations (None without a description)."""

    managed_api: ManagedApi | None = None

    def __getattr__(self, name: str) -> Group:
        return _group(self, name)

    def __dir__(self) -> list[str]:
        return _dir(self)


class AsyncManagedClient(AsyncPaginatingClient):
    """The async twin: ``await client.<Group>.<operation>(**params)``."""

    managed_api: ManagedApi | None = None

    def __getattr__(self, name: str) -> Group:
        return _group(self, name)

    def __dir__(self) -> list[str]:
        return _dir(self)


def attach(client: Any, api: ManagedApi | None) -> None:
    client.__dict__["managed_api"] = api
