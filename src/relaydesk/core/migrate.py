"""Migrating a format 1 workspace to format 2, on open and under the writers' lock.

Steps, each safe to redo: (1) copy the v1 files to ``.relaydesk/backup-v1-<UTC time>/``
(written under a ``.partial`` name and renamed once complete; a complete backup is
never made twice); (2) write an id into every connection, folder, request and
environment file that has none, and seed the ``"order"`` of connections and folders
from the order v1 showed (folders first, then requests, by name); (3) record which
v1 path each id had in ``.relaydesk/v1-secret-owners.json`` (secrets were keyed by
path in v1); (4) add ``.relaydesk/`` to ``.gitignore``; (5) bump the manifest to
format 2 — last, so a crash anywhere before makes the next open redo the rest.
A file that cannot be read is left exactly as it is (the loader reports it).
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import codec
from .errors import RelaydeskError
from .fileio import atomic_write_text
from .local_state import LOCAL_DIR, ensure_gitignore, temp_dir

__all__ = ["LEGACY_OWNERS", "migrate_v1", "read_legacy_owners", "write_legacy_owners"]

LEGACY_OWNERS = "v1-secret-owners.json"
_BACKUP_PREFIX = "backup-v1-"
_SUFFIX = ".request.json"
_PARSERS: dict[str, Any] = {
    "connection": lambda doc: codec.connection_from_doc("x", doc),
    "request": lambda doc: codec.request_from_doc("x/y", doc),
    "environment": lambda doc: codec.environment_from_doc("x", doc),
    "folder": codec.folder_from_doc,
}


def _new_id() -> str:
    return uuid.uuid4().hex


def _backup(root: Path) -> None:
    local = root / LOCAL_DIR
    local.mkdir(exist_ok=True)
    done = [p for p in local.iterdir() if p.name.startswith(_BACKUP_PREFIX)
            and not p.name.endswith(".partial")]
    for partial in local.glob(f"{_BACKUP_PREFIX}*.partial"):
        shutil.rmtree(partial, ignore_errors=True)
    if done:
        return
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    partial = local / f"{_BACKUP_PREFIX}{stamp}.partial"
    partial.mkdir()
    for name in ("relaydesk.json", "connections", "environments"):
        source = root / name
        if source.is_dir():
            shutil.copytree(source, partial / name,
                            ignore=shutil.ignore_patterns(".*.tmp", ".import-*"))
        elif source.is_file():
            shutil.copy2(source, partial / name)
    os.rename(partial, local / f"{_BACKUP_PREFIX}{stamp}")


class _Migration:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.owners: dict[str, str] = {}
        self.temp = temp_dir(root)

    def item(self, file: Path, kind: str, order: list[str] | None = None) -> str:
        """Give the file at ``file`` an id (and a seeded order); returns the id, or ""
        when the file is missing or broken (it is then left untouched)."""
        try:
            doc = json.loads(file.read_text(encoding="utf-8"))
            _PARSERS[kind](doc)
        except FileNotFoundError:
            if kind != "folder":
                return ""
            doc = {"format": codec.FORMAT_VERSION, "kind": "folder"}
        except (OSError, ValueError, RelaydeskError):
            return ""
        item_id = doc.get("id") or _new_id()
        new = {"format": codec.FORMAT_VERSION, "kind": kind, "id": item_id}
        new.update((k, v) for k, v in doc.items() if k not in new)
        if order is not None and "order" not in doc:
            new["order"] = order
        if new != doc or list(new) != list(doc):
            atomic_write_text(file, codec.dumps(new), temp_dir=self.temp)
        return str(item_id)

    def tree(self, directory: Path, prefix: str) -> None:
        for sub in sorted(p for p in directory.iterdir() if p.is_dir()):
            if sub.name.startswith("."):
                continue
            path = f"{prefix}/{sub.name}" if prefix else sub.name
            if (sub / "connection.json").is_file():
                conn_id = self.item(sub / "connection.json", "connection", self.items(sub, path))
                if conn_id:
                    self.owners[conn_id] = path
            else:
                self.tree(sub, path)

    def items(self, directory: Path, prefix: str) -> list[str]:
        """Migrate the items inside ``directory``; returns their names in v1's order."""
        with os.scandir(directory) as it:
            entries = sorted(it, key=lambda e: e.name)
        folders, requests = [], []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir():
                folder = Path(entry.path)
                self.item(folder / "folder.json", "folder",
                          self.items(folder, f"{prefix}/{entry.name}"))
                folders.append(entry.name)
            elif entry.name.endswith(_SUFFIX):
                name = entry.name[: -len(_SUFFIX)]
                req_id = self.item(Path(entry.path), "request")
                if req_id:
                    self.owners[req_id] = f"{prefix}/{name}"
                requests.append(name)
        return folders + requests

    def environments(self) -> None:
        env_dir = self.root / "environments"
        if env_dir.is_dir():
            for file in sorted(env_dir.glob("*.json")):
                env_id = self.item(file, "environment")
                if env_id:
                    # v1 kept an environment's secrets under this owner path
                    self.owners[env_id] = f"environments/{file.stem}"


def read_legacy_owners(root: Path) -> dict[str, str]:
    try:
        doc = json.loads((root / LOCAL_DIR / LEGACY_OWNERS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(doc, dict):
        return {}
    return {k: v for k, v in doc.items() if isinstance(k, str) and isinstance(v, str)}


def write_legacy_owners(root: Path, owners: dict[str, str]) -> None:
    file = root / LOCAL_DIR / LEGACY_OWNERS
    if not owners:
        file.unlink(missing_ok=True)
        return
    atomic_write_text(file, json.dumps(owners, indent=2, sort_keys=True) + "\n",
                      temp_dir=temp_dir(root))


def migrate_v1(root: Path, manifest: dict[str, Any]) -> None:
    """Bring the v1 workspace at ``root`` to format 2 (call while holding the lock)."""
    _backup(root)
    migration = _Migration(root)
    connections = root / "connections"
    if connections.is_dir():
        migration.tree(connections, "")
    migration.environments()
    write_legacy_owners(root, {**read_legacy_owners(root), **migration.owners})
    ensure_gitignore(root)
    # The workspace id is kept as it is: the keyring's entries are filed under it.
    bumped = {**manifest, "format": codec.FORMAT_VERSION}
    atomic_write_text(root / "relaydesk.json", codec.dumps(bumped), temp_dir=temp_dir(root))
