"""Secrets live in the operating system's keyring, and only there.

A ``SecretStore`` is handed its keyring backend (tests pass an in-memory one; the app
passes the system's). Entries are keyed by workspace id, the path of the item that
owns the auth settings, and the field name, so two workspaces never share a secret.
There is deliberately no plaintext fallback: without a usable keyring every call
raises ``SecretStoreError`` with a message that says what to do.
"""

from __future__ import annotations

import contextlib
from typing import Any

from .errors import SecretStoreError

__all__ = ["SERVICE", "SecretStore", "system_keyring"]

SERVICE = "relaydesk"

_NO_KEYRING = (
    "No usable system keyring was found, so secrets cannot be stored or read. Start a "
    "Secret Service (e.g. install and unlock gnome-keyring or KWallet; on a headless "
    "machine run under `dbus-run-session` with `gnome-keyring-daemon --unlock`). "
    "Relaydesk never falls back to storing secrets in plain files."
)
_LOCKED = (
    "The system keyring is locked. Unlock it (log in to your desktop session, or run "
    "`gnome-keyring-daemon --unlock`) and try again."
)

# Backends that would quietly write secrets to disk in clear text.
_PLAINTEXT_BACKENDS = {"PlaintextKeyring", "UncryptedFileKeyring", "EncryptedKeyring"}


def system_keyring() -> Any:
    """The keyring backend the OS offers, or an error explaining that there is none."""
    try:
        import keyring
        from keyring.backends import fail
    except ImportError as exc:  # pragma: no cover - keyring is a hard dependency
        raise SecretStoreError(_NO_KEYRING) from exc
    backend = keyring.get_keyring()
    _check_backend(backend, fail)
    return backend


def _check_backend(backend: Any, fail: Any) -> None:
    if isinstance(backend, fail.Keyring):
        raise SecretStoreError(_NO_KEYRING)
    chained = getattr(backend, "backends", None)
    names = [type(b).__name__ for b in chained] if chained is not None else [type(backend).__name__]
    if chained is not None and not chained:
        raise SecretStoreError(_NO_KEYRING)
    if any(n in _PLAINTEXT_BACKENDS for n in names):
        raise SecretStoreError(
            "The configured keyring backend stores secrets in a plain file "
            f"({', '.join(names)}); Relaydesk refuses it. Configure a system keyring."
        )


class SecretStore:
    def __init__(self, backend: Any, workspace_id: str) -> None:
        self._backend = backend
        self._workspace_id = workspace_id

    def _key(self, owner_path: str, field: str) -> str:
        return f"{self._workspace_id}/{owner_path.strip('/')}#{field}"

    @property
    def available(self) -> bool:
        return self._backend is not None

    @property
    def backend(self) -> Any:
        if self._backend is None:
            raise SecretStoreError(_NO_KEYRING)
        return self._backend

    def _call(self, fn: Any, *args: Any) -> Any:
        try:
            from keyring.errors import KeyringError, KeyringLocked, NoKeyringError
        except ImportError:  # pragma: no cover
            raise SecretStoreError(_NO_KEYRING) from None
        try:
            return fn(*args)
        except KeyringLocked:
            raise SecretStoreError(_LOCKED) from None
        except NoKeyringError:
            raise SecretStoreError(_NO_KEYRING) from None
        except KeyringError as exc:
            if "lock" in str(exc).lower():
                raise SecretStoreError(_LOCKED) from None
            raise SecretStoreError(f"The system keyring failed: {exc}") from None
        except Exception as exc:  # D-Bus errors surface as assorted exception types
            text = str(exc).lower()
            if "lock" in text or "dismissed" in text:
                raise SecretStoreError(_LOCKED) from None
            raise SecretStoreError(f"The system keyring failed: {exc}") from None

    def get(self, owner_path: str, field: str) -> str | None:
        value = self._call(self.backend.get_password, SERVICE, self._key(owner_path, field))
        return value if value is None else str(value)

    def has(self, owner_path: str, field: str) -> bool:
        return self.get(owner_path, field) is not None

    def set(self, owner_path: str, field: str, value: str) -> None:
        self._call(self.backend.set_password, SERVICE, self._key(owner_path, field), value)

    def delete(self, owner_path: str, field: str) -> None:
        """Forget a secret; deleting one that is not there is not an error."""
        from keyring.errors import PasswordDeleteError

        backend = self.backend

        def delete() -> None:
            with contextlib.suppress(PasswordDeleteError):
                backend.delete_password(SERVICE, self._key(owner_path, field))

        self._call(delete)

    def move(self, old_path: str, new_path: str, fields: tuple[str, ...]) -> None:
        """Carry secrets along when an item is renamed or moved."""
        for f in fields:
            value = self.get(old_path, f)
            if value is not None:
                self.set(new_path, f, value)
                self.delete(old_path, f)
