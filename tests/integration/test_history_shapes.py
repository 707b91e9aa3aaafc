"""History works out a repeated request's redacted shape once (a run sends the same
request thousands of times) and writes rows in multi-row statements: neither may
change what is stored. A shape is reused only for a request whose every input to the
redaction is the same; rows keep their order and their error, or its absence."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from relaydesk.core.history import History
from relaydesk.core.prepare import PreparedRequest
from relaydesk.core.redact import REDACTED, Redactor
from relaydesk.core.response import Response

SECRET = "s3cr3t-value-42"
URL = f"http://127.0.0.1:9/search?q={SECRET}"


def sent(secrets: frozenset[str] = frozenset(), sensitive: frozenset[str] = frozenset()
         ) -> PreparedRequest:
    return PreparedRequest("GET", URL, [("Accept", "*/*"), ("X-Echo", SECRET)],
                           secret_values=secrets, sensitive_headers=sensitive)


def answer() -> Response:
    return Response(status=200, reason="OK", http_version="HTTP/1.1", method="GET",
                    url="http://127.0.0.1:9/search", headers=[("X-Echo", SECRET)],
                    body=f'{{"echo": "{SECRET}"}}'.encode())


def stored(path: Path) -> list[tuple[str, str, str, bytes]]:
    with contextlib.closing(sqlite3.connect(path)) as db:
        return [(url, req_h, resp_h, bytes(body)) for url, req_h, resp_h, body in db.execute(
            "SELECT url, req_headers, resp_headers, resp_body FROM entries ORDER BY id")]


def test_a_shape_is_reused_only_for_the_same_secrets(tmp_path: Path) -> None:
    """The same URL and headers, sent once as plain text and once carrying a secret
    (or naming a header as a credential), in both orders: each stored as its own
    redaction says, whatever was recorded before it."""
    path = tmp_path / "history.sqlite3"
    order = [sent(), sent(frozenset({SECRET})), sent(),
             sent(sensitive=frozenset({"x-echo"})), sent(frozenset({SECRET}))]
    with History(path) as history:
        history.buffer(rows=100, seconds=3600)
        for prepared in order:
            history.record(prepared, answer(), request_path="api/search")
    rows = stored(path)
    assert len(rows) == 5
    plain, secret, plain_again, named, secret_again = rows
    assert SECRET in plain[0] and SECRET in plain[1] and SECRET in plain[2]
    assert plain_again == plain
    # A credential header's value is a secret too, wherever it is echoed.
    for row in (secret, named, secret_again):
        assert SECRET not in "".join(row[:3]) and SECRET.encode() not in row[3]
        assert REDACTED in row[0] and REDACTED in row[1] and REDACTED in row[2]


def test_rows_with_and_without_an_error_keep_their_order(tmp_path: Path) -> None:
    """Batches mixing answered and failed exchanges, of sizes that split into several
    multi-row statements, and unbatched records: every row in the order recorded, the
    error NULL where there was none."""
    path = tmp_path / "history.sqlite3"
    expected: list[tuple[str, str | None]] = []
    with History(path) as history:
        for rows, count in ((100, 173), (1, 5)):
            history.buffer(rows=rows, seconds=3600)
            for i in range(count):
                prepared = PreparedRequest("GET", f"http://127.0.0.1:9/item/{rows}/{i}", [])
                error = f"refused {i}" if i % 7 in (2, 3) else None
                if error:
                    history.record(prepared, error=error)
                else:
                    history.record(prepared, answer())
                expected.append((prepared.url, error))
        history.flush()
    with contextlib.closing(sqlite3.connect(path)) as db:
        got = list(db.execute("SELECT url, error FROM entries ORDER BY id"))
        statuses = [s for (s,) in db.execute("SELECT status FROM entries ORDER BY id")]
    assert got == expected
    assert statuses == [None if error else 200 for _, error in expected]
    with History(path) as again:
        assert again.count() == len(expected)
        newest = again.search()[0]
        assert newest.error is None and newest.response_body == answer().body


def test_a_redactor_used_again_redacts_the_same() -> None:
    """The longest-first order is kept after first use: a secret containing another
    is replaced whole every time, in text and in bytes alike."""
    red = Redactor.for_parts("http://h/", [], secret_values=["abc123", "xxabc123yy"])
    for _ in range(2):
        assert red.text("1 xxabc123yy 2 abc123") == f"1 {REDACTED} 2 {REDACTED}"
        assert red.data(b"1 xxabc123yy 2 abc123") == f"1 {REDACTED} 2 {REDACTED}".encode()
