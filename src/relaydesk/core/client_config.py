"""What ``relaydesk.connect()`` builds its httpx client from: one connection's base URL,
headers, TLS, proxy, timeout and auth, exactly as ``send`` uses them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .client_auth import ConnectionAuth
from .errors import NotFoundError
from .model import Connection, Environment

if TYPE_CHECKING:
    from .auth import AppliedAuth
    from .session import Session

__all__ = ["ClientConfig", "build_client_config"]


@dataclass
class ClientConfig:
    """Everything an httpx client needs for one connection (both twins use it)."""

    connection: Connection
    base_url: str
    headers: list[tuple[str, str]]
    auth: ConnectionAuth
    verify: Any
    timeout: float
    proxy: str | None
    trust_env: bool
    http2: bool = False  # offered through ALPN (the connection's http_version "auto")

    def kwargs(self) -> dict[str, Any]:
        return {
            "base_url": self.base_url, "headers": self.headers, "auth": self.auth,
            "verify": self.verify, "timeout": self.timeout, "proxy": self.proxy,
            "trust_env": self.trust_env, "follow_redirects": True, "http2": self.http2,
        }


def build_client_config(session: Session, path: str,
                        environment: str | Environment | None = None,
                        variables: Mapping[str, str] | None = None) -> ClientConfig:
    """``Session.client_config``: a request ``path`` with its own auth gets that auth."""
    from .auth import apply_auth
    from .client_auth import AuthSource, ConnectionAuth
    from .client_settings import transport_settings
    from .model import validate_base_url
    from .prepare import check_headers, resolve_variables
    from .templating import render

    ws = session.workspace
    try:
        conn = ws.connection_of(path)
    except NotFoundError:
        problem = ws.problem_for(path)
        if problem is not None:
            raise NotFoundError(
                f"The connection '{path}' cannot be loaded: {problem}") from None
        raise
    from .env_secrets import with_secret_values

    env, _values = with_secret_values(session.environment(environment), session.secrets)
    values = resolve_variables(conn, env, variables)
    base_url = validate_base_url(render(conn.base_url, values, where="the base URL"),
                                 https_only=conn.tls.https_only)
    headers = [(render(h.name, values, where="a header name"),
                render(h.value, values, where=f"the header '{h.name}'"))
               for h in conn.headers if h.enabled and h.name]
    check_headers(headers)  # one clear line now, not a protocol error per request
    settings, owner = conn.auth, conn.path
    if ws.kind_of(path) == "request":  # a request with its own auth: that auth
        own = ws.request(path)
        if own.auth is not None:
            settings, owner = own.auth, own.path
    if settings.kind == "oauth2":
        oauth = session.oauth

        async def applied() -> AppliedAuth:
            token = await oauth.access_token(owner, settings, conn)
            return apply_auth(settings, owner, session.secrets, values, oauth_token=token)

        source = AuthSource(applied, invalidate=lambda: oauth.invalidate(owner))
    else:
        fixed = apply_auth(settings, owner, session.secrets, values)

        async def same() -> AppliedAuth:
            return fixed

        source = AuthSource(same, fixed=fixed)
    transport = transport_settings(conn, session.secrets, for_url=base_url)
    return ClientConfig(
        connection=conn, base_url=base_url, headers=headers,
        auth=ConnectionAuth(base_url, source, https_only=conn.tls.https_only),
        verify=transport["verify"], timeout=conn.timeout, proxy=transport["proxy"],
        trust_env=transport["trust_env"], http2=transport["http2"])
