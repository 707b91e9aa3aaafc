"""Secrets live in the operating system's keyring, and only there.

A ``SecretStore`` is handed its keyring backend (tests pass an in-memory one; the app
passes the system's), or a factory that opens it on first use (a CLI command that
needs no secret never touches the keyring). Callers name the owner of a secret by its
workspace path; ``key_of`` turns that path into the owner's stable id, so an entry is
keyed by workspace id, item id and field: a rename or move writes nothing to the
keyring, and a new item created where an old one was never inherits its secrets.
Without ``key_of`` (one-off stores), and for an owner outside the workspace, the
path itself is the key.
There is deliberately no plaintext fallback: without a usable keyring every call
raises ``SecretStoreError`` with a message that says what to do.
An entry may hold a reference (``env:``, ``pass:``, ``cmd:``; see ``secret_refs``)
instead of a value: ``get`` resolves it each time, and never stores what it got.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .errors import NotFoundError, SecretStoreError
from .secret_refs import REF_MARKER, SecretRef, decode_ref, resolve_ref

__all__ = [
    "ENVIRONMENT_OWNER",
    "OAUTH_TOKENS_FIELD",
    "SERVICE",
    "OwnerKey",
    "SecretStore",
    "system_keyring",
]

SERVICE = "relaydesk"
# The keyring field holding an OAuth 2.0 owner's token set (one JSON blob).
OAUTH_TOKENS_FIELD = "oauth_tokens"
# Owner paths of environments' secret variables: ``environments/<name>``.
ENVIRONMENT_OWNER = "environments/"

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


# Maps an owner's workspace path to its stable id; None when no such item exists.
OwnerKey = Callable[[str], str | None]


class SecretStore:
    def __init__(self, backend: Any, workspace_id: str, *, key_of: OwnerKey | None = None,
                 backend_factory: Callable[[], Any] | None = None) -> None:
        self._backend = backend
        self._backend_factory = backend_factory
        self._workspace_id = workspace_id
        self._key_of = key_of

    @classmethod
    def for_workspace(cls, backend: Any, workspace: Any, *,
                      backend_factory: Callable[[], Any] | None = None) -> SecretStore:
        """A store for the items of ``workspace``, keyed by their ids."""
        def key_of(path: str) -> str | None:
            try:
                if path.startswith(ENVIRONMENT_OWNER):  # an environment's secret variable
                    return str(workspace.environment(path[len(ENVIRONMENT_OWNER):]).id)
                return str(workspace.id_of(path))
            except NotFoundError:
                return None

        return cls(backend, workspace.id, key_of=key_of, backend_factory=backend_factory)

    def _raw_key(self, owner: str, field: str) -> str:
        return f"{self._workspace_id}/{owner.strip('/')}#{field}"

    def _key(self, owner_path: str, field: str) -> str:
        # An owner outside the workspace (a one-off request) is keyed by its path; a
        # workspace item always by its id, so it never sees an entry keyed by a path.
        item_id = self._key_of(owner_path) if self._key_of is not None else None
        return self._raw_key(owner_path if item_id is None else f"@{item_id}", field)

    @property
    def available(self) -> bool:
        return self._backend is not None or self._backend_factory is not None

    @property
    def backend(self) -> Any:
        if self._backend is None and self._backend_factory is not None:
            self._backend = self._backend_factory()  # raises SecretStoreError when unusable
            self._backend_factory = None
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
        value = self._get_raw(self._key(owner_path, field))
        if value is not None and value.startswith(REF_MARKER):
            ref = decode_ref(value)
            if ref is not None:
                return resolve_ref(ref, owner=owner_path, field=field)
        return value

    def has(self, owner_path: str, field: str) -> bool:
        # Saying whether a secret is set never runs a reference's command.
        return self._get_raw(self._key(owner_path, field)) is not None

    def reference(self, owner_path: str, field: str) -> SecretRef | None:
        """The reference saved for a field, or None (no entry, or a plain value)."""
        value = self._get_raw(self._key(owner_path, field))
        return decode_ref(value) if value is not None else None

    def set_reference(self, owner_path: str, field: str, ref: SecretRef) -> None:
        self.set(owner_path, field, ref.stored())

    def set(self, owner_path: str, field: str, value: str) -> None:
        self._call(self.backend.set_password, SERVICE, self._key(owner_path, field), value)

    def delete(self, owner_path: str, field: str) -> None:
        """Forget a secret; deleting one that is not there is not an error."""
        self._delete_raw(self._key(owner_path, field))

    def set_owned(self, item_id: str, field: str, value: str) -> None:
        """Store a secret of an item by its id (an import, before the item is readable)."""
        self._call(self.backend.set_password, SERVICE, self._raw_key(f"@{item_id}", field),
                   value)

    def delete_owned(self, item_id: str, fields: Iterable[str]) -> None:
        """Forget the secrets of an item by its id (it may be gone from the workspace)."""
        for f in fields:
            self._delete_raw(self._raw_key(f"@{item_id}", f))

    def adopt_legacy(self, owners: Mapping[str, str], fields: Iterable[str]) -> None:
        """Move entries of a format-1 workspace (keyed by path) to their owners' ids."""
        names = tuple(fields)
        for item_id, old_path in owners.items():
            for f in names:
                old_key = self._raw_key(old_path, f)
                value = self._get_raw(old_key)
                if value is not None:
                    self._call(self.backend.set_password, SERVICE,
                               self._raw_key(f"@{item_id}", f), value)
                    self._delete_raw(old_key)

    def _get_raw(self, key: str) -> str | None:
        value = self._call(self.backend.get_password, SERVICE, key)
        return value if value is None else str(value)

    def _delete_raw(self, key: str) -> None:
        from keyring.errors import PasswordDeleteError

        backend = self.backend

        def delete() -> None:
            with contextlib.suppress(PasswordDeleteError):
                backend.delete_password(SERVICE, key)

        self._call(delete)
