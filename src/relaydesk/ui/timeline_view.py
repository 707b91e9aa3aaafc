"""The response view's Timeline tab: the request as it went on the wire (secrets
masked), each redirect hop, and a waterfall of DNS / connect / TLS / send / waiting /
download times per hop. Shows a ``core.timeline.Timeline``; knows nothing else."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core.timeline import Timeline, phase_rows

__all__ = ["TimelineView"]

_BAR_ROLE = Qt.ItemDataRole.UserRole + 1  # (offset, length) as fractions of the total
_COLOURS = {"DNS": "#00897b", "Connect": "#f9a825", "TLS": "#8e24aa",
            "Request sent": "#546e7a", "First byte (waiting)": "#43a047",
            "Download": "#1e88e5"}


class _BarDelegate(QStyledItemDelegate):
    """A waterfall bar: where in the whole exchange the phase sat, and how long."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        super().paint(painter, option, index)
        bar = index.data(_BAR_ROLE)
        if not bar:
            return
        offset, length, colour = bar
        rect: QRect = option.rect.adjusted(4, 5, -4, -5)
        x = rect.left() + int(rect.width() * offset)
        width = max(2, int(rect.width() * length))
        painter.save()
        painter.fillRect(QRect(x, rect.top(), width, rect.height()), QColor(colour))
        painter.restore()


class TimelineView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel(self, wordWrap=True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.phases = QTreeWidget(self)
        self.phases.setHeaderLabels(["Hop / phase", "Time", "Waterfall"])
        self.phases.setRootIsDecorated(True)
        self.phases.setUniformRowHeights(True)
        self.phases.setItemDelegateForColumn(2, _BarDelegate(self.phases))
        header = self.phases.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.sent_label = QLabel("Request headers as sent (secrets masked)", self)
        self.headers_table = QTableWidget(0, 2, self)
        self.headers_table.setHorizontalHeaderLabels(["Name", "Value"])
        self.headers_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.headers_table.verticalHeader().hide()
        self.headers_table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents)
        self.headers_table.horizontalHeader().setStretchLastSection(True)
        lower = QWidget(self)
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.sent_label)
        lower_layout.addWidget(self.headers_table, 1)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.phases)
        split.addWidget(lower)
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)
        self._timeline: Timeline | None = None
        self.show_timeline(None)

    def timeline(self) -> Timeline | None:
        return self._timeline

    def show_timeline(self, timeline: Any) -> None:
        self._timeline = timeline
        self.phases.clear()
        self.headers_table.setRowCount(0)
        if timeline is None:
            self.summary.setText("No timeline for this response (served from the cache, "
                                 "several pages merged, or kept from a collection run, "
                                 "which records only the total time).")
            return
        redirects = len(timeline.redirects)
        self.summary.setText(
            f"<b>{_html(timeline.method)} {_html(timeline.url)}</b><br>"
            + (f"{redirects} redirect{'s' if redirects != 1 else ''} · " if redirects else "")
            + f"total {timeline.total * 1000:.1f} ms")
        total = timeline.total or 1.0
        start = 0.0
        for number, hop in enumerate(timeline.hops, 1):
            where = f" → {hop.location}" if hop.location else ""
            top = QTreeWidgetItem([f"{number}. {hop.method} {hop.url} → {hop.status}{where}",
                                   f"{hop.phases.total * 1000:.1f} ms", ""])
            top.setToolTip(0, top.text(0))
            top.setData(2, _BAR_ROLE, (start / total, hop.phases.total / total, "#9e9e9e"))
            offset = start
            for name, text in phase_rows(hop.phases, hop.url):
                if name == "Total":
                    continue
                child = QTreeWidgetItem([name, text, ""])
                seconds = _seconds(hop.phases, name)
                if seconds:
                    child.setData(2, _BAR_ROLE, (offset / total, seconds / total,
                                                 _COLOURS.get(name, "#757575")))
                    offset += seconds
                top.addChild(child)
            self.phases.addTopLevelItem(top)
            top.setExpanded(number == len(timeline.hops))  # the final answer open
            start += hop.phases.total
        self.headers_table.setRowCount(len(timeline.headers))
        for row, (name, value) in enumerate(timeline.headers):
            self.headers_table.setItem(row, 0, QTableWidgetItem(name))
            self.headers_table.setItem(row, 1, QTableWidgetItem(value))


def _seconds(phases: Any, name: str) -> float | None:
    value = {"DNS": phases.dns, "Connect": phases.connect, "TLS": phases.tls,
             "Request sent": phases.send, "First byte (waiting)": phases.wait,
             "Download": phases.download}.get(name)
    return float(value) if value else None


def _html(text: str) -> str:
    import html

    return html.escape(text)
