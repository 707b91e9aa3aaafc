"""``{{name}}`` templating: plain substitution, never evaluation.

Variables come from the active environment first, then the connection, then any
extra values (e.g. ``--var K=V``, which wins over both). Built-ins start with ``$``.

The placeholder rule (some APIs use ``{{…}}`` in their own payloads, such as the ops
API's ``{{message}}``):

- a defined variable or a built-in is substituted; values are never rendered again;
- ``\\{{name}}`` sends ``{{name}}`` verbatim, even when ``name`` is defined;
- a name close to a defined variable (same letters in another case, or at most two
  edits away for names of four characters or more) is a typo: always an error that
  suggests the variable;
- an unknown built-in (``{{$foo}}``) is always an error;
- any other unknown name is an error in strict mode; otherwise it is sent as written
  and reported to the caller (``render(..., unresolved=[])`` collects it).
"""

from __future__ import annotations

import re
import secrets
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from .errors import TemplateError

__all__ = [
    "BUILTINS",
    "Unresolved",
    "VariableRef",
    "find_variables",
    "merge_variables",
    "near_miss",
    "render",
    "unresolved",
]

# An optional backslash (the escape) before the braces.
_PATTERN = re.compile(r"(\\?)\{\{\s*(\$?[A-Za-z_][A-Za-z0-9_.\-]*)\s*\}\}")
_MIN_FUZZY = 4  # shorter names are too alike to call one a typo of the other
_MAX_EDITS = 2

BUILTINS: dict[str, Callable[[], str]] = {
    "$uuid": lambda: str(uuid.uuid4()),
    "$timestamp": lambda: str(int(time.time())),
    "$isoTimestamp": lambda: datetime.now(UTC).isoformat(timespec="milliseconds").replace(
        "+00:00", "Z"),
    "$randomInt": lambda: str(secrets.randbelow(1001)),
}


@dataclass(frozen=True)
class VariableRef:
    start: int  # the span of ``{{…}}`` (an escaping backslash is just before it)
    end: int
    name: str
    escaped: bool = False  # written ``\{{name}}``: sent as ``{{name}}``, never substituted


@dataclass(frozen=True)
class Unresolved:
    """A ``{{name}}`` sent as written because nothing defines it."""

    name: str
    where: str  # "the JSON body", "the URL", "header 'X-Tag'"…

    def describe(self) -> str:
        location = f" in {self.where}" if self.where else ""
        return f"{{{{{self.name}}}}}{location} is not a defined variable; sent as written"


def find_variables(text: str) -> list[VariableRef]:
    """Every ``{{name}}`` in ``text`` with its span (used to highlight the URL bar)."""
    return [VariableRef(m.start() + len(m.group(1)), m.end(),
                        m.group(2), bool(m.group(1)))
            for m in _PATTERN.finditer(text)]


def merge_variables(*layers: Mapping[str, str] | None) -> dict[str, str]:
    """Merge variable layers, earliest first; later layers win."""
    merged: dict[str, str] = {}
    for layer in layers:
        if layer:
            merged.update(layer)
    return merged


def _edits(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, giving up (returning ``limit + 1``) beyond ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def near_miss(name: str, defined: Iterable[str]) -> str | None:
    """The defined variable ``name`` is probably a typo of, or ``None``."""
    lowered = name.lower()
    best: tuple[int, str] | None = None
    for candidate in defined:
        if candidate == name:
            return None
        if candidate.lower() == lowered:
            return candidate
        if len(name) >= _MIN_FUZZY and len(candidate) >= _MIN_FUZZY:
            distance = _edits(lowered, candidate.lower(), _MAX_EDITS)
            if distance <= _MAX_EDITS and (best is None or distance < best[0]):
                best = (distance, candidate)
    return best[1] if best else None


def unresolved(text: str, variables: Mapping[str, str]) -> list[VariableRef]:
    """The ``{{name}}`` tokens of ``text`` that would be sent as written (neither a
    variable, a built-in, escaped, nor a typo of a variable): for marking in editors."""
    return [ref for ref in find_variables(text)
            if not ref.escaped and ref.name not in variables and ref.name not in BUILTINS
            and not ref.name.startswith("$") and near_miss(ref.name, variables) is None]


def render(text: str, variables: Mapping[str, str], *, where: str = "",
           unresolved: list[Unresolved] | None = None) -> str:
    """Substitute every ``{{name}}`` following the module's placeholder rule.

    Without ``unresolved`` (strict) an unknown name is an error that names it; with a
    list, unknown names that are not typos of a variable are kept as written and
    appended to it. Substituted values are not rendered again, so a value containing
    ``{{…}}`` is sent as it is: one pass, no recursion, no code.
    """
    if "{{" not in text:
        return text
    location = f" in {where}" if where else ""

    def sub(match: re.Match[str]) -> str:
        escape, name = match.group(1), match.group(2)
        if escape:
            return match.group(0)[1:]
        if name in variables:
            return variables[name]
        builtin = BUILTINS.get(name)
        if builtin is not None:
            return builtin()
        if name.startswith("$"):
            known = ", ".join(BUILTINS)
            raise TemplateError(
                f"Unknown built-in {{{{{name}}}}}{location}; built-ins are {known}.")
        guess = near_miss(name, variables)
        if guess is not None:
            raise TemplateError(
                f"Unknown variable {{{{{name}}}}}{location} — did you mean {{{{{guess}}}}}?")
        if unresolved is not None:
            unresolved.append(Unresolved(name, where))
            return match.group(0)
        raise TemplateError(
            f"Unknown variable {{{{{name}}}}}{location}: define '{name}' in the active "
            "environment or the connection's variables, or pass --var "
            f"{name}=VALUE."
        )

    return _PATTERN.sub(sub, text)
