"""Writing an ``ImportPlan``: everything or nothing.

Every item is validated against the plan and the workspace before the first write.
The whole import holds the workspace's writers' lock. Secrets go to the keyring first
(a missing or locked keyring stops the import before any file exists). The new
connections are then written, with fresh ids and the plan's order, into a staging
folder in ``.relaydesk/staging`` (out of git's sight, swept on the next open if the
process dies), flushed to disk once, and renamed into place — one atomic rename per
connection, so a crash or a full disk never leaves half a connection behind, and
thousands of requests cost one flush instead of one per file. If anything fails, what
was written is removed, secrets included.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from .. import codec
from ..errors import AlreadyExistsError, RelaydeskError, ValidationError
from ..local_state import scratch_dir
from ..model import (
    AUTH_SECRET_FIELDS,
    join_path,
    split_path,
    validate_connection,
    validate_path,
    validate_request,
)
from ..secrets import ENVIRONMENT_OWNER, SecretStore
from ..workspace import CONNECTION_FILE, FOLDER_FILE, REQUEST_SUFFIX, Workspace
from .plan import ImportPlan, PlannedSecret

__all__ = ["apply_plan", "relocate"]


def _move(path: str, old: str, new: str) -> str:
    if path == old or path.startswith(old + "/"):
        return join_path(new, path[len(old):])
    return path


def relocate(plan: ImportPlan, into: str | None) -> ImportPlan:
    """The plan with its connections placed at ``into`` (one connection: exactly there;
    several: inside ``into`` as a prefix)."""
    if not into:
        return plan
    into = validate_path(into, "import destination")
    roots = [c.path for c in plan.connections]
    mapping = {roots[0]: into} if len(roots) == 1 else {
        r: join_path(into, r) for r in roots}

    def move(path: str) -> str:
        for old, new in mapping.items():
            moved = _move(path, old, new)
            if moved != path:
                return moved
        return path

    return replace(
        plan,
        connections=[replace(c, path=move(c.path)) for c in plan.connections],
        folders=[move(f) for f in plan.folders],
        requests=[replace(r, path=move(r.path)) for r in plan.requests],
        secrets=[PlannedSecret(move(s.owner), s.field, s.value) for s in plan.secrets],
    )


def _validate(ws: Workspace, plan: ImportPlan) -> None:
    new_conns = {c.path for c in plan.connections}
    existing = {c.path for c in ws.connections()}
    for conn in plan.connections:
        validate_connection(conn)
        if ws.kind_of(conn.path) is not None or conn.path in existing:
            raise AlreadyExistsError(
                f"'{conn.path}' already exists in the workspace; import with --into "
                "another path (or delete it first).")
        for other in existing | (new_conns - {conn.path}):
            if other.startswith(conn.path + "/") or conn.path.startswith(other + "/"):
                raise ValidationError(
                    f"'{conn.path}' would nest with the connection '{other}'; connections "
                    "cannot nest. Import with --into another path.")
        folder = ws.root.joinpath("connections", *split_path(conn.path))
        if folder.exists() and any(folder.iterdir()):
            raise AlreadyExistsError(f"{folder} already exists and is not empty.")
    owners = new_conns | existing
    seen: set[str] = set()
    folders = set(plan.folders)
    for req in plan.requests:
        validate_request(req)
        if req.path in seen or req.path in folders or req.path in owners:
            raise ValidationError(f"The import would create '{req.path}' twice.")
        seen.add(req.path)
        segs = split_path(req.path)
        if not any("/".join(segs[:i]) in new_conns for i in range(1, len(segs))):
            raise ValidationError(f"'{req.path}' is not inside a connection of the import.")
        if ws.kind_of(req.path) is not None:
            raise AlreadyExistsError(f"'{req.path}' already exists in the workspace.")
        for i in range(1, len(segs)):
            if ws.kind_of("/".join(segs[:i])) == "request" or "/".join(segs[:i]) in seen:
                raise ValidationError(f"'{'/'.join(segs[:i])}' is a request, not a folder.")
    for folder_path in plan.folders:
        validate_path(folder_path, "folder path")
    names = {e.name for e in ws.environments()}
    for env in plan.environments:
        validate_path(env.name, "environment name")
        if "/" in env.name:
            raise ValidationError(f"The environment name '{env.name}' cannot contain '/'.")
        if env.name in names:
            raise AlreadyExistsError(f"An environment named '{env.name}' already exists.")
    for secret in plan.secrets:
        if secret.owner not in owners and secret.owner not in seen and not secret.owner.startswith(
                "environments/"):
            raise ValidationError(f"A secret of the import belongs to nothing: '{secret.owner}'.")
        if not secret.owner.startswith("environments/") and secret.field not in {
                f for fs in AUTH_SECRET_FIELDS.values() for f in fs}:
            raise ValidationError(f"'{secret.field}' is not a secret field.")


def apply_plan(workspace: Workspace, secret_store: SecretStore | None, plan: ImportPlan, *,
               into: str | None = None) -> list[str]:
    """Write ``plan`` (relocated to ``into``); returns the notes for the user.

    Raises a ``RelaydeskError`` and leaves workspace and keyring as they were when
    anything cannot be written.
    """
    with workspace.transaction():
        return _apply(workspace, secret_store, relocate(plan, into))


def _apply(workspace: Workspace, secret_store: SecretStore | None, plan: ImportPlan
           ) -> list[str]:
    _validate(workspace, plan)
    if plan.secrets and secret_store is None:
        raise ValidationError("The import holds secrets but no keyring is available to "
                              "store them; nothing was imported.")
    plan = _with_ids(plan)
    ids = _owner_ids(workspace, plan)
    stored: list[tuple[str, PlannedSecret]] = []
    placed: list[Path] = []
    envs: list[str] = []
    stage = scratch_dir(workspace.root, "staging") / f"import-{uuid.uuid4().hex}"
    try:
        # Secrets are keyed by the id of the item that owns them, which the new files
        # carry: stored first, so a failure below takes them out again.
        item_secrets = [s for s in plan.secrets if not s.owner.startswith(ENVIRONMENT_OWNER)]
        for secret in item_secrets:
            assert secret_store is not None
            owner_id = ids[secret.owner]
            secret_store.set_owned(owner_id, secret.field, secret.value)
            stored.append((owner_id, secret))
        _stage(stage, plan)
        for conn in plan.connections:
            target = workspace.root.joinpath("connections", *split_path(conn.path))
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.is_dir():
                target.rmdir()  # validated empty
            workspace.mark_changed()
            os.replace(stage.joinpath(*split_path(conn.path)), target)
            placed.append(target)
        for env in plan.environments:
            saved_env = workspace.save_environment(env)
            envs.append(env.name)
            for secret in plan.secrets:  # secret variables, keyed by the saved id
                if secret.owner == f"{ENVIRONMENT_OWNER}{env.name}":
                    assert secret_store is not None
                    secret_store.set_owned(saved_env.id, secret.field, secret.value)
                    stored.append((saved_env.id, secret))
    except (RelaydeskError, OSError) as exc:
        for target in placed:
            shutil.rmtree(target, ignore_errors=True)
        for name in envs:
            (workspace.root / "environments" / f"{name}.json").unlink(missing_ok=True)
        _forget(secret_store, stored)
        if isinstance(exc, OSError):
            raise RelaydeskError(f"The import could not be written ({exc.strerror or exc}); "
                                 "nothing was imported.") from None
        raise
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    workspace.reload()
    notes = list(plan.notes)
    notes += [f"Stored the {s.field} of '{s.owner}' in the system keyring; no workspace "
              "file contains it." for _id, s in stored]
    return notes


def _orders(plan: ImportPlan, owners: set[str]) -> dict[str, list[str]]:
    """Each container's children in the order the plan lists them (a folder goes where
    its first request is)."""
    orders: dict[str, list[str]] = {}

    def add(paths: Iterable[str]) -> None:
        for path in paths:
            segs = split_path(path)
            for i in range(len(segs) - 1, 0, -1):
                container = "/".join(segs[:i])
                names = orders.setdefault(container, [])
                if segs[i] not in names:
                    names.append(segs[i])
                if container in owners:
                    break

    add(r.path for r in plan.requests)
    add(plan.folders)
    return orders


def _stage(stage: Path, plan: ImportPlan) -> None:
    """Write every file of the new connections under ``stage`` in the workspace's own
    layout, then flush them to disk in one go."""
    written: list[tuple[Path, bytes]] = []

    def write(path: Path, doc: dict[str, object]) -> None:
        written.append((path, codec.dumps(doc).encode("utf-8")))

    owners = {c.path for c in plan.connections}
    orders = _orders(plan, owners)
    for conn in plan.connections:
        write(stage.joinpath(*split_path(conn.path), CONNECTION_FILE),
              codec.connection_to_doc(conn, orders.get(conn.path)))
    folders = set(plan.folders)
    for req in plan.requests:  # every folder a request sits in gets its folder.json
        segs = split_path(req.path)
        for i in range(1, len(segs)):
            if "/".join(segs[:i]) in owners:
                folders.update("/".join(segs[:j]) for j in range(i + 1, len(segs)))
                break
    for folder in sorted(folders):
        write(stage.joinpath(*split_path(folder), FOLDER_FILE),
              codec.folder_to_doc(uuid.uuid4().hex, orders.get(folder, [])))
    for req in plan.requests:
        segs = split_path(req.path)
        write(stage.joinpath(*segs[:-1], segs[-1] + REQUEST_SUFFIX),
              codec.request_to_doc(req))
    for directory in sorted({path.parent for path, _ in written}):
        directory.mkdir(parents=True, exist_ok=True)
    # File creation waits on the file system, not on Python (the GIL is released), so
    # a few threads overlap it.
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda item: item[0].write_bytes(item[1]), written))
    _flush([path for path, _ in written])


def _flush(files: list[Path]) -> None:
    if hasattr(os, "sync"):
        os.sync()  # one flush for thousands of files
        return
    for path in files:  # pragma: no cover - Windows has no os.sync
        with open(path, "rb+") as fh:
            os.fsync(fh.fileno())


def _with_ids(plan: ImportPlan) -> ImportPlan:
    """The plan with a fresh id on every new connection and request (the files carry
    them, so secrets can be keyed by them before the files are in place)."""
    def fresh() -> str:
        return uuid.uuid4().hex

    return replace(
        plan,
        connections=[replace(c, id=c.id or fresh()) for c in plan.connections],
        requests=[replace(r, id=r.id or fresh()) for r in plan.requests])


def _owner_ids(workspace: Workspace, plan: ImportPlan) -> dict[str, str]:
    """The id of every item a planned secret may belong to, by its path."""
    ids = {c.path: c.id for c in plan.connections}
    ids.update((r.path, r.id) for r in plan.requests)
    for secret in plan.secrets:
        if secret.owner not in ids and not secret.owner.startswith(ENVIRONMENT_OWNER):
            # an item already in the workspace
            ids[secret.owner] = workspace.id_of(secret.owner)
    return ids


def _forget(store: SecretStore | None, stored: list[tuple[str, PlannedSecret]]) -> None:
    for owner_id, secret in stored:
        try:
            if store is not None:
                store.delete_owned(owner_id, (secret.field,))
        except RelaydeskError:
            pass
