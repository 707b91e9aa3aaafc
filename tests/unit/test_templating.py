import re
import uuid

import pytest

from relaydesk.core.errors import TemplateError
from relaydesk.core.templating import find_variables, merge_variables, render


def test_substitutes_names_with_spaces_inside_braces():
    assert render("{{host}}/a/{{ id }}", {"host": "h", "id": "7"}) == "h/a/7"


def test_unknown_variable_is_an_error_that_names_it():
    with pytest.raises(TemplateError, match=r"\{\{tenant\}\}.*in URL"):
        render("/t/{{tenant}}", {}, where="URL")


def test_values_are_not_rendered_again_and_nothing_is_evaluated():
    # A value that looks like a template or code is sent exactly as it is.
    out = render("{{a}}", {"a": "{{b}} {{__import__('os').system('x')}}", "b": "no"})
    assert out == "{{b}} {{__import__('os').system('x')}}"


def test_expressions_are_not_templates():
    # Only plain names are variables; anything else is literal text.
    assert render("{{ 1+1 }}", {}) == "{{ 1+1 }}"
    with pytest.raises(TemplateError, match=r"\{\{a\.b\}\}"):
        render("{{a.b}}", {"a": "x"})


def test_builtins():
    uid = render("{{$uuid}}", {})
    assert uuid.UUID(uid).version == 4
    assert re.fullmatch(r"\d{10}", render("{{$timestamp}}", {}))
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", render("{{$isoTimestamp}}", {}))
    assert 0 <= int(render("{{$randomInt}}", {})) <= 1000
    with pytest.raises(TemplateError, match=r"\$nope"):
        render("{{$nope}}", {})


def test_a_variable_may_shadow_a_builtin():
    assert render("{{$uuid}}", {"$uuid": "fixed"}) == "fixed"


def test_find_variables_spans():
    text = "https://{{host}}/x/{{ id }}"
    refs = find_variables(text)
    assert [r.name for r in refs] == ["host", "id"]
    assert [text[r.start : r.end] for r in refs] == ["{{host}}", "{{ id }}"]


def test_merge_later_layers_win():
    assert merge_variables({"a": "1", "b": "1"}, None, {"b": "2"}) == {"a": "1", "b": "2"}
