import re
import uuid

import pytest

from relaydesk.core.errors import TemplateError
from relaydesk.core.templating import (
    Unresolved,
    find_variables,
    merge_variables,
    near_miss,
    render,
    unresolved,
)


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


def test_lenient_render_keeps_unknown_names_and_reports_them():
    found: list[Unresolved] = []
    out = render('{"a": "{{subject}}", "b": "{{ priority }}", "c": "{{x}}"}', {"x": "1"},
                 where="the JSON body", unresolved=found)
    assert out == '{"a": "{{subject}}", "b": "{{ priority }}", "c": "1"}'
    assert found == [Unresolved("subject", "the JSON body"),
                     Unresolved("priority", "the JSON body")]


@pytest.mark.parametrize(("typo", "meant"), [
    ("usrname", "username"), ("UserName", "username"), ("usernmae", "username"),
    ("ID", "id"),
])
def test_near_misses_of_defined_variables_are_errors_that_suggest(typo, meant):
    variables = {"username": "ann", "id": "7"}
    assert near_miss(typo, variables) == meant
    with pytest.raises(TemplateError, match=rf"did you mean \{{\{{{meant}\}}\}}\?"):
        render(f"/{{{{{typo}}}}}", variables, where="the URL", unresolved=[])


def test_far_names_and_short_names_are_not_typos():
    assert near_miss("message", {"username": "a"}) is None
    assert near_miss("ab", {"ac": "x"}) is None  # too short to call one a typo
    assert near_miss("subject", {"subjects_of_the_api": "x"}) is None


def test_unknown_builtin_stays_an_error_when_lenient():
    with pytest.raises(TemplateError, match=r"\$foo"):
        render("{{$foo}}", {}, unresolved=[])


def test_escaped_placeholder_is_sent_literally_even_when_defined():
    found: list[Unresolved] = []
    assert render(r"\{{name}} is {{name}}", {"name": "ann"}, unresolved=found) == \
        "{{name}} is ann"
    assert render(r"\{{name}}", {}) == "{{name}}"  # strict mode too: never an error
    assert found == []


def test_unresolved_helper_marks_only_what_would_be_sent_as_written():
    text = r"{{a}} {{message}} {{$uuid}} \{{b}} {{usrname}}"
    refs = unresolved(text, {"a": "1", "username": "u"})
    assert [text[r.start:r.end] for r in refs] == ["{{message}}"]
    assert [r.escaped for r in find_variables(text)] == [False, False, False, True, False]
