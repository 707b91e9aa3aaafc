"""The hostile-file and bad-input cases of issue 18, for ``benchmarks/hostile.py``.

Each case builds its input (tests/hostile_inputs.py), runs the real `relaydesk`
command on it in a subprocess limited to 2 GB of address space and 60 s, and raises
``AssertionError`` unless the defect is refused or bounded with one clear line and
nothing lost. Before issue 18 the first two took 31 s / 4.7 GB / 1 GB on disk and
71 s / 3.4 GB / 495 MB.
"""

from __future__ import annotations

import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.hostile_inputs import (  # noqa: E402
    alias_bomb_insomnia,
    alias_bomb_openapi,
    ref_fanout_openapi,
    sparse_file,
)
from tests.integration.clitools import relaydesk_command  # noqa: E402

__all__ = ["CASES"]

MEMORY = 2 * 1024 ** 3
SECONDS = 60
MB = 1024 * 1024


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def relaydesk(workspace: Path, *args: str) -> tuple[int, str, float]:
    """`relaydesk --workspace W ARGS…` bounded in memory and time: (status, stderr, s)."""
    started = time.monotonic()
    try:
        proc = subprocess.run([*relaydesk_command(), "--workspace", str(workspace), *args],
                              capture_output=True, stdin=subprocess.DEVNULL,
                              timeout=SECONDS, preexec_fn=_limit_memory)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"still running after {SECONDS} s") from None
    err = proc.stderr.decode("utf-8", "replace")
    assert "MemoryError" not in err, "ran out of its 2 GB"
    return proc.returncode, err, time.monotonic() - started


def one_clear_line(code: int, err: str, *needles: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert code != 0, f"accepted (exit 0): {err.strip()[:200]}"
    assert "Traceback" not in err, "a traceback"
    assert len(lines) == 1, f"{len(lines)} lines on stderr: {err[:200]}"
    assert lines[0].startswith("relaydesk: error: "), lines[0]
    for needle in needles:
        assert needle.lower() in lines[0].lower(), f"{needle!r} not in {lines[0]!r}"
    assert "Unexpected error" not in lines[0] and "broke the HTTP protocol" not in lines[0], \
        lines[0]
    return lines[0]


@contextmanager
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="relaydesk-hostile-") as tmp:
        yield Path(tmp)


def _disk(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def _bomb(text: str, kind: str = "openapi", most: int = MB) -> None:
    with workdir() as tmp:
        spec = tmp / f"bomb.{'yaml'}"
        spec.write_text(text)
        code, err, seconds = relaydesk(tmp / "ws", "import", kind, str(spec))
        assert code == 0, f"the whole file was refused: {err.strip()[:200]}"
        assert "Note: " in err and ("Examples left empty" in err or "Left out" in err), \
            "no note names what was cut"
        written = _disk(tmp / "ws")
        assert written < most, f"wrote {written / MB:.0f} MB"
        assert seconds < 20, f"took {seconds:.0f} s"


def openapi_alias_bomb() -> None:
    text = alias_bomb_openapi()
    assert len(text) < 2000
    _bomb(text)


def openapi_ref_fanout() -> None:
    text = ref_fanout_openapi()
    assert len(text) < 8500
    _bomb(text)


def insomnia_yaml_aliasing_one_body() -> None:
    _bomb(alias_bomb_insomnia(), "insomnia", most=80 * MB)


def three_gb_import_file() -> None:
    with workdir() as tmp:
        big = sparse_file(tmp / "huge.yaml", 3 * 1024 ** 3, b"openapi: 3.0.0\n")
        code, err, seconds = relaydesk(tmp / "ws", "import", "openapi", str(big))
        one_clear_line(code, err, "too large", "3 GB")
        assert seconds < 10, f"took {seconds:.0f} s"
        assert not (tmp / "ws" / "connections").exists(), "wrote to the workspace"


def windows_reserved_names() -> None:
    with workdir() as tmp:
        ws = tmp / "ws"
        code, err, _ = relaydesk(ws, "new", "connection", "api", "--base-url",
                                 "https://a.example")
        assert code == 0, err
        for name in ("CON", "nul.txt", "com1", "LPT9.json", "report.", "a<b"):
            code, err, _ = relaydesk(ws, "new", "request", f"api/{name}", "--url", "/x")
            one_clear_line(code, err, name)
        spec = tmp / "s.yaml"
        spec.write_text("openapi: 3.0.0\ninfo: {title: AUX, version: '1'}\npaths:\n"
                        "  /x: {get: {summary: con.}}\n")
        code, err, _ = relaydesk(ws, "import", "openapi", str(spec))
        assert code == 0, f"an import with reserved names failed: {err.strip()[:200]}"
        assert "Renamed so the files work on Windows" in err, "no note of the renaming"
        names = {p.name.split(".")[0].upper() for p in ws.rglob("*")}
        assert not names & {"AUX", "CON"}, f"wrote {names & {'AUX', 'CON'}}"


def port_99999() -> None:
    with workdir() as tmp:
        ws = tmp / "ws"
        relaydesk(ws, "new", "connection", "api", "--base-url", "http://127.0.0.1",
                  "--var", "port=99999")
        relaydesk(ws, "new", "request", "api/far", "--url", "http://127.0.0.1:{{port}}/x")
        code, err, _ = relaydesk(ws, "send", "api/far")
        one_clear_line(code, err, "port 99999")


def crlf_in_a_header_value() -> None:
    with workdir() as tmp, socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        listener.settimeout(0.3)
        port = listener.getsockname()[1]
        ws = tmp / "ws"
        relaydesk(ws, "new", "connection", "api", "--base-url", f"http://127.0.0.1:{port}")
        relaydesk(ws, "new", "request", "api/r", "--url", "/", "--header", "X-Note: {{n}}")
        code, err, _ = relaydesk(ws, "send", "api/r", "--var", "n=a\r\nX-Injected: 1")
        one_clear_line(code, err, "X-Note", "line break")
        try:
            conn, _ = listener.accept()
        except TimeoutError:
            return
        conn.close()
        raise AssertionError("the request was sent")


CASES: list[tuple[str, Callable[[], None]]] = [
    ("1.5 KB OpenAPI: a string aliased 10x per level over 6 levels as an example",
     openapi_alias_bomb),
    ("8 KB OpenAPI: schemas whose 16 properties each $ref the next", openapi_ref_fanout),
    ("Insomnia YAML aliasing one 200 KB body in 2000 requests",
     insomnia_yaml_aliasing_one_body),
    ("3 GB import file (sparse)", three_gb_import_file),
    ("Windows-reserved names (CON, NUL, com1, trailing dots)", windows_reserved_names),
    ("URL with port 99999", port_99999),
    ("CR/LF in a header value", crlf_in_a_header_value),
]
