"""``.http`` / ``.rest`` files (JetBrains HTTP Client, VS Code REST Client).

    @host = https://api.example.com
    ### Get one user
    # @name getUser
    GET {{host}}/users/1 HTTP/1.1
    Accept: application/json

Requests are separated by ``###`` lines (the rest of the line may name the request);
``# @name`` / ``// @name`` name it too; ``@var = value`` lines define variables (they
become connection variables, secrets among them go to the keyring); the request line
is ``METHOD URL [HTTP/x]`` or just a URL (GET), optionally continued on indented
``?``/``&`` lines; headers follow until an empty line; the rest is the body (``< path``
sends a file). Response handlers (``> {% … %}``, ``>> file``) are not run.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl

from ..model import METHODS, Body, Connection, KeyValue, MultipartField, Request
from ..templating import render
from .common import is_secret_name, relative_to, whole_variable
from .plan import (
    FALLBACK_BASE_URL,
    ImportPlan,
    Namer,
    PlannedSecret,
    fail,
    guess_base_url,
    hoist_common_auth,
    lift_auth_header,
)

__all__ = ["parse_http_requests", "plan_http"]

_VARIABLE = re.compile(r"^@([A-Za-z_][\w.\-]*)\s*=\s*(.*)$")
_NAME = re.compile(r"^(?:#|//)\s*@name\s*[= ]?\s*(.+)$")
_REQUEST_LINE = re.compile(r"^([A-Za-z]+)\s+(\S.*?)(?:\s+HTTP/[\d.]+)?$")
_URL_START = re.compile(r"^(https?://|\{\{|/|localhost\b|[\w-]+(\.[\w-]+)+(:\d+)?(/|$))")
_HEADER = re.compile(r"^([!#$%&'*+\-.^_`|~0-9A-Za-z]+)\s*:\s?(.*)$")
MAX_REQUESTS = 100_000


def _blocks(text: str) -> list[tuple[str, list[str]]]:
    blocks: list[tuple[str, list[str]]] = [("", [])]
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.startswith("###"):
            blocks.append((line[3:].strip(), []))
        else:
            blocks[-1][1].append(line)
    return blocks


def _looks_like_url(text: str) -> bool:
    return bool(_URL_START.match(text))


def parse_http_requests(text: str, source: str, notes: list[str] | None = None
                        ) -> tuple[dict[str, str], list[tuple[str, Request]]]:
    """File variables and (name, request with full URL) in file order; blocks that
    hold no request are reported in ``notes``."""
    variables: dict[str, str] = {}
    found: list[tuple[str, Request]] = []
    notes = notes if notes is not None else []
    for number, (title, lines) in enumerate(_blocks(text), start=1):
        name, request, state = title, None, "start"
        body_lines: list[str] = []
        for line in lines:
            stripped = line.strip()
            if state == "start":
                if not stripped:
                    continue
                match = _NAME.match(stripped)
                if match:
                    name = match.group(1).strip()
                    continue
                if stripped.startswith(("#", "//")):
                    continue
                var = _VARIABLE.match(stripped)
                if var:
                    variables[var.group(1)] = var.group(2).strip()
                    continue
                m = _REQUEST_LINE.match(stripped)
                if m and m.group(1).isupper() and (m.group(1) in METHODS or _looks_like_url(
                        m.group(2))):
                    method, url = m.group(1), m.group(2).strip()
                elif _looks_like_url(stripped.split(" HTTP/")[0]):
                    method, url = "GET", stripped.split(" HTTP/")[0].strip()
                else:
                    notes.append(f"Left out request {number}"
                                 + (f" ('{name}')" if name else "")
                                 + f": '{stripped[:50]}' is not a request line.")
                    state = "skip"
                    continue
                request = Request(path="", method=method, url=url)
                state = "headers"
            elif state == "skip":
                continue
            elif state == "headers" and request is not None:
                if not stripped:
                    state = "body"
                elif line[:1] in (" ", "\t") and (not request.headers or stripped[:1] in (
                        "?", "&")):  # a request target split over indented lines
                    request.url += stripped
                elif stripped.startswith(("#", "//")):
                    continue
                else:
                    header = _HEADER.match(stripped)
                    if header is None:
                        notes.append(f"Left out the line '{stripped[:50]}' of request "
                                     f"'{name or request.url}': it is not a header.")
                        continue
                    request.headers.append(KeyValue(header.group(1), header.group(2).strip()))
            else:
                if stripped.startswith((">", "<>")) and not body_lines:
                    continue
                body_lines.append(line)
        if request is None:
            continue
        _absolute(request)
        _set_body(request, body_lines)
        found.append((name, request))
        if len(found) > MAX_REQUESTS:
            raise fail(source, f"holds more than {MAX_REQUESTS} requests")
    return variables, found


def _absolute(request: Request) -> None:
    """``GET /path`` with a ``Host:`` header names its origin there (http by default,
    as in the JetBrains format)."""
    host = next((h.value.strip() for h in request.headers if h.name.lower() == "host"), "")
    if request.url.startswith("/") and host and "/" not in host:
        request.url = f"http://{host}{request.url}"
        request.headers = [h for h in request.headers if h.name.lower() != "host"]


def _multipart(text: str, ctype: str) -> Body | None:
    """A written-out multipart body whose parts may be ``< file`` references."""
    match = re.search(r"boundary=\"?([^\";]+)\"?", ctype)
    if match is None:
        return None
    parts: list[MultipartField] = []
    for chunk in text.split("--" + match.group(1))[1:]:
        if chunk.startswith("--"):
            break
        head, _, content = chunk.strip("\r\n").partition("\n\n")
        name = re.search(r'name="([^"]*)"', head)
        if name is None:
            return None
        ptype = re.search(r"(?im)^content-type:\s*(.+)$", head)
        content = content.rstrip("\n")
        is_file = content.startswith("< ") and "\n" not in content
        parts.append(MultipartField(name=name.group(1), value="" if is_file else content,
                                    file=content[2:].strip() if is_file else "",
                                    content_type=ptype.group(1).strip() if ptype else ""))
    return Body(kind="multipart", multipart=parts) if parts else None


def _set_body(request: Request, lines: list[str]) -> None:
    while lines and (not lines[-1].strip() or lines[-1].lstrip().startswith(("> {%", ">>"))):
        lines.pop()
    text = "\n".join(lines)
    if not text.strip():
        return
    ctype = next((h.value for h in request.headers if h.name.lower() == "content-type"), "")
    multipart = _multipart(text, ctype) if ctype.lower().startswith("multipart/") else None
    if multipart is not None:
        request.body = multipart
        request.headers = [h for h in request.headers if h.name.lower() != "content-type"]
    elif text.startswith("< ") and "\n" not in text:
        request.body = Body(kind="binary", file=text[2:].strip(), content_type=ctype)
    elif "json" in ctype.lower():
        try:
            json.loads(text)
            request.body = Body(kind="json", text=text)
        except ValueError:
            request.body = Body(kind="raw", text=text, content_type=ctype)
    elif ctype.lower().startswith("application/x-www-form-urlencoded"):
        pairs = parse_qsl("".join(line.strip() for line in text.splitlines()),
                          keep_blank_values=True)
        request.body = Body(kind="form", form=[KeyValue(k, v) for k, v in pairs])
    else:
        request.body = Body(kind="raw", text=text, content_type=ctype)


def plan_http(text: str, source: str = "") -> ImportPlan:
    if "\x00" in text:
        raise fail(source, "is not a text file (it holds NUL bytes)")
    skipped: list[str] = []
    variables, found = parse_http_requests(text, source, skipped)
    if not found:
        raise fail(source, "holds no request (expected a line such as 'GET https://…')"
                   + (f"; {skipped[0]}" if skipped else ""))
    plan = ImportPlan(kind="http", source=source, notes=skipped)
    namer = Namer()
    stem = source.rsplit("/", 1)[-1].rsplit(".", 1)[0] if source and source != "-" else ""
    conn_path = namer.child("", stem, "HTTP requests")
    secret_vars = {k for k in variables if is_secret_name(k)}
    base, lead = _base(found, variables)
    for name, req in found:
        req.path = namer.child(conn_path, name or f"{req.method} {req.url.split('?')[0]}")
        # Credentials written as {{variable}} are looked up, so they reach the keyring.
        for h in req.headers:
            _scheme, _, rest = h.value.partition(" ")
            var = whole_variable(rest) or whole_variable(h.value)
            if var and var in variables and h.name.lower() in ("authorization", "x-api-key",
                                                               "api-key", "apikey"):
                h.value = h.value.replace("{{" + var + "}}", variables[var]).replace(
                    "{{ " + var + " }}", variables[var])
                secret_vars.add(var)
        req.headers, auth, secrets = lift_auth_header(req.headers)
        req.auth = auth
        plan.secrets += [PlannedSecret(req.path, k, v) for k, v in secrets.items()]
        if lead and req.url.startswith("{{" + lead + "}}"):
            req.url = req.url[len(lead) + 4:]
        else:
            req.url = relative_to(req.url, base) if base else req.url
        plan.requests.append(req)
    conn = Connection(path=conn_path, base_url=base or FALLBACK_BASE_URL,
                      variables={k: v for k, v in variables.items() if k not in secret_vars})
    plan.connections.append(conn)
    hoist_common_auth(plan, conn)
    left = sorted(secret_vars & set(variables))
    if left:
        plan.notes.append("Secret variables were not written to the connection: "
                          + ", ".join(left) + ".")
    return plan


def _base(found: list[tuple[str, Request]], variables: dict[str, str]) -> tuple[str, str]:
    for _, req in found:
        if req.url.startswith("{{") and "}}" in req.url:
            name = req.url[2:req.url.index("}}")].strip()
            value = variables.get(name, "")
            if value.startswith(("http://", "https://")) and "{{" not in value:
                return value.rstrip("/"), name
    rendered = []
    for _, req in found:
        try:
            rendered.append(render(req.url, variables))
        except Exception:  # an unknown variable: that URL cannot vote
            continue
    return guess_base_url(rendered), ""
