"""`relaydesk history`: what was sent, searchable; `relaydesk history clear`.

Commands that send record through the engine's exchange observer
(`_common.engine_session(..., history_source=...)`): history is a convenience, so
failing to write it is a warning on stderr, never a failed command.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime
from typing import Any

from ._common import Context, UsageError, open_history, say

__all__ = ["open_history", "register", "run_history"]


def register(sub: Any, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "history", parents=[parent], help="list (or clear) the requests sent",
        description="List the requests sent from the app and the command line, newest "
        "first (secrets redacted). `relaydesk history clear` deletes them all; "
        "`relaydesk history show ID` prints one entry.",
    )
    p.add_argument("action", nargs="?", choices=("list", "clear", "show"), default="list")
    p.add_argument("entry", nargs="?", type=int, metavar="ID", help="the entry to show")
    p.add_argument("--search", metavar="TEXT", default="", help="part of the URL")
    p.add_argument("--method", metavar="M", default="")
    p.add_argument("--status", metavar="N", type=int)
    p.add_argument("--since", metavar="DATE", help="YYYY-MM-DD or an ISO date-time")
    p.add_argument("--until", metavar="DATE", help="YYYY-MM-DD or an ISO date-time")
    p.add_argument("--limit", metavar="N", type=int, default=50)
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.set_defaults(func=run_history)


def _when(text: str | None, option: str, end: bool = False) -> float | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option} expects a date such as 2024-05-31, got '{text}'.") \
            from None
    if end and len(text) <= 10:
        return moment.timestamp() + 86400 - 0.001  # the whole day
    return moment.timestamp()


def run_history(args: argparse.Namespace, ctx: Context) -> int:
    from ..core.history import HistoryQuery

    history = open_history()
    if history is None:
        say("relaydesk: history is turned off (RELAYDESK_HISTORY=off).")
        return 0
    with history:
        if args.action == "clear":
            count = history.count()
            history.clear()
            say(f"Cleared {count} history entries.")
            return 0
        if args.action == "show":
            if args.entry is None:
                raise UsageError("`relaydesk history show` needs the ID of an entry.")
            entry = history.get(args.entry)
            if entry is None:
                raise UsageError(f"No history entry {args.entry}.")
            _show(entry)
            return 0
        if args.limit < 1:
            raise UsageError("--limit must be at least 1.")
        query = HistoryQuery(text=args.search, method=args.method, status=args.status,
                             since=_when(args.since, "--since"),
                             until=_when(args.until, "--until", end=True), limit=args.limit)
        out = sys.stdout
        for e in history.iter_search(query):
            if args.json:
                out.write(json.dumps({"id": e.id, "time": e.ts, "method": e.method,
                                      "url": e.url, "status": e.status,
                                      "elapsed_ms": e.elapsed_ms, "error": e.error,
                                      "source": e.source, "path": e.request_path}) + "\n")
                continue
            when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(e.ts))
            status = str(e.status) if e.status is not None else "ERR"
            ms = f"{e.elapsed_ms:.0f} ms" if e.elapsed_ms is not None else "-"
            out.write(f"{e.id:>6}  {when}  {e.method:<7} {status:>3}  {ms:>8}  {e.url}\n")
        out.flush()
    return 0


def _show(entry: Any) -> None:
    out = sys.stdout
    out.write(f"{entry.method} {entry.url}\n")
    for k, v in entry.request_headers:
        out.write(f"{k}: {v}\n")
    if entry.request_body:
        out.write("\n" + entry.request_body.decode("utf-8", "replace") + "\n")
    out.write(f"\n=> {entry.status if entry.status is not None else entry.error}\n")
    for k, v in entry.response_headers:
        out.write(f"{k}: {v}\n")
    if entry.response_body:
        out.write("\n" + entry.response_body.decode("utf-8", "replace") + "\n")
    out.flush()
