"""`relaydesk rm` and `relaydesk mv`: the files change, and the keyring follows.

Secrets are keyed by the path of the item that owns them, so a move carries them to
the new path and a removal forgets them. When the keyring cannot be reached the
workspace change still happens and a warning says which secrets were left behind.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ..core.errors import NotFoundError, SecretStoreError
from ._common import Context, UsageError, say

if TYPE_CHECKING:
    from ..core.workspace import Workspace

__all__ = ["register", "secret_owners"]


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


def secret_owners(ws: Workspace, path: str) -> list[tuple[str, tuple[str, ...]]]:
    """Items at or under ``path`` whose own auth has secret fields."""
    from ..core.model import AUTH_SECRET_FIELDS

    owners: list[tuple[str, tuple[str, ...]]] = []
    for conn in ws.connections():
        if conn.path == path or conn.path.startswith(path + "/"):
            fields = AUTH_SECRET_FIELDS.get(conn.auth.kind, ())
            if fields:
                owners.append((conn.path, fields))
    for req in ws.requests(path):
        if req.auth is not None and AUTH_SECRET_FIELDS.get(req.auth.kind):
            owners.append((req.path, AUTH_SECRET_FIELDS[req.auth.kind]))
    return owners


def _existing(ws: Workspace, path: str) -> str:
    from ..core.model import join_path

    path = join_path(path)
    if ws.kind_of(path) is None:
        problem = ws.problem_for(path)
        if problem is not None:
            raise UsageError(f"'{path}' cannot be loaded ({problem.reason}); fix or delete "
                             f"the file {problem.path} by hand.")
        raise NotFoundError(f"Nothing at '{path}' in workspace {ws.root}; run "
                            "`relaydesk ls` to see what exists.")
    return path


def run_rm(args: argparse.Namespace, ctx: Context) -> int:
    ws = ctx.workspace()
    path = _existing(ws, args.path)
    kind = ws.kind_of(path)
    inside = ws.requests(path) if kind != "request" else []
    if inside and not args.recursive:
        raise UsageError(f"'{path}' holds {len(inside)} request{'s' if len(inside) != 1 else ''}; "
                         f"use `relaydesk rm -r` to delete it with everything inside.")
    owners = secret_owners(ws, path)
    ws.delete(path)
    say(f"Deleted {kind} '{path}'.")
    if owners:
        try:
            store = ctx.secrets()
            for owner, fields in owners:
                for field in fields:
                    store.delete(owner, field)
        except SecretStoreError as exc:
            say(f"relaydesk: warning: its secrets stay in the keyring: {exc}")
    return 0


def run_mv(args: argparse.Namespace, ctx: Context) -> int:
    ws = ctx.workspace()
    src = _existing(ws, args.src)
    owners = secret_owners(ws, src)
    dst = ws.move(src, args.dst)
    if dst == src:
        say(f"'{src}' is already there; nothing to do.")
        return 0
    say(f"Moved '{src}' to '{dst}'.")
    if owners:
        try:
            store = ctx.secrets()
            for owner, fields in owners:
                store.move(owner, dst + owner[len(src):], fields)
        except SecretStoreError as exc:
            say(f"relaydesk: warning: secrets could not follow the move "
                f"(set them again with `relaydesk secret set`): {exc}")
    return 0
