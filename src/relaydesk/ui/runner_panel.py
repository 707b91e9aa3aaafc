"""The Runner panel: run a connection or folder, watch each request and its checks.

Knows nothing of the app: it is given a factory for a core ``Runner`` and acts as
the runner's reporter itself, so results land in the tree as they arrive (on the
qasync loop, one cheap row insert each — the window stays responsive).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from relaydesk.core.runner import RequestResult, Runner, RunOptions, RunPlan, RunSummary

__all__ = ["RunnerPanel"]


_VERDICT = Qt.ItemDataRole.UserRole + 1  # on the coloured column: passed or not


def _mark(item: QTreeWidgetItem, column: int, passed: bool) -> None:
    item.setData(column, _VERDICT, passed)
    item.setForeground(column, _verdict_brush(passed))


def _verdict_brush(passed: bool) -> QBrush:
    from .theme import tokens

    theme = tokens()
    return QBrush(QColor(theme.success if passed else theme.error))

MAX_ROWS = 10_000  # beyond this only the counters move: a tree of millions helps nobody


class RunnerPanel(QWidget):
    runStarted = Signal(str)
    runFinished = Signal(object)  # RunSummary
    requestActivated = Signal(str)  # a request path, double-clicked
    failed = Signal(str)  # a message: the run could not start

    def __init__(self, runner_factory: Callable[[], Runner],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._factory = runner_factory
        self._runner: Runner | None = None
        self._task: asyncio.Task[Any] | None = None
        self._iterations = 1
        self._failed = 0
        self.title = QLabel("No run yet")
        self.progress = QProgressBar()
        self.progress.setMinimumWidth(48)  # beside a narrow window the panel may be narrow
        self.progress.setFormat("%v / %m")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.run_again_button = QPushButton("Run again")
        self.run_again_button.setToolTip("Run the same requests again (after editing their "
                                         "checks, say)")
        self.run_again_button.setEnabled(False)
        self.run_again_button.clicked.connect(self.run_again)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Request", "Status", "Time", "Result"])
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        # Room for a request and its check reasons even when the dock opens small.
        self.tree.setMinimumHeight(self.tree.fontMetrics().height() * 9)
        self.tree.itemDoubleClicked.connect(self._activated)
        # The request column takes the width; the short ones fit their text. A check's
        # reason spans the whole row, so it is readable without dragging a column.
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.setToolTip("Double-click a request to open it; its Checks tab edits what "
                             "the run judges")
        self._last: tuple[str, RunOptions] | None = None
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.progress, 2)
        top.addWidget(self.cancel_button)
        top.addWidget(self.run_again_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.summary)

    # -- driving -----------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self, path: str, options: RunOptions | None = None) -> asyncio.Task[Any]:
        """Start a run on the running asyncio (qasync) loop; returns its task."""
        if self.running:
            raise RuntimeError("a run is already in progress")
        self._runner = self._factory()
        self._last = (path, options or RunOptions())
        self.run_again_button.setEnabled(False)
        self._task = asyncio.ensure_future(self._run(path, options or RunOptions()))
        self._task.add_done_callback(lambda _t: self.run_again_button.setEnabled(True))
        return self._task

    def run_again(self) -> asyncio.Task[Any] | None:
        """The last run once more: the requests and their checks as saved now."""
        if self._last is None or self.running:
            return None
        return self.start(*self._last)

    async def _run(self, path: str, options: RunOptions) -> RunSummary | None:
        assert self._runner is not None
        from relaydesk.core.errors import RelaydeskError
        from relaydesk.core.messages import user_message

        try:
            return await self._runner.run(path, options, [_Report(self)])
        except RelaydeskError as exc:
            self.title.setText(f"Cannot run {path}")
            self.summary.setText(user_message(exc))
            self.failed.emit(user_message(exc))
            return None

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            _Recolour.tree(self.tree)
        super().changeEvent(event)

    def cancel(self) -> None:
        if self._runner is not None and self.running:
            self._runner.cancel()

    # -- what the runner reports -------------------------------------------------------

    def on_start(self, plan: RunPlan) -> None:
        self.tree.clear()
        self._failed = 0
        self._iterations = plan.iterations
        self.title.setText(plan.path)
        self.progress.setRange(0, max(plan.total, 1))
        self.progress.setValue(0)
        self.summary.setText("Running…")
        self.cancel_button.setEnabled(True)
        self.runStarted.emit(plan.path)

    def on_result(self, result: RequestResult) -> None:
        self.progress.setValue(self.progress.value() + 1)
        if not result.passed:
            self._failed += 1
        if self.tree.topLevelItemCount() >= MAX_ROWS:
            return
        name = result.path
        if self._iterations > 1:
            name += f"  [{result.iteration + 1}]"
        status = str(result.status) if result.status is not None else "—"
        verdict = "passed" if result.passed else ("error" if result.error else "failed")
        row = QTreeWidgetItem([name, status, f"{result.elapsed_ms:.0f} ms", verdict])
        row.setData(0, Qt.ItemDataRole.UserRole, result.path)
        _mark(row, 3, result.passed)
        row.setToolTip(0, result.path)
        spanned = []
        if result.error:
            error = QTreeWidgetItem([f"✘ {result.error}"])
            _mark(error, 0, False)
            error.setToolTip(0, result.error)
            row.addChild(error)
            spanned.append(error)
        for check in result.checks:
            mark = "✔" if check.passed else "✘"
            text = f"{mark} {check.name}" + (f" — {check.message}" if check.message else "")
            child = QTreeWidgetItem([text])
            child.setToolTip(0, text)
            _mark(child, 0, check.passed)
            row.addChild(child)
            spanned.append(child)
        self.tree.addTopLevelItem(row)
        for child in spanned:  # the reason gets the whole row's width
            child.setFirstColumnSpanned(True)
        if not result.passed:
            row.setExpanded(True)

    def on_finish(self, summary: RunSummary) -> None:
        self.cancel_button.setEnabled(False)
        text = (f"{summary.passed} passed, {summary.failed} failed, {summary.errors} errors "
                f"in {summary.duration:.2f} s")
        if summary.cancelled:
            text = f"Cancelled after {summary.executed} of {summary.planned}. " + text
        elif summary.bailed:
            text = f"Stopped at the first failure. {text}"
        self.summary.setText(text)
        self.runFinished.emit(summary)

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        while (parent := item.parent()) is not None:
            item = parent
        path = item.data(0, Qt.ItemDataRole.UserRole)
        if path:
            self.requestActivated.emit(str(path))


class _Recolour:
    """Passes and failures take the new theme's colours after a theme switch."""

    @staticmethod
    def tree(tree: QTreeWidget) -> None:
        for index in range(tree.topLevelItemCount()):
            _Recolour.item(tree.topLevelItem(index))

    @staticmethod
    def item(item: QTreeWidgetItem | None) -> None:
        if item is None:
            return
        for column in range(item.columnCount()):
            passed = item.data(column, _VERDICT)
            if isinstance(passed, bool):
                item.setForeground(column, _verdict_brush(passed))
        for index in range(item.childCount()):
            _Recolour.item(item.child(index))


class _Report:
    """The runner's ``Reporter`` for a panel (whose own ``start`` starts runs)."""

    def __init__(self, panel: RunnerPanel) -> None:
        self._panel = panel

    def start(self, plan: RunPlan) -> None:
        self._panel.on_start(plan)

    def result(self, result: RequestResult) -> None:
        self._panel.on_result(result)

    def finish(self, summary: RunSummary) -> None:
        self._panel.on_finish(summary)
