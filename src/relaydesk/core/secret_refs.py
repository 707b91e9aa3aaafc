"""Secret references: a secret field that says WHERE its value is, not the value.

A team keeps its credentials in a password manager, a vault or the environment of a
CI job; copying each into Relaydesk makes a second copy to rotate. A reference is
resolved each time the secret is read (at send time) and the value is never stored:

- ``env:NAME``          the environment variable ``NAME`` of the Relaydesk process;
- ``pass:path/in/store`` the first line of ``pass show path/in/store`` (the standard
  Unix password manager; GnuPG decrypts it, its agent may ask for the passphrase);
- ``cmd:COMMAND ARGS``  the standard output of a command the user configured (e.g. a
  vault CLI), run WITHOUT a shell (argv split like a shell would, no expansion), with
  a timeout and a cap on the output; one trailing newline is not part of the secret.

Where a reference is kept: in the system keyring, in place of the value (marked with
``REF_MARKER``), never in workspace files. A reference is not secret, but workspace
files are shared (git): a ``cmd:`` reference there would run a command chosen by
whoever last edited the repository on every teammate's machine, and an ``env:`` one
could send any variable of theirs (cloud keys) to the connection's server. The keyring
is the user's own, so only the user decides what runs and what is read. Since the
reference sits where the value would, everything that reads a secret (auth, the OAuth
client secret, environments' secret variables) resolves it, and everything that
masks a secret masks the resolved value.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from .errors import AuthError

__all__ = [
    "COMMAND_TIMEOUT",
    "MAX_OUTPUT",
    "REF_MARKER",
    "SCHEMES",
    "SecretRef",
    "decode_ref",
    "parse_ref",
    "resolve_ref",
]

REF_MARKER = "\x00relaydesk-secret-ref:"  # a NUL never starts a secret typed or pasted
SCHEMES = ("env", "pass", "cmd")
COMMAND_TIMEOUT = 30.0  # seconds; a pinentry prompt can take a while
MAX_OUTPUT = 64 * 1024  # bytes of standard output read; more is an error


@dataclass(frozen=True)
class SecretRef:
    scheme: str  # env | pass | cmd
    target: str  # the variable name, the pass entry, the command line

    def text(self) -> str:
        return f"{self.scheme}:{self.target}"

    def stored(self) -> str:
        """What the keyring holds in place of the value."""
        return REF_MARKER + self.text()

    def describe(self) -> str:
        if self.scheme == "env":
            return f"from the environment variable {self.target}"
        if self.scheme == "pass":
            return f"from the pass entry {self.target}"
        return f"from the command `{self.target}`"


def parse_ref(text: str) -> SecretRef:
    """``env:NAME`` / ``pass:ENTRY`` / ``cmd:COMMAND``; ValueError in words otherwise."""
    scheme, sep, target = text.partition(":")
    target = target.strip()
    if not sep or scheme not in SCHEMES:
        raise ValueError(f"'{text}' is not a secret reference; use env:NAME, pass:ENTRY or "
                         "cmd:COMMAND.")
    # An environment variable's name: ASCII letters, digits and _, not starting with a digit.
    if scheme == "env" and not (target.isascii() and target.isidentifier()):
        raise ValueError(f"'{target}' is not an environment variable name.")
    if scheme == "pass" and (not target or target.startswith("-") or "\n" in target):
        raise ValueError(f"'{target}' is not a pass entry (e.g. work/jira/token).")
    if scheme == "cmd":
        import shlex  # loads re: the app's first frame reads secret stores, never commands

        try:
            argv = shlex.split(target)
        except ValueError as exc:
            raise ValueError(f"The command '{target}' cannot be split into words ({exc}).") \
                from None
        if not argv:
            raise ValueError("The command of a cmd: reference is empty.")
    return SecretRef(scheme, target)


def decode_ref(stored: str) -> SecretRef | None:
    """The reference a keyring value holds, or None for a plain secret."""
    if not stored.startswith(REF_MARKER):
        return None
    try:
        return parse_ref(stored[len(REF_MARKER):])
    except ValueError:
        return None


def _run(argv: list[str], what: str, *, timeout: float, max_bytes: int) -> str:
    import shutil
    import subprocess

    program = argv[0]
    if shutil.which(program) is None:
        raise AuthError(f"{what} needs the program '{program}', which is not installed or "
                        "not on PATH.")
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, shell=False)
    except OSError as exc:
        raise AuthError(f"{what} could not start '{program}' ({exc.strerror}).") from None
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise AuthError(f"{what} did not finish within {timeout:g} s; it was stopped.") from None
    if proc.returncode != 0:
        first = next((line.strip() for line in err.decode("utf-8", "replace").splitlines()
                      if line.strip()), "")
        said = f": {first[:200]}" if first else ""
        raise AuthError(f"{what} failed (exit status {proc.returncode}){said}.")
    if len(out) > max_bytes:
        raise AuthError(f"{what} printed more than {max_bytes // 1024} KiB; a secret is "
                        "never that long, so the output was not used.")
    try:
        return out.decode("utf-8")
    except UnicodeDecodeError:
        raise AuthError(f"{what} printed bytes that are not UTF-8 text.") from None


def _strip_newline(value: str) -> str:
    if value.endswith("\r\n"):
        return value[:-2]
    return value[:-1] if value.endswith("\n") else value


def resolve_ref(ref: SecretRef, *, owner: str, field: str,
                environ: Mapping[str, str] | None = None,
                timeout: float = COMMAND_TIMEOUT, max_bytes: int = MAX_OUTPUT) -> str:
    """The value now; AuthError in one sentence when it cannot be had."""
    what = f"The {field} of '{owner}' ({ref.describe()})"
    if ref.scheme == "env":
        value = (os.environ if environ is None else environ).get(ref.target, "")
        if not value:
            raise AuthError(f"The {field} of '{owner}' comes from the environment variable "
                            f"{ref.target}, which is not set.")
        return value
    if ref.scheme == "pass":
        # pass convention: the password is the first line; more lines are metadata.
        output = _run(["pass", "show", ref.target], what, timeout=timeout,
                      max_bytes=max_bytes)
        value = output.split("\n", 1)[0].rstrip("\r")
    else:
        import shlex

        value = _strip_newline(_run(shlex.split(ref.target), what, timeout=timeout,
                                    max_bytes=max_bytes))
    if not value:
        raise AuthError(f"{what} gave an empty value.")
    return value
