"""The command line's parser classes: argparse, loaded only when a command line is
parsed (`relaydesk ls` and the app's own start skip it: see ``main``)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from ._common import UsageError
from .main import PROG

TYPE_CHECKING = False  # typing is not imported at run time
if TYPE_CHECKING:
    from typing import Any, NoReturn

__all__ = ["_Formatter", "_Parser", "_VersionAction"]


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
