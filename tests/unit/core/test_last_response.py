"""The last response of each request, kept outside the workspace: redacted like
history, the body capped, the number of files capped, unreadable files ignored."""

from __future__ import annotations

import os
import time
from pathlib import Path

from relaydesk.core.last_response import LastResponses
from relaydesk.core.model import Connection, KeyValue, Request
from relaydesk.core.prepare import prepare
from relaydesk.core.response import Response
from relaydesk.core.timeline import Hop, Phases, Timeline

SECRET = "s3cret-value-77"


def _prepared() -> object:
    req = Request(path="c/r", url="/x?q=1",
                  headers=[KeyValue("Authorization", f"Bearer {SECRET}")])
    return prepare(req, Connection(path="c", base_url="http://127.0.0.1:9"), None, {})


def _response(body: bytes) -> Response:
    return Response(status=201, reason="Created", http_version="HTTP/1.1", method="GET",
                    url="http://127.0.0.1:9/x?q=1",
                    headers=[("Content-Type", "application/json"), ("Set-Cookie", "sid=abc")],
                    body=body, size=len(body),
                    timeline=Timeline("GET", "http://127.0.0.1:9/x?q=1",
                                      [("Authorization", "[redacted]")],
                                      [Hop("GET", "http://127.0.0.1:9/x?q=1", 201,
                                           phases=Phases(connect=0.001, total=0.01))],
                                      total=0.01))


def test_kept_redacted_and_read_back(tmp_path: Path) -> None:
    store = LastResponses(tmp_path / "kept")
    body = b'{"echo": "Bearer ' + SECRET.encode() + b'"}'
    store.record("id1", _prepared(), _response(body))  # type: ignore[arg-type]
    raw = (tmp_path / "kept" / "id1.json").read_text()
    assert SECRET not in raw and "sid=abc" not in raw
    back = store.load("id1")
    assert back is not None and back.restored_at is not None
    assert (back.status, back.reason, back.size) == (201, "Created", len(body))
    assert SECRET.encode() not in back.content() and b"[redacted]" in back.content()
    assert dict(back.headers)["Set-Cookie"] == "[redacted]"
    assert back.timeline is not None and back.timeline.hops[0].phases.connect == 0.001
    assert store.load("other") is None
    assert store.load("../escape") is None  # ids only, never a path


def test_body_and_count_are_capped(tmp_path: Path) -> None:
    store = LastResponses(tmp_path / "kept", body_limit=1000, max_items=3)
    big = b"x" * 50_000
    store.record("big", _prepared(), _response(big))  # type: ignore[arg-type]
    back = store.load("big")
    assert back is not None and len(back.content()) == 1000 and back.size == 50_000
    oldest = time.time() - 1000
    os.utime(tmp_path / "kept" / "big.json", (oldest, oldest))
    for n in range(5):
        store.record(f"r{n}", _prepared(), _response(b"{}"))  # type: ignore[arg-type]
        past = time.time() - 100 + n
        os.utime(tmp_path / "kept" / f"r{n}.json", (past, past))
    store.record("last", _prepared(), _response(b"{}"))  # type: ignore[arg-type]
    assert sorted(p.stem for p in (tmp_path / "kept").glob("*.json")) == ["last", "r3", "r4"]


def test_an_unreadable_file_is_no_response(tmp_path: Path) -> None:
    store = LastResponses(tmp_path)
    (tmp_path / "bad.json").write_text("{not json")
    assert store.load("bad") is None


def test_buffered_records_wait_for_flush_and_only_the_newest_are_written(
        tmp_path: Path) -> None:
    folder = tmp_path / "kept"
    store = LastResponses(folder, max_items=3)
    store.record("old", _prepared(), _response(b"{}"))  # type: ignore[arg-type]
    store.buffer()
    for n in range(6):
        store.record(f"r{n}", _prepared(), _response(b"{}"))  # type: ignore[arg-type]
    assert sorted(p.stem for p in folder.glob("*.json")) == ["old"]  # nothing yet
    held = store.load("r5")  # what this process holds is readable before it is written
    assert held is not None and held.status == 201
    store.flush()
    assert sorted(p.stem for p in folder.glob("*.json")) == ["r3", "r4", "r5"]
    store.record("r6", _prepared(), _response(b"{}"))  # type: ignore[arg-type]
    store.forget("r6")
    store.flush()
    assert sorted(p.stem for p in folder.glob("*.json")) == ["r3", "r4", "r5"]


def test_buffered_records_past_the_byte_budget_are_written(tmp_path: Path) -> None:
    store = LastResponses(tmp_path / "kept")
    store.buffer(max_bytes=3000)
    for n in range(4):
        store.record(f"r{n}", _prepared(), _response(b"x" * 1000))  # type: ignore[arg-type]
    written = sorted(p.stem for p in (tmp_path / "kept").glob("*.json"))
    assert written and written == [f"r{n}" for n in range(len(written))]


def test_buffered_small_records_are_redacted_when_read_and_when_written(
        tmp_path: Path) -> None:
    # Held as they came (shaped only if still among the newest): the secret in the
    # echoed body and the credential headers never reach a reader or the file.
    store = LastResponses(tmp_path / "kept")
    store.buffer()
    body = b'{"echo": "Bearer ' + SECRET.encode() + b'"}'
    store.record("id1", _prepared(), _response(body))  # type: ignore[arg-type]
    held = store.load("id1")
    assert held is not None and SECRET.encode() not in held.content()
    assert b"[redacted]" in held.content() and dict(held.headers)["Set-Cookie"] == "[redacted]"
    store.flush()
    raw = (tmp_path / "kept" / "id1.json").read_text()
    assert SECRET not in raw and "sid=abc" not in raw and '"status": 201' in raw
