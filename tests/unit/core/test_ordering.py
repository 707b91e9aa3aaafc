"""Natural order: the one-number fast path agrees with the general split, and
connection paths sort level by level, as the tree and ``relaydesk ls`` show them."""

from __future__ import annotations

import random
import re
from typing import Any

from relaydesk.core.model import Connection
from relaydesk.core.ordering import by_level, natural_key
from relaydesk.core.workspace import Workspace

_DIGITS = re.compile(r"(\d+)")


def split_key(name: str) -> tuple[tuple[object, ...], str]:
    """The general definition: text and numbers alternate, letters without case."""
    parts: list[Any] = _DIGITS.split(name.casefold())
    parts[1::2] = map(int, parts[1::2])
    return tuple(parts), name


def test_natural_key_matches_the_general_split_on_random_names() -> None:
    rng = random.Random(7)
    alphabet = "aZ 0123456789-_./ÄßİΣ٣"  # (Arabic-Indic three is a digit too)
    names = ["", "0", "007", "api2", "api10", "Request 17", "v1.2.10", "x9y", "٣٢"]
    names += ["".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 12)))
              for _ in range(3000)]
    for name in names:
        assert natural_key(name) == split_key(name), name
    assert sorted(names, key=natural_key) == sorted(names, key=split_key)


def test_natural_key_orders_numbers_by_value() -> None:
    assert sorted(["req10", "Req9", "req1", "req2b"], key=natural_key) == [
        "req1", "req2b", "Req9", "req10"]


def test_paths_sort_level_by_level() -> None:
    paths = ["jira-old/a", "jira/x10", "jira/x2", "billing", "jira2", "a/b/c", "a/b10/c"]
    assert by_level(paths) == [
        "a/b/c", "a/b10/c", "billing", "jira/x2", "jira/x10", "jira2", "jira-old/a"]
    # A whole-path sort mixes the levels up: "a/b10/c" before "a/b/c", "jira-old/a"
    # before "jira/x2" ('-' sorts before '/'): not what a tree shows.
    whole = sorted(paths, key=natural_key)
    assert whole.index("a/b10/c") < whole.index("a/b/c")
    assert whole.index("jira-old/a") < whole.index("jira/x2")


def test_connections_come_in_the_order_the_tree_shows_them(workspace: Workspace) -> None:
    for path in ("team-b/api", "team/api10", "team/api2", "solo"):
        workspace.save_connection(Connection(path=path, base_url="https://example.com"),
                                  create=True)
    reopened = Workspace.open(workspace.root)
    assert [c.path for c in reopened.connections()] == [
        "solo", "team/api2", "team/api10", "team-b/api"]
    assert [p for p, _ in reopened.connection_urls()] == [
        "solo", "team/api2", "team/api10", "team-b/api"]
