"""Check documents: read, written back unchanged, refused with a reason when wrong."""

from __future__ import annotations

from typing import Any

import pytest

from relaydesk.core import codec
from relaydesk.core.checks import (
    CHECK_KINDS,
    DEFAULT_CHECKS,
    check_from_doc,
    check_to_doc,
    checks_of,
)
from relaydesk.core.errors import ValidationError
from relaydesk.core.model import Request

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
