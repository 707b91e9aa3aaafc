"""`kill -9` at random moments during `mv`, `import` and edits never hides or loses a
request and never leaves a broken file or a stray temporary file where git sees it.

Each run copies a prepared workspace, starts the real CLI on it
(`python -m relaydesk --workspace W ...`), kills it after a random delay drawn from
the measured duration of an uninterrupted run of the same command, then reopens the
workspace and checks it. RELAYDESK_CRASH_RUNS changes the number of runs (200).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

import relaydesk
from relaydesk.core.model import Connection, Request
from relaydesk.core.workspace import Workspace

pytestmark = pytest.mark.slow

RUNS = int(os.environ.get("RELAYDESK_CRASH_RUNS", "200"))
SEED = 20261130
IMPORTED = 24  # requests in the collection that `import` writes


def postman_collection() -> dict[str, object]:
    def item(name: str) -> dict[str, object]:
        return {"name": name, "request": {"method": "GET", "url": f"https://pm.example/{name}"}}

    return {"info": {"name": "Crash", "schema":
                     "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
            "item": [{"name": f"group{g}", "item": [item(f"g{g}r{i}") for i in range(8)]}
                     for g in range(3)]}


@dataclass
class Op:
    name: str
    argv: list[str]
    # Checks what the reopened workspace holds of this operation's own items.
    check: Callable[[Workspace], None]


def _all_at_one_place(ws: Workspace, old: str, new: str, count: int) -> None:
    at_old, at_new = len(ws.request_paths(old)), len(ws.request_paths(new))
    assert (at_old, at_new) in ((count, 0), (0, count)), (old, at_old, new, at_new)


OPS = [
    Op("mv connection", ["mv", "src/conn", "dst/conn"],
       lambda ws: _all_at_one_place(ws, "src/conn", "dst/conn", 28)),
    Op("mv folder", ["mv", "src/conn/f1", "src/conn/f1-moved"],
       lambda ws: _all_at_one_place(ws, "src/conn/f1", "src/conn/f1-moved", 8)),
    Op("mv request", ["mv", "src/conn/top0", "src/conn/new/place/top0"],
       lambda ws: _all_at_one_place(ws, "src/conn/top0", "src/conn/new/place/top0", 1)),
    Op("import", ["import", "postman", "COLLECTION", "--into", "imported"],
       lambda ws: _all_at_one_place(ws, "none", "imported", IMPORTED)
       if ws.request_paths("imported") else None),
    Op("new request", ["new", "request", "src/conn/f2/fresh", "--url", "/fresh"],
       lambda ws: assert_at_most_one(ws, "src/conn/f2/fresh")),
]


def assert_at_most_one(ws: Workspace, path: str) -> None:
    assert ws.request_paths(path) in ([], [path])


def build_template(root: Path) -> set[str]:
    ws = Workspace.open(root)
    ws.save_connection(Connection("src/conn", "https://api.example"), create=True)
    for f in range(3):
        for i in range(8):
            ws.save_request(Request(f"src/conn/f{f}/r{i}", url=f"/r/{i}"), create=True)
    for i in range(4):
        ws.save_request(Request(f"src/conn/top{i}", url=f"/t/{i}"), create=True)
    return {r.id for r in ws.requests()}


def run_cli(root: Path, argv: list[str], collection: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(Path(relaydesk.__file__).parent.parent),
           "RELAYDESK_HISTORY": str(root.parent / "history.sqlite3")}
    args = [str(collection) if a == "COLLECTION" else a for a in argv]
    return subprocess.Popen([sys.executable, "-m", "relaydesk", "--workspace", str(root), *args],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def check(root: Path, op: Op, template_ids: set[str]) -> None:
    # Nothing a killed process left behind is where `git add .` would pick it up.
    stray = [p for p in root.rglob(".*") if p.name not in (".gitignore", ".relaydesk")
             and ".relaydesk" not in p.relative_to(root).parts]
    assert stray == []
    for file in (root / "connections").rglob("*.json"):
        json.loads(file.read_text(encoding="utf-8"))  # every file parses
    ws = Workspace.open(root)
    assert ws.problems == []
    ids = Counter(r.id for r in ws.requests())
    missing = [i for i in template_ids if ids[i] != 1]
    assert missing == [], "a request is hidden, lost or doubled"
    assert set(ids.values()) == {1}
    op.check(ws)
    assert list((root / ".relaydesk" / "staging").glob("*")) == []


def test_kill_9_never_hides_or_loses_a_request(tmp_path: Path) -> None:
    template = tmp_path / "template"
    template_ids = build_template(template)
    collection = tmp_path / "collection.json"
    collection.write_text(json.dumps(postman_collection()))

    # When each command, left alone, makes its change (and that it works at all): the
    # kills are drawn around that moment, not spent on the interpreter's start-up.
    effect_at: dict[str, float] = {}
    for op in OPS:
        root = tmp_path / f"measure-{len(effect_at)}"
        shutil.copytree(template, root)
        start = time.perf_counter()
        proc = run_cli(root, op.argv, collection)
        seen = None
        while proc.poll() is None:
            if seen is None and _effect_path(root, op).exists():
                seen = time.perf_counter() - start
            time.sleep(0.0005)
        _, err = proc.communicate(timeout=60)
        effect_at[op.name] = seen or (time.perf_counter() - start)
        assert proc.returncode == 0, (op.name, err)
        check(root, op, template_ids)
        assert _took_effect(root, op)

    outcomes: Counter[tuple[str, bool]] = Counter()  # (operation, took effect) when killed

    def one_run(run: int) -> None:
        rng = random.Random(SEED + run)
        op = OPS[run % len(OPS)]
        root = tmp_path / f"run-{run}"
        shutil.copytree(template, root)
        proc = run_cli(root, op.argv, collection)
        time.sleep(rng.uniform(0.75, 1.1) * effect_at[op.name])
        killed = proc.poll() is None
        if killed:
            proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        try:
            check(root, op, template_ids)
        except AssertionError as exc:
            raise AssertionError(f"run {run} ({op.name}, seed {SEED}): {exc}") from exc
        if killed:
            effect = _took_effect(root, op)
            outcomes[op.name, effect] += 1
            # The machine's load changes the timing: follow the moment of the change.
            effect_at[op.name] *= 0.9 if effect else 1.12
        else:
            effect_at[op.name] *= 0.85
        shutil.rmtree(root)

    # Two runs at a time: each is mostly a Python start-up waiting on the disk.
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(one_run, range(RUNS)))
    killed = sum(outcomes.values())
    print(f"{killed} of {RUNS} runs killed; (operation, took effect): {dict(outcomes)}")
    assert killed >= RUNS // 2, f"only {killed} of {RUNS} runs were killed mid-way"
    assert {effect for _, effect in outcomes} == {True, False}


def _effect_path(root: Path, op: Op) -> Path:
    return root / "connections" / {
        "mv connection": "dst/conn", "mv folder": "src/conn/f1-moved",
        "mv request": "src/conn/new/place/top0.request.json", "import": "imported",
        "new request": "src/conn/f2/fresh.request.json"}[op.name]


def _took_effect(root: Path, op: Op) -> bool:
    return _effect_path(root, op).exists()
