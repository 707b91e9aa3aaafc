"""Ctrl+P ranks as ``fuzzy_score`` says while a query is typed letter by letter.

The matcher keeps the scores of all matches at once as letters come (and reuses its
last answer when nothing moved); here every answer is checked against the plain
definition: the text in the name, in the path, the rest, each ordered by
``fuzzy_score`` (ties in list order), the first ``limit``.
"""

from __future__ import annotations

import random
from typing import Any

from relaydesk.ui.quick_open import FuzzyMatcher, fuzzy_score


def _ranked(query: str, items: list[str], limit: int) -> list[str]:
    letters, text = query.casefold().replace(" ", ""), query.casefold().strip()
    found = [item for item in items if fuzzy_score(letters, item) is not None]
    if not text:
        return found[:limit]
    groups: list[list[str]] = [[], [], []]
    for item in found:
        folded = item.casefold()
        name = folded.rpartition("/")[2]
        groups[0 if text in name else 1 if text in folded else 2].append(item)
    out: list[str] = []
    for group in groups:
        out += sorted(group, key=lambda item: fuzzy_score(query, item) or 0)
    return out[:limit]


def test_ranking_matches_fuzzy_score_as_letters_come_and_go() -> None:
    rng = random.Random(20)
    alphabet = "abeqrstu/ 12ßİS"
    for _ in range(60):
        items = ["/".join("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 7)))
                          for _ in range(rng.randint(1, 4)))
                 for _ in range(rng.randint(0, 300))]
        matcher = FuzzyMatcher(items)
        query = "".join(rng.choice(alphabet + "  ") for _ in range(rng.randint(1, 7)))
        # Typed, then erased: steps kept, dropped and made again.
        for end in [*range(len(query) + 1), *range(len(query), -1, -1)]:
            for limit in (200, 5):
                assert matcher.filter(query[:end], limit) == _ranked(query[:end], items, limit)


def test_a_word_typed_in_names_keeps_the_ranking_of_folder_matches() -> None:
    # "re" matches the folders' "r" first (worse scores), "request" is in every
    # name: the letters after "req" continue in the name and change no order.
    items = [f"crm/folder{f}/Request {n}" for f in range(30) for n in range(f, f + 40)]
    items += [f"ops/req/Other {n}" for n in range(20)]
    matcher = FuzzyMatcher(items)
    for end in range(1, len("request 12") + 1):
        query = "request 12"[:end]
        assert matcher.filter(query) == _ranked(query, items, 200), query


def test_a_word_typed_on_past_the_end_of_some_names() -> None:
    # Every match goes on letter by letter in its name until some names end ("Get")
    # or turn away ("Gets" vs "Getter"): the matches drop as the plain definition says.
    # Also in folders ("gets/..."): letters there cost more, whatever follows.
    items = ["api/v1/Get", "api/v1/Gets", "api/v2/Getter", "api/v2/Getters", "gx/Get",
             "gets/tt/Ers", "getters/x/y"]
    items += [f"api/f{n}/Get all {n}" for n in range(50)]
    matcher = FuzzyMatcher(items)
    for query in ("getters", "get all 1", "gets", "gettersy", "getsters"):
        for end in [*range(1, len(query) + 1), *range(len(query), 0, -1)]:
            assert matcher.filter(query[:end]) == _ranked(query[:end], items, 200), query[:end]
    assert matcher.filter("getters")[:2] == ["api/v2/Getters", "getters/x/y"]


def test_the_dialog_moves_with_up_and_down_and_opens_the_result_chosen(
        qtbot: Any) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QAbstractItemView

    from relaydesk.ui.quick_open import QuickOpenDialog

    dialog = QuickOpenDialog(["a/Get one", "a/Get two", "b/Other"])
    qtbot.addWidget(dialog)
    dialog.show()
    chosen: list[str] = []
    dialog.chosen.connect(chosen.append)
    qtbot.keyClicks(dialog.query, "get")
    results = dialog.results
    assert [results.item(r).text() for r in range(results.count())] == ["a/Get one",
                                                                          "a/Get two"]
    assert results.currentIndex().data() == "a/Get one"  # the best, ready for Enter
    for key, expected in ((Qt.Key.Key_Down, "a/Get two"), (Qt.Key.Key_Down, "a/Get two"),
                          (Qt.Key.Key_Up, "a/Get one"), (Qt.Key.Key_Up, "a/Get one")):
        qtbot.keyClick(dialog.query, key)
        assert results.currentIndex().data() == expected
    results.setFocus()
    qtbot.keyClick(results, Qt.Key.Key_Down)
    qtbot.keyClick(results, Qt.Key.Key_F2)  # a result is not edited in place
    assert results.state() == QAbstractItemView.State.NoState
    qtbot.keyClick(results, Qt.Key.Key_Return)
    assert chosen == ["a/Get two"]
    assert results.item(1).text() == "a/Get two"
