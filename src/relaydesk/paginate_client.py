"""``client.paginate(...)``: every item of a paginated API from a plain httpx client.

    import relaydesk
    gh = relaydesk.connect("github")
    for repo in gh.paginate("/user/repos", params={"per_page": 50}):
        print(repo["full_name"])

The same detection as the app and ``relaydesk send --all-pages`` (``links.next``,
``Link: rel="next"``, offset/limit, page/per_page, cursor tokens) and the same reading
of relative next links (against the client's ``base_url`` when the API means that),
page by page and lazily: the next page is only fetched once the items before it
were consumed. A failing page's message has its credentials redacted.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import httpx

from .core.pagination import NextPage, PaginationSettings, Paginator

if TYPE_CHECKING:
    from .core.redact import Redactor

__all__ = ["AsyncPaginatingClient", "PaginatingClient", "apaginate", "paginate"]


def _settings(settings: PaginationSettings | None, max_pages: int | None,
              items_path: str | None) -> PaginationSettings:
    from dataclasses import replace

    s = settings or PaginationSettings()
    if max_pages is not None:
        s = replace(s, max_pages=max_pages)
    if items_path is not None:
        s = replace(s, items_path=items_path)
    return s


def _redactor(client: httpx.Client | httpx.AsyncClient, request: httpx.Request) -> Redactor:
    """For the page's URL and the server's words in messages: credentials redacted as
    the CLI and the app do."""
    from .core.auth import AppliedAuth
    from .core.client_auth import ConnectionAuth
    from .core.redact import Redactor

    auth = client.auth
    # A saved connection's client knows its credentials; a plain client redacts by name.
    applied = auth.current if isinstance(auth, ConnectionAuth) else AppliedAuth()
    redactor = Redactor.for_parts(
        str(request.url), request.headers.multi_items(),
        secret_values=applied.secret_values, sensitive_headers=applied.sensitive_headers,
        sensitive_params=applied.sensitive_params)
    return redactor


def _page_items(client: httpx.Client | httpx.AsyncClient, paginator: Paginator,
                response: httpx.Response) -> tuple[list[Any], NextPage | None]:
    from .core.messages import explain_status
    from .core.printable import printable

    request = response.request  # as sent: auth applied, API-key params included
    redactor = _redactor(client, request)
    problem = (explain_status(response.status_code, response.headers, response.content)
               if response.status_code >= 400 else None)
    if problem is not None:  # a server may echo the credential or send escape codes
        problem = redactor.text(printable(problem))
    headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw]
    return paginator.read_page(str(request.url), redactor.url(str(request.url)),
                               response.status_code, printable(response.reason_phrase),
                               problem, headers, response.json)


def _next_url(first: httpx.URL, nxt: NextPage) -> httpx.URL:
    return httpx.URL(nxt.url) if nxt.url is not None else first.copy_merge_params(nxt.params)


def _paginator(client: httpx.Client | httpx.AsyncClient, first: httpx.URL,
               settings: PaginationSettings) -> Paginator:
    # Relative next links may be relative to the client's base URL (see core.pagination).
    base = str(client.base_url) if str(client.base_url) else ""
    return Paginator(settings, str(first), base_url=base)


def paginate(client: httpx.Client, url: str, *, method: str = "GET",
             params: Mapping[str, Any] | None = None,
             settings: PaginationSettings | None = None, max_pages: int | None = None,
             items_path: str | None = None, **kwargs: Any) -> Iterator[Any]:
    """Yield the items of every page, starting at ``url`` (relative to the base URL)."""
    request = client.build_request(method, url, params=params, **kwargs)
    first = request.url
    paginator = _paginator(client, first, _settings(settings, max_pages, items_path))
    while True:
        response = client.send(request)
        try:
            response.read()
            items, nxt = _page_items(client, paginator, response)
        finally:
            response.close()
        yield from items
        if nxt is None:
            return
        request = client.build_request(method, _next_url(first, nxt), **kwargs)


async def apaginate(client: httpx.AsyncClient, url: str, *, method: str = "GET",
                    params: Mapping[str, Any] | None = None,
                    settings: PaginationSettings | None = None, max_pages: int | None = None,
                    items_path: str | None = None, **kwargs: Any) -> AsyncIterator[Any]:
    """The async twin of ``paginate``."""
    request = client.build_request(method, url, params=params, **kwargs)
    first = request.url
    paginator = _paginator(client, first, _settings(settings, max_pages, items_path))
    while True:
        response = await client.send(request)
        try:
            await response.aread()
            items, nxt = _page_items(client, paginator, response)
        finally:
            await response.aclose()
        for item in items:
            yield item
        if nxt is None:
            return
        request = client.build_request(method, _next_url(first, nxt), **kwargs)


class PaginatingClient(httpx.Client):
    """``httpx.Client`` plus ``paginate(url, **kwargs)``: what ``relaydesk.connect`` returns."""

    def paginate(self, url: str, **kwargs: Any) -> Iterator[Any]:
        return paginate(self, url, **kwargs)


class AsyncPaginatingClient(httpx.AsyncClient):
    """``httpx.AsyncClient`` plus ``paginate(url, **kwargs)`` (an async iterator)."""

    def paginate(self, url: str, **kwargs: Any) -> AsyncIterator[Any]:
        return apaginate(self, url, **kwargs)
