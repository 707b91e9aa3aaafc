"""``curl -b FILE``: the cookies of a Netscape cookie file that curl would send.

A line is ``domain  include-subdomains  path  secure  expires  name  value`` separated
by tabs; ``#HttpOnly_`` before the domain marks an HTTP-only cookie, other ``#`` lines
are comments. A cookie goes out when its domain matches the host (exactly, or as a
parent domain when the second field is TRUE), its path is a prefix of the request's,
it is not secure-only on plain http, and it has not expired. curl sorts them by
longest path first, then keeps the file's order.
"""

from __future__ import annotations

import time
from pathlib import Path

__all__ = ["cookies_from_file"]

_HTTP_ONLY = "#HttpOnly_"


def _path_matches(cookie_path: str, path: str) -> bool:
    if cookie_path in ("", "/") or path == cookie_path:
        return True
    prefix = cookie_path.rstrip("/")
    return path.startswith(prefix) and path[len(prefix):len(prefix) + 1] in ("/", "")


def _domain_matches(domain: str, tail: bool, host: str) -> bool:
    domain = domain.lower().lstrip(".")
    return host == domain or (tail and host.endswith("." + domain))


def cookies_from_file(file: Path, host: str, path: str, secure: bool,
                      drop_session: bool = False) -> list[tuple[str, str]]:
    """(name, value) pairs for a request to ``host``/``path``; a missing or unreadable
    file gives none, as with curl (it reads what it can and says nothing)."""
    try:
        text = file.read_text("utf-8", errors="replace")
    except (OSError, ValueError):  # ValueError: a name no file can have (a NUL byte)
        return []
    now = time.time()
    found: list[tuple[int, int, str, str]] = []
    for index, line in enumerate(text.splitlines()):
        if line.startswith(_HTTP_ONLY):
            line = line[len(_HTTP_ONLY):]
        elif line.startswith("#") or not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) == 6:  # curl accepts a missing value
            fields.append("")
        if len(fields) != 7:
            continue
        domain, tail, cookie_path, secure_only, expires, name, value = fields
        try:
            expiry = int(expires)
        except ValueError:
            continue
        if (not _domain_matches(domain, tail.upper() == "TRUE", host.lower())
                or not _path_matches(cookie_path, path or "/")
                or (secure_only.upper() == "TRUE" and not secure)
                or (expiry and expiry < now) or (drop_session and expiry == 0)):
            continue
        found.append((-len(cookie_path), index, name, value))
    return [(name, value) for _, _, name, value in sorted(found)]
