"""What every subcommand shares: the core session, argument helpers, output.

The CLI is a face over ``relaydesk.core.session.Session``: the workspace, the keyring
(opened only when a command needs a secret), the engine, OAuth tokens and history all
come from it. Nothing here imports httpx or the engine, so `relaydesk ls` and friends
start fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path

from ..core.errors import RelaydeskError

TYPE_CHECKING = False  # typing is not imported at run time (`relaydesk ls`)
if TYPE_CHECKING:
    import argparse
    from dataclasses import dataclass as _record
    from dataclasses import field
    from typing import Any

    from ..core.engine import Engine
    from ..core.history import History
    from ..core.model import AuthSettings
    from ..core.secrets import SecretStore
    from ..core.session import Session
    from ..core.workspace import Workspace
else:  # a dataclass at a third of the cost to define (see _model_class)
    from ..core._model_class import field
    from ..core._model_class import model_class as _record

__all__ = [
    "Context",
    "UsageError",
    "add_workspace_option",
    "auth_owner",
    "engine_session",
    "env_flag",
    "open_history",
    "parse_header",
    "parse_pairs",
    "read_source",
    "require_any",
    "say",
]


class UsageError(RelaydeskError):
    """A command line that cannot be understood (exit status 2)."""


def say(message: str) -> None:
    """A diagnostic for people: always on stderr so stdout stays clean for pipes."""
    print(message, file=sys.stderr, flush=True)


@_record
class Context:
    """Per-invocation state, built from the global options."""

    workspace_arg: str | None = None
    _session: Session | None = field(default=None, repr=False)

    @property
    def workspace_dir(self) -> Path:
        from ..core.workspace import resolve_workspace_dir

        return resolve_workspace_dir(self.workspace_arg)

    def session(self, *, create: bool = False) -> Session:
        """The core session; reading commands never create a workspace as a side effect."""
        if self._session is None:
            from ..core.session import Session

            self._session = Session.open(self.workspace_dir, create=create,
                                         history_source="cli")
        return self._session

    def workspace(self, *, create: bool = False) -> Workspace:
        return self.session(create=create).workspace

    def secrets(self) -> SecretStore:
        """The session's keyring store, opened now: a command that needs a secret fails
        on a missing keyring before it changes anything."""
        store = self.session().secrets
        store.backend  # noqa: B018 - opens the keyring (or raises its clear error)
        return store


def auth_owner(ws: Workspace, path: str) -> tuple[str, AuthSettings]:
    """The item whose auth settings a secret of ``path`` belongs to, and those settings."""
    from ..core.secret_owners import auth_owner_of

    return auth_owner_of(ws, path)


def parse_pairs(values: Iterable[str] | None, option: str) -> list[tuple[str, str]]:
    """``K=V`` arguments, in order; an entry without ``=`` is a usage error."""
    pairs: list[tuple[str, str]] = []
    for item in values or ():
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"{option} expects NAME=VALUE, got '{item}'.")
        pairs.append((name.strip(), value))
    return pairs


def parse_header(text: str) -> tuple[str, str]:
    name, sep, value = text.partition(":")
    if not sep or not name.strip():
        raise UsageError(f"--header expects 'Name: value', got '{text}'.")
    return name.strip(), value.strip()


def read_source(source: str, what: str, limit: int = 200 * 1024 * 1024) -> str:
    """The text of a file, or of standard input for ``-``, as one clear error if unreadable."""
    from ..core.bounded_read import TooLarge, as_text, read_capped, read_stream_capped

    if source == "-":
        if sys.stdin is None or sys.stdin.isatty():
            raise UsageError(f"{what} is '-' but nothing is piped into standard input.")
        try:  # bounded: a pipe has no size to check first
            raw = getattr(sys.stdin, "buffer", None)
            if raw is None:  # a text stream put in place by a caller or a test
                text = sys.stdin.read(limit + 1)
                if len(text) > limit:
                    raise TooLarge(limit)
                return text
            return as_text(read_stream_capped(raw, limit))
        except TooLarge as exc:
            raise UsageError(f"Cannot read {what} from standard input: it is too large "
                             f"({exc.describe()}).") from None
        except UnicodeDecodeError:
            raise UsageError(f"Cannot read {what} from standard input: it is not UTF-8 "
                             "text.") from None
    path = Path(source).expanduser()
    try:  # the size checked before reading: a 3 GB file never reaches memory
        return as_text(read_capped(path, limit))
    except TooLarge as exc:
        raise UsageError(f"Cannot read {what} '{source}': it is too large "
                         f"({exc.describe()}).") from None
    except FileNotFoundError:
        raise UsageError(f"Cannot read {what} '{source}': no such file.") from None
    except IsADirectoryError:
        raise UsageError(f"Cannot read {what} '{source}': it is a directory.") from None
    except UnicodeDecodeError:
        raise UsageError(f"Cannot read {what} '{source}': it is not UTF-8 text.") from None
    except OSError as exc:
        raise UsageError(f"Cannot read {what} '{source}': {exc.strerror or exc}.") from None


def add_workspace_option(parser: argparse.ArgumentParser, *, top: bool) -> None:
    """``--workspace`` before or after the subcommand; the subcommand's copy never hides
    a value given before it."""
    import argparse

    parser.add_argument(
        "--workspace", metavar="DIR",
        default=None if top else argparse.SUPPRESS,
        help="workspace folder (default: $RELAYDESK_WORKSPACE, else the user data folder)",
    )


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")


def require_any(value: Any, message: str) -> Any:
    if not value:
        raise UsageError(message)
    return value


def open_history() -> History | None:
    """The user's history database (``$RELAYDESK_HISTORY`` or the data folder), or
    ``None`` when it is turned off or cannot be opened (a note says why)."""
    from ..core.history import History, default_history_path

    path = default_history_path()
    if path is None:
        return None
    try:
        return History(path)
    except RelaydeskError as exc:
        say(f"relaydesk: note: history is not recorded: {exc}")
        return None


@asynccontextmanager
async def engine_session(secrets: SecretStore | None, *, history_source: str | None = None,
                         session: Session | None = None) -> AsyncIterator[Engine]:
    """The engine for one command, closed on the way out: the workspace session's
    (``session``), or for a request that belongs to no workspace one of its own over
    ``secrets``. With ``history_source`` every exchange (OAuth retries included) is
    recorded in the history under that label."""
    if session is not None:
        session.record_history_as(history_source)
        try:
            yield session.engine
        finally:
            await session.aclose()
        return
    from ..core.session import one_off_engine

    history = open_history() if history_source else None
    try:
        engine = one_off_engine(secrets, on_exchange=history.observer(history_source)
                                if history and history_source else None)
        try:
            yield engine
        finally:
            await engine.aclose()
    finally:
        if history is not None:
            history.close()
