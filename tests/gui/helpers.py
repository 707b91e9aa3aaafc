"""Read what a ResponseView shows, for assertions (kept in one place)."""

from __future__ import annotations

from typing import Any

__all__ = ["body_text", "highlighted", "status_text"]


def status_text(view: Any) -> str:
    """The status line, or the error text when the error page is shown."""
    if view.pages.currentWidget() is view.error_label:
        return str(view.error_label.text())
    if view.pages.currentWidget() is view.placeholder:
        return str(view.placeholder.text())
    return str(view.status_label.text())


def body_text(view: Any) -> str:
    return "".join(view.body.pretty_view.store().pieces)


def highlighted(view: Any) -> bool:
    """The first line of the pretty body has Pygments colour spans."""
    body = view.body
    return bool(body.highlighter.active and body.highlighter.is_lexed(0)
                and body.highlighter.spans(0))
