"""Importers: Postman, Insomnia, OpenAPI/Swagger, HAR, ``.http`` files (and curl).

    plan = plan_import("openapi", text, source="petstore.yaml")   # reads, writes nothing
    print("\\n".join(plan.summary()))                             # the preview
    notes = apply_plan(workspace, secret_store, plan, into="petstore")   # all or nothing

Every importer raises only ``FileFormatError`` (a ``RelaydeskError``) for input it
cannot use, with a message that names the file and the problem.
"""

from __future__ import annotations

from collections.abc import Callable

from ..errors import FileFormatError, ValidationError
from .apply import apply_plan, relocate
from .plan import ImportPlan, PlannedSecret

__all__ = [
    "IMPORT_KINDS",
    "ImportPlan",
    "PlannedSecret",
    "apply_plan",
    "detect_kind",
    "plan_import",
    "relocate",
]


def _postman(text: str, source: str) -> ImportPlan:
    from .postman import plan_postman

    return plan_postman(text, source)


def _insomnia(text: str, source: str) -> ImportPlan:
    from .insomnia import plan_insomnia

    return plan_insomnia(text, source)


def _openapi(text: str, source: str) -> ImportPlan:
    from .openapi import plan_openapi

    return plan_openapi(text, source)


def _har(text: str, source: str) -> ImportPlan:
    from .har import plan_har

    return plan_har(text, source)


def _http(text: str, source: str) -> ImportPlan:
    from .http_file import plan_http

    return plan_http(text, source)


def _curl(text: str, source: str) -> ImportPlan:
    from .curl_import import plan_curl

    return plan_curl(text, source)


_IMPORTERS: dict[str, Callable[[str, str], ImportPlan]] = {
    "curl": _curl,
    "postman": _postman,
    "insomnia": _insomnia,
    "openapi": _openapi,
    "har": _har,
    "http": _http,
}
IMPORT_KINDS: tuple[str, ...] = tuple(_IMPORTERS)


def plan_import(kind: str, text: str, source: str = "") -> ImportPlan:
    """Read ``text`` as ``kind`` and return what importing it would create."""
    importer = _IMPORTERS.get(kind)
    if importer is None:
        raise ValidationError(f"Unknown import format '{kind}'; choose one of "
                              f"{', '.join(IMPORT_KINDS)}.")
    from .budget import bound_plan
    from .portable import portable_plan
    from .sanitize import sanitize_plan

    text = text.removeprefix("\ufeff")  # a byte-order mark, as Windows tools write
    try:
        return sanitize_plan(portable_plan(bound_plan(importer(text, source), len(text))))
    except FileFormatError as exc:
        if source and exc.path != source:  # raised deep down, without the file's name
            raise FileFormatError(source, exc.reason) from None
        raise
    except RecursionError:
        raise FileFormatError(source or "the imported file", "is nested too deeply") from None
    except ValueError as exc:  # a value the standard parsers refuse (e.g. urllib's
        # "Invalid IPv6 URL") that no importer step turned into a note: the file is
        # refused with the reason, never with a traceback.
        raise FileFormatError(source or "the imported file",
                              f"holds a value that cannot be read ({exc})") from None


def detect_kind(text: str, filename: str = "") -> str:
    """A best guess of the format of a dropped or opened file."""
    name = filename.lower()
    head = text.lstrip()[:4000]
    if name.endswith(".har") or ('"log"' in head and '"entries"' in head):
        return "har"
    if name.endswith((".http", ".rest")):
        return "http"
    if head.startswith("curl ") or head.startswith("curl\t"):
        return "curl"
    if "schema.getpostman.com" in head or '"_postman_variable_scope"' in head or (
            '"info"' in head and '"item"' in text):
        return "postman"
    if '"_type"' in head or "__export_format" in head or "insomnia" in head[:400].lower():
        return "insomnia"
    if "openapi" in head or "swagger" in head:
        return "openapi"
    if head.startswith(("GET ", "POST ", "PUT ", "PATCH ", "DELETE ", "###", "@")):
        return "http"
    raise FileFormatError(filename or "the file",
                          "is not a format Relaydesk recognises (Postman, Insomnia, OpenAPI, "
                          "HAR, .http or a curl command)")
