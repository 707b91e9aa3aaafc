"""The order of a connection's or folder's children.

A container stores the names of its children in the user's order. Children it does
not list (made by hand, by git, or by an older Relaydesk) follow the listed ones,
folders first, in natural order (``req2`` before ``req10``); listed names that no
longer exist are skipped. A stale list therefore only changes where items show.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence

TYPE_CHECKING = False  # typing is not imported at run time (`relaydesk ls`)
if TYPE_CHECKING:
    from typing import Any, TypeVar

    K = TypeVar("K")

__all__ = ["arrange", "children_index", "natural_key", "tree_order"]

_DIGITS = re.compile(r"(\d+)")


def natural_key(name: str) -> tuple[tuple[object, ...], str]:
    """Sort key: digit runs compare as numbers, letters without case; ties by name."""
    # re.split puts text at even and digit runs at odd positions, so the tuple's
    # items always compare str with str and int with int.
    # Case folding maps each character alone and never makes or changes a digit, so
    # folding the whole name first splits it the same way.
    parts: list[Any] = _DIGITS.split(name.casefold())
    parts[1::2] = map(int, parts[1::2])  # (a slice, not a loop: 50,000 names at a time)
    return tuple(parts), name


def arrange(listed: Sequence[str], present: Mapping[str, str]) -> list[str]:
    """Names of ``present`` (name -> kind) in display order given the stored ``listed``."""
    if len(listed) == len(present) and present.keys() == set(listed):
        return list(listed)  # the common case: the stored order names each child once
    out: list[str] = []
    seen: set[str] = set()
    for name in listed:
        if name in present and name not in seen:
            out.append(name)
            seen.add(name)
    rest = [n for n in present if n not in seen]
    rest.sort(key=lambda n: (present[n] != "folder", natural_key(n)))
    return out + rest


def children_index(folders: Iterable[str], requests: Iterable[str]
                   ) -> dict[str, dict[str, str]]:
    """``{container path: {child name: "folder" | "request"}}``."""
    kids: dict[str, dict[str, str]] = {}
    for kind, paths in (("folder", folders), ("request", requests)):
        for path in paths:
            container, _, name = path.rpartition("/")
            kids.setdefault(container, {})[name] = kind
    return kids


def tree_order(roots: Iterable[str], ordered: Callable[[str], Sequence[tuple[K, str]]],
               branch: K) -> list[tuple[K, str]]:
    """Every item under ``roots`` depth-first: ``ordered(container)`` gives a
    container's ``(kind, path)`` children; those of kind ``branch`` are walked into."""
    out: list[tuple[K, str]] = []

    def walk(container: str) -> None:
        for kind, path in ordered(container):
            out.append((kind, path))
            if kind == branch:
                walk(path)

    for root in roots:
        walk(root)
    return out
