"""Give freed memory back to the operating system after a big transient structure.

glibc's allocator keeps freed pages for reuse; after the filter of a 50,000-request
tree is cleared, tens of megabytes stay in the process although nothing uses them.
``malloc_trim`` returns them. Elsewhere (no glibc) this does nothing.

Before that, the interpreter's attribute cache is cleared. Each time PySide turns a
Python enum into its C++ value (every ``flags()`` a model returns, every enum passed
to Qt) it looks up the attribute ``value`` by a name string it makes anew; the cache
keeps the last name per slot, so up to 4,096 such strings outlive the filter. Made in
the middle of its rows, a few hundred of them kept about 20 of Python's 1 MiB arenas
(20 MB) at 50,000 requests after the filter was cleared. The cache refills itself.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable

__all__ = ["release_free_memory"]


def _find_trim() -> Callable[[int], object] | None:
    """glibc's ``malloc_trim``, or None where there is none. Looked up when this module
    is imported (the app imports it once the workspace is read, while idle): ctypes'
    first use makes objects that would otherwise land among the filter's rows."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        # The process's own symbols, which include the C library's: asking
        # ctypes.util.find_library runs ldconfig in a subprocess (~40 ms).
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc (e.g. musl)
        return None


_trim = _find_trim()
# (Python 3.13 renames it, the old name deprecated.)
_clear_caches: Callable[[], None] = getattr(sys, "_clear_internal_caches", sys._clear_type_cache)


def release_free_memory() -> None:
    _clear_caches()  # the stale names (see above): their arenas can go
    if _trim is not None:
        _trim(0)
