"""HAR files as recorders really write them: HARP callbacks, bare request objects,
``{}`` for empty lists, cookies, relative URLs and entries that cannot be imported."""

from __future__ import annotations

import json
from typing import Any

import pytest

from relaydesk.core.errors import FileFormatError
from relaydesk.core.importers import plan_import

from .helpers import notes_of


def _log(*requests: Any) -> dict[str, Any]:
    return {"log": {"version": "1.2", "entries": [
        {"request": r} if isinstance(r, dict) else r for r in requests]}}


def _get(url: str, **more: Any) -> dict[str, Any]:
    return {"method": "GET", "url": url, "headers": [], "queryString": [], **more}


def test_a_harp_callback_wrapper_is_read() -> None:
    text = "onInputData(" + json.dumps(_log(_get("https://a.example/x"))) + ");"
    assert [r.url for r in plan_import("har", text, "a.harp").requests] == ["/x"]


@pytest.mark.parametrize("doc", [
    {"request": _get("https://a.example/x")},  # a bare entry
    _get("https://a.example/x"),  # a bare request object, as API docs show them
    [_get("https://a.example/x")],
])
def test_bare_entries_and_request_objects_are_read(doc: Any) -> None:
    plan = plan_import("har", json.dumps(doc), "a.har")
    assert [(r.method, r.url) for r in plan.requests] == [("GET", "/x")]


def test_empty_objects_written_for_empty_lists_are_accepted() -> None:
    plan = plan_import("har", json.dumps(_log(_get("https://a.example/x", headers={},
                                                   queryString={}))), "a.har")
    assert len(plan.requests) == 1


def test_entries_without_a_usable_url_are_left_out_with_notes() -> None:
    doc = _log(_get("https://a.example/ok"), _get(""))
    doc["log"]["entries"].append({"response": {}})  # an entry without its request
    plan = plan_import("har", json.dumps(doc), "a.har")
    assert [r.url for r in plan.requests] == ["/ok"]
    notes = notes_of(plan)
    assert "entry 2" in notes and "URL is empty" in notes and "no request object" in notes


def test_a_file_whose_entries_all_fail_is_refused_with_the_reason() -> None:
    with pytest.raises(FileFormatError, match="URL is empty"):
        plan_import("har", json.dumps(_log(_get(""))), "a.har")


def test_same_site_paths_resolve_against_the_first_absolute_url() -> None:
    plan = plan_import("har", json.dumps(_log(_get("https://a.example/page"),
                                              _get("/api/items"))), "a.har")
    assert [r.url for r in plan.requests] == ["/page", "/api/items"]
    assert [c.base_url for c in plan.connections] == ["https://a.example"]


def test_recorded_cookies_are_read_and_then_kept_out_of_files() -> None:
    """The cookie list is part of the request (a reader that ignored it would import
    the request without them, and the note would never say so)."""
    plan = plan_import("har", json.dumps(_log(_get(
        "https://a.example/x", cookies=[{"name": "pref", "value": ""},
                                        {"name": "sid", "value": "abc123456"}]))), "a.har")
    assert [c.name for c in plan.requests[0].cookies] == ["pref"]
    assert "recorded cookies" in notes_of(plan)


def test_a_url_urllib_cannot_split_is_no_crash() -> None:
    """An unclosed '[' host (found by the fuzz test): never a traceback, the rest imports
    or the file is refused with its reason."""
    doc = _log(_get("http://[broken/x"), _get("https://api.example.com/v1/ok"))
    try:
        plan = plan_import("har", json.dumps(doc), "f.har")
    except FileFormatError as exc:
        assert "f.har" in str(exc)
    else:
        assert [r.url for r in plan.requests][-1].endswith("/v1/ok")
