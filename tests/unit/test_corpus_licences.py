"""The committed corpus stays redistributable: every file is listed with its source, and
every source repository's licence text is committed beside it (tests/data/corpus/LICENSES)."""

from __future__ import annotations

import json
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"
FILES = CORPUS / "files"
CURL = "curl/commands.json"  # lists its commands' sources itself


def _manifest() -> list[dict[str, str]]:
    return list(json.loads((CORPUS / "manifest.json").read_text("utf-8"))["files"])


def _source_repos() -> set[str]:
    repos = {entry["repo"] for entry in _manifest()}
    commands = json.loads((FILES / CURL).read_text("utf-8"))["commands"]
    return repos | {command["source"]["repo"] for command in commands}


def test_every_committed_corpus_file_is_in_the_manifest() -> None:
    on_disk = {p.relative_to(FILES).as_posix() for p in FILES.rglob("*") if p.is_file()}
    listed = {entry["file"] for entry in _manifest()} | {CURL}
    assert on_disk == listed


def test_every_source_repository_has_its_licence_text_committed() -> None:
    names = {p.name for p in (CORPUS / "LICENSES").iterdir()}
    wanted = {repo.replace("/", "__") + ".txt" for repo in _source_repos()}
    assert wanted <= names, sorted(wanted - names)
    assert len(wanted) >= 14  # the 13 import-corpus repositories and curl/curl


def test_sources_md_names_every_licence_file() -> None:
    sources = (CORPUS / "SOURCES.md").read_text("utf-8")
    for licence in (CORPUS / "LICENSES").iterdir():
        assert licence.name in sources, licence.name
