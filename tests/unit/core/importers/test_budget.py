"""Byte budgets: files that are small on disk and huge once expanded import everything
else, with the one bad item left empty and named in a note (issue 18)."""

from __future__ import annotations

import json
import time

import pytest

from relaydesk.core.importers import plan_import
from relaydesk.core.importers.budget import MAX_ITEM_BYTES, ByteBudget, dumps_within
from tests.hostile_inputs import alias_bomb_insomnia, alias_bomb_openapi, ref_fanout_openapi

from .helpers import notes_of


@pytest.mark.parametrize("value", [
    {"a": [1, 2.5, None, True, "x\n\"y"], "b": {}, "c": [], "é": {"d": [{"e": "f"}]}},
    [[], [[]], {"k": "v" * 100}], "plain", 12,
])
@pytest.mark.parametrize("indent", [None, 2])
def test_dumps_within_is_json_dumps_up_to_its_limit(value: object, indent: int | None
                                                    ) -> None:
    real = json.dumps(value, indent=indent, ensure_ascii=False,
                      separators=None if indent else (",", ":"))
    assert dumps_within(value, len(real), indent) == real
    assert dumps_within(value, len(real) - 1, indent) is None


def test_a_part_shared_a_hundred_million_times_costs_only_the_limit() -> None:
    part: object = "x" * 1000
    for _ in range(8):  # 10**8 copies, 100 GB once written
        part = [part] * 10
    started = time.monotonic()
    assert dumps_within(part, 1024 * 1024) is None
    assert time.monotonic() - started < 5  # a hang guard, not a benchmark


def test_a_budget_refuses_per_item_and_in_total() -> None:
    budget = ByteBudget(per_item=100, total=200)
    budget.start()
    assert budget.take(60, "a") and not budget.take(60, "a")  # a's own 100 bytes
    budget.start()
    assert budget.take(90, "b")
    budget.start()
    assert not budget.take(90, "c")  # 60 + 90 + 90 > 200
    assert budget.refused == ["a", "c"]
    assert "'a', 'c'" in (budget.note("Left out:") or "")


def test_a_string_aliased_a_million_times_as_an_example_leaves_one_body_empty() -> None:
    text = alias_bomb_openapi()  # 1.7 KB: a 1 GB body once expanded
    assert len(text) < 2000
    started = time.monotonic()
    plan = plan_import("openapi", text, "bomb.yaml")
    bodies = {r.path.rsplit("/", 1)[1]: r.body.text for r in plan.requests}
    assert bodies["Bomb"] == "" and json.loads(bodies["Fine"]) == {"name": "ok"}
    assert "Examples left empty in 'Bomb/Bomb'" in notes_of(plan)
    assert time.monotonic() - started < 20  # was 31 s and 4.7 GB; a hang guard, not a benchmark


def test_schemas_whose_properties_each_ref_the_next_stay_linear() -> None:
    text = ref_fanout_openapi()  # 16 properties × 10 levels
    plan = plan_import("openapi", text, "fan.yaml")
    bodies = {r.path.rsplit("/", 1)[1]: r.body.text for r in plan.requests}
    assert bodies["Fan"] == "" and json.loads(bodies["Fine"]) == {"name": "string"}
    assert "'Fanout/Fan'" in notes_of(plan)


def test_a_fanout_that_fits_is_generated_whole_from_the_cache() -> None:
    text = ref_fanout_openapi(levels=4, fan=8)  # 8**3 leaves: small enough to keep
    plan = plan_import("openapi", text, "fan.yaml")
    body = json.loads(next(r.body.text for r in plan.requests if r.path.endswith("Fan")))
    leaf = body["p0"]["p7"]["p3"]
    assert leaf == {f"p{n}": "string" for n in range(8)}
    assert len(json.dumps(body)) < MAX_ITEM_BYTES and "Examples" not in notes_of(plan)


def test_a_parameter_example_that_multiplies_is_left_empty_too() -> None:
    text = alias_bomb_openapi().replace(
        "  /fine:\n", "  /q:\n    get:\n      summary: Query\n      parameters:\n"
        "        - {name: q, in: query, example: *s6}\n  /fine:\n")
    plan = plan_import("openapi", text, "bomb.yaml")
    query = next(r for r in plan.requests if r.path.endswith("Query"))
    assert query.params[0].name == "q" and query.params[0].value == ""
    assert "'Bomb/Query'" in notes_of(plan)


def test_an_insomnia_yaml_export_aliasing_one_body_is_cut_at_the_import_budget() -> None:
    text = alias_bomb_insomnia(requests=2000, width=200_000)  # 0.5 MB: 400 MB written
    plan = plan_import("insomnia", text, "i.yaml")
    written = sum(len(r.body.text) for r in plan.requests)
    assert 0 < len(plan.requests) < 2000 and written <= 64 * 1024 * 1024 + 2 * len(text)
    assert "Left out: 'W/R" in notes_of(plan) and "more" in notes_of(plan)


def test_literal_content_is_never_cut_whatever_its_size() -> None:
    big = "z" * (3 * MAX_ITEM_BYTES)  # bigger than an item's budget, but in the file
    doc = {"_type": "export", "__export_format": 4, "resources": [
        {"_id": "wrk", "_type": "workspace", "name": "W"},
        {"_id": "r1", "_type": "request", "parentId": "wrk", "name": "Big", "method": "POST",
         "url": "https://a.example/x", "body": {"mimeType": "text/plain", "text": big}}]}
    plan = plan_import("insomnia", json.dumps(doc), "i.json")
    [req] = plan.requests
    assert req.body.text == big and not plan.notes
