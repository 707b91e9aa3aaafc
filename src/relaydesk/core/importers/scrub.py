"""One credential, found anywhere in an import, is written nowhere.

A real file sends a token as a ``token=`` query value in one request and carries the
same token in the body of the next, in a cookie, a description or a variable. Once the
sanitize pass has identified a value as a credential, this pass replaces every other
occurrence of it in what the plan will write (URLs, parameters, headers, cookies,
bodies, auth parameters) with a ``{{variable}}`` reference the user fills in, quotes
of it in descriptions with ``[credential removed]``, and leaves out variables that
hold it. Item paths are not touched: they key the plan's secrets.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import fields, is_dataclass
from typing import Any
from urllib.parse import quote, quote_plus

from ..model import Connection, Request
from .plan import ImportPlan

__all__ = ["REMOVED", "Credential", "scrub_plan", "variable_name"]

REMOVED = "[credential removed]"
_MIN = 6  # shorter values would blank ordinary words
_NOT_NAME = re.compile(r"[^A-Za-z0-9_.\-]+")
Credential = tuple[str, bool]  # (variable name to refer to it by, weak: only a cookie)
Notes = Callable[[str, str], None]  # (reason, item path)


def variable_name(hint: str) -> str:
    """A templating variable name made from where the value was found."""
    name = _NOT_NAME.sub("_", hint.strip()).strip("_.-")
    return name if name[:1].isalpha() or name[:1] == "_" else f"credential{name}"


def _scrubbable(value: str, weak: bool) -> bool:
    """Worth scrubbing everywhere: a plain word ("password", "desktop") would also
    rewrite JSON keys and paths, so it must look like a secret (a cookie, more so)."""
    if "{{" in value:
        return False
    if weak:
        return len(value) >= 16 or (len(value) >= 8 and any(c.isdigit() for c in value))
    return len(value) >= 16 or not value.isalpha()


def _forms(value: str) -> set[str]:
    """The value as written raw, percent-encoded and inside a JSON string."""
    return {value, quote(value, safe=""), quote_plus(value), json.dumps(value)[1:-1]}


def _pattern(found: Mapping[str, Credential], prose: bool
             ) -> tuple[re.Pattern[str], dict[str, str]]:
    """The values to scrub as one pattern, and each written form's variable name. In
    prose (descriptions) every value goes, as nothing there is parsed."""
    names: dict[str, str] = {}
    for value, (name, weak) in found.items():
        if len(value.strip()) >= _MIN and (prose or _scrubbable(value.strip(), weak)):
            for form in _forms(value.strip()):
                names.setdefault(form, name)
    alternatives = "|".join(re.escape(f) for f in sorted(names, key=len, reverse=True)
                            ) or "(?!)"  # nothing: a pattern that never matches
    # Whole tokens only: "abc123" inside "xabc123y" is another value.
    return re.compile(rf"(?<![\w\-])(?:{alternatives})(?![\w\-])"), names


def scrub_plan(plan: ImportPlan, found: Mapping[str, Credential], note: Notes) -> None:
    """Scrub every occurrence of the ``found`` credential values from ``plan``."""
    quoted, in_prose = _pattern(found, prose=True)
    pattern, names = _pattern(found, prose=False)
    if not in_prose:
        return
    replaced: list[bool] = []

    def ref(match: re.Match[str]) -> str:
        replaced.append(True)
        return "{{" + names[match.group(0)] + "}}"

    def walk(obj: Any) -> Any:
        if isinstance(obj, str):
            return pattern.sub(ref, obj) if pattern.search(obj) else obj
        if isinstance(obj, list):
            return [walk(v) for v in obj]
        if isinstance(obj, dict):
            return {k: walk(v) for k, v in obj.items()}
        if is_dataclass(obj) and not isinstance(obj, type):
            for f in fields(obj):
                if f.name not in ("path", "description"):
                    setattr(obj, f.name, walk(getattr(obj, f.name)))
        return obj

    holders: list[Any] = [*plan.connections, *plan.environments]
    for holder in holders:
        where = getattr(holder, "path", None) or f"environment {holder.name}"
        for key in [k for k, v in holder.variables.items() if pattern.search(v)]:
            del holder.variables[key]
            note(f"Left out the variable '{key}' (it holds a credential value)", where)
    items: list[Connection | Request] = [*plan.connections, *plan.requests]
    for item in items:
        if quoted.search(item.description):
            item.description = quoted.sub(REMOVED, item.description)
            note("Removed credential values quoted in descriptions", item.path)
        replaced.clear()
        walk(item)
        if replaced:
            note("Replaced credential values that recur in the file with {{variable}} "
                 "references (set the variables before sending)", item.path)
