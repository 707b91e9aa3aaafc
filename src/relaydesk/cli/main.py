"""The `relaydesk` command: argument parsing, dispatch, and the one error funnel.

Every failure ends as one line on stderr (``relaydesk: error: …``) and a non-zero
status: 2 for a command line or value that cannot be accepted, 1 for anything else,
22 for ``send --fail`` on a 4xx/5xx (curl's convention), 130 on Ctrl+C. Tracebacks
appear only with ``RELAYDESK_DEBUG=1``. Subcommand modules import their heavy
dependencies (httpx, the engine) inside their handlers so startup stays fast.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from types import SimpleNamespace

from ..core.errors import (
    CurlParseError,
    HttpStatusError,
    RelaydeskError,
    TemplateError,
    ValidationError,
)
from ._common import Context, UsageError, add_workspace_option, env_flag

TYPE_CHECKING = False  # typing is not imported at run time (`relaydesk ls`)
if TYPE_CHECKING:
    import argparse
    from typing import Any

__all__ = ["build_parser", "main"]

PROG = "relaydesk"
DEBUG_ENV = "RELAYDESK_DEBUG"
# Errors about what the user typed or pasted; everything else is a runtime failure.
_USAGE_ERRORS = (UsageError, ValidationError, CurlParseError, TemplateError)


# Each module has ``register(subparsers, parent)`` and imports only argparse and
# ``_common`` at top level; the order here is the order of `relaydesk --help`.
COMMAND_MODULES = ("cmd_ls", "cmd_send", "cmd_run", "cmd_import", "cmd_secret", "cmd_new",
                   "cmd_set", "cmd_edit", "cmd_export", "cmd_auth", "cmd_history")
MANAGED_API_COMMANDS = ("cmd_describe", "cmd_stubs")  # issue 17
ALL_COMMANDS = (*COMMAND_MODULES, *MANAGED_API_COMMANDS)


def __getattr__(name: str) -> Any:
    """The parser classes, from ``_parser`` (argparse loads with them, when needed)."""
    if name in ("_Formatter", "_Parser", "_VersionAction"):
        from . import _parser

        return getattr(_parser, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def build_parser(modules: Sequence[str] = ALL_COMMANDS) -> argparse.ArgumentParser:
    from ._parser import _Parser, _VersionAction

    parser = _Parser(
        prog=PROG,
        description="Relaydesk: saved API connections, keyring secrets, requests from the "
        "command line. Without a command, opens the desktop app.",
    )
    add_workspace_option(parser, top=True)
    parser.add_argument("--version", action=_VersionAction)
    parser.add_argument("--theme", choices=THEMES, default=None,
                        help="the app's theme for this run (default: the one chosen in "
                        "View → Theme, else the system's); Qt's own options such as "
                        "-style NAME are passed to Qt")
    parent = _Parser(add_help=False)
    add_workspace_option(parent, top=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in modules:
        try:
            module = importlib.import_module(f"{__package__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{__package__}.{name}":
                continue  # a command this installation does not ship
            raise
        module.register(sub, parent)
    return parser


THEMES = ("system", "light", "dark")
# Qt's own command-line options that take a value, passed through to QApplication.
_QT_OPTIONS = ("-style", "-platform", "-platformtheme", "-stylesheet")


class AppLaunch:
    """A command line that only opens the app: its workspace, theme and Qt options."""

    def __init__(self) -> None:
        self.workspace: str | None = None
        self.theme: str | None = None
        self.qt_args: list[str] = []


def _app_launch(args: list[str]) -> AppLaunch | None:
    """The app launch a command line asks for, or None for anything else (a command,
    ``--help``, an abbreviated option…), which goes to the full parser."""
    launch = AppLaunch()
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        name, equals, value = arg.partition("=")
        if not equals and name in ("--workspace", "--theme", *_QT_OPTIONS):
            if not rest or rest[0].startswith("-"):
                return None
            value = rest.pop(0)
        if name == "--workspace":
            launch.workspace = value or None
        elif name == "--theme" and value in THEMES:
            launch.theme = value
        elif name in _QT_OPTIONS:
            launch.qt_args += [name, value]
        else:
            return None
    return launch


def _modules_for(args: list[str]) -> Sequence[str]:
    """Only ``cmd_<name>`` for a plain ``[--workspace DIR] <name> …`` command line whose
    module registers ``<name>``: building all the parsers costs as much as `relaydesk ls`
    of a thousand requests. Anything else gets every parser (and their help)."""
    rest = args[2:] if args[:1] == ["--workspace"] else args
    if rest and rest[0].startswith("--workspace="):
        rest = rest[1:]
    if rest and f"cmd_{rest[0]}" in ALL_COMMANDS and rest[0] in _SELF_NAMED:
        return (f"cmd_{rest[0]}",)
    return ALL_COMMANDS


def _plain_ls(args: list[str]) -> SimpleNamespace | None:
    """What ``[--workspace DIR] ls [PATH]``, and nothing more, parses to; None for any
    other command line. Scripts list this way, and building the parser (with argparse
    and the ``locale`` module its messages load) costs a tenth of listing 1,000
    requests."""
    rest = list(args)
    workspace = None
    if rest[:1] == ["--workspace"] and len(rest) > 1 and not rest[1].startswith("-"):
        workspace, rest = rest[1], rest[2:]
    elif rest[:1] and rest[0].startswith("--workspace="):
        workspace, rest = rest[0].partition("=")[2], rest[1:]
    if rest[:1] != ["ls"] or len(rest) > 2 or any(a.startswith("-") for a in rest[1:]):
        return None
    return SimpleNamespace(workspace=workspace, command="ls",
                           path=rest[1] if len(rest) > 1 else "")


# Commands whose module is called after them (cmd_edit holds rm and mv).
_SELF_NAMED = frozenset({"ls", "send", "run", "import", "secret", "new", "set", "export",
                         "auth", "history", "describe", "stubs"})


def _open_app(ctx: Context, launch: AppLaunch | None = None) -> int:
    try:
        from ..app import run_app
    except ModuleNotFoundError as exc:
        if exc.name in ("relaydesk.app", "relaydesk.ui"):
            raise RelaydeskError(
                "The desktop app is not part of this installation; use the subcommands "
                "(`relaydesk --help`)."
            ) from None
        if exc.name and exc.name.split(".")[0] in ("PySide6", "shiboken6", "qasync"):
            raise RelaydeskError(
                f"The desktop app needs {exc.name.split('.')[0]}: install it with "
                "`pip install 'relaydesk[gui]'`."
            ) from None
        raise
    launch = launch or AppLaunch()
    return int(run_app(ctx.workspace_dir, launch.qt_args, launch.theme))


def _message(exc: BaseException) -> str:
    if isinstance(exc, RelaydeskError):
        # What user_message returns for these; skipping its import (httpx) keeps a
        # refused command line fast.
        return str(exc) or type(exc).__name__
    try:
        from ..core.messages import user_message
    except ImportError:  # pragma: no cover - the engine ships it
        return str(exc) or type(exc).__name__
    return user_message(exc)


def _fail(text: str) -> None:
    # One line, whatever the message contains (no control characters from a server).
    from ..core.printable import printable

    line = " ".join(printable(text).split())
    print(f"{PROG}: error: {line}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    debug = env_flag(DEBUG_ENV)
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        # The app's own start does not wait for ten subcommand modules and their parsers.
        if (launch := _app_launch(argv)) is not None:
            return _open_app(Context(workspace_arg=launch.workspace), launch)
        if (plain := _plain_ls(argv)) is not None:
            from .cmd_ls import list_tree

            return list_tree(plain.path, Context(workspace_arg=plain.workspace))
        args = build_parser(_modules_for(argv)).parse_args(argv)
        ctx = Context(workspace_arg=args.workspace)
        if args.command is None:
            launch = AppLaunch()
            launch.theme = args.theme
            return _open_app(ctx, launch)
        return int(args.func(args, ctx))
    except _USAGE_ERRORS as exc:
        _fail(_message(exc))
        return 2
    except HttpStatusError as exc:  # a request saved with "raise on 4xx/5xx"
        from .cmd_send import EXIT_HTTP_ERROR

        _fail(_message(exc))
        return EXIT_HTTP_ERROR
    except RelaydeskError as exc:
        if debug:
            raise
        _fail(_message(exc))
        return 1
    except KeyboardInterrupt:
        _fail("Interrupted.")
        return 130
    except BrokenPipeError:
        # The reader went away (`relaydesk send … | head`); say nothing more.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except Exception as exc:
        if debug:
            raise
        _fail(f"{_message(exc).rstrip('.')} (set {DEBUG_ENV}=1 to see the traceback).")
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
