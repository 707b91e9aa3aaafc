"""Running generated snippets for real and normalising what the echo server saw.

Shared by the executed-snippet tests: each snippet prints the echo server's JSON
answer on stdout; ``normalise`` turns that answer into something comparable across
clients (transport headers each client adds on its own are dropped, multipart
boundaries are replaced by the parsed parts).
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

__all__ = ["FETCH_HEADERS", "IGNORED_HEADERS", "exec_relaydesk_snippet", "normalise", "run_snippet",
           "runner_missing"]

# Headers each client adds by itself; the issue compares everything else.
IGNORED_HEADERS = {"user-agent", "accept", "accept-encoding", "connection", "content-length",
                   "transfer-encoding"}
# The Fetch standard makes every fetch() send these two.
FETCH_HEADERS = {"accept-language", "sec-fetch-mode"}

_FILES = {"curl": "snippet.sh", "httpie": "snippet.sh", "python-httpx": "snippet.py",
          "python-requests": "snippet.py", "javascript-fetch": "snippet.mjs",
          "node": "snippet.cjs", "go": "main.go"}


def runner_missing(kind: str) -> str | None:
    """Why ``kind`` cannot be run here, or None."""
    import importlib.util

    module = {"python-httpx": "httpx", "python-requests": "requests"}.get(kind)
    if module and importlib.util.find_spec(module) is None:
        return f"the Python package '{module}' is not installed"
    need = {"curl": "curl", "httpie": "http", "javascript-fetch": "node", "node": "node",
            "go": "go"}.get(kind)
    if need is None:
        return None
    found = shutil.which(need) or (Path(sys.executable).parent / need).exists()
    return None if found else f"'{need}' is not installed"


def _command(kind: str, file: Path) -> list[str]:
    if kind in ("curl", "httpie"):
        return ["bash", str(file)]
    if kind.startswith("python"):
        return [sys.executable, str(file)]
    if kind in ("javascript-fetch", "node"):
        return ["node", str(file)]
    if kind == "go":
        return ["go", "run", str(file)]
    raise ValueError(kind)


def _go_environment(cwd: Path) -> dict[str, str]:
    """Go offline and writable: snippets use only the standard library, so no module is
    ever fetched (GOPROXY=off) nor a newer toolchain (GOTOOLCHAIN=local); the build cache
    is the user's when writable (warm runs are ~1 s a snippet), else one beside the file."""
    cache = Path(os.environ.get("GOCACHE") or Path.home() / ".cache" / "go-build")
    try:
        cache.mkdir(parents=True, exist_ok=True)
        writable = os.access(cache, os.W_OK)
    except OSError:
        writable = False
    if not writable:
        cache = cwd / ".gocache"
    return {"GOCACHE": str(cache), "GOPATH": str(cwd / ".gopath"), "GOPROXY": "off",
            "GOFLAGS": "-mod=mod", "GOTOOLCHAIN": "local", "GOTELEMETRY": "off",
            "GO111MODULE": "auto", "HOME": os.environ.get("HOME") or str(cwd)}


def run_snippet(kind: str, code: str, cwd: Path, env: dict[str, str], *,
                workspace: Path | None = None, keyring_backend: Any = None) -> dict[str, Any]:
    """Run ``code`` and return the echo server's JSON answer it printed."""
    if kind == "relaydesk":
        return _run_in_process(code, cwd, workspace, keyring_backend)
    file = cwd / _FILES[kind]
    file.write_text(code, encoding="utf-8")
    environ = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environ.get('PATH', '')}"
    environ.update(env)
    if kind == "go":
        environ.update(_go_environment(cwd))
    proc = subprocess.run(_command(kind, file), cwd=cwd, env=environ, capture_output=True,
                          timeout=120, stdin=subprocess.DEVNULL)
    out = proc.stdout.decode("utf-8", "replace")
    assert proc.returncode == 0, f"{kind} failed ({proc.returncode}):\n{code}\n{proc.stderr!r}"
    start = out.find("{")
    assert start >= 0, f"{kind} printed no JSON:\n{code}\nstdout={out!r}"
    return dict(json.loads(out[start:]))


def _run_in_process(code: str, cwd: Path, workspace: Path | None,
                    backend: Any) -> dict[str, Any]:
    return dict(json.loads(exec_relaydesk_snippet(code, cwd, workspace, backend)))


def exec_relaydesk_snippet(code: str, cwd: Path, workspace: Path | None,
                           backend: Any) -> str:
    """exec() the relaydesk snippet and return what it printed: ``relaydesk.connect``
    finds the test workspace through RELAYDESK_WORKSPACE and the in-memory keyring
    through keyring.set_keyring."""
    import keyring

    previous_backend = keyring.get_keyring()
    previous_ws = os.environ.get("RELAYDESK_WORKSPACE")
    previous_cwd = Path.cwd()
    out = io.StringIO()
    try:
        keyring.set_keyring(backend)
        os.environ["RELAYDESK_WORKSPACE"] = str(workspace)
        os.chdir(cwd)
        namespace: dict[str, Any] = {"__name__": "__main__"}
        with contextlib.redirect_stdout(out):
            exec(compile(code, "relaydesk-snippet.py", "exec"), namespace)
        import httpx

        for value in namespace.values():  # a script's client dies with its process
            if isinstance(value, httpx.Client):
                value.close()
    finally:
        os.chdir(previous_cwd)
        keyring.set_keyring(previous_backend)
        if previous_ws is None:
            os.environ.pop("RELAYDESK_WORKSPACE", None)
        else:
            os.environ["RELAYDESK_WORKSPACE"] = previous_ws
    return out.getvalue()


def _parts(body: bytes, content_type: str) -> list[tuple[str, ...]]:
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    assert match, f"multipart without boundary: {content_type!r}"
    marker = b"--" + match.group(1).encode()
    parts = []
    for chunk in body.split(marker)[1:-1]:
        head, _, content = chunk[2:].partition(b"\r\n\r\n")
        headers = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        disp = headers.get("content-disposition", "")
        name_m = re.search(r'(?:^|; )name="([^"]*)"', disp)
        file_m = re.search(r'filename="([^"]*)"', disp)
        parts.append((name_m.group(1) if name_m else "", file_m.group(1) if file_m else "",
                      headers.get("content-type", ""),
                      content[:-2].decode("utf-8", "backslashreplace")))
    return parts


def normalise(echo: dict[str, Any], *, drop: set[str] = frozenset(),
              whatwg: bool = False) -> dict[str, Any]:
    """``whatwg``: the fetch() URL parser always writes ' as %27 in a query (the WHATWG
    URL standard's special-scheme query set); both forms name the same character."""
    headers = [(k, v) for k, v in echo["headers"] if k not in IGNORED_HEADERS | drop]
    body = base64.b64decode(echo["body_b64"])
    ctype = next((v for k, v in echo["headers"] if k == "content-type"), "")
    result: dict[str, Any] = {"method": echo["method"], "path": echo["path"],
                              "query": echo["query"].replace("'", "%27") if whatwg
                              else echo["query"]}
    if ctype.startswith("multipart/form-data"):
        headers = [(k, "multipart/form-data" if k == "content-type" else v)
                   for k, v in headers]
        result["parts"] = _parts(body, ctype)
    else:
        result["body"] = body
    result["headers"] = sorted(headers)
    return result
