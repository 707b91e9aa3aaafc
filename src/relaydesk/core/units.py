"""Sizes and durations as people read them; the CLI and the app say them the same way."""

from __future__ import annotations

__all__ = ["human_size", "human_time"]


def human_size(n: int) -> str:
    """``31 B``, ``1.5 KB``, ``50.0 MB`` (powers of 1024, as file managers show)."""
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{int(size)} B" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


def human_time(seconds: float) -> str:
    """``26 ms`` below ten seconds, ``12.3 s`` above."""
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"
