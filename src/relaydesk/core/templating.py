"""``{{name}}`` templating: plain substitution, never evaluation.

Variables come from the active environment first, then the connection, then any
extra values (e.g. ``--var K=V``, which wins over both). Built-ins start with ``$``.
"""

from __future__ import annotations

import re
import secrets
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from .errors import TemplateError

__all__ = ["BUILTINS", "VariableRef", "find_variables", "merge_variables", "render"]

_PATTERN = re.compile(r"\{\{\s*(\$?[A-Za-z_][A-Za-z0-9_.\-]*)\s*\}\}")

BUILTINS: dict[str, Callable[[], str]] = {
    "$uuid": lambda: str(uuid.uuid4()),
    "$timestamp": lambda: str(int(time.time())),
    "$isoTimestamp": lambda: datetime.now(UTC).isoformat(timespec="milliseconds").replace(
        "+00:00", "Z"),
    "$randomInt": lambda: str(secrets.randbelow(1001)),
}


@dataclass(frozen=True)
class VariableRef:
    start: int
    end: int
    name: str


def find_variables(text: str) -> list[VariableRef]:
    """Every ``{{name}}`` in ``text`` with its span (used to highlight the URL bar)."""
    return [VariableRef(m.start(), m.end(), m.group(1)) for m in _PATTERN.finditer(text)]


def merge_variables(*layers: Mapping[str, str] | None) -> dict[str, str]:
    """Merge variable layers, earliest first; later layers win."""
    merged: dict[str, str] = {}
    for layer in layers:
        if layer:
            merged.update(layer)
    return merged


def render(text: str, variables: Mapping[str, str], *, where: str = "") -> str:
    """Substitute every ``{{name}}``; an unknown name is an error that names it.

    Substituted values are not rendered again, so a value containing ``{{…}}`` is sent
    as it is: one pass, no recursion, no code.
    """
    if "{{" not in text:
        return text

    def sub(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in variables:
            return variables[name]
        builtin = BUILTINS.get(name)
        if builtin is not None:
            return builtin()
        location = f" in {where}" if where else ""
        if name.startswith("$"):
            known = ", ".join(BUILTINS)
            raise TemplateError(
                f"Unknown built-in {{{{{name}}}}}{location}; built-ins are {known}.")
        raise TemplateError(
            f"Unknown variable {{{{{name}}}}}{location}: define '{name}' in the active "
            "environment or the connection's variables, or pass --var "
            f"{name}=VALUE."
        )

    return _PATTERN.sub(sub, text)
