"""The last response of each workspace request, kept across restarts.

Outside the workspace (it is not shared in git): a folder beside the history database
in the user data folder, one JSON file per request id. Redacted exactly as history
redacts (``Redactor``: credential headers, secret values wherever they appear), the
body cut at ``body_limit`` bytes, and at most ``max_items`` files (oldest dropped).
Recorded by an engine observer, like history; read when a request is opened again.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from .file_swap import SwapWriter, replace_file
from .response import Response, Timings
from .timeline import Timeline

if TYPE_CHECKING:  # reading a kept response (opening a tab) loads no HTTP stack
    from .engine import ExchangeObserver
    from .errors import RelaydeskError
    from .prepare import PreparedRequest

__all__ = ["LastResponses"]

log = logging.getLogger(__name__)
_SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
# A held record: its data, or (while buffered, small bodies) what it is made from.
_Held: TypeAlias = "dict[str, Any] | tuple[PreparedRequest, Response, float]"


class LastResponses:
    def __init__(self, folder: str | Path, *, body_limit: int = 512 * 1024,
                 max_items: int = 200) -> None:
        self.folder = Path(folder)
        self.body_limit = body_limit
        self.max_items = max_items
        # The kept files' ids, oldest first: listed once, then kept up to date here so
        # a collection run does not list and stat the folder after every request.
        self._order: dict[str, None] | None = None
        # Records waiting to be written (``buffer``), oldest first, and their size.
        self._pending: dict[str, _Held] | None = None
        self._pending_bytes = 0
        self._pending_limit = 0

    def _file(self, item_id: str) -> Path | None:
        return self.folder / f"{item_id}.json" if _SAFE_ID.match(item_id) else None

    def record(self, item_id: str, prepared: PreparedRequest, response: Response) -> None:
        if not _SAFE_ID.match(item_id):
            return
        if (self._pending is not None and response.body_file is None
                and len(response.body) <= self.body_limit and prepared.files is None
                and len(prepared.content or b"") <= self.body_limit):
            # Buffered and small: kept as is, redacted and shaped only if still among
            # the newest when written (a run's thousands of others never are).
            self._hold(item_id, (prepared, response, time.time()))
            return
        data = self._data(prepared, response, time.time())
        if self._pending is None:
            self._write(item_id, data)
            return
        self._hold(item_id, data)

    def _hold(self, item_id: str, held: _Held) -> None:
        # Held as data: only the records still among the newest get encoded at all.
        assert self._pending is not None
        self._pending_bytes += _size(held) - _size(self._pending.pop(item_id, None))
        self._pending[item_id] = held
        while len(self._pending) > self.max_items:  # would be pruned once written
            self._pending_bytes -= _size(self._pending.pop(next(iter(self._pending))))
        if self._pending_bytes > self._pending_limit:
            self.flush()

    def _data(self, prepared: PreparedRequest, response: Response, saved_at: float
              ) -> dict[str, Any]:
        from .redact import Redactor

        red = Redactor.for_request(prepared)
        if response.body_file is not None:
            with open(response.body_file, "rb") as fh:
                body = fh.read(self.body_limit + 1024)
        else:
            body = response.body[: self.body_limit + 1024]
        body = red.data(body)[: self.body_limit]  # redacted before the cut, as history
        timeline = response.timeline.to_dict() if response.timeline is not None else None
        return {
            "saved_at": saved_at, "status": response.status, "reason": response.reason,
            "http_version": response.http_version, "method": response.method,
            "url": red.url(response.url), "headers": red.header_list(response.headers),
            "size": response.size, "elapsed": response.elapsed, "problem": response.problem,
            "truncated": len(body) < response.size,
            "body_b64": body, "timeline": timeline,  # base64 when written
        }

    def _shaped(self, held: _Held) -> dict[str, Any]:
        return self._data(*held) if isinstance(held, tuple) else held

    def buffer(self, max_bytes: int = 16 * 1024 * 1024) -> None:
        """Hold the following records in memory until ``flush`` (or until they pass
        ``max_bytes``): of a collection run's thousands of requests only the newest
        ``max_items`` are kept, so only those get written. Whoever calls this flushes."""
        self._pending = self._pending if self._pending is not None else {}
        self._pending_limit = max_bytes

    def flush(self) -> None:
        """Write the records held by ``buffer`` (it stays on)."""
        if not self._pending:
            return
        pending, self._pending, self._pending_bytes = self._pending, {}, 0
        # Swapped in rather than renamed over: a run's end rewrites a couple of hundred.
        with SwapWriter(self.folder) as files:
            for item_id, held in pending.items():
                try:
                    self._write(item_id, self._shaped(held), files.write)
                except OSError as exc:  # a full disk: the run's results stand
                    log.warning("could not keep the last response: %s", exc)
                    return

    def _write(self, item_id: str, data: dict[str, Any],
               write: Callable[[str, bytes], None] = replace_file) -> None:
        if self._order is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(OSError):
                os.chmod(self.folder, 0o700)
            self._order = dict.fromkeys(self._oldest_first())
        # A cache: atomic for readers, but not worth two fsyncs per request.
        text = json.dumps({**data, "body_b64": base64.b64encode(data["body_b64"]).decode()})
        write(os.path.join(self.folder, f"{item_id}.json"), text.encode("utf-8"))
        self._order.pop(item_id, None)
        self._order[item_id] = None
        self._prune(self._order)

    def load(self, item_id: str) -> Response | None:
        """The kept response (``restored_at`` set), or None when there is none or the
        file cannot be read."""
        target = self._file(item_id)
        kept = self._pending.get(item_id) if self._pending else None
        held = self._shaped(kept) if kept is not None else None
        if target is None or (held is None and not target.is_file()):
            return None
        try:
            data: dict[str, Any] = held or json.loads(target.read_text("utf-8"))
            body = held["body_b64"] if held else base64.b64decode(data.get("body_b64", ""))
            timeline = data.get("timeline")
            return Response(
                status=int(data["status"]), reason=str(data.get("reason", "")),
                http_version=str(data.get("http_version", "")),
                method=str(data.get("method", "")), url=str(data.get("url", "")),
                headers=[(str(k), str(v)) for k, v in data.get("headers", [])],
                size=int(data.get("size", len(body))),
                timings=Timings(total=float(data.get("elapsed", 0.0))),
                problem=data.get("problem"), body=body,
                timeline=Timeline.from_dict(timeline) if isinstance(timeline, dict) else None,
                restored_at=float(data.get("saved_at", 0.0)) or None,
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("could not read the kept response %s: %s", target, exc)
            return None

    def forget(self, item_id: str) -> None:
        target = self._file(item_id)
        if target is not None:
            target.unlink(missing_ok=True)
            if self._pending:
                self._pending_bytes -= _size(self._pending.pop(item_id, None))
            if self._order is not None:
                self._order.pop(item_id, None)

    def _oldest_first(self) -> list[str]:
        def mtime(path: Path) -> float:
            try:
                return path.stat().st_mtime
            except OSError:  # removed meanwhile (another process pruning)
                return 0.0

        return [p.stem for p in sorted(self.folder.glob("*.json"), key=mtime)]

    def _prune(self, order: dict[str, None]) -> None:
        while len(order) > self.max_items:
            old = next(iter(order))
            del order[old]
            (self.folder / f"{old}.json").unlink(missing_ok=True)

    def observer(self, item_id_of: Any) -> ExchangeObserver:
        """An ``Engine(on_exchange=...)`` observer keeping each workspace request's last
        answer; ``item_id_of`` maps a request path to its stable id."""

        def observe(path: str, prepared: PreparedRequest, response: Response | None,
                    error: RelaydeskError | None) -> None:
            if response is None or not path or response.from_cache:
                return
            try:
                item_id = item_id_of(path)
                if item_id:
                    self.record(item_id, prepared, response)
            except Exception as exc:  # a full disk: sending goes on
                log.warning("could not keep the last response: %s", exc)

        return observe


def _size(held: _Held | None) -> int:
    """Roughly what a held record weighs (its body and the rest)."""
    if held is None:
        return 0
    return len(held[1].body if isinstance(held, tuple) else held["body_b64"]) + 1024
