"""The managed API over the real OpenAPI/Swagger descriptions of the corpus (issue 17).

Every description of the corpus (tests/data/corpus/manifest.json, kind ``openapi``;
the largest is Kubernetes', 1,123 operations, which test_managed_kubernetes.py
also drives against a server of its own) is imported with `relaydesk import openapi`,
which keeps it beside the new connection. Then, against a loopback server that records
what arrives: every operation of every description is called with values made from
its own schemas and goes out with its method, path and required query parameters;
a missing required parameter and a value outside an enum are refused before
anything is sent; and the stubs of all of them together pass mypy --strict, which
also rejects a misspelled parameter of a real operation.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote

import pytest

import relaydesk
from relaydesk.cli.import_files import run_file_import
from relaydesk.core.errors import InvalidValuesError, RelaydeskError
from relaydesk.core.importers.openapi_schema import Resolver, example_for
from relaydesk.core.managed import ManagedApi, Operation, wire_type
from relaydesk.core.model import AuthSettings
from relaydesk.core.workspace import Workspace
from tests.conftest import MemoryKeyring
from tests.corpus import MISSING_REASON, corpus_dir
from tests.integration.clitools import run_cli
from tests.integration.test_import_corpus import _Ctx
from tests.servers import start_uvicorn

MANIFEST = json.loads((Path(__file__).resolve().parents[1] / "data/corpus/manifest.json"
                       ).read_text(encoding="utf-8"))["files"]
DESCRIPTIONS = [e for e in MANIFEST if e["kind"] == "openapi"]
FILES = corpus_dir(DESCRIPTIONS[0]["file"]) if DESCRIPTIONS else None
pytestmark = pytest.mark.skipif(FILES is None, reason=MISSING_REASON)
LARGEST = max(DESCRIPTIONS, key=lambda e: e["bytes"]) if DESCRIPTIONS else {}


@dataclass
class Arrival:
    method: str
    path: str
    query: list[tuple[str, str]]


class Recorder:
    """Answers ``{}`` to anything and remembers method, raw path and query."""

    def __init__(self) -> None:
        self.arrivals: list[Arrival] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        while (await receive()).get("more_body"):
            pass
        self.arrivals.append(Arrival(scope["method"], scope["raw_path"].decode(),
                                     parse_qsl(scope["query_string"].decode(),
                                               keep_blank_values=True)))
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": b"{}"})


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[Recorder, str]]:
    recorder = Recorder()
    running = start_uvicorn(recorder)
    yield recorder, running.base_url
    running.stop()


@pytest.fixture(scope="module")
def corpus_workspace(tmp_path_factory: pytest.TempPathFactory,
                     server: tuple[Recorder, str]) -> tuple[Workspace, list[str]]:
    """Every corpus description imported as connection 'corpus/<n>', pointed at the
    loopback server; returns the workspace and the connections that were made."""
    assert FILES is not None
    root = tmp_path_factory.mktemp("managed-corpus") / "ws"
    made = []
    ctx = _Ctx(root, MemoryKeyring())
    for n, entry in enumerate(DESCRIPTIONS):
        args = argparse.Namespace(format="openapi", source=str(FILES / entry["file"]),
                                  into=f"corpus/{n}")
        try:
            run_file_import(args, ctx)  # `relaydesk import openapi FILE --into PATH`
        except RelaydeskError:
            continue  # refused with its reason: test_import_corpus checks those
        made.append(f"corpus/{n}")
    ws = Workspace.open(root)
    for path in made:
        conn = ws.connection(path)
        ws.save_connection(replace(conn, base_url=f"{server[1]}/base/{path}",
                                   auth=AuthSettings()))
    return ws, made


def _resolver(ws: Workspace, path: str) -> Resolver:
    return Resolver(json.loads((ws.file_of(path).parent / "openapi.json").read_text()))


def value_for(schema: Any, resolver: Resolver, depth: int = 0) -> Any:
    """The smallest value the schema accepts: required properties only, the first
    enum value or option, and for scalars the schema's own example when it has one."""
    schema = resolver.deref(schema) if isinstance(schema, dict) and "$ref" in schema \
        else schema
    if not isinstance(schema, dict) or depth > 30:
        return "v1"
    for key in ("const", "enum"):
        if key in schema:
            return schema[key] if key == "const" else next(
                (v for v in schema["enum"] if v is not None), None)
    if isinstance(schema.get("allOf"), list):
        merged: Any = None
        for sub in [*schema["allOf"], {k: v for k, v in schema.items() if k != "allOf"}]:
            part = value_for(sub, resolver, depth + 1)
            merged = {**merged, **part} if isinstance(merged, dict) and isinstance(
                part, dict) else (merged if part == "v1" and merged is not None else part)
        return merged
    for key in ("oneOf", "anyOf"):
        options = [o for o in schema.get(key) or [] if resolver.deref(o).get("type") != "null"]
        if options and "type" not in options[0] and "$ref" not in options[0] and (
                "properties" in schema):  # alternatives that only add required names
            rest = {k: v for k, v in schema.items() if k != key}
            rest["required"] = [*schema.get("required", []),
                                *options[0].get("required", [])]
            return value_for(rest, resolver, depth + 1)
        if options:
            return value_for(options[0], resolver, depth + 1)
    kind = schema.get("type")
    kind = next((k for k in kind if k != "null"), "null") if isinstance(kind, list) else kind
    if kind == "object" or (kind is None and "properties" in schema):
        props = schema.get("properties") or {}
        return {name: value_for(props.get(name), resolver, depth + 1)
                for name in schema.get("required") or [] if isinstance(name, str)}
    if kind == "array":
        return [value_for(schema.get("items"), resolver, depth + 1)] if schema.get(
            "minItems") else []
    example = example_for(schema, resolver)
    if kind == "string":
        return example if isinstance(example, str) and example else "v1"
    if kind in ("integer", "number"):
        return example if isinstance(example, int | float) and not isinstance(
            example, bool) else 1
    if kind == "boolean":
        return True
    return None if kind == "null" else "v1"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(map(_text, value))
    return str(value)


def call_values(op: Operation, resolver: Resolver) -> dict[str, Any]:
    """Keyword arguments for every required parameter (and a body when required)."""
    values = {p["name"]: value_for(p.get("schema"), resolver)
              for p in op.spec["params"] if p.get("required")}
    for p in op.spec["params"]:
        if values.get(p["name"]) == []:  # a required list parameter: one item
            items = resolver.deref(p.get("schema")).get("items") if "$ref" in p.get(
                "schema", {}) else p.get("schema", {}).get("items")
            values[p["name"]] = [value_for(items, resolver)]
    body = op.spec.get("body")
    if body and body.get("required"):
        media = body["media"] or [["application/json", None]]
        # body= goes as JSON when the operation takes JSON, else as its first media type
        media = [[wire_type(m[0]), m[1]] for m in media]  # "*/*": JSON, as the client does
        ctype, schema = next((m for m in media if "json" in m[0].lower()), media[0])
        value = value_for(schema, resolver)
        if "json" not in ctype and "form" not in ctype:
            value = b"data"  # a raw or binary body
        elif "multipart" in ctype and isinstance(value, dict):
            value = {k: (b"file" if v == "" else v) for k, v in value.items()}
        values["body"] = value
    return values


def operations(ws: Workspace, path: str) -> list[Operation]:
    api = relaydesk.connect(path, workspace=ws, keyring=None).managed_api
    assert isinstance(api, ManagedApi)
    return list(api.operations())


def test_the_largest_description_is_a_big_one(
        corpus_workspace: tuple[Workspace, list[str]]) -> None:
    ws, made = corpus_workspace
    largest = f"corpus/{DESCRIPTIONS.index(LARGEST)}"
    assert largest in made
    listed = run_cli(ws.root, "describe", largest)
    assert listed.code == 0 and len(listed.text.splitlines()) >= 250, listed
    assert len(made) >= 0.9 * len(DESCRIPTIONS)


def test_every_operation_goes_out_with_its_method_path_and_query(
        corpus_workspace: tuple[Workspace, list[str]], server: tuple[Recorder, str]) -> None:
    ws, made = corpus_workspace
    recorder = server[0]
    refused: list[str] = []
    calls = 0
    for path in made:
        resolver = _resolver(ws, path)
        with relaydesk.connect(path, workspace=ws, keyring=None) as client:
            for op in operations(ws, path):
                values = call_values(op, resolver)
                recorder.arrivals.clear()
                try:
                    getattr(getattr(client, op.ref.group), op.ref.name).raw(**values)
                except InvalidValuesError as exc:
                    refused.append(f"{path} {op.title}: {exc}")
                    continue
                calls += 1
                spec = op.spec
                template, _, fixed = spec["path"].partition("?")
                expected = re.sub(r"\{([^{}/]+)\}", lambda m, v=values: quote(
                    _text(v[m.group(1)]), safe=""), template)
                (arrival,) = recorder.arrivals
                assert (arrival.method, arrival.path) == (
                    spec["method"], f"/base/{path}{expected}"), (path, op.title)
                assert set(parse_qsl(fixed)) <= set(arrival.query), (path, op.title)
                for p in spec["params"]:
                    if p["in"] == "query" and p.get("required") and not isinstance(
                            values[p["name"]], dict):
                        assert (p["name"], _text(values[p["name"]]).split(",")[0]) in \
                            arrival.query, (path, op.title, p["name"])
    assert calls >= 500
    # The schemas' own examples pass their own checks.
    assert not refused, "\n".join(refused[:20])


def _first(ws: Workspace, made: list[str], want: Any) -> tuple[str, Operation, Any]:
    for path in made:
        for op in operations(ws, path):
            found = want(op, _resolver(ws, path))
            if found is not None:
                return path, op, found
    raise AssertionError("no operation of the corpus fits")


def test_missing_required_and_wrong_enum_values_are_refused_before_sending(
        corpus_workspace: tuple[Workspace, list[str]], server: tuple[Recorder, str]) -> None:
    ws, made = corpus_workspace
    recorder = server[0]

    def required_query(op: Operation, resolver: Resolver) -> Any:
        return next((p["name"] for p in op.spec["params"]
                     if p["in"] == "query" and p.get("required")), None)

    def enum_param(op: Operation, resolver: Resolver) -> Any:
        for p in op.spec["params"]:
            schema = resolver.deref(p.get("schema")) if "$ref" in p.get("schema", {}) \
                else p.get("schema", {})
            if p["name"].isidentifier() and isinstance(schema.get("enum"), list) \
                    and all(isinstance(v, str) for v in schema["enum"]):
                return p["name"]
        return None

    for want, wrong, needle in ((required_query, None, "required (query parameter)"),
                                (enum_param, "no-such-value", "is not one of")):
        path, op, name = _first(ws, made, want)
        values = call_values(op, _resolver(ws, path))
        values[name] = wrong
        if wrong is None:
            del values[name]
        recorder.arrivals.clear()
        with relaydesk.connect(path, workspace=ws, keyring=None) as client, \
                pytest.raises(InvalidValuesError) as exc:
            getattr(getattr(client, op.ref.group), op.ref.name)(**values)
        assert recorder.arrivals == []
        assert any(f.startswith(f"{name}: ") and needle in f for f in exc.value.fields), \
            exc.value.fields


def test_stubs_of_every_description_pass_mypy(
        corpus_workspace: tuple[Workspace, list[str]], tmp_path: Path) -> None:
    ws, made = corpus_workspace
    largest = f"corpus/{DESCRIPTIONS.index(LARGEST)}"
    written = run_cli(ws.root, "stubs", cwd=tmp_path)
    assert written.code == 0, written
    assert f"Wrote type stubs of {len(made)} connection(s)" in written.err
    op = next(o for o in operations(ws, largest)
              if o.spec["method"] == "GET" and any(
                  p["in"] == "path" and p["name"].isidentifier() for p in o.spec["params"]))
    values = {p["name"]: "x" for p in op.spec["params"]
              if p.get("required") and p["name"].isidentifier()}
    args = ", ".join(f"{k}={v!r}" for k, v in values.items())
    script = (f"import relaydesk\n\nclient = relaydesk.connect({largest!r})\n"
              f"client.{op.ref.group}.{op.ref.name}({args})\n")
    first = next(iter(values))
    wrong = script.replace(f"{first}=", f"{first}_typo=")
    for name, text in (("good.py", script), ("bad.py", wrong)):
        (tmp_path / name).write_text(text)
    env = {**os.environ, "MYPYPATH": "typings"}
    good = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental",
                           "good.py"], cwd=tmp_path, capture_output=True, text=True,
                          env=env, timeout=600)
    assert good.returncode == 0, good.stdout[-3000:]
    bad = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental",
                          "bad.py"], cwd=tmp_path, capture_output=True, text=True,
                         env=env, timeout=600)
    assert f'Unexpected keyword argument "{first}_typo"' in bad.stdout, bad.stdout[-3000:]
