"""OAuth error codes (RFC 6749 §4.1.2.1 and §5.2) in plain words."""

from __future__ import annotations

__all__ = ["authorization_error", "token_error"]

_AUTHORIZATION = {
    "access_denied": "The login was cancelled or consent was refused at the authorization "
                     "server, so no token was issued.",
    "invalid_scope": "The authorization server refused the requested scope; check the "
                     "scope setting of the connection.",
    "unauthorized_client": "The authorization server does not allow this client to use "
                           "the authorization code grant.",
    "unsupported_response_type": "The authorization server does not support the "
                                 "authorization code flow for this client.",
    "invalid_request": "The authorization server rejected the login request as malformed "
                       "(often a redirect URI that is not registered for this client).",
    "server_error": "The authorization server failed while handling the login.",
    "temporarily_unavailable": "The authorization server is temporarily unavailable; try "
                               "again in a moment.",
    "login_required": "The authorization server needs you to log in interactively.",
    "consent_required": "The authorization server needs your consent before issuing a token.",
}

_TOKEN = {
    "invalid_client": "The authorization server did not accept the client credentials: "
                      "check the client ID, the client secret (stored with `relaydesk secret "
                      "set {owner} client_secret`) and the client authentication method "
                      "(basic or post).",
    "invalid_grant": "The authorization server refused the {what}: it is invalid, expired, "
                     "already used or revoked{pkce}.",
    "invalid_scope": "The authorization server refused the requested scope; check the "
                     "scope setting of '{owner}'.",
    "unauthorized_client": "The authorization server does not allow this client to use "
                           "the {grant} grant.",
    "unsupported_grant_type": "The authorization server does not support the {grant} grant.",
    "invalid_request": "The authorization server rejected the token request as malformed or "
                       "incomplete.",
    "invalid_target": "The authorization server refused the requested audience/resource.",
    "server_error": "The authorization server failed while issuing a token.",
    "temporarily_unavailable": "The authorization server is temporarily unavailable; try "
                               "again in a moment.",
}


def _with_detail(text: str, code: str, description: str | None) -> str:
    detail = f"{code}: {description}" if description else code
    return f"{text} (server said: {detail})"


def authorization_error(code: str, description: str | None = None) -> str:
    text = _AUTHORIZATION.get(code, "The authorization server refused the login.")
    return _with_detail(text, code, description)


def token_error(code: str, description: str | None, *, owner: str, grant: str) -> str:
    what = {"refresh_token": "saved refresh token",
            "authorization_code": "authorization code",
            "client_credentials": "client credentials"}.get(grant, "grant")
    pkce = " or the PKCE code verifier does not match" if grant == "authorization_code" else ""
    template = _TOKEN.get(code, "The authorization server refused to issue a token.")
    text = template.format(owner=owner, what=what, pkce=pkce, grant=grant.replace("_", " "))
    return _with_detail(text, code, description)
