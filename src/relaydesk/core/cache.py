"""An in-memory cache of successful GET/HEAD responses, per connection.

The key is a digest of the connection path, the fully evaluated request (method, URL,
headers, a hash of the body) and a credential identity (a hash of the secret values),
so two users or two tokens never share an entry and no secret is kept in clear in the
cache. Only 2xx answers to GET and HEAD are stored, for the connection's ``cache_ttl``
(0, the default, turns caching off: Send always reaches the server). A hit carries
its age (``Response.cache_age``) so it can be announced as such.
A body spooled to disk is kept by hard-linking the file (copying where links are not
possible), so callers may discard their response without breaking the cache.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from .auth import credential_identity
from .response import Response

__all__ = ["CACHEABLE_METHODS", "ResponseCache", "cache_key"]

CACHEABLE_METHODS = frozenset({"GET", "HEAD"})


def cache_key(
    connection_path: str,
    method: str,
    url: str,
    headers: list[tuple[str, str]],
    body: bytes | None,
    secret_values: frozenset[str],
) -> str:
    digest = hashlib.sha256()
    for part in (connection_path, method.upper(), url):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    for name, value in headers:
        digest.update(f"{name.lower()}:{value}".encode("utf-8", "surrogatepass") + b"\0")
    digest.update(hashlib.sha256(body or b"").digest())
    digest.update(credential_identity(secret_values).encode())
    return digest.hexdigest()


@dataclass
class _Entry:
    response: Response
    expires: float
    weight: int
    connection_path: str
    stored: float  # clock time of the answer, for the age shown with a hit


class ResponseCache:
    """LRU by entry count and in-memory bytes; expired entries are dropped on access."""

    def __init__(self, *, max_entries: int = 256, max_bytes: int = 64 * 1024 * 1024,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._max_entries = max_entries
        self._max_bytes = max_bytes
        self._bytes = 0
        self._clock = clock
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str) -> Response | None:
        entry = self._entries.get(key)
        if entry is None or entry.expires <= self._clock():
            if entry is not None:
                self._remove(key)
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        stored = entry.response
        return replace(stored, from_cache=True, cache_age=max(0.0, self._clock() - entry.stored),
                       body_file=_link_copy(stored.body_file),
                       headers=list(stored.headers), cookies=list(stored.cookies))

    def put(self, key: str, response: Response, ttl: float, *,
            connection_path: str = "") -> bool:
        """Store a copy of ``response`` for ``ttl`` seconds; refuses what must not be kept."""
        if ttl <= 0 or not 200 <= response.status < 300:
            return False
        if response.method.upper() not in CACHEABLE_METHODS:
            return False
        weight = len(response.body)
        if weight > self._max_bytes:
            return False
        if key in self._entries:
            self._remove(key)
        stored = replace(response, from_cache=False, body_file=_link_copy(response.body_file))
        now = self._clock()
        self._entries[key] = _Entry(stored, now + ttl, weight, connection_path, now)
        self._bytes += weight
        while len(self._entries) > self._max_entries or self._bytes > self._max_bytes:
            self._remove(next(iter(self._entries)))
        return True

    def invalidate(self, connection_path: str | None = None) -> None:
        """Forget the entries of one connection, or everything."""
        for key, entry in list(self._entries.items()):
            if connection_path is None or entry.connection_path == connection_path:
                self._remove(key)

    clear = invalidate

    def close(self) -> None:
        self.clear()

    def _remove(self, key: str) -> None:
        entry = self._entries.pop(key)
        self._bytes -= entry.weight
        if entry.response.body_file is not None:
            entry.response.discard()


def _link_copy(path: Path | None) -> Path | None:
    """A second name for a spooled body file that can be deleted independently."""
    if path is None:
        return None
    from .spool import new_spool_name

    name = str(new_spool_name())  # in the spool folder: swept like any spooled body
    try:
        os.link(path, name)
    except OSError:
        shutil.copyfile(path, name)
    return Path(name)
