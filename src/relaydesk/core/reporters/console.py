"""Console reporter: a progress bar on stderr (when it is a terminal), failing
requests as they happen, and a summary table at the end."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from ..runner import RequestResult, RunPlan, RunSummary

__all__ = ["ConsoleReporter"]

_BAR_WIDTH = 30
_REDRAW_EVERY = 0.1  # seconds: redrawing per result would cost more than the requests
_KEEP_FAILURES = 20  # listed again in the summary; the rest are only counted


def _line(r: RequestResult) -> str:
    mark = "✔" if r.passed else "✘"
    status = str(r.status) if r.status is not None else "---"
    return f"{mark} {r.method:<6} {r.path} [{status}, {r.elapsed_ms:.0f} ms]"


def _notes(r: RequestResult) -> list[str]:
    return [f"    note: {note}" for note in r.notes]


def _details(r: RequestResult) -> list[str]:
    if r.error is not None:
        return [f"    error: {r.error}"]
    return [f"    ✘ {c.name}: {c.message}" for c in r.checks if not c.passed]


class ConsoleReporter:
    def __init__(self, out: TextIO | None = None, err: TextIO | None = None, *,
                 progress: bool | None = None, verbose: bool = False) -> None:
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.progress = self.err.isatty() if progress is None else progress
        self.verbose = verbose
        self._total = 0
        self._done = 0
        self._failed = 0
        self._drawn = 0.0
        self._bar_shown = False
        self._failures: list[RequestResult] = []
        self._iterations = 1
        self._noted: set[tuple[str, str]] = set()  # notes told once, not per iteration

    def start(self, plan: RunPlan) -> None:
        self._total = plan.total
        self._iterations = plan.iterations
        times = f" × {plan.iterations} iterations" if plan.iterations > 1 else ""
        self.err.write(f"Running {plan.path}: {len(plan.requests)} requests{times}\n")
        self.err.flush()

    def _clear_bar(self) -> None:
        if self._bar_shown:
            self.err.write("\r\x1b[2K")
            self._bar_shown = False

    def _draw_bar(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._drawn < _REDRAW_EVERY:
            return
        self._drawn = now
        frac = self._done / self._total if self._total else 1.0
        filled = int(frac * _BAR_WIDTH)
        bar = "█" * filled + "░" * (_BAR_WIDTH - filled)
        self.err.write(f"\r{bar} {self._done}/{self._total}  {self._failed} failed")
        self.err.flush()
        self._bar_shown = True

    def result(self, result: RequestResult) -> None:
        self._done += 1
        passed = result.passed
        if not passed:
            self._failed += 1
            if len(self._failures) < _KEEP_FAILURES:
                self._failures.append(result)
        notes = []
        if result.notes:
            notes = [n for n in _notes(result) if (result.path, n) not in self._noted]
            self._noted.update((result.path, n) for n in notes)
        if self.verbose or not passed or notes:
            if self.progress:
                self._clear_bar()
            lines = [_line(result), *notes, *(_details(result) if not passed else [])]
            self.out.write("\n".join(lines) + "\n")
            self.out.flush()
        if self.progress:
            self._draw_bar()

    def finish(self, summary: RunSummary) -> None:
        if self.progress:
            self._draw_bar(force=True)
            self.err.write("\n")
        rows = [
            ("", "executed", "failed"),
            ("requests", str(summary.executed), str(summary.failed + summary.errors)),
            ("checks", str(summary.checks_passed + summary.checks_failed),
             str(summary.checks_failed)),
        ]
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        table = ["┌" + "┬".join("─" * (w + 2) for w in widths) + "┐"]
        for n, row in enumerate(rows):
            table.append("│" + "│".join(
                f" {cell:<{widths[i]}} " if i == 0 else f" {cell:>{widths[i]}} "
                for i, cell in enumerate(row)) + "│")
            if n == 0:
                table.append("├" + "┼".join("─" * (w + 2) for w in widths) + "┤")
        table.append("└" + "┴".join("─" * (w + 2) for w in widths) + "┘")
        rate = summary.executed / summary.duration if summary.duration > 0 else 0.0
        table.append(f"{summary.path}: {summary.passed} passed, {summary.failed} failed, "
                     f"{summary.errors} errors in {summary.duration:.2f} s ({rate:.0f} req/s)")
        if summary.cancelled:
            table.append(f"Cancelled after {summary.executed} of {summary.planned} requests.")
        elif summary.bailed:
            table.append(f"Stopped at the first failure (--bail) after {summary.executed} "
                         f"of {summary.planned} requests.")
        more = summary.failed + summary.errors - len(self._failures)
        if self._failures:
            table.append("Failures:")
            for r in self._failures:
                it = f" (iteration {r.iteration + 1})" if self._iterations > 1 else ""
                table.append(f"  {r.path}{it}")
                table.extend(_details(r))
            if more > 0:
                table.append(f"  … and {more} more")
        self.out.write("\n".join(table) + "\n")
        self.out.flush()
