"""Checks: assertions saved with a request and evaluated against its response.

A check is stored in the request file as a small JSON object, one per line of intent::

    {"kind": "status_equals", "value": 200}
    {"kind": "status_in_range", "min": 200, "max": 299}
    {"kind": "header_present", "header": "ETag"}
    {"kind": "header_equals", "header": "Content-Type", "value": "application/json"}
    {"kind": "jsonpath_exists", "path": "$.items[0].id"}
    {"kind": "jsonpath_equals", "path": "$.total", "value": 3}
    {"kind": "time_under", "ms": 500}

JSONPath expressions use ``jsonpath-ng`` (``$.a.b[0]``, ``$..id``, filters); a path
without the leading ``$`` is read as ``$.`` + path. ``evaluate`` never raises for a
response that does not match: every check becomes a ``CheckResult`` with a message.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .errors import ValidationError
from .response import Response

__all__ = [
    "CHECK_KINDS",
    "DEFAULT_CHECKS",
    "Check",
    "CheckResult",
    "check_from_doc",
    "check_to_doc",
    "checks_of",
    "evaluate",
    "evaluate_all",
]

CHECK_KINDS: tuple[str, ...] = (
    "status_equals", "status_in_range", "header_present", "header_equals",
    "jsonpath_exists", "jsonpath_equals", "time_under",
)
_MISSING = object()


@dataclass(frozen=True)
class Check:
    kind: str
    header: str = ""
    path: str = ""
    value: Any = None
    low: int = 0
    high: int = 0
    ms: float = 0.0

    @functools.cached_property
    def name(self) -> str:  # worked out once: a run evaluates the same check thousands of times
        k = self.kind
        if k == "status_equals":
            return f"status is {self.value}"
        if k == "status_in_range":
            return f"status in {self.low}–{self.high}"
        if k == "header_present":
            return f"header {self.header} present"
        if k == "header_equals":
            return f"header {self.header} is {self.value!r}"
        if k == "jsonpath_exists":
            return f"{self.path} exists"
        if k == "jsonpath_equals":
            return f"{self.path} is {json.dumps(self.value)}"
        return f"time under {self.ms:g} ms"

    @functools.cached_property
    def held(self) -> CheckResult:
        """The result of this check holding: the same every time (and immutable), so
        made once, not per response."""
        return CheckResult(self.name, True)


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    message: str = ""


# A request with no declared checks passes when its answer is not an error status.
DEFAULT_CHECKS: tuple[Check, ...] = (Check("status_in_range", low=100, high=399),)


def _int(doc: Mapping[str, Any], key: str) -> int:
    value = doc.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"The check '{doc.get('kind')}' needs a whole number \"{key}\".")
    return value


def _text(doc: Mapping[str, Any], key: str) -> str:
    value = doc.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"The check '{doc.get('kind')}' needs a text \"{key}\".")
    return value.strip()


def check_from_doc(doc: Mapping[str, Any]) -> Check:
    """Read one saved check; a malformed one is a ``ValidationError`` that says why."""
    kind = doc.get("kind")
    if kind not in CHECK_KINDS:
        raise ValidationError(
            f"Unknown check kind {kind!r}; choose one of {', '.join(CHECK_KINDS)}.")
    if kind == "status_equals":
        return Check(kind, value=_int(doc, "value"))
    if kind == "status_in_range":
        low, high = _int(doc, "min"), _int(doc, "max")
        if low > high:
            raise ValidationError(f"The status range {low}–{high} is empty (min > max).")
        return Check(kind, low=low, high=high)
    if kind == "header_present":
        return Check(kind, header=_text(doc, "header"))
    if kind == "header_equals":
        value = doc.get("value")
        if not isinstance(value, str):
            raise ValidationError("The check 'header_equals' needs a text \"value\".")
        return Check(kind, header=_text(doc, "header"), value=value)
    if kind in ("jsonpath_exists", "jsonpath_equals"):
        path = _text(doc, "path")
        _compile(path)  # refuse a malformed expression when it is saved, not when run
        if kind == "jsonpath_equals" and "value" not in doc:
            raise ValidationError("The check 'jsonpath_equals' needs a \"value\".")
        return Check(kind, path=path, value=doc.get("value"))
    ms = doc.get("ms")
    if isinstance(ms, bool) or not isinstance(ms, int | float) or ms <= 0:
        raise ValidationError("The check 'time_under' needs a positive \"ms\".")
    return Check(kind, ms=float(ms))


def check_to_doc(check: Check) -> dict[str, Any]:
    doc: dict[str, Any] = {"kind": check.kind}
    if check.kind == "status_equals":
        doc["value"] = check.value
    elif check.kind == "status_in_range":
        doc.update(min=check.low, max=check.high)
    elif check.kind == "header_present":
        doc["header"] = check.header
    elif check.kind == "header_equals":
        doc.update(header=check.header, value=check.value)
    elif check.kind == "jsonpath_exists":
        doc["path"] = check.path
    elif check.kind == "jsonpath_equals":
        doc.update(path=check.path, value=check.value)
    else:
        doc["ms"] = int(check.ms) if check.ms == int(check.ms) else check.ms
    return doc


def checks_of(docs: Sequence[Mapping[str, Any]]) -> list[Check]:
    """The checks of a request (its ``checks`` documents), or the default ones."""
    return [check_from_doc(d) for d in docs] if docs else list(DEFAULT_CHECKS)


@lru_cache(maxsize=256)
def _compile(path: str) -> Any:
    from jsonpath_ng.ext.parser import parse

    expr = path if path.startswith("$") else "$." + path
    try:
        return parse(expr)
    except Exception as exc:  # the lexer and parser raise several unrelated types
        raise ValidationError(f"'{path}' is not a valid JSONPath expression: {exc}") from None


class _Body:
    """The response body parsed as JSON at most once for all checks of a response."""

    def __init__(self, response: Response) -> None:
        self._response = response
        self._value: Any = _MISSING
        self.error = ""

    def value(self) -> Any:
        if self._value is _MISSING:
            try:
                self._value = self._response.json()
            except (ValueError, OSError) as exc:
                self._value = None
                self.error = f"the body is not JSON ({type(exc).__name__})"
        return self._value


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 80 else text[:77] + "…"


def _jsonpath(check: Check, body: _Body) -> CheckResult:
    data = body.value()
    if body.error:
        return CheckResult(check.name, False, f"cannot evaluate {check.path}: {body.error}")
    matches = [m.value for m in _compile(check.path).find(data)]
    if check.kind == "jsonpath_exists":
        ok = bool(matches)
        return CheckResult(check.name, ok, "" if ok else f"{check.path} matched nothing")
    if not matches:
        return CheckResult(check.name, False, f"{check.path} matched nothing")
    actual = matches[0] if len(matches) == 1 else matches
    ok = actual == check.value and type(actual) is type(check.value)
    if not ok and isinstance(actual, int | float) and isinstance(check.value, int | float):
        ok = not isinstance(actual, bool) and not isinstance(check.value, bool) \
            and actual == check.value
    return CheckResult(check.name, ok,
                       "" if ok else f"expected {_short(check.value)}, got {_short(actual)}")


def evaluate(check: Check, response: Response, body: _Body | None = None) -> CheckResult:
    k = check.kind
    if k == "status_equals":
        if response.status == check.value:
            return check.held
        return CheckResult(check.name, False, f"got status {response.status}")
    if k == "status_in_range":
        if check.low <= response.status <= check.high:
            return check.held
        return CheckResult(check.name, False, f"got status {response.status}")
    if k == "header_present":
        ok = response.header(check.header) is not None
        return CheckResult(check.name, ok, "" if ok else f"no {check.header} header")
    if k == "header_equals":
        actual = response.header(check.header)
        ok = actual == check.value
        why = f"no {check.header} header" if actual is None else f"got {actual!r}"
        return CheckResult(check.name, ok, "" if ok else why)
    if k in ("jsonpath_exists", "jsonpath_equals"):
        return _jsonpath(check, body or _Body(response))
    took = response.elapsed * 1000
    ok = took < check.ms
    return CheckResult(check.name, ok, "" if ok else f"took {took:.0f} ms")


_ON_BODY = frozenset({"jsonpath_exists", "jsonpath_equals"})


def evaluate_all(checks: Sequence[Check], response: Response) -> list[CheckResult]:
    # The body is parsed at most once for all checks, and only if one reads it.
    body: _Body | None = None
    results = []
    for check in checks:
        if body is None and check.kind in _ON_BODY:
            body = _Body(response)
        results.append(evaluate(check, response, body))
    return results
