"""Names every OS can store: refused when a user types them, renamed on import."""

from __future__ import annotations

import json

import pytest

from relaydesk.core.errors import ValidationError
from relaydesk.core.importers import plan_import
from relaydesk.core.model import validate_path
from relaydesk.core.names import MAX_SEGMENT_BYTES, portable_problem, portable_segment

RESERVED = ["CON", "con", "Nul", "aux.json", "PRN.tar.gz", "com1", "COM9", "lpt1.txt",
            "LPT9", "com\u00b9", "CONIN$", "nul .txt"]


@pytest.mark.parametrize("name", RESERVED)
def test_windows_device_names_are_refused_in_any_case_and_with_an_extension(name: str
                                                                             ) -> None:
    assert "device name Windows reserves" in (portable_problem(name) or "")
    with pytest.raises(ValidationError, match="device name Windows reserves"):
        validate_path(f"api/{name}", "request path")


@pytest.mark.parametrize(("name", "why"), [
    ("report.", "ends with a dot"), ("a<b", "'<'"), ("a>b", "'>'"), ('a"b', "'\"'"),
    ("a|b", "'|'"), ("a?b", "'?'"), ("a*b", "'*'"), ("a:b", "':'"), ("a\\b", "'\\'"),
    ("a\tb", "\\t"), ("x" * (MAX_SEGMENT_BYTES + 1), "longer than"),
])
def test_other_names_windows_or_macos_cannot_store_say_why(name: str, why: str) -> None:
    assert why in (portable_problem(name) or "")
    with pytest.raises(ValidationError):
        validate_path(f"api/{name}")


@pytest.mark.parametrize("name", ["console", "CONNECT", "com10", "lpt", "nul-ish", "a.con",
                                  "Get issue", "émoji ✓", "v1.2 (beta)", "x" * 100])
def test_ordinary_names_stay_valid(name: str) -> None:
    assert portable_problem(name) is None
    assert validate_path(f"api/{name}") == f"api/{name}"


@pytest.mark.parametrize(("name", "safe"), [
    ("CON", "CON_"), ("nul.txt", "nul_.txt"), ("com1 .json", "com1_.json"),
    ("report.", "report"), ("a:b?", "a-b-"), ("...", "Untitled"),
])
def test_a_safe_name_changes_as_little_as_it_can(name: str, safe: str) -> None:
    assert portable_segment(name) == safe
    assert portable_problem(portable_segment(name)) is None


def test_an_import_renames_reserved_names_and_says_so() -> None:
    doc = {"info": {"name": "AUX", "schema": "https://schema.getpostman.com/json/"
                    "collection/v2.1.0/collection.json"},
           "item": [{"name": "CON", "item": [
               {"name": "nul.txt", "request": {"method": "GET", "url": "https://a.example/x"}},
               {"name": "com1", "request": {"method": "GET", "url": "https://a.example/y"}}]},
               {"name": "CON_", "item": [
                   {"name": "Other", "request": {"method": "GET", "url": "https://a.example/z"}}]}]}
    plan = plan_import("postman", json.dumps(doc), "c.json")
    assert [c.path for c in plan.connections] == ["AUX_"]
    paths = sorted(r.path for r in plan.requests)
    # the renamed CON meets the file's own CON_ and steps aside
    assert paths == ["AUX_/CON_ 2/com1_", "AUX_/CON_ 2/nul_.txt", "AUX_/CON_/Other"]
    for path in paths:
        validate_path(path)
    assert "'AUX/CON' → 'AUX_/CON_ 2'" in "\n".join(plan.notes)
