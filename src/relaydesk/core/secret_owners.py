"""Which item's auth settings, and so which keyring entries, a path means.

A connection owns its auth; a request owns one only when it overrides its
connection's. Each auth kind owns a fixed set of keyring fields (its secrets, plus
saved tokens for OAuth 2.0).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import ValidationError
from .model import AUTH_SECRET_FIELDS, AuthSettings, join_path
from .secrets import OAUTH_TOKENS_FIELD

if TYPE_CHECKING:
    from .workspace import Workspace

__all__ = ["auth_owner_of", "owned_secret_fields"]


def owned_secret_fields(kind: str) -> tuple[str, ...]:
    """Keyring fields an auth kind owns: its secrets, plus saved OAuth tokens."""
    fields = AUTH_SECRET_FIELDS.get(kind, ())
    return (*fields, OAUTH_TOKENS_FIELD) if kind == "oauth2" else fields


def auth_owner_of(ws: Workspace, path: str) -> tuple[str, AuthSettings]:
    """The item whose auth settings (and so secrets) ``path`` means, and the settings."""
    path = join_path(path)
    kind = ws.kind_of(path)
    if kind == "connection":
        return path, ws.connection(path).auth
    if kind == "request":
        req = ws.request(path)
        if req.auth is None:
            conn = ws.connection_of(path)
            raise ValidationError(
                f"The request '{path}' uses the authentication of its connection; "
                f"manage its secrets on '{conn.path}'."
            )
        return path, req.auth
    if kind == "folder":
        raise ValidationError(
            f"'{path}' is a folder; secrets belong to a connection or request.")
    problem = ws.problem_for(path)
    if problem is not None:
        raise ValidationError(f"'{path}' cannot be used: {problem}")
    return path, ws.connection(path).auth  # raises NotFoundError naming close matches
