"""OpenAPI / Swagger security schemes → Relaydesk auth settings (public fields only:
a description holds no secrets, so the user stores them later with ``secret set``)."""

from __future__ import annotations

from typing import Any

from ..model import AuthSettings
from .openapi_schema import Resolver

__all__ = ["auth_for_requirements", "scheme_auth"]


def scheme_auth(scheme: dict[str, Any], notes: list[str], name: str) -> AuthSettings | None:
    kind = str(scheme.get("type", "")).lower()
    if kind == "basic":  # Swagger 2.0
        return AuthSettings("basic", {"username": ""})
    if kind == "http":
        http = str(scheme.get("scheme", "")).lower()
        if http == "basic":
            return AuthSettings("basic", {"username": ""})
        if http == "bearer":
            return AuthSettings("bearer")
        if http == "digest":
            return AuthSettings("digest", {"username": ""})
        return AuthSettings("token", {"scheme": str(scheme.get("scheme", "Token"))})
    if kind == "apikey":
        where = str(scheme.get("in", "header"))
        if where not in ("header", "query"):
            notes.append(f"The API key '{name}' is sent in a {where}, which Relaydesk does not "
                         "support; add it to the requests yourself.")
            return None
        return AuthSettings("apikey", {"name": str(scheme.get("name", "X-API-Key")),
                                       "in": where})
    if kind == "oauth2":
        return _oauth2(scheme, notes, name)
    if kind == "openidconnect":
        url = str(scheme.get("openIdConnectUrl", ""))
        issuer = url.split("/.well-known/")[0] if "/.well-known/" in url else url
        return AuthSettings("oauth2", {"grant": "authorization_code", "issuer": issuer})
    if kind:
        notes.append(f"The security scheme '{name}' ({kind}) is not supported; left out.")
    return None


def _oauth2(scheme: dict[str, Any], notes: list[str], name: str) -> AuthSettings | None:
    flows = scheme.get("flows")
    if isinstance(flows, dict):  # OpenAPI 3
        for flow_name, grant in (("clientCredentials", "client_credentials"),
                                 ("authorizationCode", "authorization_code")):
            flow = flows.get(flow_name)
            if isinstance(flow, dict):
                return _oauth_settings(grant, flow)
    else:  # Swagger 2.0
        flow_name = str(scheme.get("flow", ""))
        swagger_grant = {"application": "client_credentials",
                         "accessCode": "authorization_code"}.get(flow_name)
        if swagger_grant:
            flow = {"tokenUrl": scheme.get("tokenUrl"),
                    "authorizationUrl": scheme.get("authorizationUrl"),
                    "scopes": scheme.get("scopes")}
            return _oauth_settings(swagger_grant, flow)
    notes.append(f"The OAuth 2.0 scheme '{name}' uses a flow Relaydesk does not run "
                 "(implicit or password); left out.")
    return None


def _oauth_settings(grant: str, flow: dict[str, Any]) -> AuthSettings:
    scopes = flow.get("scopes")
    params = {"grant": grant, "token_url": str(flow.get("tokenUrl") or ""),
              "auth_url": str(flow.get("authorizationUrl") or ""),
              "scope": " ".join(str(s) for s in scopes) if isinstance(scopes, dict) else ""}
    return AuthSettings("oauth2", {k: v for k, v in params.items() if v})


def auth_for_requirements(requirements: Any, schemes: dict[str, Any], resolver: Resolver,
                          notes: list[str], cache: dict[str, AuthSettings | None]
                          ) -> AuthSettings | None:
    """The auth for a ``security`` list: the first requirement Relaydesk can do.
    An empty list means "no auth"; None means none could be mapped."""
    if not isinstance(requirements, list):
        return None
    if not requirements:
        return AuthSettings("none")
    for requirement in requirements:
        if not isinstance(requirement, dict):
            continue
        if not requirement:
            return AuthSettings("none")  # {} : anonymous access allowed
        for name in requirement:
            if name not in cache:
                scheme = resolver.deref(schemes.get(name))
                cache[name] = scheme_auth(scheme, notes, str(name)) if scheme else None
            found = cache[name]
            if found is None:
                continue
            others = [str(n) for n in requirement if n != name]
            if others:  # e.g. an app id and an app key, both required
                notes.append(f"The API requires '{name}' together with "
                             f"{', '.join(repr(o) for o in others)}; Relaydesk keeps "
                             f"'{name}' as the auth, so add the other(s) as a header or "
                             "query parameter with a secret variable.")
            scopes = requirement[name]
            if found.kind == "oauth2" and isinstance(scopes, list) and scopes:
                # the operation's own scopes, not every scope the scheme lists
                return AuthSettings("oauth2", {**found.params,
                                               "scope": " ".join(str(x) for x in scopes)})
            return found
    return None
