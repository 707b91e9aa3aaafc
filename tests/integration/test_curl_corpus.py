"""Real curl commands from public documentation, sent by curl and by Relaydesk.

Each command of the corpus file ``curl/commands.json`` (source and licence recorded
there; committed in ``tests/data/corpus/files``, see ``tests/corpus.py`` and
``tests/data/curl-corpus/SOURCES.md``) has its hosts rewritten to one loopback recorder,
then is run by the real
``curl`` binary (through bash, so the shell does the quoting) and by
``relaydesk send --curl`` (``relaydesk.cli.main``, as a user types it). Every command
must land in exactly one class:

- identical: both requests are the same on the wire (after the normalisations below);
- noted: Relaydesk sent it and said on stderr "cannot reproduce exactly: …";
- refused: Relaydesk exited non-zero with one line saying why.

``EXPECTED`` lists every command that is not "identical", with the words its note or
refusal must contain, so a command that starts differing, or a refusal that starts
passing, fails here.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from relaydesk.cli.main import main
from tests.corpus import MISSING_REASON, corpus_dir
from tests.wire_recorder import RawRequest, WireRecorder

pytestmark = [
    pytest.mark.curl,
    pytest.mark.skipif(shutil.which("curl") is None or shutil.which("bash") is None,
                       reason="the curl binary (and bash) are needed to compare with curl"),
    pytest.mark.skipif(corpus_dir("curl/commands.json") is None, reason=MISSING_REASON),
]

_FOUND = corpus_dir("curl/commands.json")
CORPUS_FILE = _FOUND / "curl" / "commands.json" if _FOUND else None
CORPUS: list[dict[str, Any]] = (
    json.loads(CORPUS_FILE.read_text("utf-8"))["commands"] if CORPUS_FILE else [])

_DIFF = "cannot reproduce exactly"
_NO_FILES = "reads standard input"
_VAR_NOTE = "is a shell variable"

# id -> (class, words the note or the refusal must contain)
EXPECTED: dict[str, tuple[str, str]] = {
    # Options whose effect Relaydesk does not have; each refusal says which and why.
    "curl-opt-anyauth-1": ("refused", "--anyauth"),
    "curl-opt-aws-sigv4-1": ("refused", "AWS Signature"),
    "curl-opt-config-1": ("refused", "--config"),
    "curl-opt-continue-at-1": ("refused", "resumes a download"),
    "curl-opt-continue-at-2": ("refused", "resumes a download"),
    "curl-opt-etag-compare-1": ("refused", "--etag-compare"),
    "curl-opt-netrc-file-1": ("refused", "netrc"),
    "curl-opt-netrc-optional-1": ("refused", "netrc"),
    "curl-opt-netrc-1": ("refused", "netrc"),
    "curl-opt-ntlm-1": ("refused", "NTLM"),
    "curl-opt-request-target-1": ("refused", "--request-target"),
    "curl-opt-time-cond-1": ("refused", "-z"),
    "curl-opt-time-cond-2": ("refused", "-z"),
    "curl-opt-time-cond-3": ("refused", "-z"),
    "curl-manual-L753": ("refused", "-z"),
    "curl-manual-L758": ("refused", "-z"),
    "curl-manual-L763": ("refused", "-z"),
    "curl-manual-L742": ("refused", "resumes a download"),
    # Several requests in one command: imported one at a time.
    "curl-opt-next-1": ("refused", "--next"),
    "curl-opt-next-2": ("refused", "--next"),
    "curl-opt-fail-early-1": ("refused", "2 URLs"),
    "curl-opt-upload-file-3": ("refused", "globbing"),
    "curl-opt-upload-file-4": ("refused", "2 URLs"),
    "curl-opt-url-2": ("refused", "reads URLs from a file"),
    "curl-theartofhttpscripting-L190": ("refused", "2 URLs"),
    "curl-theartofhttpscripting-L198": ("refused", "2 URLs"),
    "curl-theartofhttpscripting-L214": ("refused", "--next"),
    "curl-theartofhttpscripting-L218": ("refused", "--next"),
    "curl-opt-form-escape-1": ("refused", "--form-escape"),
    "curl-opt-output-4": ("refused", "2 URLs"),
    "curl-theartofhttpscripting-L81": ("refused", "Unsupported curl option --trace-ids"),
    "curl-opt-tr-encoding-1": ("refused", "--tr-encoding"),
    # What the HTTP client does its own way; each send says so on stderr.
    "curl-opt-expect100-timeout-1": ("noted", "-T: curl sends no Content-Type"),
    "curl-opt-upload-file-1": ("noted", "-T: curl sends no Content-Type"),
    "curl-theartofhttpscripting-L370": ("noted", "-T: curl sends no Content-Type"),
    "curl-opt-globoff-1": ("noted", "{ and }"),
    "curl-opt-header-3": ("noted", "-H 'host:'"),
    "curl-theartofhttpscripting-L619": ("noted", "-H 'host:'"),
    "curl-manual-L624": ("noted", "-H 'host:'"),
    "curl-theartofhttpscripting-L637": ("noted", "no body and no Content-Length"),
    "openai-fine-tuning-jobs-fine-tuning-job-id-cancel-post": ("noted", "no body"),
    "openai-organization-invites-get": ("noted", "unquoted &"),
    # The published command is broken (a quote never closed): bash refuses it too.
    "openai-vector-stores-vector-store-id-file-batches-post": ("refused", "Unbalanced quote"),
    # Standard input, which a pasted command cannot give.
    "curl-opt-json-4": ("refused", _NO_FILES),
    "curl-manual-L256": ("refused", _NO_FILES),
}


def expected(entry: dict[str, Any]) -> tuple[str, str]:
    """The table's entry; else a command with a $VAR outside a file name is noted (the
    shell would have expanded it); else it is identical."""
    if entry["id"] in EXPECTED:
        return EXPECTED[entry["id"]]
    outside_files = re.sub(r"@\"?\$HOME/", "@", entry["command"].replace("$URL", ""))
    if _SHELL_VAR.search(outside_files):
        return "noted", _VAR_NOTE
    return "identical", ""


# -- running one command both ways --------------------------------------------------------

_URL = re.compile(r"\b(https?://)([^\s/\"'@]+@)?(\[[0-9a-fA-F:]+\]|[\w.-]+)(:\d+)?")
# Bare host names in the docs ("curl www.example.com"): a word of dotted labels ending
# in a top-level domain the docs use.
_BARE = re.compile(r"(?<=\s)(?:[\w-]+\.)+(?:com|org|net|se)\b(?=[/\s]|$)")
_SHELL_VAR = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")


def rewrite(command: str, base: str) -> str:
    """Every host of the command becomes the recorder; paths, queries and userinfo stay."""
    host = base.removeprefix("http://")
    command = command.replace("$URL", f"{base}/doc/page")
    command = _URL.sub(lambda m: f"http://{m.group(2) or ''}{host}", command)
    return _BARE.sub(host, command)


def run_curl(command: str, cwd: Path) -> int:
    # The shell would expand $NAME; giving each variable its own name as value makes the
    # expansion a no-op, so curl receives the text Relaydesk sends literally, and the
    # rest of the request can still be compared byte for byte.
    env = {"PATH": "/usr/bin:/bin", "HOME": str(cwd)}
    env.update({name: f"${name}" for name in _SHELL_VAR.findall(command) if name not in env})
    ran = subprocess.run(["bash", "--noprofile", "--norc", "-c", command], cwd=cwd, env=env,
                         stdin=subprocess.DEVNULL, capture_output=True, timeout=30,
                         check=False)
    return ran.returncode


def run_relaydesk(command: str, cwd: Path, monkeypatch: pytest.MonkeyPatch,
                  capsysbinary: pytest.CaptureFixture[bytes]) -> tuple[int, str]:
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("RELAYDESK_HISTORY", "off")
    monkeypatch.setenv("HOME", str(cwd))  # "@$HOME/x.wav": the shell's and ours agree
    capsysbinary.readouterr()
    code = main(["send", "--curl", command])
    return code, capsysbinary.readouterr().err.decode("utf-8", "replace")


def normalise(request: RawRequest, command: str) -> dict[str, Any]:
    """The request with what may legitimately differ between two clients taken out.

    - Field names are compared lower-cased: they are case-insensitive (RFC 9110 5.1).
    - Fields are sorted by name, keeping the order of same-named fields: the order of
      differently named fields carries no meaning (RFC 9110 5.3); httpx and curl put
      their own fields in different places.
    - Accept-Encoding and Connection are dropped: each client asks for the encodings it
      can decode and manages its own connections; neither changes what the server is
      asked to do with the request. So is curl's ``Expect: 100-continue`` on uploads:
      a handshake that only delays the body (RFC 9110 10.1.1), answered by the recorder.
    - User-Agent and Accept are dropped unless the command sets them (-A, -H, --json):
      those are each client's own defaults.
    - A multipart boundary is random per client: it is replaced by a marker in the type
      and body, and Content-Length (which grows with the boundary) is checked against
      the body's own length instead.
    """
    given = command.lower()
    dropped = {"accept-encoding", "connection", "expect"}
    if "user-agent" not in given and not re.search(r"\s(-A|--user-agent)\s", command):
        dropped.add("user-agent")
    if "accept:" not in given and "--json" not in given:
        dropped.add("accept")
    headers = [(n.lower(), v) for n, v in request.headers if n.lower() not in dropped]
    body = request.body
    ctype = next((v for n, v in headers if n == "content-type"), "")
    if "boundary=" in ctype:
        boundary = ctype.partition("boundary=")[2].strip('"')
        assert int(dict(headers)["content-length"]) == len(body)
        headers = [(n, v.replace(boundary, "BOUNDARY")) for n, v in headers
                   if n != "content-length"]
        body = body.replace(boundary.encode(), b"BOUNDARY")
    return {"method": request.method, "target": request.target,
            "headers": sorted(headers, key=lambda h: h[0]), "body": body}


@pytest.fixture(scope="module")
def recorder() -> Iterator[WireRecorder]:
    with WireRecorder() as rec:
        yield rec


def _write_files(entry: dict[str, Any], folder: Path) -> None:
    for name, content in entry.get("files", {}).items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, "utf-8")


def classify(entry: dict[str, Any], recorder: WireRecorder, tmp_path: Path,
             monkeypatch: pytest.MonkeyPatch,
             capsysbinary: pytest.CaptureFixture[bytes]) -> tuple[str, str]:
    """("identical" | "noted" | "refused" | "different", detail)."""
    command = rewrite(entry["command"], recorder.base_url)
    curl_dir, relaydesk_dir = tmp_path / "curl", tmp_path / "relaydesk"
    for folder in (curl_dir, relaydesk_dir):
        folder.mkdir()
        _write_files(entry, folder)
    recorder.take()
    code, err = run_relaydesk(command, relaydesk_dir, monkeypatch, capsysbinary)
    by_relaydesk = recorder.take()
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err, err
    if code != 0:
        assert not by_relaydesk, "a refused command sent something"
        assert len(lines) == 1 and lines[0].startswith("relaydesk: error: "), err
        return "refused", lines[0]
    assert len(by_relaydesk) == 1, err
    run_curl(command, curl_dir)
    by_curl = recorder.take()
    assert len(by_curl) == 1, f"curl sent {len(by_curl)} requests for {command!r}"
    notes = [line for line in lines if _DIFF in line]
    mine, theirs = normalise(by_relaydesk[0], command), normalise(by_curl[0], command)
    if notes and all(_VAR_NOTE in line for line in notes) and mine != theirs:
        # with the variables given their own names, the rest must be byte-identical
        return "different", f"curl: {theirs}\nrelaydesk: {mine}"
    if notes:
        return "noted", " ".join(notes)
    if mine != theirs:
        return "different", f"curl: {theirs}\nrelaydesk: {mine}"
    return "identical", ""


@pytest.mark.parametrize("entry", CORPUS, ids=[e["id"] for e in CORPUS])
def test_corpus_command_is_sent_as_curl_sends_it_or_refused_or_noted(
    entry: dict[str, Any], recorder: WireRecorder, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    got, detail = classify(entry, recorder, tmp_path, monkeypatch, capsysbinary)
    want, words = expected(entry)
    assert (got, words.lower() in detail.lower()) == (want, True), detail


def test_corpus_is_large_sourced_and_licensed() -> None:
    assert len(CORPUS) >= 100
    assert len({e["id"] for e in CORPUS}) == len(CORPUS)
    for entry in CORPUS:
        assert entry["command"].startswith("curl"), entry["id"]
        assert entry["licence"] in ("curl", "MIT"), entry["id"]
        source = entry["source"]
        assert re.fullmatch(r"[0-9a-f]{40}", source["commit"]), entry["id"]
        assert source["url"].startswith(f"https://github.com/{source['repo']}/blob/"), entry["id"]
    refused = [k for k, (cls, _) in EXPECTED.items() if cls == "refused"]
    assert len(refused) <= len(CORPUS) // 5  # refusals stay the exception


# -- one-off sends: what the issue names, through the CLI ---------------------------------

def test_send_curl_keeps_a_host_header_for_virtual_hosts(
    recorder: WireRecorder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    command = f"curl -H 'Host: tenant.example.test' {recorder.base_url}/vhost"
    recorder.take()
    code, err = run_relaydesk(command, tmp_path, monkeypatch, capsysbinary)
    assert code == 0, err
    run_curl(command, tmp_path)
    mine, theirs = recorder.take()
    assert ("Host", "tenant.example.test") in mine.headers
    assert normalise(mine, command) == normalise(theirs, command)


def test_send_curl_user_without_password_is_refused_with_what_to_do(
    recorder: WireRecorder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    recorder.take()
    code, err = run_relaydesk(f"curl -u ada {recorder.base_url}/private", tmp_path,
                              monkeypatch, capsysbinary)
    assert code == 2 and not recorder.take()
    assert err.strip() == ("relaydesk: error: -u ada gives no password: curl would prompt for "
                           "the password; give -u user:password or set it with relaydesk "
                           "secret set.")
