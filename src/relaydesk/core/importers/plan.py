"""What an import will create, before anything is written: the ``ImportPlan``.

Importers only read and build a plan; ``apply_plan`` writes it. Paths in a plan are
workspace paths (``petstore/pets/List pets``) under the plan's own connection names;
``apply_plan(..., into=PATH)`` moves them. Secrets found in the input travel in the
plan (never in the model objects) so they reach the keyring and no file.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from dataclasses import field as dataclass_field
from urllib.parse import urlsplit

from ..credentials import API_KEY_HEADERS, lift_auth_header
from ..errors import FileFormatError
from ..model import Connection, Environment, Request

__all__ = [
    "API_KEY_HEADERS",
    "ImportPlan",
    "Namer",
    "PlannedSecret",
    "fail",
    "guess_base_url",
    "lift_auth_header",
    "safe_name",
]

_BAD_CHARS = re.compile(r"[/\\\x00-\x1f\x7f:*?\"<>|]+")
MAX_NAME = 120
FALLBACK_BASE_URL = "https://api.example.com"


def fail(source: str, reason: str) -> FileFormatError:
    """The one import error: names the file and the problem."""
    return FileFormatError(source or "the imported file", reason)


@dataclass(frozen=True)
class PlannedSecret:
    owner: str  # the connection or request path whose auth uses it
    field: str  # password, token, value, client_secret
    value: str = dataclass_field(repr=False)


@dataclass
class ImportPlan:
    kind: str
    source: str = ""
    connections: list[Connection] = field(default_factory=list)
    folders: list[str] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    environments: list[Environment] = field(default_factory=list)
    secrets: list[PlannedSecret] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> list[str]:
        """Lines for a preview: what will be created."""
        lines = [f"Connection '{c.path}' ({c.base_url})" for c in self.connections]
        lines += [f"Folder '{f}'" for f in self.folders]
        lines += [f"{r.method} '{r.path}' → {r.url or '/'}" for r in self.requests]
        lines += [f"Environment '{e.name}' ({len(e.variables)} variables)"
                  for e in self.environments]
        lines += [f"Secret '{s.field}' of '{s.owner}' → system keyring" for s in self.secrets]
        return lines

    def counts(self) -> str:
        return (f"{len(self.connections)} connection(s), {len(self.folders)} folder(s), "
                f"{len(self.requests)} request(s), {len(self.environments)} environment(s), "
                f"{len(self.secrets)} secret(s)")


def safe_name(name: object, default: str = "Untitled") -> str:
    """A workspace path segment made from any title (no slashes, no leading dot)."""
    text = _BAD_CHARS.sub("-", str(name) if name is not None else "").strip().strip(".")
    text = " ".join(text.split())[:MAX_NAME].strip()
    return text or default


class Namer:
    """Unique names among the children of each path (folders and requests share them,
    because a folder and a request of one name cannot live side by side)."""

    def __init__(self) -> None:
        self._taken: dict[str, set[str]] = {}

    def child(self, parent: str, name: object, default: str = "Untitled") -> str:
        base = safe_name(name, default)
        taken = self._taken.setdefault(parent, set())
        candidate, n = base, 2
        while candidate.lower() in taken:
            candidate, n = f"{base} {n}", n + 1
        taken.add(candidate.lower())
        return f"{parent}/{candidate}" if parent else candidate


def guess_base_url(urls: list[str]) -> str:
    """The most common ``scheme://host[:port]`` among absolute URLs."""
    origins: Counter[str] = Counter()
    for url in urls:
        try:
            parts = urlsplit(url)
        except ValueError:  # "Invalid IPv6 URL" and the like: not a base to offer
            continue
        if parts.scheme in ("http", "https") and parts.netloc and "{{" not in parts.netloc:
            origins[f"{parts.scheme}://{parts.netloc}"] += 1
    return origins.most_common(1)[0][0] if origins else ""


def hoist_common_auth(plan: ImportPlan, conn: Connection) -> None:
    """When every request of ``conn`` carries the same lifted auth and secrets, they
    become the connection's (one keyring entry instead of one per request)."""
    reqs = [r for r in plan.requests if r.path.startswith(conn.path + "/")]
    if not reqs or conn.auth.kind != "none":
        return
    first = reqs[0].auth
    if first is None or first.kind == "none" or any(r.auth != first for r in reqs):
        return

    def values(path: str) -> dict[str, str]:
        return {s.field: s.value for s in plan.secrets if s.owner == path}

    shared = values(reqs[0].path)
    if any(values(r.path) != shared for r in reqs):
        return
    owners = {r.path for r in reqs}
    plan.secrets = [s for s in plan.secrets if s.owner not in owners]
    plan.secrets += [PlannedSecret(conn.path, k, v) for k, v in shared.items()]
    conn.auth = first
    for r in reqs:
        r.auth = None
