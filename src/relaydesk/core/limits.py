"""Budgets for one exchange: the most body bytes and the most seconds it may take.

The size limit counts the body *after* content decoding, so a small gzip body cannot
grow past it on disk. Defaults:

- 1 GiB of body: twenty times the largest real answers we test with (a 50 MB JSON
  export), far above any API page, and still a bound on what an endless or
  decompressing body can put in the temporary folder.
- 30 minutes in total: the idle timeout only limits the gap between reads, so a
  server sending one byte every few seconds would otherwise never be stopped; half an
  hour still lets 1 GiB arrive over a slow (0.6 MB/s) link.

Both can be raised per connection (``max_size``/``max_time``) and per send
(``--max-size 2G``/``--max-time 300``).
"""

from __future__ import annotations

import re

from .errors import ValidationError

__all__ = ["DEFAULT_MAX_SIZE", "DEFAULT_MAX_TIME", "HTTP_VERSIONS", "parse_duration",
           "parse_size"]

DEFAULT_MAX_SIZE = 1024 ** 3
DEFAULT_MAX_TIME = 1800.0
HTTP_VERSIONS = ("auto", "1.1")  # auto: HTTP/2 when the server offers it through ALPN

_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3, "t": 1024 ** 4}
_SIZE = r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$"  # compiled on first use (re's cache)


def parse_size(text: str | int, what: str = "size limit") -> int:
    """``500M``, ``2G``, ``1.5GiB``, ``4096`` → bytes (powers of 1024, as curl counts)."""
    if isinstance(text, int) and not isinstance(text, bool):
        value = text
    else:
        match = re.match(_SIZE, str(text), re.IGNORECASE)
        if match is None:
            raise ValidationError(
                f"'{text}' is not a valid {what}: give bytes or a number with K, M, G or T "
                "(e.g. 500M, 2G).")
        value = int(float(match.group(1)) * _UNITS[match.group(2).lower()])
    if value <= 0:
        raise ValidationError(f"The {what} must be more than 0 bytes.")
    return value


def parse_duration(text: str | float, what: str = "time limit") -> float:
    """Seconds as a positive number (``300``, ``2.5``)."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise ValidationError(
            f"'{text}' is not a valid {what}: give a number of seconds.") from None
    if not value > 0 or value == float("inf"):
        raise ValidationError(f"The {what} must be a positive number of seconds.")
    return value
