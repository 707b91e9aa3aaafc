"""Reading the files: byte-order marks, YAML in flow style, the C YAML loader."""

from __future__ import annotations

import json

import pytest
import yaml

from relaydesk.core.importers import loader, plan_import

SPEC = {"openapi": "3.0.0", "info": {"title": "T", "version": "1"},
        "servers": [{"url": "https://a.example"}],
        "paths": {"/x": {"get": {"responses": {"200": {"description": "ok"}}}}}}


def test_a_byte_order_mark_is_not_part_of_the_document() -> None:
    plan = plan_import("openapi", "\ufeff" + json.dumps(SPEC), "spec.json")
    assert [r.url for r in plan.requests] == ["/x"]


def test_yaml_in_flow_style_that_starts_like_json_is_read() -> None:
    text = "{openapi: 3.0.0, info: {title: T, version: '1'}, paths: {/x: {get: " \
           "{responses: {'200': {description: ok}}}}}}"
    assert [r.url for r in plan_import("openapi", text, "spec.yaml").requests] == ["/x"]


@pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="PyYAML built without libyaml")
def test_yaml_goes_through_libyaml_when_pyyaml_has_it(monkeypatch: pytest.MonkeyPatch) -> None:
    used: list[str] = []

    class Recording(yaml.CSafeLoader):  # type: ignore[misc,name-defined]
        def __init__(self, stream: str) -> None:
            used.append("libyaml")
            super().__init__(stream)

    monkeypatch.setattr(yaml, "CSafeLoader", Recording)
    assert loader.load_yaml("a: [1, {b: c}]\n", "x.yaml") == {"a": [1, {"b": "c"}]}
    assert used == ["libyaml"]
