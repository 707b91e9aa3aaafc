"""The engine's httpx client: no cookie jar, and a short way for plain sends that
ends the same as ``httpx.AsyncClient.send`` would."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from relaydesk.core.jarless_client import JarlessClient

URL = "http://api.test/items"
TIMEOUT = {"timeout": httpx.Timeout(5).as_dict()}


def _request(url: str = URL) -> httpx.Request:
    return httpx.Request("GET", url, extensions=TIMEOUT)


def _clients(handler: Callable[[httpx.Request], httpx.Response]
             ) -> tuple[JarlessClient, httpx.AsyncClient]:
    transport = httpx.MockTransport(handler)
    return (JarlessClient(transport=transport, trust_env=False),
            httpx.AsyncClient(transport=transport, trust_env=False))


async def test_cookies_set_by_a_server_are_not_kept() -> None:
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("cookie"))
        return httpx.Response(200, headers={"set-cookie": "session=s1; Path=/"})

    client, _ = _clients(handler)
    for _ in range(2):
        await (await client.send(_request(), stream=True)).aclose()
        await (await client.get(URL)).aclose()  # httpx's own path too
    assert seen == [None] * 4 and not client.cookies
    client.cookies = {"a": "b"}  # type: ignore[assignment]
    assert not client.cookies


async def test_a_failure_carries_its_request_as_with_httpx() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    for client in _clients(handler):
        request = _request()
        with pytest.raises(httpx.ConnectError) as info:
            await client.send(request, stream=True)
        assert info.value.request is request


async def test_redirects_end_as_with_httpx() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        location = {"/items": "/moved", "/bad": "http://exa\x01mple/"}.get(request.url.path, "")
        return httpx.Response(302, headers={"location": location})

    for client in _clients(handler):
        response = await client.send(_request(), stream=True)
        assert response.status_code == 302 and response.request.url == URL
        assert response.next_request is not None
        assert response.next_request.url == "http://api.test/moved"
        with pytest.raises(httpx.RemoteProtocolError, match="Invalid URL in location"):
            await client.send(_request("http://api.test/bad"), stream=True)


async def test_auth_and_credentials_in_the_url_still_apply() -> None:
    got: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        got.append(request.headers.get("authorization"))
        return httpx.Response(200)

    client, plain = _clients(handler)
    for c in (client, plain):
        await c.send(_request(), stream=True, auth=httpx.BasicAuth("u", "p"))
        await c.send(_request("http://u:p@api.test/items"), stream=True)
    assert got[0] == got[1] == got[2] == got[3] == "Basic dTpw"


async def test_a_closed_client_refuses_to_send() -> None:
    client, _ = _clients(lambda request: httpx.Response(200))
    await client.aclose()
    with pytest.raises(RuntimeError, match="closed"):
        await client.send(_request(), stream=True)
