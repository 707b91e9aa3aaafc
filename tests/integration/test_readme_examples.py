"""Every example of README.md runs as written, in order, in a fresh workspace.

The ```sh blocks run with bash (``set -euo pipefail``: every command must exit 0, as
the README documents) and the ```python block with this interpreter; a block right
after ``<!-- not run by tests/integration/test_readme_examples.py: why -->`` is left
out (the setup and test commands themselves). Examples name public hosts; only in the
extracted text, each ``https://host`` becomes plain ``http://`` to a server this test
starts on 127.0.0.1 (the OAuth issuer to tests/oauth_server.py, every other host to a
small Jira-like JSON app), so the commands stay as written and nothing leaves the
machine. ``$JIRA_TOKEN`` is set, ``pbpaste`` is a shim on PATH printing a curl
command, the "system browser" is a script in ``$BROWSER`` that logs in as a user would,
and the files the examples import are written to the working folder.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

from tests.integration.clitools import relaydesk_command, requires_secret_service
from tests.oauth_server import CLIENTS, start_oauth_server
from tests.servers import start_uvicorn

pytestmark = [pytest.mark.keyring, requires_secret_service]

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
SKIP_MARK = "<!-- not run by tests/integration/test_readme_examples.py:"
OAUTH_HOST = "auth.example.com"
JIRA_USER = "alice@example.com"
JIRA_TOKEN = "readme-t0ken-Zq9"  # what `printf %s "$JIRA_TOKEN" | relaydesk secret set` stores


@dataclass
class Block:
    lang: str
    line: int  # of the opening fence
    code: str


def readme_blocks(text: str) -> tuple[list[Block], list[str]]:
    """The ```sh and ```python blocks to run, and the reasons given for the others."""
    blocks: list[Block] = []
    skipped: list[str] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        match = re.match(r"^```(\w+)\s*$", lines[i])
        if not match:
            i += 1
            continue
        end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
        previous = next((ln for ln in reversed(lines[:i]) if ln.strip()), "")
        if match.group(1) in ("sh", "python"):
            if previous.startswith(SKIP_MARK):
                skipped.append(previous[len(SKIP_MARK):].removesuffix("-->").strip())
            else:
                blocks.append(Block(match.group(1), i + 1, "\n".join(lines[i + 1:end]) + "\n"))
        i = end + 1
    return blocks, skipped


# -- the loopback side -------------------------------------------------------------------


@dataclass
class JiraLike:
    """Answers what the examples call; remembers every request."""

    seen: list[dict[str, Any]] = field(default_factory=list)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        path: str = scope["path"]
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        query = dict(parse_qsl(scope["query_string"].decode()))
        self.seen.append({"method": scope["method"], "path": path, "headers": headers})
        status, body = self.answer(scope["method"], path, headers, query)
        data = json.dumps(body).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(data)).encode())]})
        await send({"type": "http.response.body", "body": data})

    @staticmethod
    def answer(method: str, path: str, headers: dict[str, str],
               query: dict[str, str]) -> tuple[int, Any]:
        if path == "/v1/status":
            return 200, {"status": "ok", "trace": headers.get("x-trace")}
        if not path.startswith("/rest/api/3/"):
            return 404, {"errorMessages": [f"no route {path}"]}
        basic = "Basic " + base64.b64encode(f"{JIRA_USER}:{JIRA_TOKEN}".encode()).decode()
        if headers.get("authorization") != basic:
            return 401, {"errorMessages": ["You are not authenticated."]}
        rest = path.removeprefix("/rest/api/3")
        if rest == "/myself":
            return 200, {"accountId": "5b10a2", "emailAddress": JIRA_USER}
        if rest == "/issue" and method == "POST":
            return 201, {"id": "10043", "key": "OPS-43"}
        if rest.startswith("/issue/"):
            key = rest.removeprefix("/issue/")
            return 200, {"key": key, "fields": {"summary": f"Issue {key}"}}
        if rest == "/search":
            start, size, total = int(query.get("startAt", "0")), 2, 5
            issues = [{"key": f"OPS-{n}"} for n in range(start + 1, min(start + size, total) + 1)]
            return 200, {"startAt": start, "maxResults": size, "total": total, "issues": issues}
        return 404, {"errorMessages": [f"no route {path}"]}


@pytest.fixture(scope="module")
def jira() -> Iterator[tuple[str, JiraLike]]:
    app = JiraLike()
    server = start_uvicorn(app)
    yield server.base_url, app
    server.stop()


@pytest.fixture(scope="module")
def oauth_base() -> Iterator[str]:
    server = start_oauth_server()
    yield server.base_url
    server.stop()


def to_loopback(text: str, jira_base: str, oauth_base: str) -> str:
    """Each ``https://host`` of an example → the loopback server standing in for it."""
    def swap(match: re.Match[str]) -> str:
        return oauth_base if match.group(1) == OAUTH_HOST else jira_base

    return re.sub(r"https://([A-Za-z0-9.-]+)", swap, text)


BROWSER_SHIM = '''\
"""The user in the system browser: open the login page, log in, consent."""
import sys

import httpx

with httpx.Client(trust_env=False, timeout=20) as client:
    url = sys.argv[1]
    assert client.get(url).status_code == 200
    answer = client.post(url, data={"user": "alice", "consent": "yes"})
    assert answer.status_code == 302, answer.text
    client.get(answer.headers["location"])
'''

PETSTORE = """\
openapi: 3.0.3
info: {title: Petstore, version: 1.0.0}
servers: [{url: "https://petstore.example.com/v1"}]
paths:
  /pets:
    get:
      operationId: listPets
      tags: [pets]
      parameters:
        - {name: limit, in: query, schema: {type: integer}}
      responses: {"200": {description: the pets}}
  /pets/{petId}:
    get:
      operationId: showPetById
      tags: [pets]
      parameters:
        - {name: petId, in: path, required: true, schema: {type: string}}
      responses: {"200": {description: a pet}}
"""

PASTED_CURL = ("curl 'https://example.atlassian.net/rest/api/3/issue' "
               "-H 'Content-Type: application/json' "
               "--data-raw '{\"fields\": {\"project\": {\"key\": \"OPS\"}, "
               "\"summary\": \"From the README\"}}'")


def _environment(tmp_path: Path, jira_base: str, oauth_base: str) -> dict[str, str]:
    shims = tmp_path / "shims"
    shims.mkdir()
    pbpaste = shims / "pbpaste"
    pbpaste.write_text("#!/bin/sh\ncat <<'EOF'\n"
                       + to_loopback(PASTED_CURL, jira_base, oauth_base) + "\nEOF\n")
    pbpaste.chmod(0o755)
    browser = shims / "browser.py"
    browser.write_text(BROWSER_SHIM)
    relaydesk_dir = str(Path(relaydesk_command()[0]).parent)
    env = {k: v for k, v in os.environ.items()
           if k not in ("RELAYDESK_DEBUG",) and "proxy" not in k.lower()}
    env.update({
        "PATH": os.pathsep.join([str(shims), relaydesk_dir, env.get("PATH", "")]),
        "RELAYDESK_WORKSPACE": str(tmp_path / "workspace"),
        "JIRA_TOKEN": JIRA_TOKEN,
        "BROWSER": f"{sys.executable} {browser} %s",
        "PYTHONPATH": os.pathsep.join(p for p in [str(REPO / "src"), env.get("PYTHONPATH")]
                                      if p),
    })
    return env


def _files_the_examples_read(work: Path) -> None:
    shutil.copy(REPO / "tests" / "data" / "imports" / "postman_v21.json",
                work / "team.postman_collection.json")
    (work / "petstore.yaml").write_text(PETSTORE)


def _run(block: Block, work: Path, env: dict[str, str], jira_base: str,
         oauth_base: str) -> subprocess.CompletedProcess[str]:
    code = to_loopback(block.code, jira_base, oauth_base)
    if block.lang == "sh":
        env = {**env, "PS4": f"+ README.md block at line {block.line}: "}
        argv = ["bash", "-c", "set -euo pipefail -x\n" + code]
    else:
        script = work / f"readme_{block.line}.py"
        script.write_text(code)
        argv = [sys.executable, str(script)]
    return subprocess.run(argv, cwd=work, env=env, capture_output=True, text=True,
                          timeout=300, stdin=subprocess.DEVNULL)


def test_the_readme_lists_its_examples() -> None:
    blocks, skipped = readme_blocks(README.read_text(encoding="utf-8"))
    assert [b.lang for b in blocks].count("python") >= 1
    assert [b.lang for b in blocks].count("sh") >= 2
    assert all(reason for reason in skipped), skipped


def test_every_readme_example_runs_as_written(
        tmp_path: Path, jira: tuple[str, JiraLike], oauth_base: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    jira_base, server = jira
    # The README's OAuth example registers `client_id=abc`: a public PKCE client.
    monkeypatch.setitem(CLIENTS, "abc", {"secret": "", "auth": "none",
                                         "grants": {"authorization_code", "refresh_token"}})
    work = tmp_path / "work"
    work.mkdir()
    _files_the_examples_read(work)
    env = _environment(tmp_path, jira_base, oauth_base)
    blocks, _ = readme_blocks(README.read_text(encoding="utf-8"))
    outputs: list[str] = []
    for block in blocks:
        proc = _run(block, work, env, jira_base, oauth_base)
        assert proc.returncode == 0, (
            f"README.md's {block.lang} block at line {block.line} failed "
            f"({proc.returncode}):\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}")
        assert "Traceback" not in proc.stderr, proc.stderr
        outputs.append(proc.stdout)
    text = "\n".join(outputs)

    # What the examples promise, seen from the server and in the files they write.
    sent = [(r["method"], r["path"]) for r in server.seen]
    assert ("GET", "/rest/api/3/issue/OPS-42") in sent  # --var beats the environment
    assert ("GET", "/rest/api/3/myself") in sent        # check, and the Python API
    assert ("GET", "/v1/status") in sent                # send --curl
    assert json.loads((work / "issue.json").read_text())["key"] == "OPS-1"  # prod's key
    assert (work / "report.xml").read_text().lstrip().startswith("<?xml")
    assert json.loads((work / "jira.postman.json").read_text())["item"]
    assert "password: saved" in text                   # secret status, as its comment says
    assert "httpx" in text and "/issue/OPS-1" in text  # the export, with --env prod
    assert JIRA_TOKEN not in text                      # secrets stay references
    assert [i["key"] for i in json.loads(_json_array_after(text, "OPS-1"))] == [
        "OPS-1", "OPS-2", "OPS-3", "OPS-4", "OPS-5"]   # --all-pages
    assert text.rstrip().endswith("OPS-1")             # the Python block's print


def _json_array_after(text: str, first_key: str) -> str:
    """The JSON array `send --all-pages` printed (it starts with the first issue)."""
    start = text.index('[\n  {\n    "key": "' + first_key)
    end = text.index("\n]\n", start) + 2
    return text[start:end]
