"""Import → export → import gives the same requests (Postman, HAR, .http)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from relaydesk.core.exporters import export_collection
from relaydesk.core.importers import apply_plan, plan_import
from relaydesk.core.secrets import SecretStore
from relaydesk.core.workspace import Workspace
from tests.unit.core.test_importers import DATA, HAR, HTTP_FILE


def _requests(ws: Workspace, store: SecretStore, root: str) -> list[dict[str, Any]]:
    out = []
    for req in ws.requests(root):
        rel = req.path[len(root) + 1:]
        owner = req.path if req.auth is not None else ws.connection_of(req.path).path
        auth = req.auth or ws.connection_of(req.path).auth
        secrets = {f: store.get(owner, f) for f in ("password", "token", "value",
                                                     "client_secret")}
        out.append({"path": rel, "method": req.method, "url": req.url, "params": req.params,
                    "headers": req.headers, "cookies": req.cookies, "body": req.body,
                    "auth": auth, "secrets": secrets, "description": req.description})
    return out


@pytest.mark.parametrize(("fmt", "text", "root"), [
    ("postman", (DATA / "postman_v21.json").read_text(), "echo"),
    ("har", json.dumps(HAR), "app.example.com"),
    ("http", HTTP_FILE, "notes"),
])
def test_round_trip(fmt: str, text: str, root: str, tmp_path: Path,
                    memory_keyring: Any) -> None:
    first = Workspace.open(tmp_path / "one")
    store1 = SecretStore.for_workspace(memory_keyring, first)
    apply_plan(first, store1, plan_import(fmt, text, f"in.{fmt}"),
               into=root if fmt == "postman" else None)
    if fmt == "http":
        root = first.connections()[0].path
    exported = export_collection(fmt, first, root, store1, include_secrets=True)
    second = Workspace.open(tmp_path / "two")
    store2 = SecretStore.for_workspace(memory_keyring, second)
    apply_plan(second, store2, plan_import(fmt, exported, f"out.{fmt}"),
               into=root if fmt != "har" else None)
    assert _requests(second, store2, root) == _requests(first, store1, root)


def test_exports_leave_secrets_out_by_default(workspace: Workspace,
                                              secret_store: SecretStore) -> None:
    apply_plan(workspace, secret_store, plan_import(
        "postman", (DATA / "postman_v21.json").read_text()), into="echo")
    for fmt in ("postman", "har", "http"):
        text = export_collection(fmt, workspace, "echo", secret_store)
        for secret in ("coll-token-123", "folder-pass-456", "qkey-789", "hkey-321"):
            assert secret not in text, (fmt, secret)
    postman = json.loads(export_collection("postman", workspace, "echo", secret_store))
    assert postman["auth"] == {"type": "bearer", "bearer": [
        {"key": "token", "value": "{{token}}", "type": "string"}]}
