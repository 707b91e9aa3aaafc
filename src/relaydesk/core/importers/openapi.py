"""OpenAPI 3.0 / 3.1 and Swagger 2.0 (JSON or YAML) → one connection.

Servers (or ``schemes``/``host``/``basePath``) give the base URL, ``externalDocs`` the
documentation URL. Every operation becomes a request in a folder named after its
first tag; path parameters become ``{{name}}`` with their example or default in the
connection's variables; query, header and cookie parameters carry their examples
(optional ones without a value are added disabled); request bodies are generated
from their schemas. Security schemes become the connection's auth settings.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from ..model import AuthSettings, Body, Connection, KeyValue, MultipartField, Request
from .budget import ByteBudget
from .common import as_dict, text_of
from .loader import load_json_or_yaml
from .openapi_schema import Resolver, example_for
from .openapi_security import auth_for_requirements
from .plan import FALLBACK_BASE_URL, ImportPlan, Namer, fail

__all__ = ["iter_operations", "plan_openapi"]

METHODS = ("get", "put", "post", "delete", "options", "head", "patch")


def iter_operations(paths: dict[str, Any], resolver: Resolver,
                    methods: tuple[str, ...] = METHODS,
                    ) -> Iterator[tuple[str, Any, str, dict[str, Any]]]:
    """(path, path item, method, operation object) of every operation in ``paths``."""
    for raw_path, raw_item in paths.items():
        item = resolver.deref(raw_item)
        for method in methods:
            op = item.get(method)
            if isinstance(op, dict):
                yield raw_path, item, method, op
_PATH_PARAM = re.compile(r"\{([^{}/]+)\}")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _base_url(doc: dict[str, Any], swagger: bool, notes: list[str]) -> str:
    if swagger:
        host = doc.get("host")
        schemes = doc.get("schemes")
        scheme = schemes[0] if isinstance(schemes, list) and schemes else "https"
        base_path = doc.get("basePath") if isinstance(doc.get("basePath"), str) else ""
        if isinstance(host, str) and host:
            return f"{scheme}://{host}{base_path}".rstrip("/")
        notes.append(f"The document names no host; the base URL is {FALLBACK_BASE_URL}"
                     f"{base_path} until you change it.")
        return (FALLBACK_BASE_URL + str(base_path)).rstrip("/")
    servers = doc.get("servers")
    server = servers[0] if isinstance(servers, list) and servers and isinstance(
        servers[0], dict) else {}
    url = str(server.get("url") or "")
    variables = server.get("variables")
    if isinstance(variables, dict):
        for name, spec in variables.items():
            default = spec.get("default") if isinstance(spec, dict) else None
            url = url.replace("{" + str(name) + "}", _text(default))
    if url.startswith(("http://", "https://")):
        return url.rstrip("/")
    notes.append(f"The server URL '{url or '/'}' is relative; the base URL is "
                 f"{FALLBACK_BASE_URL}{url.rstrip('/')} until you change it.")
    return (FALLBACK_BASE_URL + "/" + url.lstrip("/")).rstrip("/")


class _Examples:
    """Example values of one import, through its byte budget: a value that would be too
    big once written (aliases, $refs that multiply) becomes empty and is noted."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self.budget = ByteBudget()
        self.item = ""

    def text(self, value: Any) -> str:
        if not isinstance(value, dict | list):  # a scalar is as long as in the file
            text = _text(value)
            return text if self.budget.take(len(text), self.item) else ""
        return self.budget.dumps(value, self.item) or ""

    def json(self, value: Any) -> str:
        return self.budget.dumps(value, self.item, indent=2) or ""


def _param_value(param: dict[str, Any], ex: _Examples) -> tuple[str, bool]:
    """The value to fill in, and whether one was given by the document."""
    resolver = ex.resolver
    for key in ("example", "default"):
        if key in param:
            return ex.text(param[key]), True
    examples = param.get("examples")
    if isinstance(examples, dict) and examples:
        first = resolver.deref(next(iter(examples.values())))
        if "value" in first:
            return ex.text(first["value"]), True
    schema = param.get("schema") if "schema" in param else param  # Swagger 2 inline types
    if isinstance(schema, dict):
        schema = resolver.deref(schema) if "$ref" in schema else schema
        for key in ("example", "default"):
            if key in schema:
                return ex.text(schema[key]), True
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return ex.text(schema["enum"][0]), True
    return ex.text(example_for(schema, resolver)), False


def _parameters(path_item: dict[str, Any], op: dict[str, Any],
                resolver: Resolver) -> list[dict[str, Any]]:
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for source in (path_item.get("parameters"), op.get("parameters")):
        for raw in source if isinstance(source, list) else []:
            param = resolver.deref(raw)
            if isinstance(param.get("name"), str) and isinstance(param.get("in"), str):
                merged[(param["name"], param["in"])] = param
    return list(merged.values())


def _media(content: Any, resolver: Resolver) -> tuple[str, dict[str, Any]] | None:
    if not isinstance(content, dict) or not content:
        return None
    for ctype in content:
        if "json" in str(ctype):
            return str(ctype), resolver.deref(content[ctype]) or {}
    ctype = next(iter(content))
    return str(ctype), resolver.deref(content[ctype]) or {}


def _media_example(media: dict[str, Any], resolver: Resolver) -> Any:
    if "example" in media:
        return media["example"]
    examples = media.get("examples")
    if isinstance(examples, dict) and examples:
        first = resolver.deref(next(iter(examples.values())))
        if "value" in first:
            return first["value"]
    return example_for(media.get("schema"), resolver)


def _fields(value: Any, schema: Any, resolver: Resolver) -> list[tuple[str, Any, bool]]:
    """(name, example, is_file) for each property of a form schema."""
    props = resolver.deref(schema).get("properties") if isinstance(schema, dict) else None
    out = []
    for name, sub in (props or {}).items() if isinstance(props, dict) else []:
        sub = resolver.deref(sub) if isinstance(sub, dict) and "$ref" in sub else sub
        is_file = isinstance(sub, dict) and sub.get("format") in ("binary", "base64")
        example = value.get(name) if isinstance(value, dict) else None
        out.append((str(name), example, is_file))
    return out


def _body(ctype: str, media: dict[str, Any], ex: _Examples) -> Body:
    resolver = ex.resolver
    example = _media_example(media, resolver)
    if "json" in ctype:
        return Body(kind="json", text=ex.json(example))
    if ctype.startswith("application/x-www-form-urlencoded"):
        return Body(kind="form", form=[KeyValue(n, ex.text(v)) for n, v, _ in
                                       _fields(example, media.get("schema"), resolver)])
    if ctype.startswith("multipart/"):
        return Body(kind="multipart", multipart=[
            MultipartField(n, "" if f else ex.text(v), enabled=not f)
            for n, v, f in _fields(example, media.get("schema"), resolver)])
    if ctype.startswith("application/octet-stream") or "image/" in ctype:
        return Body(kind="binary", content_type=ctype)
    return Body(kind="raw", text=ex.text(example), content_type=ctype)


def _swagger_body(params: list[dict[str, Any]], op: dict[str, Any], doc: dict[str, Any],
                  ex: _Examples) -> Body:
    body = next((p for p in params if p.get("in") == "body"), None)
    if body is not None:
        return Body(kind="json", text=ex.json(example_for(body.get("schema"), ex.resolver)))
    form = [p for p in params if p.get("in") == "formData"]
    if not form:
        return Body()
    consumes = op.get("consumes") or doc.get("consumes") or []
    if any(p.get("type") == "file" for p in form) or "multipart/form-data" in consumes:
        return Body(kind="multipart", multipart=[
            MultipartField(p["name"], "" if p.get("type") == "file" else
                           _param_value(p, ex)[0], enabled=p.get("type") != "file")
            for p in form])
    return Body(kind="form", form=[KeyValue(p["name"], _param_value(p, ex)[0])
                                   for p in form])


def _shared_auth(conn_auth: AuthSettings | None,
                 own_auths: list[tuple[Request, AuthSettings | None]],
                 schemes: dict[str, Any], resolver: Resolver, notes: list[str],
                 cache: dict[str, AuthSettings | None]) -> AuthSettings | None:
    """The connection's auth: the document's global requirement, else what most
    operations require (set once, not on each), else the one declared scheme."""
    if conn_auth is not None:
        return conn_auth
    counts: Counter[str] = Counter()
    first: dict[str, AuthSettings] = {}
    for _, own in own_auths:
        if own is not None and own.kind != "none":
            key = repr(own)
            counts[key] += 1
            first.setdefault(key, own)
    if counts:
        return first[counts.most_common(1)[0][0]]
    if len(schemes) == 1:  # declared but required nowhere
        return auth_for_requirements([{next(iter(schemes)): []}], schemes, resolver, notes,
                                     cache)
    return None


def plan_openapi(text: str, source: str = "") -> ImportPlan:
    doc = load_json_or_yaml(text, source)
    if not isinstance(doc, dict):
        raise fail(source, "is not an OpenAPI document (expected an object at the top)")
    version = doc.get("openapi", doc.get("swagger"))
    if not isinstance(version, str | int | float) or not str(version).startswith(("2", "3")):
        raise fail(source, "is not an OpenAPI 3.x or Swagger 2.0 document (no \"openapi\" "
                           "or \"swagger\" version)")
    swagger = "swagger" in doc and "openapi" not in doc
    paths = as_dict(doc.get("paths"), source, "\"paths\"")
    info = as_dict(doc.get("info"), source, "\"info\"")
    plan = ImportPlan(kind="openapi", source=source)
    resolver = Resolver(doc)
    examples = _Examples(resolver)
    namer = Namer()
    conn_path = namer.child("", info.get("title"), "OpenAPI")
    components = as_dict(doc.get("components"), source, "\"components\"")
    schemes = as_dict(doc.get("securityDefinitions") if swagger else
                      components.get("securitySchemes"), source, "the security schemes")
    auth_cache: dict[str, AuthSettings | None] = {}
    conn_auth = auth_for_requirements(doc.get("security"), schemes, resolver, plan.notes,
                                      auth_cache)
    variables: dict[str, str] = {}
    folders: set[str] = set()
    own_auths: list[tuple[Request, AuthSettings | None]] = []
    callbacks = 0
    for raw_path, item, method, op in iter_operations(paths, resolver):
        tags = op.get("tags")
        tag = tags[0] if isinstance(tags, list) and tags and isinstance(tags[0], str) else ""
        parent = namer.child(conn_path, tag) if tag and f"{conn_path}/{tag}" not in folders \
            else (f"{conn_path}/{tag}" if tag else conn_path)
        if tag and parent not in folders:
            folders.add(parent)
            plan.folders.append(parent)
        name = op.get("summary") or op.get("operationId") or f"{method.upper()} {raw_path}"
        req = Request(path=namer.child(parent, name), method=method.upper(),
                      url=_PATH_PARAM.sub(lambda m: "{{" + m.group(1) + "}}", str(raw_path)),
                      description=text_of(op.get("description")))
        params = _parameters(item, op, resolver)
        examples.item = req.path
        examples.budget.start()
        for param in params:
            where, pname = param["in"], param["name"]
            if where in ("body", "formData"):
                continue
            value, given = _param_value(param, examples)
            if where == "path":
                variables.setdefault(pname, value)
                continue
            kv = KeyValue(pname, value, given or param.get("required") is True)
            if where == "query":
                req.params.append(kv)
            elif where == "header" and pname.lower() not in ("content-type", "accept",
                                                             "authorization"):
                req.headers.append(kv)
            elif where == "cookie":
                req.cookies.append(kv)
        if swagger:
            req.body = _swagger_body(params, op, doc, examples)
        else:
            body = resolver.deref(op.get("requestBody"))
            media = _media(body.get("content"), resolver)
            if media is not None:
                req.body = _body(media[0], media[1], examples)
        own = auth_for_requirements(op["security"], schemes, resolver, plan.notes,
                                    auth_cache) if "security" in op else None
        own_auths.append((req, own))
        if isinstance(op.get("callbacks"), dict):
            callbacks += len(op["callbacks"])
        plan.requests.append(req)
    conn_auth = _shared_auth(conn_auth, own_auths, schemes, resolver, plan.notes, auth_cache)
    for req, own in own_auths:
        if own is not None and own != conn_auth:
            req.auth = own  # only what differs from the connection's
    webhooks = doc.get("webhooks")
    if isinstance(webhooks, dict) and webhooks:
        plan.notes.append(f"{len(webhooks)} webhook(s) were not imported (they describe "
                          "requests the API sends to you, not requests to send).")
    if callbacks:
        plan.notes.append(f"{callbacks} callback(s) were not imported (requests the API "
                          "makes back to you).")
    too_big = examples.budget.note("Examples left empty in")
    if too_big:
        plan.notes.append(too_big)
    if resolver.external:
        plan.notes.append(f"{len(resolver.external)} external $ref(s) were not followed "
                          "(only references inside the document are).")
    docs = as_dict(doc.get("externalDocs"), source, "\"externalDocs\"").get("url")
    plan.connections.append(Connection(
        path=conn_path, base_url=_base_url(doc, swagger, plan.notes),
        docs_url=docs if isinstance(docs, str) and urlsplit(docs).scheme in ("http", "https")
        else "", description=text_of(info.get("description")),
        auth=conn_auth or AuthSettings(), variables=variables))
    if not plan.requests:
        plan.notes.append("The document describes no operations.")
    return plan
