"""Reading the files: byte-order marks, YAML in flow style, the C YAML loader."""

from __future__ import annotations

import json

import pytest
import yaml

from relaydesk.core.errors import FileFormatError
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


TRICKY = """\
base: &b {x: 1, y: 2}
other: &o {y: 3, z: 4}
merged:
  <<: [*b, *o]
  w: 0
one: {<<: *b, x: 9}
shared: [*b, *b]
when: 2001-12-14t21:59:43.10-05:00
day: 2002-12-14
hex: 0x1F
big: 1_000
inf: .inf
none: ~
yes_word: yes
quoted: '1'
"<<": not a merge
1: int key
null: null key
dup: first
dup: last
"""


def _reference(text: str) -> object:
    """What PyYAML's own safe constructor gives, made plain as imports want."""
    return loader._plain(yaml.load(text, Loader=yaml.SafeLoader), "x.yaml")


def test_yaml_read_from_events_equals_pyyamls_own_reading() -> None:
    value = loader.load_yaml(TRICKY, "x.yaml")
    assert value == _reference(TRICKY)
    assert list(value) == list(_reference(TRICKY))  # the order of keys too
    assert value["merged"] == {"x": 1, "y": 2, "z": 4, "w": 0}
    assert value["when"].startswith("2001-12-14T21:59:43.1") and value["day"] == "2002-12-14"
    assert value["shared"][0] is value["shared"][1]  # aliases share, as PyYAML's do


def test_plain_yaml_never_needs_the_slow_constructor(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("yaml.load was called")

    monkeypatch.setattr(yaml, "load", refuse)
    assert loader.load_yaml(TRICKY, "x.yaml")["hex"] == 31


@pytest.mark.parametrize("text", ["a: !!binary aGk=\n", "a: !!float 1\n", "a: !!set {x}\n"])
def test_rarer_yaml_still_reads_as_before(text: str) -> None:
    assert loader.load_yaml(text, "x.yaml") == _reference(text)


@pytest.mark.parametrize("text, where", [("a: [1, 2\n", "line 2"), ("--- 1\n--- 2\n", ""),
                                         ("a: *nope\n", "")])
def test_bad_yaml_is_one_clear_error(text: str, where: str) -> None:
    with pytest.raises(FileFormatError, match=f"x.yaml.*not valid YAML.*{where}"):
        loader.load_yaml(text, "x.yaml")
