"""A small Starlette app that pages in every style Relaydesk understands.

Seven items (``{"id": 1..7}``) served three per page, so every style takes three
pages. It records the ``Authorization`` header of every request it gets
(``app.state.seen``) so tests can check that auth was applied on every page.

    /links?page=N          {"values": [...], "links": {"next": "/links?page=N+1"}} (relative)
    /abs-links?page=N      same, absolute next URL, items under "items"
    /link-header?page=N    a JSON array + Link: <…>; rel="next"
    /offset?offset=&size=  {"offset", "size", "total", "items"}
    /pages?page=&per_page= {"page", "per_page", "total_pages", "data"}
    /cursor?cursor=        {"results", "next_cursor"}
    /token?pageToken=      {"items", "nextPageToken"}
    /nested?cursor=        {"data", "cursor": {"next"}}
    /malformed             page 1 links to "http://[::1" (not a URL)
    /loop?page=N           page 3 links back to page 2
    /foreign               page 1 links to another origin
    /many                  {"values": [...], "other": [...]} (ambiguous lists)
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

__all__ = ["ITEMS", "PAGE", "make_app"]

ITEMS = [{"id": i} for i in range(1, 8)]
PAGE = 3


def _int(request: Request, name: str, default: int) -> int:
    try:
        return int(request.query_params.get(name, default))
    except ValueError:
        return default


def _slice(page: int) -> list[dict[str, int]]:
    return ITEMS[(page - 1) * PAGE: page * PAGE]


def _last(page: int) -> bool:
    return page * PAGE >= len(ITEMS)


def make_app() -> Starlette:
    seen: list[tuple[str, str | None]] = []

    def note(request: Request) -> None:
        seen.append((str(request.url.path) + "?" + request.url.query,
                     request.headers.get("authorization")))

    async def links(request: Request) -> JSONResponse:
        note(request)
        page = _int(request, "page", 1)
        nxt = None if _last(page) else f"/links?page={page + 1}"
        return JSONResponse({"values": _slice(page), "links": {"next": nxt, "self": "x"}})

    async def abs_links(request: Request) -> JSONResponse:
        note(request)
        page = _int(request, "page", 1)
        base = str(request.base_url).rstrip("/")
        nxt = None if _last(page) else f"{base}/abs-links?page={page + 1}"
        return JSONResponse({"items": _slice(page), "links": {"next": nxt}})

    async def link_header(request: Request) -> JSONResponse:
        note(request)
        page = _int(request, "page", 1)
        headers = {}
        if not _last(page):
            headers["Link"] = (f'</link-header?page=1>; rel="first", '
                               f'<{request.base_url}link-header?page={page + 1}>; rel="next"')
        return JSONResponse(_slice(page), headers=headers)

    async def offset(request: Request) -> JSONResponse:
        note(request)
        off, size = _int(request, "offset", 0), _int(request, "size", PAGE)
        return JSONResponse({"offset": off, "size": size, "total": len(ITEMS),
                             "items": ITEMS[off: off + size]})

    async def pages(request: Request) -> JSONResponse:
        note(request)
        page, per = _int(request, "page", 1), _int(request, "per_page", PAGE)
        total_pages = -(-len(ITEMS) // per)
        return JSONResponse({"page": page, "per_page": per, "total_pages": total_pages,
                             "data": ITEMS[(page - 1) * per: page * per]})

    def _cursor_page(token: str | None) -> tuple[list[dict[str, int]], str | None]:
        page = int(token[1:]) if token and token.startswith("c") else 1
        return _slice(page), (None if _last(page) else f"c{page + 1}")

    async def cursor(request: Request) -> JSONResponse:
        note(request)
        items, nxt = _cursor_page(request.query_params.get("cursor"))
        return JSONResponse({"results": items, "next_cursor": nxt or ""})

    async def token(request: Request) -> JSONResponse:
        note(request)
        items, nxt = _cursor_page(request.query_params.get("pageToken"))
        doc: dict[str, Any] = {"items": items}
        if nxt:
            doc["nextPageToken"] = nxt
        return JSONResponse(doc)

    async def nested(request: Request) -> JSONResponse:
        note(request)
        items, nxt = _cursor_page(request.query_params.get("cursor"))
        return JSONResponse({"data": items, "cursor": {"next": nxt}})

    async def malformed(request: Request) -> JSONResponse:
        note(request)
        return JSONResponse({"values": _slice(1), "links": {"next": "http://[::1"}})

    async def loop(request: Request) -> JSONResponse:
        note(request)
        page = _int(request, "page", 1)
        nxt = f"/loop?page={page + 1}" if page < 3 else "/loop?page=2"
        return JSONResponse({"values": _slice(page), "links": {"next": nxt}})

    async def foreign(request: Request) -> JSONResponse:
        note(request)
        return JSONResponse({"values": _slice(1),
                             "links": {"next": "http://127.0.0.2:9/steal?page=2"}})

    async def many(request: Request) -> JSONResponse:
        note(request)
        return JSONResponse({"values": _slice(1), "other": [1, 2]})

    app = Starlette(routes=[
        Route("/links", links), Route("/abs-links", abs_links),
        Route("/link-header", link_header), Route("/offset", offset), Route("/pages", pages),
        Route("/cursor", cursor), Route("/token", token), Route("/nested", nested),
        Route("/malformed", malformed), Route("/loop", loop), Route("/foreign", foreign),
        Route("/many", many),
    ])
    app.state.seen = seen
    return app
