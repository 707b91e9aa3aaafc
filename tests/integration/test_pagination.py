"""Fetch-all-pages against a loopback server that pages in every style."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from relaydesk.core.engine import Engine
from relaydesk.core.errors import ValidationError
from relaydesk.core.model import AuthSettings, Connection, KeyValue, Request
from relaydesk.core.pagination import (
    PaginationError,
    PaginationSettings,
    fetch_all,
    parse_link_header,
)
from relaydesk.core.secrets import SecretStore
from tests.paging_server import ITEMS, make_app
from tests.servers import start_uvicorn


@pytest.fixture(scope="module")
def paging() -> Iterator[tuple[str, Any]]:
    app = make_app()
    server = start_uvicorn(app)
    yield server.base_url, app
    server.stop()


@pytest.fixture
async def engine(memory_keyring: Any) -> AsyncIterator[tuple[Engine, SecretStore]]:
    store = SecretStore(memory_keyring, "ws-paging")
    eng = Engine(store)
    yield eng, store
    await eng.aclose()


def _conn(base: str) -> Connection:
    return Connection(path="paging", base_url=base, auth=AuthSettings("bearer"))


@pytest.mark.parametrize(("url", "style"), [
    ("/links", "body_link"),
    ("/abs-links", "body_link"),
    ("/link-header", "link_header"),
    ("/offset?offset=0&size=3", "offset"),
    ("/pages?page=1&per_page=3", "page"),
    ("/cursor", "cursor"),
    ("/token", "cursor"),
    ("/nested", "cursor"),
])
async def test_every_style_fetches_three_pages_with_auth(
        paging: tuple[str, Any], engine: tuple[Engine, SecretStore], url: str,
        style: str) -> None:
    base, app = paging
    eng, store = engine
    store.set("paging", "token", "tok-123")
    app.state.seen.clear()
    result = await fetch_all(eng, Request(path="paging/r", url=url), _conn(base))
    assert result.items == ITEMS
    assert result.pages == 3
    assert result.style == style
    # What the server got: three requests, each carrying the connection's auth.
    assert len(app.state.seen) == 3
    assert all(auth == "Bearer tok-123" for _, auth in app.state.seen)


async def test_offset_params_sent_are_the_ones_the_server_reads(
        paging: tuple[str, Any], engine: tuple[Engine, SecretStore]) -> None:
    base, app = paging
    eng, store = engine
    store.set("paging", "token", "t")
    app.state.seen.clear()
    req = Request(path="paging/r", url="/offset",
                  params=[KeyValue("offset", "0"), KeyValue("size", "3")])
    await fetch_all(eng, req, _conn(base))
    assert [p for p, _ in app.state.seen] == [
        "/offset?offset=0&size=3", "/offset?offset=3&size=3", "/offset?offset=6&size=3"]


async def test_max_pages_stops_early(paging: tuple[str, Any],
                                     engine: tuple[Engine, SecretStore]) -> None:
    base, _ = paging
    eng, store = engine
    store.set("paging", "token", "t")
    result = await fetch_all(eng, Request(path="paging/r", url="/links"), _conn(base),
                             settings=PaginationSettings(max_pages=2))
    assert result.pages == 2
    assert result.items == ITEMS[:6]


async def test_configured_items_path_and_style(paging: tuple[str, Any],
                                               engine: tuple[Engine, SecretStore]) -> None:
    base, _ = paging
    eng, store = engine
    store.set("paging", "token", "t")
    settings = PaginationSettings(style="body_link", items_path="$.values[*].id",
                                  next_path="links.next")
    # A JSONPath to a list element is not a list: a clear error, not a crash.
    with pytest.raises(PaginationError, match="not a list"):
        await fetch_all(eng, Request(path="paging/r", url="/links"), _conn(base),
                        settings=settings)
    settings.items_path = "values"
    result = await fetch_all(eng, Request(path="paging/r", url="/links"), _conn(base),
                             settings=settings)
    assert result.items == ITEMS


@pytest.mark.parametrize(("url", "message"), [
    ("/malformed", "malformed"),
    ("/loop", "repeats a page already fetched"),
    ("/foreign", "another server"),
])
async def test_bad_next_links_stop_with_a_clear_message(
        paging: tuple[str, Any], engine: tuple[Engine, SecretStore], url: str,
        message: str) -> None:
    base, app = paging
    eng, store = engine
    store.set("paging", "token", "t")
    app.state.seen.clear()
    with pytest.raises(PaginationError, match=message) as info:
        await fetch_all(eng, Request(path="paging/r", url=url), _conn(base))
    assert "stopped" in str(info.value)
    if url == "/loop":
        assert info.value.pages == 3  # pages 1, 2, 3; page 3's link back to 2 stops it
        assert len(app.state.seen) == 3


async def test_single_page_when_nothing_says_more(
        echo_server: str, engine: tuple[Engine, SecretStore]) -> None:
    eng, _ = engine
    conn = Connection(path="echo", base_url=echo_server)
    result = await fetch_all(eng, Request(path="echo/json", url="/json"), conn)
    assert result.pages == 1


def test_link_header_parsing() -> None:
    links = parse_link_header(['<https://a/x?page=2>; rel="next", <https://a/x?page=9>; '
                               'rel="last"', '</y>; rel="prev start"'])
    assert links == {"next": "https://a/x?page=2", "last": "https://a/x?page=9",
                     "prev": "/y", "start": "/y"}


@pytest.mark.parametrize("url", ["/links", "/link-header", "/offset?size=3", "/pages",
                                 "/token", "/nested"])
def test_paginate_client_sync(paging: tuple[str, Any], url: str) -> None:
    from relaydesk.paginate_client import PaginatingClient

    base, app = paging
    app.state.seen.clear()
    with PaginatingClient(base_url=base, headers={"Authorization": "Bearer s"}) as client:
        pages = client.paginate(url)
        assert next(pages) == ITEMS[0]
        assert len(app.state.seen) == 1  # lazily: one page fetched so far
        assert [ITEMS[0], *pages] == ITEMS
    assert len(app.state.seen) == 3


async def test_paginate_client_async_and_errors(paging: tuple[str, Any]) -> None:
    from relaydesk.paginate_client import AsyncPaginatingClient, paginate

    base, _ = paging
    async with AsyncPaginatingClient(base_url=base) as client:
        assert [i async for i in client.paginate("/cursor")] == ITEMS
        assert [i async for i in client.paginate("/links", max_pages=1)] == ITEMS[:3]
    import httpx

    with httpx.Client(base_url=base) as plain, pytest.raises(PaginationError, match="loop"):
        list(paginate(plain, "/loop"))


def test_relaydesk_connect_client_pages_with_the_saved_auth(
        paging: tuple[str, Any], workspace: Any, memory_keyring: Any) -> None:
    import relaydesk

    base, app = paging
    workspace.save_connection(_conn(base), create=True)
    SecretStore.for_workspace(memory_keyring, workspace).set("paging", "token", "s")
    app.state.seen.clear()
    with relaydesk.connect("paging", workspace=workspace, keyring=memory_keyring) as client:
        assert list(client.paginate("/links")) == ITEMS
    assert len(app.state.seen) == 3


async def test_every_page_reaches_the_engine_observer(
        paging: tuple[str, Any], echo_server: str) -> None:
    """History records pagination through the engine's observer: each page, and a
    failing page with its status before the PaginationError."""
    base, _ = paging
    seen: list[tuple[str, str, int | None]] = []
    eng = Engine(None, on_exchange=lambda path, prepared, resp, _err: seen.append(
        (path, prepared.url, resp.status if resp else None)))
    try:
        await fetch_all(eng, Request(path="p/r", url="/cursor"), Connection("p", base))
        assert [(p, s) for p, _, s in seen] == [("p/r", 200)] * 3
        assert seen[0][1] == f"{base}/cursor" and "cursor=" in seen[1][1]
        seen.clear()
        with pytest.raises(PaginationError, match="answered 404"):
            await fetch_all(eng, Request(path="e/r", url="/status/404"),
                            Connection("e", echo_server))
        assert [(p, s) for p, _, s in seen] == [("e/r", 404)]
        seen.clear()
        with pytest.raises(ValidationError, match="Unknown pagination style"):
            await fetch_all(eng, Request(path="p/r", url="/cursor"), Connection("p", base),
                            settings=PaginationSettings(style="sideways"))
        assert seen == []  # refused before anything was sent
    finally:
        await eng.aclose()
