"""`relaydesk import postman|insomnia|openapi|har|http SOURCE [--into PATH]`.

The file is read and turned into a plan first; nothing is written unless the whole
plan can be (``apply_plan``). What was created, which secrets went to the keyring and
anything left out are reported on stderr, one line each.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from ._common import Context, read_source, say

if TYPE_CHECKING:
    from ..core.importers import ImportPlan
    from ..core.workspace import Workspace

__all__ = ["FILE_FORMATS", "run_file_import"]

FILE_FORMATS = ("postman", "insomnia", "openapi", "har", "http")


def run_file_import(args: argparse.Namespace, ctx: Context) -> int:
    from ..core.importers import apply_plan, plan_import
    from ..core.importers.loader import MAX_BYTES

    text = read_source(args.source, f"the {args.format} file", MAX_BYTES)
    source = "standard input" if args.source == "-" else str(Path(args.source).name)
    plan = plan_import(args.format, text, source)
    ws = ctx.workspace(create=True)
    store = None
    if plan.secrets:
        store = ctx.secrets()  # a missing keyring stops the import before any write
    notes = apply_plan(ws, store, plan, into=args.into)
    if args.format == "openapi" and plan.connections:
        notes += _keep_description(ws, plan, args.into, text, source)
    moved = [c.path for c in ws.connections()
             if any(r.path.startswith(c.path + "/") for r in plan.requests)]
    say(f"Imported {plan.counts()} from {source}"
        + (f" into '{args.into}'." if args.into else "."))
    for path in moved[:1]:
        say(f"Try: relaydesk ls '{path}'")
    for note in notes:
        say(f"Note: {note}")
    return 0


def _keep_description(ws: Workspace, plan: ImportPlan, into: str | None, text: str,
                      source: str) -> list[str]:
    """The imported connection keeps its description: its managed API and stubs."""
    from ..core.api_description import keep_imported_description
    from ..core.importers import relocate

    return keep_imported_description(ws, relocate(plan, into).connections[0].path, text,
                                     source)
