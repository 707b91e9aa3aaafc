"""YAML to plain data straight from libyaml's parse events.

PyYAML's C loader still builds a node tree and then runs its Python constructor over
it; on a 4 MB spec that is about four fifths of the time, where the parse events
themselves come in a fifth. This builds dicts, lists and scalars from the events with
the safe loader's own scalar rules (null, bool, int, float, timestamp, ``<<`` merges,
anchors and aliases) and gives up, returning ``None`` from :func:`load_events`, on
anything rarer (explicit tags, complex keys, several documents), so the caller loads
those the usual way. Keys come out as strings and dates as ISO text: the plain data
imports want.
"""

from __future__ import annotations

import datetime
from typing import Any

__all__ = ["load_events"]

_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
_PLAIN_TAGS = {"tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int",
               "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp"}


class _Unsupported(Exception):
    """Something this builder leaves to PyYAML's full loader."""


class _Merge:
    """The ``<<`` key of a mapping (never a real key)."""


_MERGE_KEY = _Merge()


def _scalars(yaml: Any) -> Any:
    """A function turning a plain scalar into its value, as the safe loader would."""
    resolvers = yaml.SafeLoader.yaml_implicit_resolvers
    constructor = yaml.constructor.SafeConstructor()
    node = yaml.nodes.ScalarNode
    cache: dict[str, Any] = {}

    def value(text: str) -> Any:
        if text in cache:
            return cache[text]
        result: Any = text
        for tag, regexp in resolvers.get(text[:1] if text else "", ()):
            if regexp.match(text):
                if tag == _MERGE:
                    result = _MERGE_KEY
                elif tag in _PLAIN_TAGS:
                    result = constructor.construct_object(node(tag, text))
                    if isinstance(result, datetime.date):
                        result = result.isoformat()
                else:
                    raise _Unsupported(tag)
                break
        cache[text] = result
        return result

    return value


def _merged(explicit: dict[str, Any], merges: list[Any]) -> dict[str, Any]:
    """A mapping with ``<<`` merges: the first merged mapping wins over later ones, and
    the mapping's own keys over all of them (YAML's merge-key rules)."""
    out: dict[str, Any] = {}
    for merge in merges:
        for part in reversed(merge if isinstance(merge, list) else [merge]):
            if not isinstance(part, dict):
                raise _Unsupported("merge of a non-mapping")
            out.update(part)
    out.update(explicit)
    return out


def load_events(text: str, yaml: Any) -> tuple[bool, Any]:
    """``(True, data)``, or ``(False, None)`` when the document needs the full loader.
    Syntax errors raise PyYAML's own ``YAMLError``."""
    events = yaml.events
    scalar, start_map, end_map = events.ScalarEvent, events.MappingStartEvent, \
        events.MappingEndEvent
    start_seq, end_seq, alias = events.SequenceStartEvent, events.SequenceEndEvent, \
        events.AliasEvent
    value_of = _scalars(yaml)
    anchors: dict[str, Any] = {}
    # Each open collection: [container, pending key or None, merges].
    stack: list[list[Any]] = []
    root: list[Any] = []
    documents = 0

    def add(item: Any) -> None:
        if not stack:
            root.append(item)
            return
        top = stack[-1]
        container = top[0]
        if isinstance(container, list):
            container.append(item)
        elif top[1] is None:
            if isinstance(item, dict | list):
                raise _Unsupported("complex key")
            top[1] = ("k", item)
        else:
            key = top[1][1]
            top[1] = None
            if key is _MERGE_KEY:
                top[2].append(item)
            else:
                container[key if isinstance(key, str) else str(key)] = item

    try:
        for event in yaml.parse(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
            kind = type(event)
            if kind is scalar:
                tag = event.tag
                if tag is None or tag == "!":
                    item = value_of(event.value) if event.implicit[0] else event.value
                elif tag == _STR:
                    item = event.value
                else:
                    raise _Unsupported(tag)
                if event.anchor is not None:
                    anchors[event.anchor] = item
                add(item)
            elif kind is start_map or kind is start_seq:
                if event.tag not in (None, "!", "tag:yaml.org,2002:map",
                                     "tag:yaml.org,2002:seq"):
                    raise _Unsupported(event.tag)
                container: Any = {} if kind is start_map else []
                if event.anchor is not None:
                    anchors[event.anchor] = container
                stack.append([container, None, []])
            elif kind is end_map or kind is end_seq:
                done, _, merges = stack.pop()
                if merges:
                    merged = _merged(done, merges)
                    done.clear()
                    done.update(merged)  # the same object any alias already holds
                add(done)
            elif kind is alias:
                if event.anchor not in anchors:
                    raise _Unsupported("unknown anchor")  # the full loader says where
                add(anchors[event.anchor])
            elif kind is events.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise _Unsupported("several documents")
    except _Unsupported:
        return False, None
    return True, root[0] if root else None
