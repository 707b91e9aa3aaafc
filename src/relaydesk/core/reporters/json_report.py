"""JSON reporter: one document, written as the run goes (a result per line inside
``"results"``), so a reader sees progress and memory does not grow."""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any, TextIO

from ..runner import RequestResult, RunPlan, RunSummary

__all__ = ["JsonReporter", "result_to_doc"]


def result_to_doc(r: RequestResult) -> dict[str, Any]:
    return {
        "index": r.index, "iteration": r.iteration, "path": r.path, "method": r.method,
        "url": r.url, "status": r.status, "elapsed_ms": round(r.elapsed_ms, 3),
        "size": r.size, "passed": r.passed, "error": r.error, "notes": r.notes,
        "checks": [{"name": c.name, "passed": c.passed, "message": c.message}
                   for c in r.checks],
    }


class JsonReporter:
    def __init__(self, target: str | Path | TextIO) -> None:
        self._own = not hasattr(target, "write")
        self._path = Path(target) if self._own else None  # type: ignore[arg-type]
        self._fh: TextIO | None = None if self._own else target  # type: ignore[assignment]
        self._first = True

    def start(self, plan: RunPlan) -> None:
        if self._own:
            assert self._path is not None
            self._fh = self._path.open("w", encoding="utf-8")
        assert self._fh is not None
        head = {"path": plan.path, "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "requests": len(plan.requests), "iterations": plan.iterations}
        self._fh.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "results": [\n')

    def result(self, result: RequestResult) -> None:
        assert self._fh is not None
        sep = "" if self._first else ",\n"
        self._first = False
        self._fh.write(sep + json.dumps(result_to_doc(result), ensure_ascii=False))

    def finish(self, summary: RunSummary) -> None:
        if self._fh is None:
            return
        doc = asdict(summary)
        doc["ok"] = summary.ok
        self._fh.write('\n], "summary": ' + json.dumps(doc) + "}\n")
        self._fh.flush()
        if self._own:
            self._fh.close()
            self._fh = None
