"""A small multipart/form-data encoder.

httpx sends ``data=`` without ``files=`` as urlencoded, but a user who chose a
multipart body with only text fields means multipart, so the engine encodes it here.
"""

from __future__ import annotations

import mimetypes
import secrets

__all__ = ["MultipartFiles", "encode_multipart"]

MultipartFiles = list[tuple[str, tuple[str | None, bytes, str | None]]]


def _quote(value: str) -> str:
    # As browsers do (WHATWG): escape the three characters that would break the header.
    return value.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D").replace(
        "\n", "%0A")


def encode_multipart(
    parts: MultipartFiles,
    *,
    boundary: str | None = None,
) -> tuple[bytes, str]:
    """The body and its ``Content-Type`` (with the boundary)."""
    boundary = boundary or secrets.token_hex(16)
    marker = f"--{boundary}\r\n".encode()
    out = bytearray()
    for name, (filename, content, content_type) in parts:
        out += marker
        out += f'Content-Disposition: form-data; name="{_quote(name)}"'.encode()
        if filename is not None:
            out += f'; filename="{_quote(filename)}"'.encode()
            content_type = content_type or mimetypes.guess_type(filename)[0] or (
                "application/octet-stream")
        # A plain field carries no type unless the user gave one, as curl and browsers do.
        if content_type:
            out += f"\r\nContent-Type: {content_type}".encode()
        out += b"\r\n\r\n" + content + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"
