"""Benchmark: importing a large OpenAPI document, and the GUI staying responsive.

    .venv/bin/python benchmarks/openapi_import.py [--operations 3000]

1. Generates an OpenAPI 3.0 document with thousands of operations (tags, path/query/
   header parameters, $ref'd request bodies with nested and cyclic schemas, security
   schemes) — several MB of JSON.
2. Times the import end to end: read + parse + plan + apply (every request file
   written atomically) into a fresh temporary workspace. Target: ≤ 2 s.
3. Runs the same import in a worker thread (as File → Import does) under an offscreen
   QApplication while a 5 ms QTimer measures the longest gap between its ticks: the
   GUI thread's worst stall during the import.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from relaydesk.core.importers import apply_plan, plan_import
from relaydesk.core.workspace import Workspace


def make_document(operations: int) -> dict[str, Any]:
    schemas: dict[str, Any] = {
        "Node": {"type": "object", "properties": {
            "id": {"type": "string", "format": "uuid"},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}}},
        "Audit": {"allOf": [{"$ref": "#/components/schemas/Stamp"},
                            {"type": "object", "properties": {"by": {"type": "string"}}}]},
        "Stamp": {"type": "object", "properties": {"at": {"type": "string",
                                                          "format": "date-time"}}},
    }
    paths: dict[str, Any] = {}
    resources = max(1, operations // 3)
    for i in range(resources):
        name = f"Resource{i}"
        schemas[name] = {"type": "object", "required": ["name"], "properties": {
            "name": {"type": "string", "example": f"item {i}"},
            "count": {"type": "integer", "minimum": 1},
            "tags": {"type": "array", "items": {"type": "string"}},
            "owner": {"$ref": "#/components/schemas/Node"},
            "audit": {"$ref": "#/components/schemas/Audit"},
            "kind": {"oneOf": [{"$ref": "#/components/schemas/Stamp"}, {"type": "string"}]},
            "description": {"type": "string", "description": "x" * 200}}}
        tag = f"group-{i % 40}"
        ref = {"$ref": f"#/components/schemas/{name}"}
        body = {"content": {"application/json": {"schema": ref}}}
        item_params = [{"name": "itemId", "in": "path", "required": True,
                        "schema": {"type": "integer", "example": i}}]
        paths[f"/resources{i}"] = {
            "get": {"tags": [tag], "operationId": f"list{name}", "summary": f"List {name}",
                    "parameters": [
                        {"name": "page", "in": "query", "schema": {"type": "integer",
                                                                  "default": 1}},
                        {"name": "X-Request-Id", "in": "header", "schema": {"type": "string"}}],
                    "responses": {"200": {"description": "ok", "content": {
                        "application/json": {"schema": {"type": "array", "items": ref}}}}}},
            "post": {"tags": [tag], "operationId": f"create{name}", "requestBody": body,
                     "responses": {"201": {"description": "created"}}},
        }
        paths[f"/resources{i}/{{itemId}}"] = {
            "parameters": item_params,
            "put": {"tags": [tag], "operationId": f"update{name}", "requestBody": body,
                    "security": [{"oauth": ["write"]}],
                    "responses": {"200": {"description": "ok"}}},
        }
    return {
        "openapi": "3.0.3",
        "info": {"title": "Big API", "version": "1.0", "description": "Generated."},
        "servers": [{"url": "https://api.example.com/v1"}],
        "externalDocs": {"url": "https://docs.example.com"},
        "security": [{"bearer": []}],
        "components": {"schemas": schemas, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "oauth": {"type": "oauth2", "flows": {"clientCredentials": {
                "tokenUrl": "https://auth.example.com/token",
                "scopes": {"read": "r", "write": "w"}}}}}},
        "paths": paths,
    }


def import_once(text: str, root: Path) -> tuple[float, float, int]:
    start = time.perf_counter()
    plan = plan_import("openapi", text, "big.json")
    planned = time.perf_counter()
    ws = Workspace.open(root)
    apply_plan(ws, None, plan, into="big")
    done = time.perf_counter()
    return planned - start, done - start, len(plan.requests)


def gui_stall(text: str, root: Path) -> tuple[float, float, int]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    gaps: list[float] = []
    last = [time.perf_counter()]
    finished = threading.Event()

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now
        if finished.is_set():
            timer.stop()
            app.quit()

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)

    from relaydesk.ui.import_dialog import run_in_worker

    start = time.perf_counter()
    timer.start()
    # The app's own worker (ui/import_dialog.run_in_worker), as File → Import runs it.
    run_in_worker(lambda: import_once(text, root), lambda _r, _e: finished.set(), app)
    app.exec()
    elapsed = time.perf_counter() - start
    return max(gaps), elapsed, len(gaps)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--operations", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", default=None,
                        help="where the temporary workspaces go (default: the system temp "
                        "dir; /dev/shm shows the cost without the disk)")
    args = parser.parse_args()
    doc = make_document(args.operations)
    text = json.dumps(doc, indent=1)
    print(f"document: {len(text) / 1e6:.1f} MB JSON, "
          f"{sum(len(v) - ('parameters' in v) for v in doc['paths'].values())} operations")
    totals, plans = [], []
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        print(f"workspaces in {tmp}")
        for run in range(args.runs):
            plan_s, total_s, count = import_once(text, Path(tmp) / f"ws{run}")
            plans.append(plan_s)
            totals.append(total_s)
        print(f"import ({count} requests): parse+plan median {statistics.median(plans):.2f} s, "
              f"parse+plan+apply median {statistics.median(totals):.2f} s "
              f"(best {min(totals):.2f} s; target ≤ 2 s)")
        stall, elapsed, ticks = gui_stall(text, Path(tmp) / "gui")
        print(f"GUI thread during a worker import ({elapsed:.2f} s, {ticks} ticks of a 5 ms "
              f"timer): longest gap {stall * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
