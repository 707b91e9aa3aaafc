"""`relaydesk rm` and `relaydesk mv`, through the core session.

Secrets are keyed by the stable id of the item that owns them, so a move writes
nothing to the keyring and a removal forgets them. When the keyring cannot be reached
the workspace change still happens and a warning says which secrets were left behind
(under an id no new item will ever have).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ..core.errors import NotFoundError
from ._common import Context, UsageError, say

if TYPE_CHECKING:
    from ..core.workspace import Workspace

__all__ = ["register"]


def register(sub: Any, parent: argparse.ArgumentParser) -> None:
    r = sub.add_parser("rm", parents=[parent], help="delete a connection, folder or request",
                       description="Delete a connection, folder or request (and its secrets).")
    r.add_argument("path", metavar="PATH")
    r.add_argument("-r", "--recursive", action="store_true",
                   help="needed to delete a connection or folder that holds requests")
    r.set_defaults(func=run_rm)
    m = sub.add_parser("mv", parents=[parent], help="rename or move an item",
                       description="Rename or move a connection, folder or request; its "
                       "secrets move along in the keyring.")
    m.add_argument("src", metavar="SRC")
    m.add_argument("dst", metavar="DST")
    m.set_defaults(func=run_mv)


def _existing(ws: Workspace, path: str, done: str) -> str:
    from ..core.model import join_path

    path = join_path(path)
    if ws.kind_of(path) is None:
        if (link := ws.link_at(path)) is not None:
            # Never "Deleted" while the link (and what it leads to) stays.
            raise UsageError(
                f"'{path}' {link}; nothing was {done}. Remove or move the link itself "
                "(with `rm`, not `rm -r`, in a shell) if that is what you meant.")
        problem = ws.problem_for(path)
        if problem is not None:
            raise UsageError(f"'{path}' cannot be loaded ({problem.reason}); fix or delete "
                             f"the file {problem.path} by hand.")
        raise NotFoundError(f"Nothing at '{path}' in workspace {ws.root}; run "
                            "`relaydesk ls` to see what exists.")
    return path


def run_rm(args: argparse.Namespace, ctx: Context) -> int:
    session = ctx.session()
    ws = session.workspace
    path = _existing(ws, args.path, "deleted")
    kind = ws.kind_of(path)
    inside = ws.requests(path) if kind != "request" else []
    if inside and not args.recursive:
        raise UsageError(f"'{path}' holds {len(inside)} request{'s' if len(inside) != 1 else ''}; "
                         f"use `relaydesk rm -r` to delete it with everything inside.")
    report = session.delete(path)
    say(f"Deleted {report.kind} '{path}'.")
    if report.secrets_left:
        say("relaydesk: warning: the secrets of "
            f"{', '.join(repr(p) for p in report.secrets_left)} stay in the keyring (no new "
            f"item will use them): {report.reason}")
    return 0


def run_mv(args: argparse.Namespace, ctx: Context) -> int:
    session = ctx.session()
    src = _existing(session.workspace, args.src, "moved")
    dst = session.move(src, args.dst)
    if dst == src:
        say(f"'{src}' is already there; nothing to do.")
        return 0
    say(f"Moved '{src}' to '{dst}'.")
    return 0
