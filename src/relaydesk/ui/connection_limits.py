"""The connection editor's budget rows: size limit, total time limit, HTTP version.

Composed into the editor's Advanced tab (``add_rows``); ``load`` fills them from a
connection and ``apply`` returns the connection with what they say. A size that is
not a whole number of MB (written by hand in the file) is kept unless it is changed.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QFormLayout, QSpinBox, QWidget

from relaydesk.core.model import Connection

__all__ = ["LimitFields"]

_MB = 1024 * 1024


class LimitFields:
    def __init__(self, parent: QWidget) -> None:
        self.max_size = QSpinBox(parent)
        self.max_size.setRange(1, 1024 * 1024)  # 1 MB … 1 TB
        self.max_size.setSuffix(" MB")
        self.max_size.setToolTip("Reading a response stops past this many bytes (counted "
                                 "after decompression). Default 1024 MB.")
        self.max_time = QDoubleSpinBox(parent)
        self.max_time.setRange(1, 7 * 86400)
        self.max_time.setDecimals(1)
        self.max_time.setSuffix(" s")
        self.max_time.setToolTip("The longest a whole exchange may take, however slowly "
                                 "the server keeps sending. Default 1800 s.")
        self.http_version = QComboBox(parent)
        self.http_version.addItem("Auto (HTTP/2 when the server offers it)", "auto")
        self.http_version.addItem("HTTP/1.1 only", "1.1")
        self._size = 0  # the loaded size in bytes, kept when the MB value is unchanged

    def add_rows(self, form: QFormLayout) -> None:
        form.addRow("Size limit", self.max_size)
        form.addRow("Total time limit", self.max_time)
        form.addRow("HTTP version", self.http_version)

    def load(self, conn: Connection) -> None:
        self._size = conn.max_size
        self.max_size.setValue(max(1, round(conn.max_size / _MB)))
        self.max_time.setValue(conn.max_time)
        at = self.http_version.findData(conn.http_version)
        self.http_version.setCurrentIndex(max(at, 0))

    def apply(self, conn: Connection) -> Connection:
        shown = self.max_size.value()
        size = self._size if self._size and shown == max(1, round(self._size / _MB)) else (
            shown * _MB)
        return replace(conn, max_size=size, max_time=self.max_time.value(),
                       http_version=str(self.http_version.currentData()))
