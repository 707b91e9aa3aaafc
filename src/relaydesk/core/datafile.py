"""Data files for runner iterations: each row (CSV) or object (JSON) is one iteration,
its columns become ``{{variables}}``.

CSV rows are read lazily, so a large data file is never held whole; ``count()``
makes one extra pass so progress can show a total.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .bounded_read import TooLarge, read_capped
from .errors import ValidationError

__all__ = ["DataFile"]

MAX_JSON_DATA = 200 * 1024 * 1024  # a JSON data file is parsed whole


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False)


class DataFile:
    """A CSV (header row + values) or JSON (an array of objects) iteration source."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        if not self.path.is_file():
            raise ValidationError(f"Cannot read the data file '{path}': no such file.")
        self.kind = "json" if self.path.suffix.lower() == ".json" else "csv"
        self._json_rows: list[dict[str, str]] | None = None

    def _load_json(self) -> list[dict[str, str]]:
        if self._json_rows is None:
            try:
                doc = json.loads(read_capped(self.path, MAX_JSON_DATA))
            except TooLarge as exc:
                raise ValidationError(f"Cannot read the data file '{self.path}': it is too "
                                      f"large for a JSON data file ({exc.describe()}; a "
                                      "CSV file is read row by row, at any size).") from None
            except (OSError, UnicodeDecodeError, ValueError) as exc:
                raise ValidationError(
                    f"Cannot read the data file '{self.path}': {exc}.") from None
            if not isinstance(doc, list) or not all(isinstance(r, dict) for r in doc):
                raise ValidationError(
                    f"The data file '{self.path}' must hold a JSON array of objects "
                    "(one object per iteration).")
            self._json_rows = [{str(k): _as_text(v) for k, v in r.items()} for r in doc]
        return self._json_rows

    def _csv_rows(self) -> Iterator[dict[str, str]]:
        try:
            with self.path.open(encoding="utf-8-sig", newline="") as fh:
                reader = csv.reader(fh)
                header = next(reader, None)
                if not header or not any(h.strip() for h in header):
                    raise ValidationError(
                        f"The data file '{self.path}' has no header row naming its columns.")
                names = [h.strip() for h in header]
                for line_no, row in enumerate(reader, start=2):
                    if not row:
                        continue
                    if len(row) > len(names):
                        raise ValidationError(
                            f"{self.path}, line {line_no}: {len(row)} values but only "
                            f"{len(names)} columns.")
                    yield {n: v for n, v in zip(names, row, strict=False) if n}
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise ValidationError(f"Cannot read the data file '{self.path}': {exc}.") from None

    def __iter__(self) -> Iterator[dict[str, str]]:
        if self.kind == "json":
            return iter(self._load_json())
        return self._csv_rows()

    def count(self) -> int:
        return sum(1 for _ in self)
