"""`relaydesk stubs [PATH...] [--out DIR]`: type stubs of the managed APIs for editors.

Writes ``DIR/relaydesk/__init__.pyi`` and one module per described connection (see
``relaydesk.core.api_stubs``); DIR defaults to ``typings`` in the current folder, where
Pylance/Pyright look, and mypy does with ``mypy_path = typings``. The folder is
remembered: `relaydesk describe` and `relaydesk import openapi` rewrite it when a
description changes.
"""

from __future__ import annotations

import argparse
from typing import Any

from ._common import Context, say

__all__ = ["register"]


def register(sub: Any, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "stubs", parents=[parent], help="write type stubs of managed APIs for editors",
        description="Write .pyi type stubs for the connections that have an API "
        "description, so editors and mypy know `relaydesk.connect(PATH).<Group>."
        "<operation>(...)` with every parameter. Pylance/Pyright read ./typings by "
        "default; for mypy set `mypy_path = typings` (or MYPYPATH=typings).",
    )
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="connections (or prefixes) to include; default: every described one")
    p.add_argument("--out", metavar="DIR", default=None,
                   help="where to write (default: ./typings)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from pathlib import Path

    from ..core.api_stubs import DEFAULT_STUBS_DIR, write_stubs
    from ..core.errors import NotFoundError

    ws = ctx.workspace()
    out = Path(args.out or DEFAULT_STUBS_DIR)
    written = write_stubs(ws, out, [p.strip("/") for p in args.paths] or None)
    if not written:
        which = f" under {', '.join(args.paths)}" if args.paths else ""
        raise NotFoundError(f"No connection{which} has an API description; attach one "
                            "with `relaydesk describe PATH --from FILE|URL`.")
    say(f"Wrote type stubs of {len(written)} connection(s) to "
        f"{out / 'relaydesk'}: {', '.join(written)}.")
    return 0
