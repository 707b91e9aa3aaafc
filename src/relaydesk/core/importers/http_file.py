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

from ..model import METHODS, Body, Connection, KeyValue, Request
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


def parse_http_requests(text: str, source: str
                        ) -> tuple[dict[str, str], list[tuple[str, Request]]]:
    """File variables and (name, request with full URL) in file order."""
    variables: dict[str, str] = {}
    found: list[tuple[str, Request]] = []
    for title, lines in _blocks(text):
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
                method, url = (m.group(1).upper(), m.group(2).strip()) if m and (
                    m.group(1).upper() in METHODS) else ("GET", stripped)
                request = Request(path="", method=method, url=url)
                state = "headers"
            elif state == "headers" and request is not None:
                if not stripped:
                    state = "body"
                elif line[:1] in (" ", "\t") and stripped[:1] in ("?", "&"):
                    request.url += stripped
                elif stripped.startswith(("#", "//")):
                    continue
                else:
                    header = _HEADER.match(stripped)
                    if header is None:
                        raise fail(source, f"has a line that is not a header in request "
                                           f"'{name or request.url}': '{stripped[:60]}'")
                    request.headers.append(KeyValue(header.group(1), header.group(2).strip()))
            else:
                if stripped.startswith((">", "<>")) and not body_lines:
                    continue
                body_lines.append(line)
        if request is None:
            continue
        _set_body(request, body_lines)
        found.append((name, request))
        if len(found) > MAX_REQUESTS:
            raise fail(source, f"holds more than {MAX_REQUESTS} requests")
    return variables, found


def _set_body(request: Request, lines: list[str]) -> None:
    while lines and (not lines[-1].strip() or lines[-1].lstrip().startswith(("> {%", ">>"))):
        lines.pop()
    text = "\n".join(lines)
    if not text.strip():
        return
    ctype = next((h.value for h in request.headers if h.name.lower() == "content-type"), "")
    if text.startswith("< ") and "\n" not in text:
        request.body = Body(kind="binary", file=text[2:].strip(), content_type=ctype)
    elif "json" in ctype.lower():
        try:
            json.loads(text)
            request.body = Body(kind="json", text=text)
        except ValueError:
            request.body = Body(kind="raw", text=text, content_type=ctype)
    elif ctype.lower().startswith("application/x-www-form-urlencoded"):
        request.body = Body(kind="raw", text=text.strip(), content_type=ctype)
    else:
        request.body = Body(kind="raw", text=text, content_type=ctype)


def plan_http(text: str, source: str = "") -> ImportPlan:
    if "\x00" in text:
        raise fail(source, "is not a text file (it holds NUL bytes)")
    variables, found = parse_http_requests(text, source)
    if not found:
        raise fail(source, "holds no request (expected a line such as 'GET https://…')")
    plan = ImportPlan(kind="http", source=source)
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
