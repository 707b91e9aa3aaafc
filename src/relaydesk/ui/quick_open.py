"""Ctrl+P: jump to any request by typing a few letters of its path.

A request matches when the letters typed appear in its path in order. With 50,000
requests each keystroke must stay short, so the work per request is one ``str.find``
run by ``map`` (no Python code per request): the matcher keeps, for the text typed
so far, the requests that match and where their match ends, and a further letter
only looks on from there. The best ``limit`` are ranked by ``fuzzy_score`` within
three groups: the text typed found in the name, found in the path, the rest.
"""

from __future__ import annotations

from itertools import compress, repeat
from operator import gt, not_

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
_CHUNK = 4096
# Above this many in one group, it keeps the tree's order instead of being scored.
_SCORED = 2000


class FuzzyMatcher:
    """``fuzzy_filter`` over a fixed list, fast while a query grows letter by letter."""

    def __init__(self, items: list[str]) -> None:
        self._items = items
        folded = [item.casefold() for item in items]
        # For each text typed (spaces dropped): the matching items (their indexes and
        # folded text) and where each match ends; the first entry is the empty text.
        self._steps: list[tuple[str, list[int], list[str], list[int]]] = [
            ("", list(range(len(items))), folded, [0] * len(items))]

    def _matches(self, letters: str) -> tuple[list[int], list[str]]:
        steps = self._steps
        while not letters.startswith(steps[-1][0]):
            steps.pop()
        done, found, lines, ends = steps[-1]
        for ch in letters[len(done):]:
            at = list(map(str.find, lines, repeat(ch), ends))
            keep = list(map(_NOT_NEGATIVE, at))
            found, lines = list(compress(found, keep)), list(compress(lines, keep))
            ends = list(map(_NEXT, compress(at, keep)))
            done += ch
            steps.append((done, found, lines, ends))
        return found, lines

    def filter(self, query: str, limit: int = 200) -> list[str]:
        found, lines = self._matches(query.casefold().replace(" ", ""))
        text = query.casefold().strip()
        if not text:
            return [self._items[i] for i in found[:limit]]
        in_name: list[int] = []
        in_folders: list[int] = []
        rest: list[int] = []
        # In chunks: once more than _SCORED are found in names, the first ones (in
        # the tree's order) are the answer, and the rest need not be looked at.
        for start in range(0, len(found), _CHUNK):
            part, texts = found[start:start + _CHUNK], lines[start:start + _CHUNK]
            at = list(map(str.rfind, texts, repeat(text)))  # -1: not in the path
            named = list(map(gt, at, map(str.rfind, texts, repeat("/"))))
            in_path = list(map(_NOT_NEGATIVE, at))
            in_name += compress(part, named)
            in_folders += compress(part, map(gt, in_path, named))
            rest += compress(part, map(not_, in_path))
            if len(in_name) > _SCORED:
                break
        out: list[str] = []
        for group in (in_name, in_folders, rest):
            items = [self._items[i] for i in group[:_SCORED]]
            if len(group) <= _SCORED:  # a stable sort: ties keep the tree's order
                items.sort(key=lambda item: fuzzy_score(query, item) or 0)
            out += items[:limit - len(out)]
            if len(out) >= limit:
                break
        return out


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
        self._refresh("")

    def _refresh(self, text: str) -> None:
        self.results.clear()
        self.results.addItems(self._matcher.filter(text))
        if self.results.count():
            self.results.setCurrentRow(0)

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
