"""The model's dataclasses (and the runner's, history's…), cheaper to define.

``dataclass`` compiles an ``__init__``, a ``__repr__`` and an ``__eq__`` from source
text for every class: for the model's nine classes that is most of what importing
``model`` costs, paid by every command (`relaydesk ls` included). ``model_class``
keeps the compiled ``__init__`` (field defaults and factories as ``dataclass`` makes
them) and gives the class an ``__eq__`` and a ``__repr__`` shared by all, which behave
as ``dataclass``'s do: equal when of the same class with equal fields, compared as
tuples; ``Name(field=value, ...)`` with a recursive reference shown as ``...``;
unhashable. ``dataclasses.replace``, ``fields`` and ``asdict`` work as on any
dataclass (mypy sees ``dataclass`` itself).
"""

from __future__ import annotations

import reprlib
from dataclasses import dataclass, fields

TYPE_CHECKING = False  # typing is not imported at run time (`relaydesk ls`)
if TYPE_CHECKING:
    from typing import Any, TypeVar

    _T = TypeVar("_T")

__all__ = ["model_class"]

# Per class: the names of the fields compared and shown (all of the model's fields).
_compared: dict[type, tuple[str, ...]] = {}
_shown: dict[type, tuple[str, ...]] = {}


def _names(cls: type, table: dict[type, tuple[str, ...]], flag: str) -> tuple[str, ...]:
    names = table.get(cls)
    if names is None:
        names = table[cls] = tuple(f.name for f in fields(cls) if getattr(f, flag))
    return names


def _eq(self: Any, other: object) -> Any:  # bool, or NotImplemented
    if other.__class__ is not self.__class__:
        return NotImplemented
    names = _names(self.__class__, _compared, "compare")
    return tuple(getattr(self, n) for n in names) == tuple(getattr(other, n) for n in names)


@reprlib.recursive_repr()
def _repr(self: Any) -> str:
    shown = ", ".join(f"{n}={getattr(self, n)!r}"
                      for n in _names(self.__class__, _shown, "repr"))
    return f"{self.__class__.__qualname__}({shown})"


def model_class(cls: type[_T]) -> type[_T]:
    """``@dataclass`` with the shared ``__eq__`` and ``__repr__``."""
    cls.__eq__ = _eq  # type: ignore[method-assign]
    cls.__repr__ = _repr  # type: ignore[method-assign]
    cls.__hash__ = None  # type: ignore[assignment]  # as dataclass does with eq
    return dataclass(cls, eq=False, repr=False)
