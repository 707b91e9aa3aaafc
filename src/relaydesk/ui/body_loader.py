"""Turns a response body into text stores off the GUI thread, in pieces.

A worker thread reads the body (``Response.body_file`` when spooled, else ``content()``),
decodes it incrementally, pretty-prints JSON with the streaming ``JsonReformatter`` and
indexes lines. Every step works on ≤1 MB so no single C call in the worker holds the GIL
long enough to stall the GUI thread (``json.loads`` of 50 MB would hold it ~0.5 s).

Pieces travel through a bounded queue; the GUI thread drains it for at most ``BUDGET_S``
per event-loop turn (a queued signal per piece would be delivered in one batch and block
the loop), so timers and painting keep running while 50 MB stream in.
"""

from __future__ import annotations

import codecs
import contextlib
import json
import queue
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QImage

from . import switch_interval
from .json_stream import JsonReformatter
from .widgets.text_store import TextStore, index_piece

__all__ = ["BodyInfo", "BodyLoader", "body_chunks", "classify"]

FIRST_CHUNK = 64 * 1024  # small first read: the first screen is ready sooner
CHUNK = 256 * 1024  # short C calls in the worker: each one holds the GIL
PRETTY_FEED = 64 * 1024
HEX_LIMIT = 64 * 1024
VALIDATE_LIMIT = 1024 * 1024  # below this, JSON is checked with json.loads (quick)
BUDGET_S = 0.008
STALL_GIVE_UP_S = 30.0

_TEXTUAL = ("json", "xml", "javascript", "ecmascript", "yaml", "csv", "html", "x-www-form",
            "graphql", "sql", "toml")


@dataclass
class BodyInfo:
    kind: str  # "json" | "text" | "image" | "binary" | "empty"
    content_type: str
    note: str = ""  # shown above the body (e.g. "not valid JSON: …")


def body_chunks(response: Any) -> Iterator[bytes]:
    """The body in pieces, a small one first; reads the spooled file when there is one."""
    path: Path | None = getattr(response, "body_file", None)
    if path is not None:
        with open(path, "rb") as f:
            yield f.read(FIRST_CHUNK)
            while chunk := f.read(CHUNK):
                yield chunk
        return
    data: bytes = response.content()
    yield data[:FIRST_CHUNK]
    for i in range(FIRST_CHUNK, len(data), CHUNK):
        yield data[i : i + CHUNK]


def _charset(content_type: str) -> str:
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            name = value.strip("\"' ")
            try:
                return codecs.lookup(name).name
            except LookupError:
                break
    return "utf-8"


def classify(content_type: str, head: bytes) -> str:
    mime = content_type.split(";", 1)[0].strip().lower()
    if not head:
        return "empty"
    if mime.startswith("image/"):
        return "image"
    looks_json = head.lstrip()[:1] in (b"{", b"[")
    if "json" in mime or (looks_json and mime in ("", "text/plain")):
        return "json"
    if mime.startswith("text/") or any(t in mime for t in _TEXTUAL):
        return "text"
    sample = head[:4096]
    if b"\x00" in sample:
        return "binary"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample)
    except UnicodeDecodeError:
        return "binary"
    return "text"


def _hexdump(data: bytes) -> str:
    rows = []
    for i in range(0, len(data), 16):
        row = data[i : i + 16]
        text = "".join(chr(b) if 32 <= b < 127 else "." for b in row)
        rows.append(f"{i:08x}  {row.hex(' '):<47}  {text}")
    return "\n".join(rows)


def _json_problem(data: bytes, content_type: str) -> str:
    """Why ``data`` is not valid JSON, or "" (only called on small bodies)."""
    try:
        json.loads(data.decode(_charset(content_type), errors="replace"))
    except json.JSONDecodeError as exc:
        return (f"The body is not valid JSON (line {exc.lineno}, column {exc.colno}: "
                f"{exc.msg}); shown as received.")
    return ""


class _Cancelled(Exception):
    pass


class BodyLoader(QObject):
    """Fills ``raw`` and ``pretty`` stores from a response; signals as they grow."""

    started = Signal(object)  # BodyInfo, once the kind is known
    grew = Signal()  # the stores have more text
    imageReady = Signal(QImage)
    finished = Signal()
    failed = Signal(str)
    _wake = Signal(int)

    def __init__(self, executor: Executor, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._executor = executor
        self._generation = 0
        self._cancel = threading.Event()
        self._queue: queue.Queue[tuple[int, str, Any]] = queue.Queue(maxsize=32)
        self._drain_scheduled = False
        self.raw = TextStore()
        self.pretty = TextStore()
        self.info: BodyInfo | None = None
        self.done = True
        self._fast = False  # holding a shortened GIL switch interval (switch_interval.py)
        self._closed = threading.Event()
        self.destroyed.connect(self._closed.set)
        self._wake.connect(self._on_wake)

    def load(self, response: Any, content_type: str) -> None:
        self.cancel()
        self._fast_switching(True)
        self._generation += 1
        self._cancel = threading.Event()
        self.raw, self.pretty = TextStore(), TextStore()
        self.info = None
        self.done = False
        self._executor.submit(self._produce, self._generation, self._cancel, response,
                              content_type, int(getattr(response, "size", 0) or 0))

    def _fast_switching(self, on: bool) -> None:
        if on != self._fast:
            (switch_interval.hold if on else switch_interval.release)()
            self._fast = on

    def cancel(self) -> None:
        self._fast_switching(False)
        self._cancel.set()
        self._generation += 1
        while True:  # unblock a worker waiting on a full queue
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break

    # -- worker side ---------------------------------------------------------------------

    def _put(self, gen: int, cancel: threading.Event, kind: str, payload: Any) -> None:
        give_up = time.monotonic() + STALL_GIVE_UP_S
        while True:
            # Cancelled, the loader destroyed, or nobody drained for a long time (the GUI
            # is gone): stop, so a worker never keeps the interpreter from exiting.
            if cancel.is_set() or self._closed.is_set() or time.monotonic() > give_up:
                raise _Cancelled
            try:
                self._queue.put((gen, kind, payload), timeout=0.05)
                break
            except queue.Full:
                continue
        self._wake.emit(gen)

    def _produce(self, gen: int, cancel: threading.Event, response: Any, ctype: str,
                 size: int) -> None:
        try:
            self._produce_body(gen, cancel, response, ctype, size)
            self._put(gen, cancel, "done", None)
        except _Cancelled:
            pass
        except Exception as exc:  # a viewer shows what it could not read, never a traceback
            with contextlib.suppress(_Cancelled):
                self._put(gen, cancel, "error", f"The body could not be shown: {exc}")

    def _produce_body(self, gen: int, cancel: threading.Event, response: Any, ctype: str,
                      size: int) -> None:
        chunks = body_chunks(response)
        head = next(chunks, b"")
        kind = classify(ctype, head)
        put = self._put
        if kind in ("image", "binary"):
            whole = b"".join([head, *chunks]) if kind == "image" else head[:HEX_LIMIT]
            image = QImage.fromData(whole) if kind == "image" else QImage()
            if kind == "image" and not image.isNull():
                put(gen, cancel, "info", BodyInfo("image", ctype))
                put(gen, cancel, "image", image)
                return
            note = (f"Binary body ({size:,} bytes): the first {min(size, HEX_LIMIT):,} bytes "
                    "as hex. Save to file to keep it all.")
            put(gen, cancel, "info", BodyInfo("binary", ctype, note))
            put(gen, cancel, "both", index_piece(_hexdump(head[:HEX_LIMIT])))
            return
        note = ""
        if kind == "json" and 0 < size <= VALIDATE_LIMIT:
            head = b"".join([head, *chunks])
            chunks = iter(())
            note = _json_problem(head, ctype)
            if note:
                kind = "text"
        put(gen, cancel, "info", BodyInfo(kind, ctype, note))
        decoder = codecs.getincrementaldecoder(_charset(ctype))(errors="replace")
        fmt = JsonReformatter() if kind == "json" else None
        raw_len = pretty_len = 0
        data: bytes | None = head
        while True:
            final = data is None
            text = decoder.decode(data or b"", final=final)
            if text:
                piece = index_piece(text, raw_len)
                raw_len += len(text)
                put(gen, cancel, "raw" if fmt else "both", piece)
            if fmt is not None:
                for i in range(0, max(len(text), 1), PRETTY_FEED):
                    out = fmt.feed(text[i : i + PRETTY_FEED], final=final)
                    if out:
                        put(gen, cancel, "pretty", index_piece(out, pretty_len))
                        pretty_len += len(out)
            if final:
                return
            data = next(chunks, None)

    # -- GUI side ------------------------------------------------------------------------

    def _on_wake(self, gen: int) -> None:
        if gen == self._generation and not self._drain_scheduled:
            self._drain_scheduled = True
            QTimer.singleShot(0, self._drain)

    def _drain(self) -> None:
        self._drain_scheduled = False
        deadline = time.perf_counter() + BUDGET_S
        grew = False
        while time.perf_counter() < deadline:
            try:
                gen, kind, payload = self._queue.get_nowait()
            except queue.Empty:
                break
            if gen != self._generation:
                continue
            if kind == "info":
                self.info = payload
                self.started.emit(payload)
            elif kind in ("raw", "pretty", "both"):
                if kind != "pretty":
                    self.raw.append(payload)
                if kind == "both":
                    self.pretty = self.raw
                elif kind == "pretty":
                    self.pretty.append(payload)
                grew = True
            elif kind == "image":
                self.imageReady.emit(payload)
            elif kind == "error":
                self.done = True
                self._fast_switching(False)
                self.failed.emit(payload)
            elif kind == "done":
                self.done = True
                self._fast_switching(False)
                if grew:
                    self.grew.emit()
                    grew = False
                self.finished.emit()
        if grew:
            self.grew.emit()
        if not self._queue.empty() and not self._drain_scheduled:
            self._drain_scheduled = True
            QTimer.singleShot(0, self._drain)
