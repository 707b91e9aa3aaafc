"""Benchmark: `relaydesk import openapi` of a ≥ 4 MB YAML spec, beside the same spec as JSON.

    .venv/bin/python benchmarks/import_yaml.py [--mb 4] [--runs 3] [--generated]

The spec is a real one when the import corpus is on this machine (OpenAI's, from
tests/data/corpus/files/openapi/), else the generated document of openapi_import.py;
either way its paths are repeated under renamed prefixes until the YAML is at least
--mb megabytes. Both forms are imported with the CLI's own entry (`main(["import",
…])`) into fresh temporary workspaces; the best of --runs is printed for each, with
the YAML parse alone and the ratio. Target here: YAML ≤ 2 s. Not a test.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import yaml  # noqa: E402
from openapi_import import make_document  # noqa: E402

from relaydesk.cli.main import main as cli  # noqa: E402
from relaydesk.core.importers.loader import load_yaml  # noqa: E402

REAL = ROOT / "tests" / "data" / "corpus" / "files" / "openapi" / \
    "openai__openai-openapi__openapi.yaml"
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _base(generated: bool) -> tuple[dict[str, Any], str]:
    corpus = os.environ.get("RELAYDESK_CORPUS")
    candidates = [Path(corpus) / "openapi" / REAL.name] if corpus else []
    for path in [] if generated else [*candidates, REAL]:
        if path.is_file():
            return load_yaml(path.read_text(encoding="utf-8"), path.name), path.name
    return make_document(600), "generated (benchmarks/openapi_import.py)"


def _scaled(doc: dict[str, Any], megabytes: float) -> tuple[str, dict[str, Any]]:
    """The document with its paths repeated under /copyN prefixes (operationIds renamed)
    until its YAML is at least ``megabytes`` MB; (yaml text, document)."""
    paths = doc.get("paths") or {}
    size = len(yaml.dump(doc, Dumper=_DUMPER, sort_keys=False))
    per_copy = len(yaml.dump(paths, Dumper=_DUMPER, sort_keys=False)) or 1
    copies = max(1, -(-int(megabytes * 1_000_000 - size) // per_copy) + 1)
    out = dict(doc, paths={})
    for n in range(copies):
        for path, item in paths.items():
            item = copy.deepcopy(item) if n else item
            for op in item.values() if isinstance(item, dict) else []:
                if isinstance(op, dict) and isinstance(op.get("operationId"), str) and n:
                    op["operationId"] += f"_copy{n}"
            out["paths"][f"/copy{n}{path}" if n else path] = item
    return yaml.dump(out, Dumper=_DUMPER, sort_keys=False, allow_unicode=True), out


def _import(path: Path) -> float:
    with tempfile.TemporaryDirectory() as ws:
        start = time.perf_counter()
        with contextlib.redirect_stderr(io.StringIO()):
            code = cli(["--workspace", ws, "import", "openapi", str(path)])
        took = time.perf_counter() - start
    if code != 0:
        raise SystemExit(f"import of {path.name} failed with exit {code}")
    return took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=4.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--generated", action="store_true",
                        help="use the generated spec even when the corpus is here")
    args = parser.parse_args()
    doc, origin = _base(args.generated)
    text, scaled = _scaled(doc, args.mb)
    with tempfile.TemporaryDirectory() as tmp:
        yaml_path, json_path = Path(tmp) / "spec.yaml", Path(tmp) / "spec.json"
        yaml_path.write_text(text, encoding="utf-8")
        json_path.write_text(json.dumps(scaled, default=str), encoding="utf-8")
        operations = sum(len([k for k in v if k in ("get", "put", "post", "delete", "patch",
                                                     "head", "options", "trace")])
                         for v in scaled["paths"].values() if isinstance(v, dict))
        print(f"spec: {origin}; YAML {yaml_path.stat().st_size / 1e6:.1f} MB, JSON "
              f"{json_path.stat().st_size / 1e6:.1f} MB, {operations} operations")
        start = time.perf_counter()
        load_yaml(text, "spec.yaml")
        parse = time.perf_counter() - start
        yaml_s = min(_import(yaml_path) for _ in range(args.runs))
        json_s = min(_import(json_path) for _ in range(args.runs))
    print(f"YAML import: {yaml_s:.2f} s (of which the YAML parse {parse:.2f} s; "
          f"target ≤ 2 s)")
    print(f"JSON import: {json_s:.2f} s")
    print(f"ratio YAML/JSON: {yaml_s / json_s:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
