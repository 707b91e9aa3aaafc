"""Byte budgets for what an import writes.

A small file can describe a huge result: YAML aliases share one value many times
(a string aliased 10× per level over 6 levels is a million copies), and OpenAPI
schemas whose properties each ``$ref`` the next grow exponentially once examples are
generated. Counting values is not enough; these count the bytes the result would take
once written, without writing it: shared parts are measured once and counted each
time they appear. An item over its budget is left empty with a note, so one bad item
never costs the rest of the file.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .plan import ImportPlan

__all__ = [
    "MAX_IMPORT_BYTES",
    "MAX_ITEM_BYTES",
    "ByteBudget",
    "bound_plan",
    "json_size",
    "text_size",
]

MAX_ITEM_BYTES = 1024 * 1024  # one operation's examples, one request's fields
MAX_IMPORT_BYTES = 64 * 1024 * 1024  # everything generated or copied by one import
_NAMED = 5  # affected items named in the note; the rest are counted


class _Over(Exception):
    """The measured value passed its limit."""


def json_size(value: Any, limit: int, indent: int = 0) -> int | None:
    """The length of ``json.dumps(value, indent=indent or None, ensure_ascii=False,
    separators=(",", ":") without an indent)``, or
    ``None`` as soon as it would pass ``limit``. Linear in the distinct objects:
    an aliased part is measured once per nesting depth and counted where it appears."""
    memo: dict[tuple[int, int], int] = {}
    keep: list[Any] = []  # ids stay valid while measured
    total = 0

    def size(item: Any, depth: int) -> int:
        if isinstance(item, dict | list):
            key = (id(item), depth)
            if key in memo:
                found = memo[key]
            else:
                # "[" "\n" pad child ("," "\n" pad child)* "\n" pad "]"; keys "k": or "k":␠
                pad = (1 + indent * (depth + 1)) if indent else 0
                colon = 2 if indent else 1
                found = 2 + (1 + indent * depth if indent and item else 0) - (1 if item else 0)
                for part in (item.items() if isinstance(item, dict) else
                             ((None, v) for v in item)):
                    name, child = part
                    found += pad + 1 + size(child, depth + 1)
                    if name is not None:
                        found += _scalar(str(name)) + colon
                    if found > limit:
                        raise _Over
                memo[key] = found
                keep.append(item)
            return found
        return _scalar(item)

    try:
        total = size(value, 0)
    except (_Over, RecursionError):
        return None
    return total if total <= limit else None


def _scalar(item: Any) -> int:
    try:
        return len(json.dumps(item, ensure_ascii=False))
    except (TypeError, ValueError):
        return len(str(item))


@dataclass
class ByteBudget:
    """Bytes allowed per item and for a whole import; remembers what it refused."""

    per_item: int = MAX_ITEM_BYTES
    total: int = MAX_IMPORT_BYTES
    used: int = 0
    item_used: int = 0
    refused: list[str] = field(default_factory=list)

    def start(self) -> None:
        """A new item begins: its own allowance is whole again."""
        self.item_used = 0

    def room(self) -> int:
        return max(0, min(self.per_item - self.item_used, self.total - self.used))

    def take(self, size: int | None, item: str) -> bool:
        """Charge ``size`` bytes (``None``: unmeasurably big) to ``item``; ``False``
        (and the item remembered for the note) when it does not fit."""
        if size is None or size > self.room():
            if item not in self.refused:
                self.refused.append(item)
            return False
        self.used += size
        self.item_used += size
        return True

    def take_json(self, value: Any, item: str, indent: int = 0) -> bool:
        """Whether ``value`` serialised fits; charged when it does."""
        return self.take(json_size(value, self.room(), indent), item)

    def note(self, what: str) -> str | None:
        """One line naming the refused items, or ``None`` when nothing was refused."""
        if not self.refused:
            return None
        names = ", ".join(f"'{n}'" for n in self.refused[:_NAMED])
        more = len(self.refused) - _NAMED
        return (f"{what} {names}{f' and {more} more' if more > 0 else ''}: "
                f"over {_mb(self.per_item)} for one item or {_mb(self.total)} for the "
                "import once expanded (YAML aliases or $refs that multiply).")


def text_size(item: Any) -> int:
    """Characters of text in a plan item (a dataclass of strings, lists and dicts),
    shared strings counted each time they appear, as they would be written."""
    total, stack = 0, [item]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            total += len(value)
        elif isinstance(value, list | tuple):
            stack.extend(value)
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            stack.extend(getattr(value, f.name) for f in dataclasses.fields(value))
    return total


def bound_plan(plan: ImportPlan, input_size: int) -> ImportPlan:
    """Leave out requests and environments whose text is far beyond what the input
    holds literally, and everything past the import's total: only a format with
    aliases (YAML) can make an item bigger than its file, so real files never lose
    anything here. Connections are only ever trimmed (their requests need them)."""
    budget = ByteBudget(per_item=max(MAX_ITEM_BYTES, input_size),
                        total=max(MAX_IMPORT_BYTES, 2 * input_size))
    kept = []
    for req in plan.requests:
        budget.start()
        if budget.take(text_size(req), req.path):
            kept.append(req)
    plan.requests = kept
    envs = []
    for env in plan.environments:
        budget.start()
        if budget.take(text_size(env), f"environment {env.name}"):
            envs.append(env)
    plan.environments = envs
    note = budget.note("Left out:")
    budget.refused = []
    for conn in plan.connections:
        budget.start()
        if not budget.take(text_size(conn), conn.path):
            conn.description, conn.variables, conn.headers = "", {}, []
    emptied = budget.note("Description, variables and headers emptied in")
    plan.notes += [n for n in (note, emptied) if n]
    return plan


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"
