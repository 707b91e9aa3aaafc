"""Where the real-world corpus lives: committed in ``tests/data/corpus/files``.

The files are third-party material redistributed under their publishers' licences
(tests/data/corpus/SOURCES.md, LICENSES/). The tests that use them look, in order, in
``$RELAYDESK_CORPUS`` (another copy, e.g. a newer one being prepared), in the checkout's
``tests/data/corpus/files`` and in a ``shared/corpus`` folder beside the checkout.

Missing files mean a damaged checkout. Under CI (``$CI`` set, as conftest.py's
hypothesis profile reads it) that fails the run at collection, so breakage in the
importers cannot hide behind a skip; elsewhere the tests are skipped, saying how to get
the files back.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

__all__ = ["MISSING_REASON", "corpus_dir"]

_REPO = Path(__file__).resolve().parents[1]

MISSING_REASON = ("the real-world corpus is missing from tests/data/corpus/files (it is "
                  "committed: `git checkout -- tests/data/corpus/files` restores it), and "
                  "$RELAYDESK_CORPUS does not name a copy (see tests/data/corpus/SOURCES.md)")


def corpus_dir(part: str = "") -> Path | None:
    """The first corpus folder that has ``part`` (a file or folder inside it); None
    when none has it, outside CI. Under CI a missing corpus fails the collection."""
    candidates = [os.environ.get("RELAYDESK_CORPUS", ""), str(_REPO / "tests/data/corpus/files"),
                  str(_REPO / "shared/corpus"), str(_REPO.parent / "shared/corpus")]
    for candidate in candidates:
        if candidate and (Path(candidate) / part).exists():
            return Path(candidate)
    if os.environ.get("CI"):
        pytest.fail(f"{part or 'corpus'}: {MISSING_REASON}; CI does not skip it", pytrace=False)
    return None
