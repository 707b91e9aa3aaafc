"""Curl commands in and out: ``parse_curl`` (paste into the URL bar, ``send --curl``)
and ``to_curl`` ("Copy as curl")."""

from __future__ import annotations

from dataclasses import replace

from .credentials import lift_auth_header
from .curl_export import shell_quote, to_curl
from .curl_parse import CurlImport, parse_curl

__all__ = ["CurlImport", "lift_credentials", "parse_curl", "shell_quote", "to_curl"]


def lift_credentials(imported: CurlImport) -> CurlImport:
    """Move ``Authorization``/API-key headers of a pasted command into request auth.

    Their values join ``imported.secrets`` (for the keyring), so saving the request
    never writes the credential to a workspace file. Sending it is unchanged: the auth
    produces the same header.
    """
    req = imported.request
    if req.auth is not None:
        return imported
    headers, auth, secrets = lift_auth_header(req.headers)
    if auth is None:
        return imported
    return replace(imported, request=replace(req, headers=headers, auth=auth),
                   secrets={**imported.secrets, **secrets})
