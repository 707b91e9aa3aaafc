"""Check documents: read, written back unchanged, refused with a reason when wrong."""

from __future__ import annotations

from typing import Any

import pytest

from relaydesk.core import codec
from relaydesk.core.checks import (
    CHECK_KINDS,
    DEFAULT_CHECKS,
    CheckResult,
    check_from_doc,
    check_to_doc,
    checks_of,
    evaluate_all,
)
from relaydesk.core.errors import ValidationError
from relaydesk.core.model import Request
from relaydesk.core.response import Response

DOCS: list[dict[str, Any]] = [
    {"kind": "status_equals", "value": 200},
    {"kind": "status_in_range", "min": 200, "max": 299},
    {"kind": "header_present", "header": "ETag"},
    {"kind": "header_equals", "header": "Content-Type", "value": "application/json"},
    {"kind": "jsonpath_exists", "path": "$.items[0].id"},
    {"kind": "jsonpath_equals", "path": "$.total", "value": {"a": [1, None]}},
    {"kind": "time_under", "ms": 500},
    {"kind": "time_under", "ms": 2.5},
]


def test_every_kind_round_trips() -> None:
    assert {d["kind"] for d in DOCS} == set(CHECK_KINDS)
    for doc in DOCS:
        assert check_to_doc(check_from_doc(doc)) == doc


def test_request_codec_keeps_checks_and_omits_none() -> None:
    req = Request(path="c/r", url="/x", checks=DOCS)
    doc = codec.request_to_doc(req)
    assert doc["checks"] == DOCS
    assert codec.request_from_doc("c/r", doc).checks == DOCS
    assert "checks" not in codec.request_to_doc(Request(path="c/r"))
    with pytest.raises(ValidationError, match="checks"):
        codec.request_from_doc("c/r", {**doc, "checks": {"kind": "x"}})


@pytest.mark.parametrize(("doc", "message"), [
    ({"kind": "nope"}, "Unknown check kind"),
    ({"kind": "status_equals", "value": "200"}, "whole number"),
    ({"kind": "status_equals", "value": True}, "whole number"),
    ({"kind": "status_in_range", "min": 300, "max": 200}, "empty"),
    ({"kind": "header_present"}, "header"),
    ({"kind": "header_equals", "header": "X"}, "value"),
    ({"kind": "jsonpath_exists", "path": "$[[["}, "not a valid JSONPath"),
    ({"kind": "jsonpath_equals", "path": "$.a"}, "value"),
    ({"kind": "time_under", "ms": 0}, "positive"),
])
def test_bad_checks_say_why(doc: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        check_from_doc(doc)


def test_no_checks_means_the_default() -> None:
    assert checks_of([]) == list(DEFAULT_CHECKS)
    assert DEFAULT_CHECKS[0].name == "status in 100–399"


class _CountingResponse(Response):
    parsed = 0

    def json(self) -> Any:
        type(self).parsed += 1
        return super().json()


def _answer(status: int = 200, body: bytes = b'{"total": {"a": [1, null]}}') -> Response:
    _CountingResponse.parsed = 0
    return _CountingResponse(status=status, reason="", http_version="HTTP/1.1", method="GET",
                             url="http://127.0.0.1:9/", headers=[("ETag", "x")], body=body)


def test_results_say_what_held_and_what_did_not_every_time() -> None:
    """A run evaluates the same checks against thousands of answers: each result is
    what that answer earns, the same on the thousandth as on the first."""
    checks = checks_of(DOCS[:4] + DOCS[5:6])
    for _ in range(3):
        assert evaluate_all(checks, _answer()) == [
            CheckResult("status is 200", True), CheckResult("status in 200–299", True),
            CheckResult("header ETag present", True),
            CheckResult("header Content-Type is 'application/json'", False,
                        "no Content-Type header"),
            CheckResult('$.total is {"a": [1, null]}', True)]
        failed = evaluate_all(checks[:2], _answer(status=404))
        assert failed == [CheckResult("status is 200", False, "got status 404"),
                          CheckResult("status in 200–299", False, "got status 404")]


def test_the_body_is_parsed_once_and_only_for_checks_that_read_it() -> None:
    not_json = _answer(body=b"<html>")
    assert all(r.passed for r in evaluate_all(checks_of(DOCS[:3]), not_json))
    assert _CountingResponse.parsed == 0
    results = evaluate_all(checks_of(DOCS[4:6] + DOCS[:1]), _answer())
    assert _CountingResponse.parsed == 1
    assert [r.passed for r in results] == [False, True, True]
    assert results[0].message == "$.items[0].id matched nothing"
