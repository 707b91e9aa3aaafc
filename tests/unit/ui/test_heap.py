"""The memory release after the tree filter: the interpreter's attribute cache lets go
of the attribute names it holds (PySide makes one anew per enum it converts, and
those kept the filter's memory from going back)."""

from __future__ import annotations

import sys

from relaydesk.ui.heap import release_free_memory


class _Holder:
    value = 1


def test_release_lets_go_of_names_the_attribute_cache_keeps() -> None:
    # A name made at run time, as PySide's C code makes "value" (not interned).
    name = "".join(["val", "ue"])
    before = sys.getrefcount(name)
    found = getattr(_Holder, name)
    cached = sys.getrefcount(name)
    release_free_memory()
    after = sys.getrefcount(name)
    assert found == 1
    assert cached > before  # the cache keeps the name (per type looked in)
    assert after == before

