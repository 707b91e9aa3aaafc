"""Ctrl+P: jump to any request by typing a few letters of its path.

A request matches when the letters typed appear in its path in order. With 50,000
requests each keystroke must stay short, so the work per request is one ``str.find``
run by ``map`` (no Python code per request): the matcher keeps, for the text typed
so far, the requests that match and where their match ends, and a further letter
only looks on from there. The best ``limit`` are ranked by ``fuzzy_score`` within
three groups: the text typed found in the name, found in the path, the rest; the
scores too are kept letter by letter, for all matches at once. A key that leaves
the results as they were changes nothing in the list (nothing is painted again).
While a word is typed (few matches, each going on with the letter typed right
after its last one: the common key), one ``getitem`` per match says so and no
search is made.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import compress, repeat
from operator import add, contains, ge, getitem, gt, lt, ne, not_

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialog, QLineEdit, QListWidget, QVBoxLayout, QWidget

__all__ = ["FuzzyMatcher", "QuickOpenDialog", "fuzzy_filter", "fuzzy_score"]


def fuzzy_score(query: str, text: str) -> int | None:
    """Lower is better; None when the letters of ``query`` are not in ``text`` in order.

    Matches in the last path segment (the request name) and consecutive runs score
    better, so "getiss" ranks "jira/cloud/Get issue" above a deep folder match.
    """
    q, t = query.casefold().replace(" ", ""), text.casefold()
    if not q:
        return 0
    name_start = t.rfind("/") + 1
    pos, score, last = 0, 0, -2
    for ch in q:
        found = t.find(ch, pos)
        if found < 0:
            return None
        score += 0 if found == last + 1 else (found - pos) + 3
        if found < name_start:
            score += 2
        last, pos = found, found + 1
    return score * 1000 + len(t)


def fuzzy_filter(query: str, items: list[str], limit: int = 200) -> list[str]:
    return FuzzyMatcher(items).filter(query, limit)


_NOT_NEGATIVE = (-1).__lt__
_NEXT = (1).__add__
_THOUSAND = (1000).__mul__
# What ``fuzzy_score`` adds, times 1000, for a letter not right after the previous
# one, and for a letter found before the name (in a folder).
_BREAK = (0, 3000)
_FOLDER = (0, 2000)
_CHUNK = 4096
# Above this many in one group, it keeps the tree's order instead of being scored.
_SCORED = 2000
# The matcher keeps the matches' scores as the query grows while this few match
# (the scores of more are worked out when a group of them is ranked, if ever; this
# bounds the work when a key brings the matches under it: letters x _TRACKED).
_TRACKED = _SCORED


@dataclass(slots=True)
class _Step:
    """The items matching the letters typed: indexes, folded texts and names, where
    the names start and where the matches end, and (when few) ``extra``: the part of
    their ``fuzzy_score`` the ends do not say, and their ranks (made when asked)."""

    done: str
    found: list[int]
    lines: list[str]
    names: list[str]
    starts: list[int]
    ends: list[int]
    extra: list[int] | None
    ranks: list[int] | None = None
    in_names: bool = False  # known: every match's last letter is in the name
    run: bool = False  # every match's last letter came right after the one before


class FuzzyMatcher:
    """``fuzzy_filter`` over a fixed list, fast while a query grows letter by letter.

    ``fuzzy_score`` is worked out alongside the matching, for all the matches at once
    (``map`` over C functions, no Python code per item). Its sum of gaps is the last
    letter's position less a constant, so the score is ``end * 1000 + extra`` plus a
    constant, where ``extra`` counts the breaks (3), the letters in folders (2) and
    the length (for ties).
    """

    def __init__(self, items: list[str]) -> None:
        self._items = items
        lines = [item.casefold() for item in items]
        starts = list(map(_NEXT, map(str.rfind, lines, repeat("/"))))
        names = list(map(str.__getitem__, lines, map(slice, starts, repeat(None))))
        self._all: list[int] = []  # range(len(found)) as a list, kept while it serves
        # The last answer, and what it was made from.
        self._last: tuple[list[int] | None, object, list[str]] = (None, None, [])
        # For each text typed (spaces dropped); the first entry is the empty text.
        self._steps = [_Step("", list(range(len(items))), lines, names, starts,
                             [0] * len(items),
                             list(map(len, lines)) if len(items) <= _TRACKED else None)]

    def _matches(self, letters: str) -> _Step:
        steps = self._steps
        while not letters.startswith(steps[-1].done):
            steps.pop()
        last = steps[-1]
        for ch in letters[len(last.done):]:
            # While a word is typed (few matches), every match often goes on with
            # ``ch``: then its search would find it where the last letter ended.
            on = last.run and last.extra is not None and _goes_on(last, ch)
            last = _next_step(last, ch, last.ends if on else None)
            steps.append(last)
        return last

    def _everyone(self, count: int) -> list[int]:
        if len(self._all) != count:
            self._all = list(range(count))
        return self._all

    def filter(self, query: str, limit: int = 200) -> list[str]:
        step = self._matches(query.casefold().replace(" ", ""))
        found, lines, names = step.found, step.lines, step.names
        text = query.casefold().strip()
        if not text:
            return [self._items[i] for i in found[:limit]]
        # Each group: indexes in ``found``.
        in_name: list[int] = []
        in_folders: list[int] = []
        rest: list[int] = []
        # In chunks: once more than _SCORED are found in names, the first ones (in
        # the tree's order) are the answer, and the rest need not be looked at.
        for start in range(0, len(found), _CHUNK):
            end = start + _CHUNK
            part = range(start, min(end, len(found)))
            named = list(map(contains, names[start:end], repeat(text)))
            if False not in named and len(part) == len(found):
                # All of them (a word typed in the names): the list of the last key,
                # when it was the same (then the comparison below is at once).
                in_name = self._everyone(len(found))
                break
            in_name += compress(part, named)
            if False in named:
                in_path = list(map(contains, lines[start:end], repeat(text)))
                in_folders += compress(part, map(gt, in_path, named))
                rest += compress(part, map(not_, in_path))
            if len(in_name) > _SCORED:
                break
        groups = (in_name, in_folders, rest)
        last = self._last
        if step.ranks is not None and last[0] is step.ranks and last[1] == (groups, limit):
            return list(last[2])  # the same matches, in the order of the last text
        out: list[int] = []
        ranks = None
        for group in groups:
            if len(group) <= _SCORED:  # a stable sort: ties keep the tree's order
                if ranks is None or step.extra is None:
                    ranks = _ranks(step, group)
                group = sorted(group, key=ranks)
            out += group[:min(_SCORED, limit - len(out))]
            if len(out) >= limit:
                break
        result = [self._items[found[i]] for i in out]
        self._last = (step.ranks, (groups, limit), result)
        return list(result)


def _next_step(last: _Step, ch: str, at: list[int] | None = None) -> _Step:
    """The matches of ``last.done + ch``: a search per match of ``last`` (unless
    ``at`` says where each match has ``ch``)."""
    done, found, lines, names, starts, ends = (
        last.done, last.found, last.lines, last.names, last.starts, last.ends)
    extra, ranks, in_names = last.extra, last.ranks, last.in_names
    if at is None:
        at = list(map(str.find, lines, repeat(ch), ends))
    if -1 in at:
        keep = list(map(_NOT_NEGATIVE, at))
        lines, names = list(compress(lines, keep)), list(compress(names, keep))
        found, starts, at, ends = (list(compress(x, keep)) for x in (found, starts, at, ends))
        if extra is not None:
            extra = list(compress(extra, keep))
        ranks = None
    run = bool(done) and len(found) <= _TRACKED and at == ends
    if len(found) > _TRACKED:
        extra = None
    elif extra is None:
        extra = _extra(done + ch, lines, starts)
    elif run and (in_names or all(map(ge, at, starts))):
        # Each letter came right after the previous one, in the name: it costs
        # nothing, and every rank grows by the same (the same order).
        in_names = True
    else:
        extra = _add_costs(extra, not done, at, ends, starts)
        ranks, in_names = None, False
    return _Step(done + ch, found, lines, names, starts, list(map(_NEXT, at)), extra,
                 ranks, in_names and extra is not None, run)


def _goes_on(step: _Step, ch: str) -> bool:
    """Whether every match of ``step`` has ``ch`` right after its match (a letter
    per match, taken by ``getitem``: under half the cost of a search per match)."""
    try:
        return "".join(map(getitem, step.lines, step.ends)).count(ch) == len(step.lines)
    except IndexError:  # a match ends its line
        return False


def _add_costs(extra: list[int], first: bool, at: list[int], ends: list[int],
               starts: list[int]) -> list[int]:
    """``extra`` after a letter found at ``at`` (``ends``: where the previous letter's
    matches end)."""
    folder = map(_FOLDER.__getitem__, map(lt, at, starts))
    if first:
        return list(map(add, extra, folder))
    breaks = map(_BREAK.__getitem__, map(ne, at, ends))
    return list(map(add, map(add, extra, breaks), folder))


def _extra(letters: str, lines: list[str], starts: list[int]) -> list[int]:
    """``extra`` for matches of ``letters``, worked out from the first letter."""
    extra, ends = list(map(len, lines)), [0] * len(lines)
    for i, ch in enumerate(letters):
        at = list(map(str.find, lines, repeat(ch), ends))
        extra = _add_costs(extra, i == 0, at, ends, starts)
        ends = list(map(_NEXT, at))
    return extra


def _ranks(step: _Step, group: list[int]) -> Callable[[int], int]:
    """The rank of each of ``group`` (indexes in ``step.found``): ``fuzzy_score``
    less a constant."""
    if step.extra is not None:  # every match's
        if step.ranks is None:
            step.ranks = list(map(add, map(_THOUSAND, step.ends), step.extra))
        return step.ranks.__getitem__
    extra = _extra(step.done, list(map(step.lines.__getitem__, group)),
                   list(map(step.starts.__getitem__, group)))
    ends = map(step.ends.__getitem__, group)
    return dict(zip(group, map(add, map(_THOUSAND, ends), extra), strict=True)).__getitem__


class QuickOpenDialog(QDialog):
    chosen = Signal(str)

    def __init__(self, items: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Open request")
        self.resize(520, 380)
        self._matcher = FuzzyMatcher(items)
        self.query = QLineEdit(self)
        self.query.setPlaceholderText("Type part of a request name…")
        self.results = QListWidget(self)
        self.results.setUniformItemSizes(True)  # one line each: no per-row measuring
        self.query.textChanged.connect(self._refresh)
        self.query.installEventFilter(self)
        self.query.returnPressed.connect(self._accept_current)
        self.results.itemActivated.connect(lambda _i: self._accept_current())
        layout = QVBoxLayout(self)
        layout.addWidget(self.query)
        layout.addWidget(self.results)
        self._shown: list[str] = []
        self._refresh("")

    def _refresh(self, text: str) -> None:
        # The same results (often, while a word is typed) are left as they are: no
        # layout, no repaint. (Any change lays out and repaints the whole list, so
        # it is made at once.)
        found, results = self._matcher.filter(text), self.results
        if found != self._shown:
            self._shown = found
            results.clear()
            results.addItems(found)
        if found and results.currentRow() != 0:
            results.setCurrentRow(0)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        # Up/Down in the query box move through the results.
        if obj is self.query and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                step = 1 if event.key() == Qt.Key.Key_Down else -1
                row = max(0, min(self.results.count() - 1, self.results.currentRow() + step))
                self.results.setCurrentRow(row)
                return True
        return super().eventFilter(obj, event)

    def _accept_current(self) -> None:
        item = self.results.currentItem()
        if item is not None:
            self.chosen.emit(item.text())
            self.accept()
