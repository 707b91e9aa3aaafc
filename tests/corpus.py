"""Where the real-world corpus lives: outside git.

Files written by others and brought here from public repositories are not committed
(they are third-party material); the tests that use them look, in order, in
``$RELAYDESK_CORPUS``, in the checkout's git-ignored ``tests/data/corpus/files``, and in
a ``shared/corpus`` folder beside the checkout (where the project's shared material
lives). Without any of them those tests are skipped, saying where to put the files.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["MISSING_REASON", "corpus_dir"]

_REPO = Path(__file__).resolve().parents[1]

MISSING_REASON = ("the real-world corpus is not here: put it in $RELAYDESK_CORPUS, "
                  "tests/data/corpus/files or shared/corpus beside the checkout "
                  "(see tests/data/corpus/SOURCES.md and tests/data/curl-corpus/SOURCES.md)")


def corpus_dir(part: str = "") -> Path | None:
    """The first corpus folder that has ``part`` (a file or folder inside it)."""
    candidates = [os.environ.get("RELAYDESK_CORPUS", ""), str(_REPO / "tests/data/corpus/files"),
                  str(_REPO / "shared/corpus"), str(_REPO.parent / "shared/corpus")]
    for candidate in candidates:
        if candidate and (Path(candidate) / part).exists():
            return Path(candidate)
    return None
