"""Hostile servers against `relaydesk send`: bodies and time are bounded, spool files go.

Every server here is a raw socket server on 127.0.0.1 (tests/hostile_servers.py).
``TMPDIR`` points each CLI run at the test's own folder, so the spool directory
(``$TMPDIR/relaydesk-<uid>``) is the test's to inspect.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from relaydesk.core.workspace import Workspace
from tests.hostile_client import servers, signal_mid_body
from tests.hostile_client import spooled as spool_files
from tests.hostile_servers import Hostile, chunked_forever, drip, gzip_bomb, start_raw
from tests.integration.clitools import CliResult, assert_one_line_error, run_cli
from tests.servers import RunningServer

MB = 1024 * 1024


@pytest.fixture
def tmpdir_env(tmp_path: Path) -> dict[str, str]:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    return {"TMPDIR": str(tmp)}


def spooled(env: dict[str, str]) -> list[Path]:
    return spool_files(Path(env["TMPDIR"]))


serve = servers  # the servers a test starts, stopped afterwards


def send(env: dict[str, str], url: str, *options: str) -> CliResult:
    return run_cli(None, "send", "--curl", f"curl {url}", *options, env=env, timeout=120)


def test_an_endless_chunked_body_stops_at_the_size_limit(
        serve: list[RunningServer], tmpdir_env: dict[str, str], tmp_path: Path) -> None:
    stats = Hostile()
    serve.append(start_raw(chunked_forever(stats)))
    out = tmp_path / "body.bin"
    result = send(tmpdir_env, serve[0].base_url, "--max-size", "20M", "-o", str(out))
    line = assert_one_line_error(result, "larger than the size limit of 20.0 MB",
                                 "--max-size", code=1)
    assert "max_size" in line
    assert not out.exists()  # nothing half-written
    assert spooled(tmpdir_env) == []  # the 20 MB spooled so far went too
    time.sleep(0.2)
    assert stats.sent < 200 * MB  # the client hung up; the server did not keep going


def test_a_gzip_bomb_is_counted_after_decompression(
        serve: list[RunningServer], tmpdir_env: dict[str, str], tmp_path: Path) -> None:
    stats = Hostile()
    serve.append(start_raw(gzip_bomb(stats, decoded_mb=300)))
    result = send(tmpdir_env, serve[0].base_url, "--max-size", "32M",
                  "-o", str(tmp_path / "out"))
    assert_one_line_error(result, "size limit of 32.0 MB", "decompressed", code=1)
    assert stats.sent < 2 * MB  # a small body on the wire…
    assert spooled(tmpdir_env) == []  # …that never became 300 MB on disk


def test_a_compressed_body_under_the_limit_still_arrives_whole(
        serve: list[RunningServer], tmpdir_env: dict[str, str], tmp_path: Path) -> None:
    serve.append(start_raw(gzip_bomb(Hostile(), decoded_mb=24)))
    out = tmp_path / "zeros"
    result = send(tmpdir_env, serve[0].base_url, "--max-size", "25M", "-o", str(out), "-s")
    assert result.code == 0, result
    assert out.stat().st_size == 24 * MB
    assert spooled(tmpdir_env) == []


def test_a_50_mb_body_works_with_the_default_limit(
        echo_server: str, tmpdir_env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "big"
    result = send(tmpdir_env, f"{echo_server}/bytes?n={50 * MB}", "-o", str(out))
    assert result.code == 0, result
    assert out.stat().st_size == 50 * MB


def test_an_announced_length_past_the_limit_is_refused_before_reading(
        echo_server: str, tmpdir_env: dict[str, str]) -> None:
    result = send(tmpdir_env, f"{echo_server}/bytes?n={3 * MB}", "--max-size", "1M")
    assert_one_line_error(result, "size limit of 1.0 MB", "announces 3.0 MB", code=1)


@pytest.mark.parametrize("value", ["lots", "0", "-5M", "2X"])
def test_a_bad_max_size_is_one_line(echo_server: str, tmpdir_env: dict[str, str],
                                    value: str) -> None:
    result = send(tmpdir_env, f"{echo_server}/json", f"--max-size={value}")
    assert_one_line_error(result, "--max-size", code=2)


def test_a_slow_drip_ends_at_the_total_time_limit(
        serve: list[RunningServer], tmpdir_env: dict[str, str]) -> None:
    stats = Hostile()
    # One byte every 0.4 s: the idle timeout (60 s) never fires.
    serve.append(start_raw(drip(stats, every=0.4)))
    started = time.monotonic()
    result = send(tmpdir_env, serve[0].base_url, "--max-time", "2")
    took = time.monotonic() - started
    assert_one_line_error(result, "total time limit of 2 seconds", "--max-time",
                          "received", code=1)
    assert took < 30, took  # ended at the deadline, not after the 400 s the body needs
    assert stats.sent < 1000


def test_the_connection_settings_bound_a_saved_request(
        serve: list[RunningServer], tmp_path: Path, tmpdir_env: dict[str, str]) -> None:
    serve.append(start_raw(drip(Hostile(), every=0.4)))
    ws = tmp_path / "ws"
    assert run_cli(ws, "new", "connection", "drip", "--base-url", serve[0].base_url).code == 0
    assert run_cli(ws, "new", "request", "drip/get", "--url", "/").code == 0
    changed = run_cli(ws, "set", "drip", "--max-time", "1.5", "--max-size", "2G")
    assert changed.code == 0, changed
    saved = Workspace.open(ws, create=False).connection("drip")
    assert (saved.max_time, saved.max_size) == (1.5, 2 * 1024 * MB)
    result = run_cli(ws, "send", "drip/get", env=tmpdir_env)
    assert_one_line_error(result, "total time limit of 1.5 seconds", code=1)
    # The per-send option beats the connection's setting.
    result = run_cli(ws, "send", "drip/get", "--max-time", "1", env=tmpdir_env)
    assert_one_line_error(result, "total time limit of 1 second ", code=1)


@pytest.mark.parametrize("signame", ["SIGTERM", "SIGHUP"])
def test_a_signal_removes_the_spooled_body(
        serve: list[RunningServer], tmpdir_env: dict[str, str], tmp_path: Path,
        signame: str) -> None:
    # Fast enough to pass the 8 MB spool threshold, slow enough to still be running.
    serve.append(start_raw(chunked_forever(Hostile(), chunk=256 * 1024, pause=0.02)))
    out = tmp_path / "body.bin"
    signum = getattr(signal, signame)
    outcome = signal_mid_body(Path(tmpdir_env["TMPDIR"]), serve[0].base_url, signum, out)
    assert outcome.code == -signum  # died of the signal, as the sender expects
    assert outcome.left == []
    assert not out.exists()
    assert list(tmp_path.glob(".body.bin.*")) == []
    assert "Traceback" not in outcome.stderr


def test_stale_spool_files_of_dead_processes_are_swept(
        echo_server: str, tmpdir_env: dict[str, str]) -> None:
    folder = Path(tmpdir_env["TMPDIR"]) / f"relaydesk-{os.getuid()}"
    folder.mkdir(mode=0o700)
    gone = subprocess.Popen(["true"])
    gone.wait()  # a process id that no longer runs
    stale = folder / f"{gone.pid}-abc123.body"
    stale.write_bytes(b"x" * 1000)
    alive = folder / f"{os.getpid()}-def456.body"  # a running process's: kept
    alive.write_bytes(b"y")
    other = folder / "notes.txt"  # not ours to judge
    other.write_text("keep")
    result = send(tmpdir_env, f"{echo_server}/json", "-s")
    assert result.code == 0, result
    assert not stale.exists()
    assert alive.exists() and other.exists()


def test_a_process_leaves_no_spooled_body_behind_at_exit(
        echo_server: str, tmpdir_env: dict[str, str]) -> None:
    # A script (or the app) that never discards its big responses.
    script = (
        "import asyncio, sys\n"
        "from relaydesk.core.engine import Engine\n"
        "from relaydesk.core.model import Request\n"
        "async def main():\n"
        "    engine = Engine(None, spool_threshold=1024)\n"
        "    r = await engine.send(Request('r', url=sys.argv[1]), None)\n"
        "    await engine.aclose()\n"
        "    print(r.body_file is not None and r.body_file.exists())\n"
        "asyncio.run(main())\n")
    done = subprocess.run([sys.executable, "-c", script, f"{echo_server}/bytes?n=100000"],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, **tmpdir_env})
    assert done.stdout.strip() == "True", done  # it was spooled and kept while running
    assert spooled(tmpdir_env) == []
