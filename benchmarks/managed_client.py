"""What a 3,000-operation API description adds to ``connect()`` and the first call.

A synthetic description (``--ops`` operations in ``--groups`` tags, sharing schemas as
real ones do) is attached to one connection; another connection has none. For each
round, both are connected afresh and make their first call (the managed one through
``client.<Group>.<operation>(...)``, the plain one with ``client.get``) against an
``httpx.MockTransport``, so only client-side work is timed. Prints the medians and
the difference (target: <= 50 ms for connect() + first call), plus the one-off cost
of attaching the description (parsing and indexing it, done by `relaydesk describe`).

    .venv/bin/python benchmarks/managed_client.py [--ops 3000] [--rounds 15]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import relaydesk  # noqa: E402
from relaydesk.core.api_description import attach_description  # noqa: E402
from relaydesk.core.model import Connection  # noqa: E402
from relaydesk.core.workspace import Workspace  # noqa: E402


def description(ops: int, groups: int) -> dict[str, Any]:
    schemas = {f"Thing{i}": {"type": "object", "required": ["name"], "properties": {
        "name": {"type": "string"}, "kind": {"type": "string", "enum": ["a", "b", "c"]},
        "size": {"type": "integer"}, "tags": {"type": "array", "items": {"type": "string"}},
        "parent": {"$ref": f"#/components/schemas/Thing{(i + 1) % 200}"}}}
        for i in range(200)}
    paths: dict[str, Any] = {}
    for n in range(ops // 2):
        tag, schema = f"Group {n % groups}", f"#/components/schemas/Thing{n % 200}"
        ident = [{"name": "thingId", "in": "path", "required": True,
                  "schema": {"type": "string"}}]
        paths[f"/v1/things{n}/{{thingId}}"] = {
            "get": {"tags": [tag], "operationId": f"getThing{n}", "summary": f"Get thing {n}",
                    "parameters": [*ident, {"name": "expand", "in": "query",
                                            "schema": {"type": "boolean"}}],
                    "responses": {"200": {"description": "ok", "content": {
                        "application/json": {"schema": {"$ref": schema}}}}}},
            "put": {"tags": [tag], "operationId": f"putThing{n}", "parameters": ident,
                    "requestBody": {"required": True, "content": {
                        "application/json": {"schema": {"$ref": schema}}}},
                    "responses": {"200": {"description": "ok"}}}}
    return {"openapi": "3.0.3", "info": {"title": "Synthetic", "version": "1"},
            "servers": [{"url": "https://api.example.com"}], "paths": paths,
            "components": {"schemas": schemas}}


def transport() -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: httpx.Response(200, json={"ok": True}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=3000)
    parser.add_argument("--groups", type=int, default=120)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace.open(Path(tmp) / "ws")
        for path in ("plain", "managed"):
            ws.save_connection(Connection(path, "https://api.example.com"), create=True)
        text = json.dumps(description(args.ops, args.groups))
        start = time.perf_counter()
        change = attach_description(ws, "managed", text, "synthetic.json")
        attach_ms = (time.perf_counter() - start) * 1000
        print(f"description: {change.operations} operations, {len(text) / 1e6:.1f} MB; "
              f"attaching (parse + index, once): {attach_ms:.0f} ms")
        # Wall time and this process's CPU time: on a shared, loaded machine the wall
        # clock also counts waiting for a core; CPU time is the work itself.
        keys = ("plain connect", "managed connect", "plain first call", "managed first call")
        wall: dict[str, list[float]] = {k: [] for k in keys}
        cpu: dict[str, list[float]] = {k: [] for k in keys}
        for _ in range(args.rounds):
            for kind in ("plain", "managed"):
                marks = [(time.perf_counter(), time.process_time())]
                client = relaydesk.connect(kind, workspace=ws, keyring=None,
                                           transport=transport())
                marks.append((time.perf_counter(), time.process_time()))
                if kind == "plain":
                    client.get("/v1/things1499/abc", params={"expand": "true"})
                else:
                    client.Group59.getThing1499(thingId="abc", expand=True)
                marks.append((time.perf_counter(), time.process_time()))
                client.close()
                for i, step in enumerate(("connect", "first call")):
                    wall[f"{kind} {step}"].append((marks[i + 1][0] - marks[i][0]) * 1000)
                    cpu[f"{kind} {step}"].append((marks[i + 1][1] - marks[i][1]) * 1000)
        print(f"{'':>20}  {'wall':>9}  {'cpu':>9}   (medians of {args.rounds} rounds)")
        for k in keys:
            print(f"{k:>20}: {statistics.median(wall[k]):6.2f} ms  "
                  f"{statistics.median(cpu[k]):6.2f} ms")
        for label, table in (("wall", wall), ("cpu", cpu)):
            med = {k: statistics.median(v) for k, v in table.items()}
            added = (med["managed connect"] + med["managed first call"]
                     - med["plain connect"] - med["plain first call"])
            print(f"managed client adds {added:6.2f} ms ({label}) to connect() + first call "
                  f"(target <= 50 ms): {'OK' if added <= 50 else 'OVER'}")


if __name__ == "__main__":
    main()
