"""History: every request sent, kept in SQLite in the user's data folder.

The database lives outside the workspace (which may be in git). Entries are
redacted before they are written (``Redactor``), so no credential ever reaches the
file; bodies are cut at ``body_limit`` bytes; the oldest entries are pruned past
``max_entries`` or ``max_bytes``. ``secure_delete`` makes pruned and cleared
entries really go away from the file rather than linger in free pages.

Each record is committed at once, unless ``buffer`` is on (the collection runner):
then records are written in batches, one transaction each, and a process killed
without warning (SIGKILL, power loss) loses at most the records of the last batch
not yet written — at most ``rows`` of them, none older than ``seconds`` when the next
record came. ``flush``, ``close`` and every read write what waits.

While buffering, the observer also takes the recording itself (redaction, encoding)
off the request path: an exchange is recorded once the event loop has run what was
already due, so in a run the next request is on its way (the server working on it)
meanwhile. Such a record waits one turn of the loop at most; ``flush`` records it
first, so what a crash can lose stays the batch under way (plus that one turn).
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import logging
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import RelaydeskError
from .model import Body, KeyValue, Request
from .prepare import PreparedRequest
from .redact import REDACTED, Redactor
from .response import Response

if TYPE_CHECKING:
    from dataclasses import dataclass as _record

    from .engine import ExchangeObserver
else:  # a dataclass at a third of the cost to define (see _model_class)
    from ._model_class import model_class as _record

__all__ = [
    "ENV_HISTORY",
    "History",
    "HistoryEntry",
    "HistoryQuery",
    "default_history_path",
]

log = logging.getLogger(__name__)
_T = TypeVar("_T")

ENV_HISTORY = "RELAYDESK_HISTORY"  # a database path, or "off"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts REAL NOT NULL, source TEXT NOT NULL, request_path TEXT NOT NULL,
    method TEXT NOT NULL, url TEXT NOT NULL, status INTEGER, elapsed_ms REAL,
    error TEXT, req_headers TEXT NOT NULL, req_body BLOB, req_size INTEGER NOT NULL,
    resp_headers TEXT NOT NULL, resp_body BLOB, resp_size INTEGER NOT NULL,
    stored INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_ts ON entries(ts);
"""
# Added in 0.2: the stable id of the workspace request, so a renamed or moved request
# keeps its history. Older databases gain the column on open.
_ITEM_ID_COLUMN = "ALTER TABLE entries ADD COLUMN item_id TEXT NOT NULL DEFAULT ''"
_INSERT = ("INSERT INTO entries (ts, source, request_path, method, url, status, elapsed_ms,"
           " error, req_headers, req_body, req_size, resp_headers, resp_body, resp_size,"
           " stored, item_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
# An exchange that did not fail leaves ``error`` out (NULL all the same): the sqlite3
# module looks for an adapter for each None (and bytes) it binds, a third of what a
# row costs to write; blobs go as bytearray, which it binds directly.
_INSERT_ANSWERED = _INSERT.replace(" error,", "").replace("?,", "", 1)
_STORED = -2  # the "stored" size's place in a row (of either kind)
_ROW_WIDTH = 16  # a row with its error; one without is a value shorter


def default_history_path() -> Path | None:
    """``$RELAYDESK_HISTORY`` (``off`` disables), else the user data folder."""
    env = os.environ.get(ENV_HISTORY, "").strip()
    if env.lower() in ("off", "0", "none"):
        return None
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path

    return user_data_path("relaydesk", appauthor=False) / "history.sqlite3"


@_record
class HistoryEntry:
    """One recorded exchange, as stored (redacted, bodies cut)."""

    id: int
    ts: float
    source: str
    request_path: str
    method: str
    url: str
    status: int | None
    elapsed_ms: float | None
    error: str | None
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    request_body: bytes = b""
    request_size: int = 0
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    response_body: bytes = b""
    response_size: int = 0
    item_id: str = ""  # the workspace request's id ("" for one-off requests)

    def to_request(self, path: str = "History/Request") -> Request:
        """A new unsaved request that sends this again (redacted headers left out:
        the connection's auth supplies them)."""
        headers = [KeyValue(k, v) for k, v in self.request_headers
                   if v != REDACTED and k.lower() not in ("content-length", "host")]
        body = Body()
        if self.request_body:
            ctype = next((v for k, v in self.request_headers
                          if k.lower() == "content-type"), "")
            text = self.request_body.decode("utf-8", "replace")
            body = Body(kind="json", text=text) if "json" in ctype else Body(
                kind="raw", text=text, content_type=ctype)
            headers = [h for h in headers if h.name.lower() != "content-type"]
        return Request(path=path, method=self.method, url=self.url, headers=headers, body=body)


@_record
class HistoryQuery:
    """What to look for in the history; empty fields match everything."""

    text: str = ""  # part of the URL
    method: str = ""
    status: int | None = None
    since: float | None = None  # epoch seconds
    until: float | None = None
    item_id: str = ""  # only the entries of this workspace request
    limit: int = 100


class History:
    def __init__(self, path: str | Path, *, max_entries: int = 5000,
                 max_bytes: int = 100 * 1024 * 1024, body_limit: int = 64 * 1024) -> None:
        self.path = Path(path)
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.body_limit = body_limit
        # Rows recorded but not written yet (see ``buffer``); rows == 1: none wait.
        self._pending: list[tuple[Any, ...]] = []
        self._batch_rows = 1
        self._batch_seconds = 0.0
        # Recordings put off by the observer (see the module docstring), in order: the
        # arguments of ``_record_logged``.
        self._deferred: list[tuple[Any, ...]] = []
        # What went into a request's redactor -> (the redactor, the redacted URL and
        # headers as JSON): a run sends the same requests over and over.
        self._sent_shapes: dict[tuple[Any, ...], tuple[Redactor, str, str]] = {}
        # (redacted names, secrets, answer's headers) -> the redacted headers as JSON.
        self._received_shapes: dict[tuple[Any, ...], str] = {}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path)
            self._db.execute("PRAGMA secure_delete=ON")
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(entries)")}
            if "item_id" not in columns:
                self._db.execute(_ITEM_ID_COLUMN)
                self._db.commit()
        except (OSError, sqlite3.Error) as exc:
            raise RelaydeskError(f"Cannot open the history database {self.path}: {exc}.") \
                from None
        with contextlib.suppress(OSError):
            os.chmod(self.path, 0o600)  # other users of the machine have no business here
        # Running totals make the limit check per record O(1); prune() recomputes them.
        self._count = self.count()
        self._bytes = self.total_stored()
        if self._count > self.max_entries or self._bytes > self.max_bytes:
            self.prune()

    def close(self) -> None:
        try:
            self.flush()
        except sqlite3.Error as exc:  # a full disk: the rest of the shutdown goes on
            log.warning("could not record history: %s", exc)
        self._db.close()

    def buffer(self, rows: int = 100, seconds: float = 1.0) -> None:
        """Write the following records in batches of up to ``rows``, a batch going as
        soon as it is full or its oldest record is ``seconds`` old when another comes
        (see the module docstring for what a crash loses)."""
        self._batch_rows = max(1, rows)
        self._batch_seconds = seconds

    def flush(self) -> None:
        """Write the records waiting in the buffer, as one transaction."""
        self._record_deferred()
        if not self._pending:
            return
        rows, self._pending = self._pending, []
        # In order (ids follow time): each run of alike rows in statements of many
        # rows each, a quarter cheaper than a statement per row.
        for width, alike in itertools.groupby(rows, len):
            run = list(alike)
            start = 0
            while start < len(run):
                size = _rows_per_statement(len(run) - start)
                self._db.execute(_insert_many(width, size), tuple(
                    itertools.chain.from_iterable(run[start:start + size])))
                start += size
        self._count += len(rows)
        self._bytes += sum(row[_STORED] for row in rows)
        self._commit_or_prune()

    def _commit_or_prune(self) -> None:
        if self._count > self.max_entries or self._bytes > self.max_bytes:
            # Down to 90% of the limits: a full history then prunes once per tenth of
            # its size, not on every request (each prune scans the whole table).
            self.prune(headroom=0.1)
        else:
            self._db.commit()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing -----------------------------------------------------------------------

    def _cut(self, data: bytes) -> bytes:
        return data[: self.body_limit]

    def record(self, prepared: PreparedRequest, response: Response | None = None, *,
               error: str | None = None, source: str = "cli", request_path: str = "",
               item_id: str = "") -> int:
        """Store one exchange; its entry id, or 0 while it waits in the buffer."""
        red, url, req_headers = self._sent_shape(prepared)
        req_body = prepared.content or b""
        resp_body = b""
        if response is not None:
            if response.body_file is not None:
                with open(response.body_file, "rb") as fh:
                    resp_body = fh.read(self.body_limit + 1024)
            else:
                resp_body = response.body[: self.body_limit + 1024]
        # Redact before cutting, so a secret straddling the cut is still found whole.
        req_stored = self._cut(red.data(req_body[: self.body_limit + 1024]))
        resp_stored = self._cut(red.data(resp_body))
        resp_headers = self._headers_json(red, response.headers) if response else "[]"
        stored = len(req_stored) + len(resp_stored) + len(req_headers) + len(resp_headers) \
            + len(url) + 64
        now = time.time()
        head = (now, source, request_path, prepared.method, url,
                response.status if response else None,
                response.elapsed * 1000 if response else None)
        tail = (req_headers, bytearray(req_stored), len(req_body), resp_headers,
                bytearray(resp_stored), response.size if response else 0, stored, item_id)
        row = (*head, red.text(error), *tail) if error else (*head, *tail)
        if self._batch_rows > 1:
            self._pending.append(row)
            if (len(self._pending) >= self._batch_rows
                    or now - self._pending[0][0] >= self._batch_seconds):
                self.flush()
            return 0
        self.flush()  # what waits goes first: ids stay in time order
        cur = self._db.execute(_INSERT if len(row) == _ROW_WIDTH else _INSERT_ANSWERED, row)
        self._count += 1
        self._bytes += stored
        self._commit_or_prune()
        return int(cur.lastrowid or 0)

    def _sent_shape(self, prepared: PreparedRequest) -> tuple[Redactor, str, str]:
        """The redactor of what was sent, and its redacted URL and request headers
        (JSON): worked out once per distinct request (a run repeats them), keyed by all
        that goes into the redactor."""
        try:
            key = (prepared.url, tuple(prepared.headers), prepared.secret_values,
                   prepared.sensitive_headers, prepared.sensitive_params)
            found = self._sent_shapes.get(key)
        except TypeError:  # a header given as a list, or a set of secrets: nothing kept
            red = Redactor.for_request(prepared)
            return red, red.url(prepared.url), json.dumps(red.header_list(prepared.headers))
        if found is None:
            red = Redactor.for_request(prepared)
            found = (red, red.url(prepared.url), json.dumps(red.header_list(prepared.headers)))
            _keep(self._sent_shapes, key, found)
        return found

    def _headers_json(self, red: Redactor, headers: list[tuple[str, str]]) -> str:
        """The redacted response headers as JSON; a run's answers repeat theirs (all
        but ``Date``, which changes once a second), so they are shaped once each, keyed
        by what ``header_list`` reads of the redactor."""
        try:
            key = (red.headers, red.secrets, tuple(headers))
            found = self._received_shapes.get(key)
        except TypeError:  # a header given as a list
            return json.dumps(red.header_list(headers))
        if found is None:
            found = json.dumps(red.header_list(headers))
            _keep(self._received_shapes, key, found)
        return found

    def observer(self, source: str, item_id_of: Callable[[str], str | None] | None = None
                 ) -> ExchangeObserver:
        """An ``Engine(on_exchange=...)`` observer recording every exchange under
        ``source`` ("cli", "app"…); ``item_id_of`` maps a request path to its stable id.
        A failed write is logged, never raised."""
        from .messages import user_message

        def observe(path: str, prepared: PreparedRequest, response: Response | None,
                    error: RelaydeskError | None) -> None:
            try:
                item_id = (item_id_of(path) if item_id_of is not None and path else None) or ""
                message = user_message(error) if error is not None else None
            except Exception as exc:
                log.warning("could not record history: %s", exc)
                return
            args = (prepared, response, source, path, message, item_id)
            # A spooled body is removed once its reader is done: recorded now.
            if self._batch_rows > 1 and (response is None or response.body_file is None):
                self._defer(args)
            else:
                self._record_deferred()  # in order
                self._record_logged(*args)

        return observe

    def _record_logged(self, prepared: PreparedRequest, response: Response | None,
                       source: str, path: str, message: str | None, item_id: str) -> None:
        try:
            self.record(prepared, response, source=source, request_path=path,
                        error=message, item_id=item_id)
        except Exception as exc:  # a full disk or a locked database
            log.warning("could not record history: %s", exc)

    def _defer(self, args: tuple[Any, ...]) -> None:
        self._deferred.append(args)
        if len(self._deferred) > 1:
            return  # already scheduled
        asyncio = sys.modules.get("asyncio")  # no running loop without it
        try:
            loop = asyncio.get_running_loop() if asyncio is not None else None
        except RuntimeError:
            loop = None
        if loop is None:
            self._record_deferred()
        else:
            # call_later(0), not call_soon: after the callbacks already due, such as
            # the next request's task that this exchange's end let go.
            loop.call_later(0, self._record_deferred)

    def _record_deferred(self) -> None:
        while self._deferred:
            waiting, self._deferred = self._deferred, []
            for args in waiting:
                self._record_logged(*args)

    def prune(self, headroom: float = 0.0) -> int:
        """Drop the oldest entries beyond the count and size limits, less ``headroom``
        (a fraction of each limit left free); how many went."""
        self.flush()
        removed = 0
        max_entries = int(self.max_entries * (1 - headroom))
        max_bytes = int(self.max_bytes * (1 - headroom))
        count = self._db.execute("SELECT COUNT(*) FROM entries").fetchone()[0]
        if count > max_entries:
            removed += self._db.execute(
                "DELETE FROM entries WHERE id IN (SELECT id FROM entries ORDER BY id LIMIT ?)",
                (count - max_entries,)).rowcount
        total = self._db.execute("SELECT COALESCE(SUM(stored), 0) FROM entries").fetchone()[0]
        if total > max_bytes:
            # Oldest first until under the limit: find the cut-off id in one query.
            row = self._db.execute(
                "SELECT id FROM (SELECT id, SUM(stored) OVER (ORDER BY id DESC) AS run "
                "FROM entries) WHERE run > ? ORDER BY id DESC LIMIT 1",
                (max_bytes,)).fetchone()
            if row is not None:
                removed += self._db.execute("DELETE FROM entries WHERE id <= ?",
                                            (row[0],)).rowcount
        self._db.commit()
        self._count = self.count()
        self._bytes = self.total_stored()
        return removed

    def clear(self) -> None:
        self._pending = []
        self._deferred = []
        self._db.execute("DELETE FROM entries")
        self._db.commit()
        self._db.execute("VACUUM")
        self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._count = self._bytes = 0

    # -- reading -----------------------------------------------------------------------

    def search(self, query: HistoryQuery | None = None) -> list[HistoryEntry]:
        return list(self.iter_search(query or HistoryQuery()))

    def iter_search(self, q: HistoryQuery) -> Iterator[HistoryEntry]:
        where: list[str] = []
        args: list[object] = []
        if q.text:
            escaped = q.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            where.append("url LIKE ? ESCAPE '\\'")
            args.append(f"%{escaped}%")
        if q.method:
            where.append("method = ?")
            args.append(q.method.upper())
        if q.status is not None:
            where.append("status = ?")
            args.append(q.status)
        if q.since is not None:
            where.append("ts >= ?")
            args.append(q.since)
        if q.until is not None:
            where.append("ts <= ?")
            args.append(q.until)
        if q.item_id:
            where.append("item_id = ?")
            args.append(q.item_id)
        sql = "SELECT * FROM entries"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id DESC LIMIT ?"
        args.append(q.limit)
        self.flush()
        for row in self._db.execute(sql, args):
            yield _entry(row)

    def get(self, entry_id: int) -> HistoryEntry | None:
        self.flush()
        row = self._db.execute("SELECT * FROM entries WHERE id = ?", (entry_id,)).fetchone()
        return _entry(row) if row else None

    def count(self) -> int:
        self.flush()
        return int(self._db.execute("SELECT COUNT(*) FROM entries").fetchone()[0])

    def total_stored(self) -> int:
        self.flush()
        return int(self._db.execute(
            "SELECT COALESCE(SUM(stored), 0) FROM entries").fetchone()[0])


def _rows_per_statement(left: int) -> int:
    """32 rows at a time, then halves: a few statement texts (each compiled once), and
    at most 512 values in one (older SQLite builds take up to 999)."""
    return 32 if left >= 32 else 1 << (left.bit_length() - 1)


@functools.lru_cache(maxsize=16)
def _insert_many(width: int, rows: int) -> str:
    """The INSERT of ``rows`` rows of ``width`` values (with their error or without)."""
    head = (_INSERT if width == _ROW_WIDTH else _INSERT_ANSWERED).partition(" VALUES ")[0]
    values = "(" + ",".join("?" * width) + ")"
    return f"{head} VALUES {','.join([values] * rows)}"


def _keep(cache: dict[tuple[Any, ...], _T], key: tuple[Any, ...], value: _T) -> None:
    """``cache[key] = value``, the cache emptied first once it holds 256."""
    if len(cache) >= 256:
        cache.clear()
    cache[key] = value


def _entry(row: Any) -> HistoryEntry:
    (id_, ts, source, rpath, method, url, status, elapsed, error, req_h, req_b, req_size,
     resp_h, resp_b, resp_size, _stored, item_id) = row
    return HistoryEntry(
        id=int(id_), ts=float(ts), source=str(source), request_path=str(rpath),
        method=str(method), url=str(url),
        status=int(status) if status is not None else None,
        elapsed_ms=float(elapsed) if elapsed is not None else None,
        error=str(error) if error is not None else None,
        request_headers=[(k, v) for k, v in json.loads(req_h)],
        request_body=bytes(req_b or b""), request_size=int(req_size),
        response_headers=[(k, v) for k, v in json.loads(resp_h)],
        response_body=bytes(resp_b or b""), response_size=int(resp_size),
        item_id=str(item_id or ""),
    )
