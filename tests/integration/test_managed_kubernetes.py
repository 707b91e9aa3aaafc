"""The managed API over a large real description: Kubernetes' own (issue 17).

The corpus file (tests/data/corpus/SOURCES.md: the Kubernetes API's Swagger 2.0
description as kubernetes-client/python vendors it; 1,123 operations in 64 tags, shared
``#/parameters``, bodies that consume ``*/*`` or five patch media types) is imported
with `relaydesk import openapi FILE`. Then: the description is kept, ``connect()``
exposes every operation of the file; ConfigMap operations, called against a loopback
server that serves namespaced ConfigMaps on their real paths, arrive with the right
method, path, query, content type and body; bad values are refused before sending;
`relaydesk stubs` writes stubs that mypy uses to accept a correct call and reject a
misspelled parameter.
"""

from __future__ import annotations

import json
import keyword
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

import relaydesk
from relaydesk.core.errors import InvalidValuesError, RelaydeskError
from relaydesk.core.managed import ManagedApi
from relaydesk.core.model import AuthSettings
from relaydesk.core.workspace import Workspace
from tests.corpus import MISSING_REASON, corpus_dir
from tests.integration.clitools import run_cli
from tests.servers import start_uvicorn

NAME = "openapi/kubernetes-client__python__kubernetes__swagger.json.unprocessed"
FOUND = corpus_dir(NAME)
pytestmark = pytest.mark.skipif(FOUND is None, reason=MISSING_REASON)
WALKED = ("get", "put", "post", "delete", "options", "head", "patch")


def file_operations() -> list[tuple[str, str, str, list[str]]]:
    """(METHOD, path, operationId, tags) of every operation, walked from the file."""
    assert FOUND is not None
    doc = json.loads((FOUND / NAME).read_text(encoding="utf-8"))
    return [(method.upper(), path, op["operationId"], op.get("tags") or [])
            for path, item in doc["paths"].items() for method, op in item.items()
            if method in WALKED]


@dataclass
class Arrival:
    method: str
    path: str
    query: list[tuple[str, str]]
    content_type: str
    body: bytes


class MiniKube:
    """Namespaced ConfigMaps served as the Kubernetes API does on their real paths
    (list with a label selector and a limit, create with a dry run, read, merge patch,
    delete); every request is remembered as it arrived."""

    PATH = re.compile(r"/api/v1/namespaces/([^/]+)/configmaps(?:/([^/]+))?")

    def __init__(self) -> None:
        self.store: dict[tuple[str, str], dict[str, Any]] = {}
        self.arrivals: list[Arrival] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        arrival = Arrival(scope["method"], scope["raw_path"].decode(),
                          parse_qsl(scope["query_string"].decode(), keep_blank_values=True),
                          headers.get("content-type", ""), body)
        self.arrivals.append(arrival)
        status, answer = self.answer(arrival)
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": json.dumps(answer).encode()})

    @staticmethod
    def status(code: int, reason: str) -> tuple[int, dict[str, Any]]:
        return code, {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                      "reason": reason, "code": code}

    def answer(self, a: Arrival) -> tuple[int, dict[str, Any]]:
        found = self.PATH.fullmatch(a.path)
        if found is None:
            return self.status(404, "NotFound")
        namespace, name = found.groups()
        query = dict(a.query)
        if name is None and a.method == "GET":
            wanted = dict(p.split("=", 1) for p in query.get("labelSelector", "").split(",")
                          if "=" in p)
            items = [cm for (ns, _), cm in sorted(self.store.items()) if ns == namespace
                     and wanted.items() <= cm["metadata"].get("labels", {}).items()]
            return 200, {"kind": "ConfigMapList", "apiVersion": "v1", "metadata": {},
                         "items": items[:int(query.get("limit", 500))]}
        if name is None and a.method == "POST":
            if a.content_type != "application/json":
                return self.status(415, "UnsupportedMediaType")
            made = json.loads(a.body)
            made["metadata"]["namespace"] = namespace
            if query.get("dryRun") != "All":
                self.store[(namespace, made["metadata"]["name"])] = made
            return 201, made
        if name is None or (namespace, name) not in self.store:
            return self.status(404, "NotFound")
        if a.method == "GET":
            return 200, self.store[(namespace, name)]
        if a.method == "PATCH":
            if a.content_type != "application/merge-patch+json":
                return self.status(415, "UnsupportedMediaType")
            current = self.store[(namespace, name)]
            current["data"] = {**current.get("data", {}), **json.loads(a.body).get("data", {})}
            return 200, current
        if a.method == "DELETE":
            del self.store[(namespace, name)]
            return 200, {"kind": "Status", "apiVersion": "v1", "status": "Success"}
        return self.status(405, "MethodNotAllowed")


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[MiniKube, str]]:
    app = MiniKube()
    running = start_uvicorn(app)
    yield app, running.base_url
    running.stop()


@pytest.fixture(scope="module")
def k8s(tmp_path_factory: pytest.TempPathFactory, server: tuple[MiniKube, str]
        ) -> tuple[Workspace, str]:
    """The file imported as connection 'k8s' the way a user does it, pointed at the
    loopback server (its bearer-token auth left out: the keyring is not under test)."""
    assert FOUND is not None
    root = tmp_path_factory.mktemp("k8s") / "ws"
    done = run_cli(root, "import", "openapi", str(FOUND / NAME), "--into", "k8s",
                   timeout=300)
    assert done.code == 0, done
    ws = Workspace.open(root)
    ws.save_connection(replace(ws.connection("k8s"), base_url=server[1],
                               auth=AuthSettings()))
    return ws, done.err


def test_the_import_keeps_the_description_and_connect_exposes_every_operation(
        k8s: tuple[Workspace, str]) -> None:
    ws, said = k8s
    walked = file_operations()
    assert len(walked) >= 1000
    assert f"{len(walked)} request(s)" in said and "relaydesk.connect('k8s')" in said
    assert FOUND is not None
    kept = ws.file_of("k8s").parent / "openapi.json"
    assert json.loads(kept.read_text()) == json.loads((FOUND / NAME).read_text())

    client = relaydesk.connect("k8s", workspace=ws, keyring=None)
    api = client.managed_api
    assert isinstance(api, ManagedApi)
    groups = api.groups()
    names = [(g, n) for g in groups for n in api.names(g)]
    # Every operation, none lost to a clash of names: one method per operation.
    assert len(names) == len(set(names)) == len(walked)
    assert {(ref.method.upper(), ref.path) for ref in api.index.operations()} == {
        (m, p) for m, p, _, _ in walked}
    # Tags like "core_v1" or "flowcontrolApiserver_v1" become identifiers; the
    # operationIds (all identifiers here) are kept as written.
    assert len(groups) == len({t for *_, tags in walked for t in tags})
    assert all(g.isidentifier() and not keyword.iskeyword(g) for g in groups)
    assert {"CoreV1", "AppsV1", "FlowcontrolApiserverV1", "WellKnown"} <= set(groups)
    assert {n for _, n in names} == {op_id for _, _, op_id, _ in walked}
    assert "readCoreV1NamespacedConfigMap" in dir(client.CoreV1)
    with pytest.raises(AttributeError, match="did you mean readCoreV1NamespacedConfigMap"):
        _ = client.CoreV1.readCoreV1NamespacedConfigMaps
    client.close()


def test_configmap_operations_go_out_as_kubernetes_expects(
        k8s: tuple[Workspace, str], server: tuple[MiniKube, str]) -> None:
    ws, _ = k8s
    app = server[0]
    app.arrivals.clear()
    config = {"metadata": {"name": "web.settings", "labels": {"app": "web"}},
              "data": {"mode": "fast"}}
    base = "/api/v1/namespaces/team-a/configmaps"
    with relaydesk.connect("k8s", workspace=ws, keyring=None) as client:
        core = client.CoreV1
        made = core.createCoreV1NamespacedConfigMap(namespace="team-a", body=config,
                                                    fieldManager="relaydesk")
        # A body that "consumes */*" goes as JSON (it has a JSON schema).
        assert made.response.status_code == 201 and made["metadata"]["namespace"] == "team-a"
        core.createCoreV1NamespacedConfigMap(namespace="team-a", dryRun="All", body={
            "metadata": {"name": "not-kept"}})
        listed = core.listCoreV1NamespacedConfigMap(namespace="team-a",
                                                    labelSelector="app=web", limit=5)
        assert [i["metadata"]["name"] for i in listed["items"]] == ["web.settings"]
        read = core.readCoreV1NamespacedConfigMap(namespace="team-a", name="web.settings")
        assert read["data"] == {"mode": "fast"}
        patched = core.patchCoreV1NamespacedConfigMap(
            namespace="team-a", name="web.settings", body={"data": {"size": "2"}},
            content_type="application/merge-patch+json")
        assert patched["data"] == {"mode": "fast", "size": "2"}
        # Without a choice, the first type the operation consumes (JSON patch), which
        # this server refuses as Kubernetes does for a merge-patch body.
        with pytest.raises(RelaydeskError):
            core.patchCoreV1NamespacedConfigMap(namespace="team-a", name="web.settings",
                                                body={"data": {}})
        gone = core.deleteCoreV1NamespacedConfigMap(
            namespace="team-a", name="web.settings", gracePeriodSeconds=0,
            body={"propagationPolicy": "Foreground"})
        assert gone["status"] == "Success"
    wire = [(a.method, a.path, a.query, a.content_type,
             json.loads(a.body) if a.body else None) for a in app.arrivals]
    assert wire == [
        ("POST", base, [("fieldManager", "relaydesk")], "application/json", config),
        ("POST", base, [("dryRun", "All")], "application/json",
         {"metadata": {"name": "not-kept"}}),
        ("GET", base, [("labelSelector", "app=web"), ("limit", "5")], "", None),
        ("GET", f"{base}/web.settings", [], "", None),
        ("PATCH", f"{base}/web.settings", [], "application/merge-patch+json",
         {"data": {"size": "2"}}),
        ("PATCH", f"{base}/web.settings", [], "application/json-patch+json", {"data": {}}),
        ("DELETE", f"{base}/web.settings", [("gracePeriodSeconds", "0")],
         "application/json", {"propagationPolicy": "Foreground"}),
    ]
    assert app.store == {}


def test_bad_values_are_refused_before_anything_is_sent(
        k8s: tuple[Workspace, str], server: tuple[MiniKube, str]) -> None:
    ws, _ = k8s
    app = server[0]
    app.arrivals.clear()
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("readCoreV1NamespacedConfigMap", {"name": "x"},
         "namespace: required (path parameter)"),
        ("listCoreV1NamespacedConfigMap", {"namespace": "a", "limit": "ten"}, "limit: "),
        ("listCoreV1NamespacedConfigMap", {"namespace": "a", "watch": "yes"}, "watch: "),
        ("createCoreV1NamespacedConfigMap", {"namespace": "a"}, "body: required"),
        ("createCoreV1NamespacedConfigMap",
         {"namespace": "a", "body": {"metadata": {"name": "x"}, "data": {"k": 1}}},
         "body.data"),
        ("patchCoreV1NamespacedConfigMap",  # the media types are an enum of their own
         {"namespace": "a", "name": "x", "body": {}, "content_type": "application/xml"},
         "content_type: 'application/xml' is not one of application/json-patch+json"),
        ("readCoreV1NamespacedConfigMap", {"namespace": "a", "name": "x", "nmae": "y"},
         "nmae: not a parameter"),
    ]
    with relaydesk.connect("k8s", workspace=ws, keyring=None) as client:
        for name, values, needle in cases:
            with pytest.raises(InvalidValuesError) as caught:
                getattr(client.CoreV1, name)(**values)
            assert any(f.startswith(needle) for f in caught.value.fields), (
                name, caught.value.fields)
    assert app.arrivals == []


def test_stubs_let_mypy_accept_a_call_and_reject_a_misspelled_parameter(
        k8s: tuple[Workspace, str], tmp_path: Path) -> None:
    ws, _ = k8s
    written = run_cli(ws.root, "stubs", "k8s", cwd=tmp_path, timeout=300)
    assert written.code == 0, written
    stub = (tmp_path / "typings/relaydesk/_managed/k8s.pyi").read_text()
    assert stub.count("\nclass _CoreV1__") == 248 and "    CoreV1: _G_CoreV1" in stub
    call = ('client.CoreV1.patchCoreV1NamespacedConfigMap(namespace="a", name="b", '
            'body={"data": {}}, content_type="application/merge-patch+json")')
    good = f'import relaydesk\n\nclient = relaydesk.connect("k8s")\n{call}\n'
    (tmp_path / "good.py").write_text(good)
    (tmp_path / "bad.py").write_text(good.replace("namespace=", "namespaec="))
    (tmp_path / "bad_type.py").write_text(good.replace("merge-patch", "merged-patch"))
    # One mypy run for the three files (the stub is read once).
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "good.py", "bad.py",
         "bad_type.py"], cwd=tmp_path, capture_output=True, text=True, timeout=900,
        env={**os.environ, "MYPYPATH": "typings"})
    errors = [line for line in checked.stdout.splitlines() if ": error:" in line]
    assert not [e for e in errors if e.startswith("good.py")], checked.stdout[-3000:]
    assert any(e.startswith("bad.py") and 'Unexpected keyword argument "namespaec"' in e
               for e in errors), checked.stdout[-3000:]
    assert any(e.startswith("bad_type.py") and "content_type" in e for e in errors), \
        checked.stdout[-3000:]
