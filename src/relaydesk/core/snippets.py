"""Small copyable snippets that are not full request exports."""

from __future__ import annotations

import keyword
import re
import unicodedata

from .model import split_path

__all__ = ["SNIPPET_KINDS", "SNIPPET_LABELS", "connection_import_line",
           "connection_import_snippet", "connection_variable", "python_identifier"]

# The kinds of "Copy as" (renderers in core/exporters/snippets); here, apart from the
# renderers, so a menu can list them without loading the HTTP stack.
SNIPPET_LABELS: dict[str, str] = {
    "curl": "curl",
    "httpie": "HTTPie",
    "python-httpx": "Python (httpx)",
    "python-requests": "Python (requests)",
    "javascript-fetch": "JavaScript (fetch)",
    "node": "Node.js (node:http)",
    "go": "Go (net/http)",
    "relaydesk": "Python (Relaydesk connection)",
}
SNIPPET_KINDS: tuple[str, ...] = tuple(SNIPPET_LABELS)


def python_identifier(text: str, default: str = "api") -> str:
    """A valid, non-keyword Python name derived from ``text`` (``jira-cloud`` → ``jira_cloud``)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    name = re.sub(r"[^0-9A-Za-z_]+", "_", ascii_text).strip("_").lower()
    if not name:
        name = default
    if name[0].isdigit():
        name = f"{default}_{name}"
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name == "relaydesk":
        name += "_"
    return name


def connection_import_line(path: str, var_name: str | None = None) -> str:
    """``bearer = relaydesk.connect("modes/bearer")``: a script's ready client for a
    connection.

    The variable is ``var_name`` if given, else the connection's own name (its last path
    segment; the ones before it are folders) made a Python name.
    """
    segments = split_path(path)
    clean = "/".join(segments)
    name = python_identifier(var_name) if var_name else python_identifier(
        segments[-1] if segments else "")
    literal = '"' + clean.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{name} = relaydesk.connect({literal})"


def connection_import_snippet(path: str, example: str = "") -> str:
    """The import line with its ``import``: two lines that run as pasted; then
    ``example`` (a managed call on the line's variable), when given."""
    return f"import relaydesk\n{connection_import_line(path)}\n{example}"


def connection_variable(path: str) -> str:
    """The variable ``connection_import_line`` names the client."""
    return connection_import_line(path).split(" = ", 1)[0]
