"""A curl command as an import plan: a connection for its origin and one request.

(``relaydesk import curl … --into`` an existing connection is handled by the CLI's own
curl command; this plan is for File → Import and drag & drop of a saved command.)
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlsplit

from ..curl import lift_credentials, parse_curl
from ..errors import CurlParseError
from ..model import Connection
from .plan import ImportPlan, PlannedSecret, fail, safe_name

__all__ = ["plan_curl"]


def plan_curl(text: str, source: str = "") -> ImportPlan:
    try:
        imported = lift_credentials(parse_curl(text))  # no credential in a file
    except CurlParseError as exc:
        raise fail(source, f"is not a curl command Relaydesk understands: {exc}") from None
    req = imported.request
    parts = urlsplit(req.url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise fail(source, f"calls '{req.url[:80]}', which is not an http(s) URL")
    origin = f"{parts.scheme}://{parts.netloc}"
    conn = Connection(path=safe_name(parts.netloc.replace(":", "-"), "curl"), base_url=origin)
    if imported.insecure:
        conn.tls.verify = False
    path = f"{conn.path}/{safe_name(f'{req.method} {parts.path.strip(chr(47))}'.strip())}"
    secrets = dict(imported.secrets)
    req = replace(req, path=path, url=req.url[len(origin):] or "/",
                  options=replace(req.options, follow_redirects=imported.follow_redirects))
    plan = ImportPlan(kind="curl", source=source, connections=[conn], requests=[req],
                      secrets=[PlannedSecret(path, k, v) for k, v in secrets.items()],
                      notes=list(imported.notes))
    return plan
