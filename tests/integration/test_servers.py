import base64
import ssl

import httpx


def test_echo(echo_server: str, other_server: str) -> None:
    r = httpx.post(f"{echo_server}/echo/a%2Fb?x=1&x=2", content=b"hi", headers={"X-A": "1"})
    data = r.json()
    assert data["path"] == "/echo/a%2Fb"
    assert data["query"] == "x=1&x=2"
    assert ["x-a", "1"] in data["headers"]
    assert base64.b64decode(data["body_b64"]) == b"hi"
    assert echo_server != other_server
    assert httpx.get(f"{other_server}/status/418").status_code == 418


def test_httpbin(httpbin_server: str) -> None:
    assert httpx.get(f"{httpbin_server}/get").status_code == 200


def test_tls(tls_server: tuple[str, str]) -> None:
    url, ca = tls_server
    ctx = ssl.create_default_context(cafile=ca)
    assert httpx.get(f"{url}/json", verify=ctx).json()["name"] == "relaydesk"


def test_keyring(secret_store) -> None:
    secret_store.set("a/b", "token", "s3")
    assert secret_store.get("a/b", "token") == "s3"
