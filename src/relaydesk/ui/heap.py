"""Give freed memory back to the operating system after a big transient structure.

glibc's allocator keeps freed pages for reuse; after the filter of a 50,000-request
tree is cleared, tens of megabytes stay in the process although nothing uses them.
``malloc_trim`` returns them. Elsewhere (no glibc) this does nothing.
"""

from __future__ import annotations

import ctypes
import sys

__all__ = ["release_free_memory"]

_trim: object = None  # the C function once looked up, False where there is none


def release_free_memory() -> None:
    global _trim
    if _trim is None:
        _trim = False
        if sys.platform.startswith("linux"):
            try:
                # The process's own symbols, which include the C library's: asking
                # ctypes.util.find_library runs ldconfig in a subprocess (~40 ms).
                _trim = ctypes.CDLL(None).malloc_trim
            except (OSError, AttributeError):  # not glibc (e.g. musl)
                _trim = False
    if _trim:
        _trim(0)  # type: ignore[operator]
