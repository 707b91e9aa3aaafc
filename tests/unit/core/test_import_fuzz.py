"""Fuzzing every importer: random and mutated valid inputs.

Whatever the input, reading it either gives a plan or raises the one documented
import error (``FileFormatError``, whose message starts with the file's name and says
what is wrong); applying a plan either works or raises a ``RelaydeskError`` and leaves
every workspace file (and the keyring) as it was.
"""

from __future__ import annotations

import copy
import json
import random
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relaydesk.core.errors import FileFormatError, RelaydeskError
from relaydesk.core.importers import IMPORT_KINDS, apply_plan, plan_import
from relaydesk.core.secrets import SecretStore
from relaydesk.core.workspace import Workspace
from tests.conftest import MemoryKeyring
from tests.unit.core.test_importers import (
    DATA,
    HAR,
    HTTP_FILE,
    INSOMNIA_V4,
    INSOMNIA_V5,
    OPENAPI_31,
    POSTMAN_V20,
    SWAGGER_2,
)

SEEDS: dict[str, list[str]] = {
    "postman": [(DATA / "postman_v21.json").read_text(), json.dumps(POSTMAN_V20)],
    "insomnia": [json.dumps(INSOMNIA_V4), INSOMNIA_V5],
    "openapi": [json.dumps(OPENAPI_31), SWAGGER_2],
    "har": [json.dumps(HAR)],
    "http": [HTTP_FILE],
    "curl": ["curl -X POST 'https://api.example.com/a?b=1' -H 'Authorization: Bearer x' "
             "-d '{\"a\": 1}' -u user:pass"],
}
FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.text(max_size=10), children, max_size=4),
    max_leaves=20)


def _check(kind: str, text: str) -> None:
    try:
        plan = plan_import(kind, text, "fuzz.input")
    except FileFormatError as exc:
        assert str(exc).startswith("fuzz.input: ") and len(str(exc)) > len("fuzz.input: ")
        return
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace.open(Path(tmp) / "ws")
        keyring = MemoryKeyring()
        before = {p: p.read_bytes() for p in ws.iter_files()}
        try:
            apply_plan(ws, SecretStore.for_workspace(keyring, ws), plan)
        except RelaydeskError as exc:
            assert str(exc)
            assert {p: p.read_bytes() for p in ws.iter_files()} == before
            assert keyring.passwords == {}
            return
        ws.reload()
        assert not ws.problems, ws.problems
        files = b"".join(p.read_bytes() for p in ws.iter_files())
        for secret in plan.secrets:
            quoted = json.dumps(secret.value, ensure_ascii=False).encode()
            assert quoted not in files, secret  # never a value of its own in a file
            if len(secret.value) >= 8:  # long enough not to occur by chance
                assert quoted[1:-1] not in files, secret


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


def _mutate(doc: Any, rnd: random.Random, replacement: Any) -> Any:
    doc = copy.deepcopy(doc)
    target = rnd.choice(_paths(doc)[1:] or [()])
    if not target:
        return replacement
    parent = doc
    for key in target[:-1]:
        parent = parent[key]
    if rnd.random() < 0.3 and isinstance(parent, dict):
        del parent[target[-1]]
    else:
        parent[target[-1]] = replacement
    return doc


@given(kind=st.sampled_from(IMPORT_KINDS), text=st.text(max_size=300))
@FUZZ
def test_random_text(kind: str, text: str) -> None:
    _check(kind, text)


@given(kind=st.sampled_from(IMPORT_KINDS), value=json_values)
@FUZZ
def test_random_json(kind: str, value: Any) -> None:
    _check(kind, json.dumps(value))


@given(kind=st.sampled_from(["postman", "insomnia", "openapi", "har"]),
       seed=st.integers(0, 2**32 - 1), replacement=json_values)
@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
def test_mutated_structures(kind: str, seed: int, replacement: Any) -> None:
    import yaml

    rnd = random.Random(seed)
    source = rnd.choice(SEEDS[kind])
    doc = json.loads(source) if source.lstrip().startswith("{") else yaml.safe_load(source)
    _check(kind, json.dumps(_mutate(doc, rnd, replacement)))


@given(kind=st.sampled_from(IMPORT_KINDS), seed=st.integers(0, 2**32 - 1),
       junk=st.text(max_size=8))
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
def test_mutated_text(kind: str, seed: int, junk: str) -> None:
    rnd = random.Random(seed)
    text = rnd.choice(SEEDS[kind])
    for _ in range(rnd.randint(1, 4)):
        at = rnd.randrange(len(text) + 1)
        cut = rnd.randint(0, 5)
        text = text[:at] + (junk if rnd.random() < 0.7 else "") + text[at + cut:]
    _check(kind, text)
