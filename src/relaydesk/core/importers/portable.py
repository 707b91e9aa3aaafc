"""Names from someone else's file made valid on every OS before the plan is checked.

A Postman folder called ``CON`` or an OpenAPI tag ending in a dot is fine on Linux and
breaks a git checkout on Windows; the user typing such a name is refused
(``model.validate_path``), but an import renames it (``CON`` → ``CON_``, see
``core/names.py``) and says so in a note, so the file still comes in whole.
"""

from __future__ import annotations

from dataclasses import replace

from ..model import join_path, split_path
from ..names import portable_segment
from .plan import ImportPlan

__all__ = ["portable_plan"]

_NAMED = 5
_ENVIRONMENTS = "environments/"


class _Renamer:
    def __init__(self, plan: ImportPlan) -> None:
        self.mapping: dict[str, str] = {}
        self._safe: dict[str, str] = {}
        self.renamed: list[tuple[str, str]] = []
        # (original parent path, name taken under it): a new name must not meet a
        # sibling's (siblings share their parent's renaming, so only they can collide)
        self.taken: set[tuple[str, str]] = set()
        for path in ([c.path for c in plan.connections] + plan.folders
                     + [r.path for r in plan.requests] + [e.name for e in plan.environments]):
            parent = ""
            for seg in split_path(path):
                if self.safe(seg) == seg:
                    self.taken.add((parent, seg.lower()))
                parent = join_path(parent, seg)

    def safe(self, seg: str) -> str:
        if seg not in self._safe:
            self._safe[seg] = portable_segment(seg)
        return self._safe[seg]

    def path(self, path: str) -> str:
        old, new = "", ""
        for seg in split_path(path):
            parent, old = old, join_path(old, seg)
            if old in self.mapping:
                new = self.mapping[old]
                continue
            fixed = self.safe(seg)
            if fixed != seg:
                candidate, n = fixed, 2
                while (parent, candidate.lower()) in self.taken:
                    candidate, n = f"{fixed} {n}", n + 1
                fixed = candidate
                self.taken.add((parent, fixed.lower()))
                self.renamed.append((old, join_path(new, fixed)))
            new = join_path(new, fixed)
            self.mapping[old] = new
        return new

    def owner(self, owner: str) -> str:
        if owner.startswith(_ENVIRONMENTS):
            return _ENVIRONMENTS + self.path(owner[len(_ENVIRONMENTS):])
        return self.path(owner)


def portable_plan(plan: ImportPlan) -> ImportPlan:
    """``plan`` with every connection, folder, request and environment name valid as
    a file name on Linux, macOS and Windows; a note lists what was renamed."""
    names = _Renamer(plan)
    plan.folders = [names.path(f) for f in plan.folders]
    for conn in plan.connections:
        conn.path = names.path(conn.path)
    for req in plan.requests:
        req.path = names.path(req.path)
    for env in plan.environments:
        env.name = names.path(env.name)
    if not names.renamed:
        return plan
    plan.secrets = [replace(s, owner=names.owner(s.owner)) for s in plan.secrets]
    if names.renamed:
        shown = ", ".join(f"'{old}' → '{new}'" for old, new in names.renamed[:_NAMED])
        more = len(names.renamed) - _NAMED
        plan.notes.append(f"Renamed so the files work on Windows, macOS and Linux alike: "
                          f"{shown}{f' and {more} more' if more > 0 else ''}.")
    return plan
