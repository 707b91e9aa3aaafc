"""Reading import files safely: JSON or YAML into plain Python values.

Hostile input is refused with one ``FileFormatError``: YAML is read with
``yaml.safe_load`` only (plain data, never Python objects); every document's nesting
depth and its size with YAML aliases expanded (billion-laughs documents grow
exponentially) are capped, so no RecursionError or runaway walk escapes later.
"""

from __future__ import annotations

import json
import os
from typing import Any

from ..bounded_read import TooLarge, as_text, read_capped
from ..errors import FileFormatError
from .plan import fail
from .yaml_events import load_events

__all__ = ["MAX_BYTES", "MAX_DEPTH", "check_depth", "load_json", "load_json_or_yaml",
           "load_yaml", "read_import_file"]

MAX_DEPTH = 200
MAX_NODES = 5_000_000
MAX_BYTES = 200 * 1024 * 1024


def read_import_file(path: str | os.PathLike[str], source: str = "") -> str:
    """The text of a file to import, its size checked before it is read (a 3 GB file
    is refused at once instead of filling memory first)."""
    name = source or str(path)
    try:
        data = read_capped(path, MAX_BYTES)
    except TooLarge as exc:
        raise fail(name, f"is too large to import ({exc.describe()})") from None
    except IsADirectoryError:
        raise fail(name, "is a folder, not a file") from None
    except FileNotFoundError:
        raise fail(name, "does not exist") from None
    except OSError as exc:
        raise fail(name, f"cannot be read ({exc.strerror or exc})") from None
    try:
        return as_text(data)
    except UnicodeDecodeError:
        raise fail(name, "is not UTF-8 text") from None


def check_depth(value: Any, source: str, limit: int = MAX_DEPTH) -> None:
    """Refuse structures nested deeper than ``limit`` or with more than ``MAX_NODES``
    values once shared (aliased) parts are counted each time they appear — the bound
    every later walk over the data relies on. Iterative: no recursion."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    count = 0
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            raise fail(source, f"is nested more than {limit} levels deep")
        if isinstance(item, dict):
            count += len(item)
            stack.extend((v, depth + 1) for v in item.values() if isinstance(v, dict | list))
        elif isinstance(item, list):
            count += len(item)
            stack.extend((v, depth + 1) for v in item if isinstance(v, dict | list))
        if count > MAX_NODES:
            raise fail(source, f"holds more than {MAX_NODES:,} values once its YAML "
                               "aliases are expanded (refused: an alias bomb?)")


def load_json(text: str, source: str) -> Any:
    if len(text) > MAX_BYTES:
        raise fail(source, "is too large to import (over 200 MB)")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise fail(source, f"is not valid JSON: {exc.msg} at line {exc.lineno}, "
                           f"column {exc.colno}") from None
    except RecursionError:
        raise fail(source, "is nested too deeply to be read") from None
    check_depth(value, source)
    return value


def load_yaml(text: str, source: str) -> Any:
    try:
        import yaml
    except ImportError:  # pragma: no cover - a declared dependency
        raise fail(source, "is YAML, and reading YAML needs PyYAML (pip install pyyaml)"
                   ) from None
    if len(text) > MAX_BYTES:
        raise fail(source, "is too large to import (over 200 MB)")

    try:
        # Plain data only, built from libyaml's events (see yaml_events); aliases share
        # one object, so an alias bomb stays small here and is refused by check_depth's
        # expanded-size count below.
        built, value = load_events(text, yaml)
        if not built:  # explicit tags and the like: PyYAML's own constructor
            value = yaml.load(text, Loader=_safe_loader(yaml))
            check_depth(value, source)
            value = _plain(value, source)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise fail(source, f"is not valid YAML: {problem}{where}") from None
    except RecursionError:
        raise fail(source, "is nested too deeply to be read") from None
    except (ValueError, TypeError, OverflowError) as exc:
        raise fail(source, f"is not valid YAML: {exc}") from None
    check_depth(value, source)
    return value


def _safe_loader(yaml: Any) -> Any:
    """libyaml's safe loader when PyYAML was built with it (20-30x faster on big
    specs), else the pure-Python one; both build plain data only."""
    return getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader


def _plain(value: Any, source: str) -> Any:
    """YAML allows non-string keys, dates and sets; imports want JSON-like data."""
    import datetime

    seen: dict[int, Any] = {}

    def walk(item: Any) -> Any:
        if isinstance(item, dict):
            if id(item) in seen:
                return seen[id(item)]
            out: dict[str, Any] = {}
            seen[id(item)] = out
            for k, v in item.items():
                out[str(k) if not isinstance(k, str) else k] = walk(v)
            return out
        if isinstance(item, list):
            if id(item) in seen:
                return seen[id(item)]
            lst: list[Any] = []
            seen[id(item)] = lst
            lst.extend(walk(v) for v in item)
            return lst
        if isinstance(item, datetime.date | datetime.datetime):
            return item.isoformat()
        if isinstance(item, bytes | set | tuple):
            return str(item)
        return item

    return walk(value)


def load_json_or_yaml(text: str, source: str) -> Any:
    """JSON when it looks like JSON, else YAML (every JSON document is YAML too)."""
    if text.lstrip().startswith(("{", "[")):
        try:
            return load_json(text, source)
        except FileFormatError as exc:
            if "not valid JSON" not in exc.reason:
                raise
            try:  # YAML written in flow style starts with "{" too
                return load_yaml(text, source)
            except FileFormatError:
                raise exc from None
    return load_yaml(text, source)
