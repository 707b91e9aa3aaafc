"""The loopback redirect listener (RFC 8252 §7.3), driven over real sockets."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from relaydesk.core.errors import AuthError
from relaydesk.core.oauth.loopback import (
    LoginCancelled,
    LoopbackListener,
    check_callback,
    parse_pasted_redirect,
)


async def get(url: str) -> httpx.Response:
    async with httpx.AsyncClient(trust_env=False, timeout=5) as client:
        return await client.get(url)


async def test_one_callback_only_then_closed() -> None:
    listener = LoopbackListener("s1")
    uri = await listener.start()
    assert uri.startswith("http://127.0.0.1:") and uri.endswith("/callback")
    waiter = asyncio.create_task(listener.wait(5))
    first = await get(f"{uri}?code=abc&state=s1")
    assert first.status_code == 200 and "You can return to Relaydesk" in first.text
    assert "abc" not in first.text
    assert await waiter == "abc"
    with pytest.raises(httpx.ConnectError):
        await get(f"{uri}?code=other&state=s1")


async def test_wrong_path_is_404_and_keeps_waiting() -> None:
    async with LoopbackListener("s2", path="oauth/done") as listener:
        waiter = asyncio.create_task(listener.wait(5))
        base = listener.redirect_uri.rsplit("/oauth/done", 1)[0]
        assert (await get(f"{base}/favicon.ico")).status_code == 404
        assert (await get(f"{base}/callback?code=x&state=s2")).status_code == 404
        assert not waiter.done()
        assert (await get(f"{listener.redirect_uri}?code=ok&state=s2")).status_code == 200
        assert await waiter == "ok"


async def test_state_mismatch_ends_with_an_error() -> None:
    async with LoopbackListener("expected") as listener:
        waiter = asyncio.create_task(listener.wait(5))
        page = await get(f"{listener.redirect_uri}?code=abc&state=forged")
        assert page.status_code == 400 and "Login failed" in page.text
        with pytest.raises(AuthError, match="state does not match"):
            await waiter


async def test_error_response_in_plain_words() -> None:
    async with LoopbackListener("s3") as listener:
        waiter = asyncio.create_task(listener.wait(5))
        await get(f"{listener.redirect_uri}?error=access_denied&state=s3")
        with pytest.raises(AuthError, match="consent was refused"):
            await waiter


async def test_timeout_closes_the_listener() -> None:
    listener = LoopbackListener("s4")
    uri = await listener.start()
    with pytest.raises(AuthError, match=r"within 0\.2 s"):
        await listener.wait(0.2)
    with pytest.raises(httpx.ConnectError):
        await get(f"{uri}?code=late&state=s4")


async def test_cancel_closes_the_listener() -> None:
    listener = LoopbackListener("s5")
    uri = await listener.start()
    waiter = asyncio.create_task(listener.wait(5))
    await asyncio.sleep(0)
    listener.cancel()
    with pytest.raises(LoginCancelled):
        await waiter
    with pytest.raises(httpx.ConnectError):
        await get(f"{uri}?code=late&state=s5")


async def test_task_cancellation_closes_the_listener() -> None:
    listener = LoopbackListener("s6")
    uri = await listener.start()
    waiter = asyncio.create_task(listener.wait(5))
    await asyncio.sleep(0.05)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    with pytest.raises(httpx.ConnectError):
        await get(uri)


async def test_fixed_port_and_port_in_use() -> None:
    first = LoopbackListener("a")
    uri = await first.start()
    port = int(uri.split(":")[2].split("/")[0])
    try:
        with pytest.raises(AuthError, match=f"port {port}"):
            await LoopbackListener("b", port=port, host="127.0.0.1").start()
    finally:
        await first.close()
    fixed = LoopbackListener("c", port=port)
    assert await fixed.start() == f"http://127.0.0.1:{port}/callback"
    await fixed.close()


async def test_ipv6_loopback_redirect_uri() -> None:
    try:
        listener = LoopbackListener("v6", host="::1")
        uri = await listener.start()
    except AuthError:
        pytest.skip("no IPv6 loopback here")
    assert uri.startswith("http://[::1]:")
    waiter = asyncio.create_task(listener.wait(5))
    assert (await get(f"{uri}?code=six&state=v6")).status_code == 200
    assert await waiter == "six"


async def test_pasted_redirect_goes_through_the_same_checks() -> None:
    async with LoopbackListener("p1") as listener:
        waiter = asyncio.create_task(listener.wait(5))
        await asyncio.sleep(0)
        listener.submit("http://127.0.0.1:1/callback?code=pasted&state=p1")
        assert await waiter == "pasted"


def test_parse_pasted_redirect() -> None:
    assert parse_pasted_redirect(" https://example.org/cb?state=s&code=c1 ", state="s") == "c1"
    assert parse_pasted_redirect("?code=c2&state=s", state="s") == "c2"
    with pytest.raises(AuthError, match="paste the whole URL"):
        parse_pasted_redirect("https://example.org/cb", state="s")
    with pytest.raises(AuthError, match="state does not match"):
        parse_pasted_redirect("https://example.org/cb?code=c&state=x", state="s")


def test_issuer_checks() -> None:
    base = {"code": "c", "state": "s"}
    assert check_callback({**base, "iss": "https://as/"}, state="s", issuer="https://as") == "c"
    with pytest.raises(AuthError, match="RFC 9207"):
        check_callback({**base, "iss": "https://evil"}, state="s", issuer="https://as")
    with pytest.raises(AuthError, match="does not say which issuer"):
        check_callback(base, state="s", issuer="https://as", require_iss=True)
    assert check_callback(base, state="s", issuer="https://as") == "c"
