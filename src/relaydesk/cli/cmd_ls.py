"""`relaydesk ls [PATH]`: the connection tree, with load problems on stderr."""

from __future__ import annotations

import sys

from ..core.errors import NotFoundError
from ._common import Context, say

TYPE_CHECKING = False  # typing is not imported at run time
if TYPE_CHECKING:
    import argparse
    from typing import Any

    from ..core.workspace import Workspace

__all__ = ["register"]


def register(sub: Any, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "ls", parents=[parent], help="list connections, folders and requests",
        description="List connections, folders and requests (a tree), and environments. "
        "Files that cannot be read are reported on stderr with the reason.",
    )
    p.add_argument("path", nargs="?", default="", metavar="PATH",
                   help="a connection, folder or request, or a prefix such as 'jira'")
    p.set_defaults(func=run)


def _connection_line(ws: Workspace, path: str, label: str) -> str:
    conn = ws.connection(path)
    auth = "" if conn.auth.kind == "none" else f"  [{conn.auth.kind}]"
    return f"{label}  {conn.base_url}{auth}"


def _tree(ws: Workspace, path: str, depth: int, out: list[str]) -> None:
    for kind, child in ws.children(path):
        name = child.rsplit("/", 1)[-1]
        pad = "  " * depth
        if kind == "folder":
            out.append(f"{pad}{name}/")
            _tree(ws, child, depth + 1, out)
        else:
            req = ws.request(child)
            out.append(f"{pad}{req.method:<7} {name}  {req.url}".rstrip())


def run(args: argparse.Namespace, ctx: Context) -> int:
    return list_tree(args.path, ctx)


def list_tree(path_arg: str, ctx: Context) -> int:
    """`relaydesk ls [PATH]` (``main`` calls it without a parser for that command line)."""
    from ..core.workspace import Workspace

    try:
        # The workspace alone: listing needs no keyring, engine or history.
        ws = Workspace.open(ctx.workspace_dir, create=False)
    except NotFoundError:
        if path_arg:
            raise
        say(f"The workspace {ctx.workspace_dir} is empty; add a connection with "
            "`relaydesk new connection PATH --base-url URL`.")
        return 0
    from ..core.model import join_path

    path = join_path(path_arg)
    out: list[str] = []
    kind = ws.kind_of(path) if path else None
    if kind == "request":
        req = ws.request(path)
        out.append(f"{req.method:<7} {path}  {req.url}".rstrip())
    elif kind == "folder":
        out.append(f"{path}/")
        _tree(ws, path, 1, out)
    else:
        conns = [c.path for c in ws.connections()
                 if not path or c.path == path or c.path.startswith(path + "/")]
        if path and not conns:
            ws.connection(path)  # raises NotFoundError with close matches
        for conn_path in conns:
            out.append(_connection_line(ws, conn_path, conn_path))
            _tree(ws, conn_path, 1, out)
        if not path:
            envs = [e.name for e in ws.environments()]
            if envs:
                out.append("")
                out.append("environments: " + ", ".join(envs))
            if not conns and not envs:
                say(f"No connections in {ws.root} yet; add one with "
                    "`relaydesk new connection PATH --base-url URL`.")
    if out:
        sys.stdout.write("\n".join(out) + "\n")
        sys.stdout.flush()
    for problem in ws.problems:
        if not path or _under(ws, problem.path, path):
            if problem.skipped:
                say(f"relaydesk: note: {problem.path} {problem.reason}.")
            else:
                say(f"relaydesk: cannot load {problem.path}: {problem.reason}")
    return 0


def _under(ws: Workspace, file: Any, path: str) -> bool:
    prefix = ws.root.joinpath("connections", *path.split("/"))
    try:
        file.relative_to(prefix)
    except ValueError:
        return str(file).startswith(str(prefix) + ".")  # a request file beside its folder
    return True
