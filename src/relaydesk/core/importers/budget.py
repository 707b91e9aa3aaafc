"""Byte budgets for what an import writes.

A small file can describe a huge result: YAML aliases share one value many times
(a string aliased 10× per level over 6 levels is a million copies), and OpenAPI
schemas whose properties each ``$ref`` the next grow exponentially once examples are
generated. Counting values is not enough; these count the characters the result takes
once written, and stop at the budget instead of expanding the rest. An item over its
budget is left empty with a note, so one bad item never costs the rest of the file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..bounded_read import human_size

if TYPE_CHECKING:
    from .plan import ImportPlan

__all__ = [
    "MAX_IMPORT_BYTES",
    "MAX_ITEM_BYTES",
    "ByteBudget",
    "bound_plan",
    "dumps_within",
    "text_size",
]

MAX_ITEM_BYTES = 1024 * 1024  # one operation's examples, one request's fields
MAX_IMPORT_BYTES = 64 * 1024 * 1024  # everything generated or copied by one import
_NAMED = 5  # affected items named in the note; the rest are counted


def dumps_within(value: Any, limit: int, indent: int | None = None) -> str | None:
    """``json.dumps(value, indent=indent, ensure_ascii=False)`` (compact separators
    without an indent), or ``None`` as soon as the text passes ``limit`` characters:
    the encoder's lazy form is cut off there, so a value that shares one part a
    million times (YAML aliases, cached $ref examples) costs ``limit``, never its
    expanded size, in time and memory."""
    encoder = json.JSONEncoder(ensure_ascii=False, indent=indent,
                               separators=None if indent else (",", ":"))
    chunks: list[str] = []
    total = 0
    try:
        for chunk in encoder.iterencode(value):
            total += len(chunk)
            if total > limit:
                return None
            chunks.append(chunk)
    except RecursionError:
        return None
    return "".join(chunks)


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

    def dumps(self, value: Any, item: str, indent: int | None = None) -> str | None:
        """``value`` as JSON text when it fits (charged), else ``None``."""
        text = dumps_within(value, self.room(), indent)
        return text if self.take(None if text is None else len(text), item) else None

    def note(self, what: str) -> str | None:
        """One line naming the refused items, or ``None`` when nothing was refused."""
        if not self.refused:
            return None
        names = ", ".join(f"'{n}'" for n in self.refused[:_NAMED])
        more = len(self.refused) - _NAMED
        return (f"{what} {names}{f' and {more} more' if more > 0 else ''}: "
                f"over {human_size(self.per_item)} for one item or "
                f"{human_size(self.total)} for the import once expanded (YAML aliases or "
                "$refs that multiply).")


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
            stack.extend(value)
            stack.extend(value.values())
        elif hasattr(value, "__dataclass_fields__"):
            stack.extend(vars(value).values())
    return total


def bound_plan(plan: ImportPlan, input_size: int) -> ImportPlan:
    """Leave out requests and environments whose text is far beyond what the input
    holds literally, and everything past the import's total: only a format with
    aliases (YAML) can make an item bigger than its file, so real files never lose
    anything here. Connections are only ever trimmed (their requests need them)."""
    # What a file holds literally, plus what an importer may generate (OpenAPI
    # examples, within the same budgets): never reached by a file without aliases.
    budget = ByteBudget(per_item=MAX_ITEM_BYTES + input_size,
                        total=MAX_IMPORT_BYTES + 2 * input_size)
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


