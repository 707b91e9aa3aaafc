"""Exports: a whole connection or folder as a Postman v2.1 collection, HAR 1.2 or
``.http`` file, and code snippets for one request (``.snippets``).

    text = export_collection("postman", workspace, "jira/cloud", secret_store)

Secrets are left out (as ``{{variables}}``, or dropped from HAR) unless
``include_secrets=True``.
"""

from __future__ import annotations

from collections.abc import Callable

from ..errors import ValidationError
from ..secrets import SecretStore
from ..workspace import Workspace
from .har import export_har
from .http_file import export_http
from .postman import export_postman

__all__ = ["COLLECTION_FORMATS", "export_collection", "export_har", "export_http",
           "export_postman"]

_EXPORTERS: dict[str, Callable[..., str]] = {
    "postman": export_postman, "har": export_har, "http": export_http}
COLLECTION_FORMATS: tuple[str, ...] = tuple(_EXPORTERS)


def export_collection(fmt: str, ws: Workspace, path: str, secrets: SecretStore | None = None,
                      *, include_secrets: bool = False) -> str:
    exporter = _EXPORTERS.get(fmt)
    if exporter is None:
        raise ValidationError(f"Unknown export format '{fmt}'; choose one of "
                              f"{', '.join(COLLECTION_FORMATS)}.")
    return exporter(ws, path, secrets, include_secrets=include_secrets)
