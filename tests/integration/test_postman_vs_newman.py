"""A Postman collection imported into Relaydesk sends what newman sends.

The collection in ``tests/data/imports/postman_v21.json`` (folders, collection
variables, auth inherited from the collection and from a folder, a request opting out
with ``noauth``, API keys in header and query, every body mode: raw JSON, raw text,
urlencoded, form-data, GraphQL) is run by newman — Postman's own runner, from npm —
against the loopback echo server, then imported and sent request by request with
Relaydesk's engine. The server's view must agree: method, raw path, raw query, headers
(less each runner's own User-Agent/Accept/Accept-Encoding/Connection, and newman's
Postman-Token/Cache-Control), body bytes; multipart compared part by part; urlencoded
bodies compared as decoded pairs (newman writes a space as %20, Relaydesk as +, the
two spellings the form encoding allows) and JSON bodies as parsed values (the workspace
stores a JSON body as structured JSON, so its indentation is Relaydesk's own).

newman comes from ``~/.cache/relaydesk-node`` (``npm install --prefix
~/.cache/relaydesk-node newman@6``); without node/newman the test is skipped.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

from relaydesk.core.engine import Engine
from relaydesk.core.importers import apply_plan, plan_import
from relaydesk.core.secrets import SecretStore
from relaydesk.core.workspace import Workspace
from tests.integration.clitools import requires_secret_service
from tests.integration.newman_tools import find_newman
from tests.integration.snippet_harness import normalise

DATA = Path(__file__).parent.parent / "data" / "imports" / "postman_v21.json"
NEWMAN_HEADERS = {"postman-token", "cache-control"}


def _semantic(echo: dict[str, Any]) -> dict[str, Any]:
    result = normalise(echo, drop=NEWMAN_HEADERS)
    ctype = next((v for k, v in echo["headers"] if k == "content-type"), "")
    if ctype.startswith("application/x-www-form-urlencoded"):
        result["body"] = parse_qsl(result["body"].decode(), keep_blank_values=True)
    elif ctype.startswith("application/json"):
        result["body"] = json.loads(result["body"])
    return result


def _newman_executions(newman: str, collection: Path, out: Path) -> list[dict[str, Any]]:
    """What `newman run` did, request by request in its order (its JSON report)."""
    proc = subprocess.run([newman, "run", str(collection), "--reporters", "json",
                           "--reporter-json-export", str(out)], capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    executions: list[dict[str, Any]] = json.loads(out.read_text())["run"]["executions"]
    return executions


def _run_newman(newman: str, collection: Path, out: Path) -> dict[str, dict[str, Any]]:
    """What the echo server answered newman, by request name."""
    return {e["item"]["name"]: json.loads(bytes(e["response"]["stream"]["data"]))
            for e in _newman_executions(newman, collection, out)}


@pytest.fixture
def newman_collection(tmp_path: Path, echo_server: str) -> tuple[str, Path, str]:
    """newman, and the test collection pointed at the echo server (its path and text)."""
    newman = find_newman()
    if newman is None:
        pytest.skip("newman is not installed (npm install --prefix ~/.cache/relaydesk-node "
                    "newman@6)")
    text = DATA.read_text().replace("http://127.0.0.1:1", echo_server)
    collection = tmp_path / "collection.json"
    collection.write_text(text)
    return newman, collection, text


async def test_imported_collection_sends_what_newman_sends(
    tmp_path: Path, memory_keyring: Any, newman_collection: tuple[str, Path, str],
) -> None:
    newman, collection, text = newman_collection
    by_newman = _run_newman(newman, collection, tmp_path / "report.json")

    ws = Workspace.open(tmp_path / "ws")
    store = SecretStore.for_workspace(memory_keyring, ws)
    apply_plan(ws, store, plan_import("postman", text, "collection.json"), into="echo")
    engine = Engine(store)
    try:
        compared = 0
        for req in ws.requests("echo"):
            conn = ws.connection_of(req.path)
            ours = (await engine.send(req, conn)).json()
            assert _semantic(ours) == _semantic(by_newman[req.name]), req.path
            compared += 1
    finally:
        await engine.aclose()
    assert compared == len(by_newman) == 10


@requires_secret_service
@pytest.mark.keyring
def test_relaydesk_run_follows_the_collections_order_as_newman_does(
    tmp_path: Path, newman_collection: tuple[str, Path, str],
) -> None:
    """`relaydesk import postman` then `relaydesk run`: the same requests, one by one in
    the collection's order (folders included), as `newman run` of the same file."""
    from tests.integration.clitools import run_cli

    newman, collection, _text = newman_collection
    executions = _newman_executions(newman, collection, tmp_path / "newman.json")
    by_newman = [(e["item"]["name"], e["request"]["method"]) for e in executions]

    ws = tmp_path / "ws"  # the collection's secrets go to the real Secret Service
    imported = run_cli(ws, "import", "postman", str(collection), "--into", "echo")
    assert imported.code == 0, imported
    report = tmp_path / "run.json"
    ran = run_cli(ws, "run", "echo", "--reporter", f"json={report}")
    assert ran.code == 0, ran
    results = json.loads(report.read_text())["results"]
    ours = [(r["path"].rsplit("/", 1)[-1], r["method"]) for r in results]
    assert ours == by_newman
    assert len(ours) == 10
