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

__all__ = ["arrange", "by_level", "children_index", "natural_key", "tree_order"]

_DIGITS = re.compile(r"(\d+)")
_ONE_NUMBER = re.compile(r"(\D*)(\d+)(\D*)\Z")  # most names: "api2", "Request 17"


def natural_key(name: str) -> tuple[tuple[object, ...], str]:
    """Sort key: digit runs compare as numbers, letters without case; ties by name."""
    # Text at even and digit runs at odd positions, so the tuples' items always
    # compare str with str and int with int (what re.split gives, in one match for a
    # name with one number: half the time, and keys are made 50,000 at a time).
    # Case folding maps each character alone and never makes or changes a digit, so
    # folding the whole name first splits it the same way.
    folded = name.casefold()
    one = _ONE_NUMBER.match(folded)
    if one is not None:
        text, number, tail = one.groups()
        return (text, int(number), tail), name
    parts: list[Any] = _DIGITS.split(folded)
    parts[1::2] = map(int, parts[1::2])  # (a slice, not a loop)
    return tuple(parts), name


def by_level(paths: Iterable[str]) -> list[str]:
    """Slash-separated paths in natural order level by level, as a tree shows them
    (``jira/x`` before ``jira-old/y``: the level's names are compared, not the whole
    paths). The key of a parent path is made once for all its children."""
    above: dict[str, tuple[object, ...]] = {"": ()}

    def key(path: str) -> tuple[object, ...]:
        parent, _, name = path.rpartition("/")
        keys = above.get(parent)
        if keys is None:
            keys = above[parent] = key(parent)
        return (*keys, natural_key(name))

    return sorted(paths, key=key)


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
