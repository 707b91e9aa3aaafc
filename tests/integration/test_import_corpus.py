"""Every file of the real-world corpus through `relaydesk import KIND FILE`'s own entry.

The corpus (tests/data/corpus/manifest.json: each file's repository, path, commit and
licence) is files written by others: vendors' and tools' Postman collections, Insomnia
exports, OpenAPI descriptions, HARs saved by browsers and proxies, `.http` examples.
Each is imported into a fresh workspace with the function the CLI runs; what came
through is checked against counts walked from the source by ``corpus_counts``, and
every written file is scanned for the credential values the source holds.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from relaydesk.cli._common import Context
from relaydesk.cli.import_files import run_file_import
from relaydesk.core.errors import RelaydeskError
from relaydesk.core.secrets import SecretStore
from tests.conftest import MemoryKeyring
from tests.corpus import MISSING_REASON, corpus_dir
from tests.integration.corpus_counts import credentials_in, expected_requests

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))["files"]
WHOLE_TARGET = 0.98


FILES = corpus_dir(MANIFEST[0]["file"])
pytestmark = pytest.mark.skipif(FILES is None, reason=MISSING_REASON)


class _Ctx(Context):
    """The CLI's context with an in-memory keyring (the keyring is not under test)."""

    def __init__(self, root: Path, keyring: MemoryKeyring) -> None:
        super().__init__(workspace_arg=str(root))
        self.keyring = keyring

    def secrets(self) -> SecretStore:
        return SecretStore.for_workspace(self.keyring, self.workspace())


@dataclass
class Outcome:
    file: str
    expected: int
    imported: int = 0
    refused: str = ""
    notes: str = ""
    leaks: tuple[str, ...] = ()
    written_on_refusal: int = 0


def _import(entry: dict[str, str], root: Path, capsys: pytest.CaptureFixture[str]
            ) -> Outcome:
    assert FILES is not None
    path = FILES / entry["file"]
    data = path.read_bytes()
    assert hashlib.sha256(data).hexdigest() == entry["sha256"], f"{path} was changed"
    text = data.decode("utf-8", "replace")
    outcome = Outcome(entry["file"], expected_requests(entry["kind"], text))
    ctx = _Ctx(root, MemoryKeyring())
    args = argparse.Namespace(format=entry["kind"], source=str(path), into=None)
    capsys.readouterr()
    try:
        assert run_file_import(args, ctx) == 0
    except RelaydeskError as exc:
        outcome.refused = str(exc)
        connections = root / "connections"
        outcome.written_on_refusal = sum(1 for p in connections.rglob("*") if p.is_file()
                                         ) if connections.exists() else 0
        return outcome
    outcome.notes = capsys.readouterr().err
    files = [p for p in root.rglob("*") if p.is_file()]
    outcome.imported = sum(1 for p in files if p.name.endswith(".request.json"))
    blob = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in files)
    outcome.leaks = tuple(sorted(v for v in credentials_in(entry["kind"], text) if v in blob))
    return outcome


def test_the_corpus_is_real_and_varied() -> None:
    publishers = {e["publisher"] for e in MANIFEST}
    assert len(MANIFEST) >= 150 and len(publishers) >= 10
    for entry in MANIFEST:
        assert entry["repo"] and len(entry["commit"]) == 40 and entry["licence"], entry


def test_every_real_file_imports_whole_or_is_refused_cleanly(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outcomes = [_import(entry, tmp_path / f"ws{i}", capsys)
                for i, entry in enumerate(MANIFEST)]
    whole = [o for o in outcomes if not o.refused and o.imported == o.expected]
    refused = [o for o in outcomes if o.refused]
    partial = [o for o in outcomes if not o.refused and o.imported != o.expected]
    assert not [o for o in outcomes if o.expected < 0 and not o.refused]
    report = [f"{o.file}: {o.imported}/{o.expected}; {o.notes[-300:]!r}" for o in partial]
    # A file that lost requests says so: never a silent loss.
    assert all("Left out" in o.notes or "no HTTP request" in o.notes for o in partial), report
    # A refusal is one clear reason naming the file, and nothing is written.
    for o in refused:
        assert o.written_on_refusal == 0, o
        assert Path(o.file).name in o.refused and len(o.refused.splitlines()) == 1, o
    rate = len(whole) / len(outcomes)
    print(f"\ncorpus: {len(outcomes)} files, {len(whole)} whole ({rate:.1%}), "
          f"{len(refused)} refused, {len(partial)} partial with notes")
    assert rate >= WHOLE_TARGET, "\n".join(report + [f"REFUSED {o.refused}" for o in refused])
    leaks = [(o.file, o.leaks) for o in outcomes if o.leaks]
    assert not leaks, "\n".join(f"{f}: {v}" for f, v in leaks)
    # The scan has something to find: the corpus does carry credentials.
    assert sum(bool(credentials_in(e["kind"], (FILES / e["file"]).read_text(  # type: ignore[operator]
        encoding="utf-8", errors="replace"))) for e in MANIFEST) >= 10
