"""``client.paginate(...)``: every item of a paginated API from a plain httpx client.

    import relaydesk
    gh = relaydesk.connect("github")
    for repo in gh.paginate("/user/repos", params={"per_page": 50}):
        print(repo["full_name"])

The same detection as the app and ``relaydesk send --all-pages`` (``links.next``,
``Link: rel="next"``, offset/limit, page/per_page, cursor tokens), page by page and
lazily: the next page is only fetched once the items before it were consumed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

import httpx

from .core.pagination import NextPage, PaginationError, PaginationSettings, Paginator

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


def _page_items(paginator: Paginator, response: httpx.Response,
                url: str) -> tuple[list[Any], NextPage | None]:
    number = paginator.pages + 1
    if response.status_code >= 400:
        raise PaginationError(f"Page {number} ({url}) answered {response.status_code} "
                              f"{response.reason_phrase}.", paginator.pages)
    try:
        body = response.json()
    except ValueError:
        raise PaginationError(f"Page {number} ({url}) is not JSON, so its items cannot be "
                              "merged.", paginator.pages) from None
    items = paginator.items(body)
    headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw]
    return items, paginator.feed(url, headers, body, items)


def _next_url(first: httpx.URL, nxt: NextPage) -> httpx.URL:
    return httpx.URL(nxt.url) if nxt.url is not None else first.copy_merge_params(nxt.params)


def paginate(client: httpx.Client, url: str, *, method: str = "GET",
             params: Mapping[str, Any] | None = None,
             settings: PaginationSettings | None = None, max_pages: int | None = None,
             items_path: str | None = None, **kwargs: Any) -> Iterator[Any]:
    """Yield the items of every page, starting at ``url`` (relative to the base URL)."""
    request = client.build_request(method, url, params=params, **kwargs)
    first = request.url
    paginator = Paginator(_settings(settings, max_pages, items_path), str(first))
    while True:
        response = client.send(request)
        try:
            response.read()
            items, nxt = _page_items(paginator, response, str(request.url))
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
    paginator = Paginator(_settings(settings, max_pages, items_path), str(first))
    while True:
        response = await client.send(request)
        try:
            await response.aread()
            items, nxt = _page_items(paginator, response, str(request.url))
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
