"""`relaydesk send PATH --all-pages`: every page fetched, items merged into one JSON
array on stdout (or ``-o FILE``); one line per page on stderr.

`cmd_send` calls ``add_arguments(parser)`` when it builds its parser and, when
``args.all_pages`` is set, ``send_all_pages(...)`` instead of sending once.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from ._common import UsageError, engine_session, say

if TYPE_CHECKING:
    from ..core.model import Connection, Environment, Request
    from ..core.secrets import SecretStore
    from ..core.session import Session

__all__ = ["add_arguments", "send_all_pages"]


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--all-pages", action="store_true",
                   help="follow the pagination and print every page's items as one array")
    p.add_argument("--max-pages", type=int, default=100, metavar="N",
                   help="stop after N pages (default 100)")
    p.add_argument("--items-path", default="", metavar="PATH",
                   help="where the items are in each page (default: the one list)")
    p.add_argument("--page-style", default="auto", metavar="STYLE",
                   help="auto, body_link, link_header, offset, page or cursor")


def send_all_pages(req: Request, conn: Connection | None, *,
                   environment: Environment | None, variables: dict[str, str],
                   secrets: SecretStore | None, session: Session | None = None,
                   max_pages: int = 100,
                   items_path: str = "", style: str = "auto",
                   output: str | None = None, silent: bool = False,
                   strict: bool = False) -> int:
    import asyncio

    from ..core.pagination import Page, PaginationSettings, fetch_all
    from .cmd_send import warn_unresolved

    if max_pages < 1:
        raise UsageError("--max-pages must be at least 1.")
    settings = PaginationSettings(style=style, items_path=items_path, max_pages=max_pages)

    def on_page(page: Page) -> None:
        if page.number == 1:
            warn_unresolved(page.unresolved)
        if not silent:
            say(page.describe())

    async def go() -> Any:
        async with engine_session(secrets, history_source="cli", session=session) as engine:
            return await fetch_all(engine, req, conn, environment=environment,
                                   variables=variables, settings=settings, on_page=on_page,
                                   strict=strict)

    result = asyncio.run(go())
    if not silent:
        say(f"{len(result.items)} items from {result.pages} pages"
            + (f" ({result.style})" if result.style not in ("auto", "none") else ""))
    text = json.dumps(result.items, indent=2, ensure_ascii=False) + "\n"
    if output:
        from pathlib import Path

        from ..core.fileio import atomic_write_text

        atomic_write_text(Path(output).expanduser(), text)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    return 0
