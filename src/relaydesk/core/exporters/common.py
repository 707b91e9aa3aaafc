"""What the collection exporters share: the items under a path and secret handling."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import NotFoundError, ValidationError
from ..model import AUTH_SECRET_FIELDS, AuthSettings, Connection, Request, split_path
from ..secrets import SecretStore
from ..workspace import Workspace

__all__ = ["SECRET_VARIABLES", "ExportScope", "scope_of", "secret_values"]

# The variable that stands for each secret field when secrets are left out.
SECRET_VARIABLES = {"password": "password", "token": "token", "value": "apiKey",
                    "client_secret": "clientSecret",
                    "secret_access_key": "awsSecretAccessKey",
                    "session_token": "awsSessionToken"}


@dataclass
class ExportScope:
    connection: Connection
    root: str  # the connection or folder exported
    name: str
    folders: list[str] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)

    def relative(self, path: str) -> list[str]:
        return split_path(path)[len(split_path(self.root)):]


def scope_of(ws: Workspace, path: str) -> ExportScope:
    kind = ws.kind_of(path)
    if kind not in ("connection", "folder"):
        if kind == "request":
            raise ValidationError(f"'{path}' is a request; export its connection or folder "
                                  "as a collection, or the request as a snippet (--to curl…).")
        raise NotFoundError(f"Nothing at '{path}' to export.")
    conn = ws.connection_of(path)
    root = "/".join(split_path(path))
    return ExportScope(connection=conn, root=root, name=split_path(path)[-1],
                       folders=ws.folders(root), requests=ws.requests(root))


def secret_values(auth: AuthSettings, owner: str, store: SecretStore | None,
                  include: bool) -> dict[str, str]:
    """Field → value: the real secret when included, else a ``{{variable}}``."""
    out = {}
    for name in AUTH_SECRET_FIELDS.get(auth.kind, ()):
        value = store.get(owner, name) if include and store is not None else None
        out[name] = value if value is not None else "{{" + SECRET_VARIABLES[name] + "}}"
    return out
