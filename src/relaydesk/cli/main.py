"""The `relaydesk` command: argument parsing, dispatch, and the one error funnel.

Every failure ends as one line on stderr (``relaydesk: error: …``) and a non-zero
status: 2 for a command line or value that cannot be accepted, 1 for anything else,
22 for ``send --fail`` on a 4xx/5xx (curl's convention), 130 on Ctrl+C. Tracebacks
appear only with ``RELAYDESK_DEBUG=1``. Subcommand modules import their heavy
dependencies (httpx, the engine) inside their handlers so startup stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

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
    from typing import Any, NoReturn

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


class _Formatter(argparse.HelpFormatter):
    """argparse's help layout, sized without ``shutil`` (argparse makes a formatter for
    every option it adds, and ``shutil`` loads lzma and bz2: a tenth of `relaydesk ls`)."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position,
                         width if width is not None else _columns() - 2)


def _columns() -> int:
    """What ``shutil.get_terminal_size().columns`` says: $COLUMNS, the terminal, or 80."""
    try:
        if (columns := int(os.environ["COLUMNS"])) > 0:
            return columns
    except (KeyError, ValueError):
        pass
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 80


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad command line is one line of text, not usage + error."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        hint = f" (see `{self.prog} --help`)"
        raise UsageError(message[:1].upper() + message[1:].rstrip(".") + hint + ".")


class _VersionAction(argparse.Action):
    """``--version``, reading the package metadata only when asked (it is slow to load)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        from .._version import __version__

        print(f"{PROG} {__version__}")
        parser.exit()


def build_parser(modules: Sequence[str] = ALL_COMMANDS) -> argparse.ArgumentParser:
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


def _plain_ls(args: list[str]) -> argparse.Namespace | None:
    """What ``[--workspace DIR] ls [PATH]``, and nothing more, parses to; None for any
    other command line. Scripts list this way, and building the parser (with the
    ``locale`` module its messages load) costs a tenth of listing 1,000 requests."""
    rest = list(args)
    workspace = None
    if rest[:1] == ["--workspace"] and len(rest) > 1 and not rest[1].startswith("-"):
        workspace, rest = rest[1], rest[2:]
    elif rest[:1] and rest[0].startswith("--workspace="):
        workspace, rest = rest[0].partition("=")[2], rest[1:]
    if rest[:1] != ["ls"] or len(rest) > 2 or any(a.startswith("-") for a in rest[1:]):
        return None
    return argparse.Namespace(workspace=workspace, command="ls",
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
        if (args := _plain_ls(argv)) is not None:
            from .cmd_ls import run as run_ls

            return run_ls(args, Context(workspace_arg=args.workspace))
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
