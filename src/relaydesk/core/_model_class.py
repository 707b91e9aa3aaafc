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

A class whose fields are plain (defaults, and this module's ``field`` with a default
or factory, ``repr`` and ``compare``) gets its ``__init__`` made here, and
``dataclasses`` is imported only when something asks for its ``__dataclass_fields__``
(``replace``, ``fields``, ``asdict``…): importing it brings ``inspect`` and costs a
sixth of `relaydesk ls`. Any other class (``dataclasses.field``, inheritance,
``ClassVar``) goes through ``dataclass`` at once.
"""

from __future__ import annotations

import reprlib
import threading

TYPE_CHECKING = False  # typing is not imported at run time (`relaydesk ls`)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeVar

    _T = TypeVar("_T")

__all__ = ["field", "model_class"]

# Per class: the names of the fields compared and shown (all of the model's fields).
_compared: dict[type, tuple[str, ...]] = {}
_shown: dict[type, tuple[str, ...]] = {}


class _Missing:
    def __repr__(self) -> str:
        return "<factory>"  # what a dataclass's __init__ shows for a default factory


_MISSING = _Missing()


class _Field:
    """A field's options, as ``dataclasses.field`` takes them (the ones supported)."""

    __slots__ = ("compare", "default", "default_factory", "repr")

    def __init__(self, default: Any, default_factory: Any, repr: bool, compare: bool
                 ) -> None:
        self.default, self.default_factory = default, default_factory
        self.repr, self.compare = repr, compare


def field(*, default: Any = _MISSING, default_factory: Callable[[], Any] | Any = _MISSING,
          repr: bool = True, compare: bool = True) -> Any:
    """``dataclasses.field`` for a ``model_class`` (without importing ``dataclasses``)."""
    return _Field(default, default_factory, repr, compare)


def _names(cls: type, table: dict[type, tuple[str, ...]], flag: str) -> tuple[str, ...]:
    names = table.get(cls)
    if names is None:
        from dataclasses import fields

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
    specs = _plain_fields(cls)
    if specs is None:
        from dataclasses import dataclass

        return dataclass(cls, eq=False, repr=False)
    _make_init(cls, specs)
    _compared[cls] = tuple(n for n, f in specs.items() if f.compare)
    _shown[cls] = tuple(n for n, f in specs.items() if f.repr)
    type.__setattr__(cls, "__match_args__", tuple(specs))
    type.__setattr__(cls, "__dataclass_fields__", _LazyFields(specs))
    return cls


def _plain_fields(cls: type) -> dict[str, _Field] | None:
    """The fields of ``cls`` in order, or None when ``dataclass`` must make them."""
    if any("__dataclass_fields__" in vars(base) for base in cls.__mro__[1:]):
        return None
    specs: dict[str, _Field] = {}
    defaulted = False
    for name, kind in vars(cls).get("__annotations__", {}).items():
        if not isinstance(kind, str) or "ClassVar" in kind or "InitVar" in kind:
            return None
        value = vars(cls).get(name, _MISSING)
        if not isinstance(value, _Field):
            if isinstance(value, list | dict | set) or type(value).__module__ == "dataclasses":
                return None  # (dataclass refuses these, or knows them)
            value = _Field(value, _MISSING, True, True)
        has_default = value.default is not _MISSING or value.default_factory is not _MISSING
        if defaulted and not has_default:
            return None  # dataclass says what is wrong
        defaulted = defaulted or has_default
        specs[name] = value
    return specs


def _make_init(cls: type, specs: dict[str, _Field]) -> None:
    """An ``__init__`` as ``dataclass`` writes it (same signature and behaviour)."""
    space: dict[str, Any] = {"_FACTORY": _MISSING}
    params, lines = [], []
    for name, spec in specs.items():
        if spec.default_factory is not _MISSING:
            space[f"_f_{name}"] = spec.default_factory
            params.append(f"{name}=_FACTORY")
            lines.append(f"  self.{name} = _f_{name}() if {name} is _FACTORY else {name}")
        else:
            if spec.default is not _MISSING:
                space[f"_d_{name}"] = spec.default
                params.append(f"{name}=_d_{name}")
            else:
                params.append(name)
            lines.append(f"  self.{name} = {name}")
        if isinstance(vars(cls).get(name), _Field):  # as dataclass leaves the class
            if spec.default is _MISSING:
                type.__delattr__(cls, name)
            else:
                type.__setattr__(cls, name, spec.default)
    source = f"def __init__(self, {', '.join(params)}):\n" + ("\n".join(lines) or "  pass")
    exec(source, space)
    init = space["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    init.__annotations__ = {**{n: vars(cls)["__annotations__"][n] for n in specs},
                            "return": None}
    type.__setattr__(cls, "__init__", init)


_lock = threading.Lock()


class _LazyFields:
    """``__dataclass_fields__`` made when first asked for: ``dataclass`` then runs
    over the class (its ``__init__``, ``__eq__`` and ``__repr__`` kept) with the
    fields' options put back, so every dataclass function sees an ordinary one."""

    def __init__(self, specs: dict[str, _Field]) -> None:
        self.specs = specs

    def __get__(self, obj: object, owner: type) -> Any:
        with _lock:
            if vars(owner).get("__dataclass_fields__") is self:
                from dataclasses import dataclass
                from dataclasses import field as make_field

                type.__delattr__(owner, "__dataclass_fields__")
                for name, spec in self.specs.items():
                    if spec.default_factory is not _MISSING or not (spec.repr
                                                                    and spec.compare):
                        options: dict[str, Any] = {"repr": spec.repr,
                                                   "compare": spec.compare}
                        if spec.default_factory is not _MISSING:
                            options["default_factory"] = spec.default_factory
                        elif spec.default is not _MISSING:
                            options["default"] = spec.default
                        type.__setattr__(owner, name, make_field(**options))
                dataclass(owner, init=False, repr=False, eq=False)
        return vars(owner)["__dataclass_fields__"]
