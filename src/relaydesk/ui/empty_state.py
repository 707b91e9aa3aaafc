"""What the right-hand side shows when no request is open: a way forward, not a void.

An empty workspace offers its three starts (a new connection, an import, a pasted curl
command); a workspace with requests says how to open one. The buttons only emit
signals; the window decides what they do.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from .theme_tokens import SPACING

__all__ = ["IMPORT_FORMATS", "EmptyState"]

IMPORT_FORMATS = ("OpenAPI 3 / Swagger 2, Postman collections and environments, Insomnia "
                  "exports, HAR files, .http / .rest files, curl commands")


def _title(text: str) -> str:
    # "large": Qt's rich text step above the body size (TYPE_SCALE["title"], 1.25).
    return f'<span style="font-size:large; font-weight:600">{text}</span>'


class EmptyState(QWidget):
    newConnectionRequested = Signal()
    importRequested = Signal()
    pasteCurlRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("emptyState")
        # Explicit, so the hint's fixed width does not widen the window when a dock is
        # open beside an empty tab area.
        self.setMinimumWidth(300)
        self.title = QLabel(self)
        self.title.setObjectName("emptyTitle")
        self.title.setTextFormat(Qt.TextFormat.RichText)  # bold and larger, without
        # QFont's Python type (its eight enums cost more than the first frame's layout)
        self.hint = QLabel(self)
        self.hint.setObjectName("emptyHint")
        self.hint.setWordWrap(True)
        self.hint.setFixedWidth(560)  # a wrapped label needs its width to know its height
        self.new_button = QPushButton("New connection…", self)
        self.import_button = QPushButton("Import…", self)
        self.import_button.setToolTip(IMPORT_FORMATS)
        self.curl_button = QPushButton("Paste a curl command…", self)
        self.new_button.clicked.connect(self.newConnectionRequested)
        self.import_button.clicked.connect(self.importRequested)
        self.curl_button.clicked.connect(self.pasteCurlRequested)
        self.new_button.setDefault(True)

        buttons = QHBoxLayout()
        buttons.setSpacing(SPACING["s"])
        buttons.addStretch(1)
        for button in (self.new_button, self.import_button, self.curl_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        column = QVBoxLayout(self)
        column.setSpacing(SPACING["m"])
        column.addStretch(2)
        for label in (self.title, self.hint):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            column.addWidget(label, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addSpacing(SPACING["s"])
        column.addLayout(buttons)
        column.addStretch(3)
        self._empty: bool | None = None
        self.set_workspace_empty(False)

    def set_workspace_empty(self, empty: bool) -> None:
        if empty == self._empty:
            return  # the texts and the hint's height stand
        self._empty = empty
        if empty:
            self.title.setText(_title("Start with a connection"))
            self.hint.setText(
                "A connection is a base URL with its authentication; its requests live "
                f"under it. Create one, import one ({IMPORT_FORMATS}), or paste a curl "
                "command to try a request right away.")
        else:
            self.title.setText(_title("No request open"))
            self.hint.setText("Open a request from the tree, or press Ctrl+P to find one by "
                              "name. Ctrl+N makes a new request, Ctrl+I imports a file.")
        # The hint is secondary text: the theme's muted colour (AA contrast), as a palette
        # entry (a style sheet would put the label under the slower style-sheet style).
        self.hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        # A layout does not ask an aligned label its height for its width: say it.
        self.hint.setMinimumHeight(self.hint.heightForWidth(self.hint.width()))
