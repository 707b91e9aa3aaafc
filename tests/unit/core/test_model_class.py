"""The model's classes behave as plain dataclasses do (``core/_model_class.py`` makes
them cheaper to define): construction, equality, repr, hashing, ``replace``,
``fields`` and ``asdict``, compared with a dataclass made the ordinary way."""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any

import pytest

from relaydesk.core import model
from relaydesk.core.model import AuthSettings, Body, Connection, KeyValue, Request

CLASSES = [model.KeyValue, model.MultipartField, model.AuthSettings, model.TlsSettings,
           model.Connection, model.Body, model.RequestOptions, model.Request,
           model.Environment]


def _twin(cls: type) -> Any:
    """The same fields as an ordinary ``@dataclass``."""
    return dataclasses.make_dataclass(
        cls.__name__,
        [(f.name, f.type, dataclasses.field(default=f.default,
                                            default_factory=f.default_factory))
         for f in dataclasses.fields(cls)])


def _sample(cls: type) -> dict[str, Any]:
    required = {"path": "api/get", "base_url": "https://x.example", "name": "n"}
    return {f.name: required[f.name] for f in dataclasses.fields(cls)
            if f.name in required and f.default is dataclasses.MISSING}


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_a_model_class_is_an_ordinary_dataclass(cls: type) -> None:
    twin = _twin(cls)
    assert dataclasses.is_dataclass(cls)
    assert str(inspect.signature(cls)) == str(inspect.signature(twin))
    kwargs = _sample(cls)
    a, b, t = cls(**kwargs), cls(**kwargs), twin(**kwargs)
    assert repr(a) == repr(t)
    assert a == b
    assert (a != b) is False  # __ne__ follows __eq__
    assert a != t and t != a  # another class is never equal
    with pytest.raises(TypeError):
        hash(a)
    assert dataclasses.asdict(a) == dataclasses.asdict(t)
    first = dataclasses.fields(cls)[0].name
    changed = dataclasses.replace(a, **{first: "other"})
    assert changed != a and getattr(changed, first) == "other"
    assert cls.__match_args__ == twin.__match_args__


def test_equality_looks_at_every_field_and_at_nested_values() -> None:
    req = Request(path="api/get", headers=[KeyValue("A", "1")])
    assert req == Request(path="api/get", headers=[KeyValue("A", "1")])
    assert req != Request(path="api/get", headers=[KeyValue("A", "2")])
    assert req != Request(path="api/get", headers=[KeyValue("A", "1")], id="x")
    assert Body(kind="json", text="{}") != Body(kind="raw", text="{}")
    conn = Connection(path="api", base_url="https://x.example")
    assert conn != dataclasses.replace(conn, auth=AuthSettings("bearer"))
    # Compared as tuples are: two NaNs differ, but the same object equals itself.
    assert Connection(path="a", base_url="u", timeout=float("nan")) != Connection(
        path="a", base_url="u", timeout=float("nan"))
    nan = float("nan")
    assert Connection(path="a", base_url="u", timeout=nan) == Connection(
        path="a", base_url="u", timeout=nan)


def test_repr_names_every_field_and_stops_at_a_cycle() -> None:
    kv = KeyValue("A", "1")
    assert repr(kv) == "KeyValue(name='A', value='1', enabled=True)"
    auth = AuthSettings("basic", {})
    auth.params["self"] = auth  # type: ignore[assignment]
    assert repr(auth) == "AuthSettings(kind='basic', params={'self': ...})"
