"""What a 3,000-operation API description adds to ``connect()`` and the first call.

A synthetic description (``--ops`` operations in ``--groups`` tags, sharing schemas as
real ones do) is attached to one connection; another connection has none. For each
round, both are connected afresh and make their first call (the managed one through
``client.<Group>.<operation>(...)``, the plain one with ``client.get``) against an
``httpx.MockTransport``, so only client-side work is timed. Prints the medians and
the difference (target: <= 50 ms for connect() + first call), plus the one-off cost
of attaching the description (parsing and indexing it, done by `relaydesk describe`).

    .venv/bin/python benchmarks/managed_client.py [--ops 3000] [--rounds 15]

``--description FILE`` uses a real description instead (e.g. Kubernetes' own, 1,123
operations: tests/data/corpus/SOURCES.md); the first call is then its GET operation
with the most parameters whose required ones are all in the path.
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
from relaydesk.core.managed import managed_api_for  # noqa: E402
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


FRESH = """
import sys, time
sys.path.insert(0, {src!r})
import httpx, relaydesk
from relaydesk.core.workspace import Workspace
ws = Workspace.open({root!r})
transport = httpx.MockTransport(lambda request: httpx.Response(200, json={{"ok": True}}))
wall, cpu = time.perf_counter(), time.process_time()
client = relaydesk.connect({kind!r}, workspace=ws, keyring=None, transport=transport)
if {kind!r} == "plain":
    client.get({plain!r}, params={query!r})
else:
    getattr(getattr(client, {group!r}), {name!r})(**{values!r})
print((time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000)
"""


# The first call: the operation (group, name, keyword arguments), and the same request
# as a plain client makes it (path, query).
Call = tuple[str, str, dict[str, Any], str, dict[str, str]]
SYNTHETIC_CALL: Call = ("Group59", "getThing1499", {"thingId": "abc", "expand": True},
                        "/v1/things1499/abc", {"expand": "true"})


def busiest_simple_get(ws: Workspace) -> Call:
    """The description's GET operation with the most parameters whose required ones
    are all in the path (Kubernetes: watchCoreV1NamespacedConfigMap), called with "abc"s."""
    api = managed_api_for(ws, ws.connection("managed"))
    assert api is not None
    found: Call | None = None
    most = 0
    for op in api.operations():
        spec = op.spec
        required = [p for p in spec["params"] if p.get("required")]
        if spec["method"] == "GET" and required and len(spec["params"]) > most and all(
                p["in"] == "path" and p["name"].isidentifier() for p in required):
            most = len(spec["params"])
            values = {p["name"]: "abc" for p in required}
            path = spec["path"].partition("?")[0]
            for k, v in values.items():
                path = path.replace("{" + k + "}", v)
            found = (op.ref.group, op.ref.name, values, path, {})
    if found is None:
        raise SystemExit("the description has no GET operation with only path parameters")
    return found


def fresh_processes(root: Path, rounds: int, call: Call) -> None:
    """connect() + first call as the first thing a new script does (module loading
    included), in new interpreters."""
    import subprocess

    med: dict[str, tuple[float, float]] = {}
    for kind in ("plain", "managed"):
        runs = []
        for _ in range(rounds):
            code = FRESH.format(src=str(ROOT / "src"), root=str(root), kind=kind,
                                group=call[0], name=call[1], values=call[2],
                                plain=call[3], query=call[4])
            out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                                 text=True, check=True).stdout.split()
            runs.append((float(out[0]), float(out[1])))
        med[kind] = (statistics.median(r[0] for r in runs),
                     statistics.median(r[1] for r in runs))
        print(f"{'fresh process ' + kind:>20}: {med[kind][0]:6.2f} ms  {med[kind][1]:6.2f} ms")
    print(f"in a fresh process the managed client adds {med['managed'][0] - med['plain'][0]:6.2f}"
          f" ms (wall), {med['managed'][1] - med['plain'][1]:6.2f} ms (cpu), module loading "
          "included")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=3000)
    parser.add_argument("--groups", type=int, default=120)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--description", metavar="FILE", type=Path,
                        help="a real OpenAPI/Swagger file instead of the synthetic one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace.open(Path(tmp) / "ws")
        for path in ("plain", "managed"):
            ws.save_connection(Connection(path, "https://api.example.com"), create=True)
        text = args.description.read_text(encoding="utf-8") if args.description else \
            json.dumps(description(args.ops, args.groups))
        start = time.perf_counter()
        change = attach_description(ws, "managed", text, args.description.name
                                    if args.description else "synthetic.json")
        attach_ms = (time.perf_counter() - start) * 1000
        print(f"description: {change.operations} operations, {len(text) / 1e6:.1f} MB; "
              f"attaching (parse + index, once): {attach_ms:.0f} ms")
        call = busiest_simple_get(ws) if args.description else SYNTHETIC_CALL
        print(f"first call: {call[0]}.{call[1]}(**{call[2]!r}) beside GET {call[3]}")
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
                    client.get(call[3], params=call[4])
                else:
                    getattr(getattr(client, call[0]), call[1])(**call[2])
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
        fresh_processes(ws.root, max(3, args.rounds // 3), call)


if __name__ == "__main__":
    main()
