"""What a corpus file holds, computed from its source alone (never through Relaydesk's
importers): how many requests, and which credential values it carries."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import yaml

__all__ = ["credentials_in", "expected_requests", "load_any"]

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch")
_CREDENTIAL_NAMES = {
    "authorization", "proxy-authorization", "cookie", "x-api-key", "api-key", "apikey",
    "x-auth-token", "x-access-token", "private-token", "api_key", "access_token", "token",
    "key", "client_secret", "password", "passwd", "secret", "refresh_token",
    "accesstoken", "clientsecret",
}
_AUTH_SECRETS = {"password", "token", "accesstoken", "clientsecret", "client_secret",
                 "value", "consumersecret", "tokensecret", "secretkey", "authkey"}
_REQUEST_LINE = re.compile(
    r"^(?:(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|TRACE|CONNECT)\s+\S|https?://\S)")


def load_any(text: str) -> Any:
    text = text.removeprefix("\ufeff")
    stripped = text.strip()
    match = re.match(r"^[A-Za-z_$][\w$.]*\((.*)\)\s*;?$", stripped, re.S)
    if match:  # a HAR wrapped in callback(...)
        stripped = match.group(1)
    try:
        return json.loads(stripped)
    except ValueError:
        return yaml.safe_load(text)


def _postman_leaves(items: Any) -> int:
    count = 0
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict):
            if "request" in item:
                count += 1
            elif "item" in item:
                count += _postman_leaves(item["item"])
    return count


def _deref(doc: dict[str, Any], value: Any) -> Any:
    seen = 0
    while isinstance(value, dict) and isinstance(value.get("$ref"), str) and seen < 20:
        ref = value["$ref"]
        if not ref.startswith("#/"):
            return {}
        node: Any = doc
        for part in ref[2:].split("/"):
            node = node.get(part.replace("~1", "/").replace("~0", "~"), {}) if isinstance(
                node, dict) else {}
        value, seen = node, seen + 1
    return value


def expected_requests(kind: str, text: str) -> int:
    """The number of requests the source holds, by walking it directly."""
    if kind == "http":
        count = 0
        for block in re.split(r"(?m)^###.*$", text.removeprefix("\ufeff")):
            for line in block.splitlines():
                line = line.strip()
                if not line or line.startswith(("#", "//", "@")):
                    continue
                count += bool(_REQUEST_LINE.match(line))
                break
        return count
    try:
        doc = load_any(text)
    except (ValueError, yaml.YAMLError):
        return -1  # not readable at all: the importer must refuse it
    if not isinstance(doc, dict | list):
        return -1
    if kind != "har" and not isinstance(doc, dict):
        return -1
    if kind == "postman":
        if isinstance(doc.get("requests"), list) and "item" not in doc:
            return len({r.get("id") for r in doc["requests"] if isinstance(r, dict)})
        return _postman_leaves(doc.get("item"))
    if kind == "openapi":
        paths = doc.get("paths") if isinstance(doc.get("paths"), dict) else {}
        return sum(isinstance(_deref(doc, item), dict) and isinstance(
            _deref(doc, item).get(m), dict) for item in paths.values() for m in _METHODS)
    if kind == "har":
        log = doc.get("log") if isinstance(doc, dict) else None
        if isinstance(log, dict):  # entries with no http(s) URL are no requests
            return sum(1 for e in log.get("entries") or [] if isinstance(e, dict) and re.match(
                r"^(https?://\S|/)", str((e.get("request") or {}).get("url") or "")))
        return 1 if isinstance(doc, dict) and ("url" in doc or "request" in doc) else 0
    if kind == "insomnia":
        if isinstance(doc.get("items"), list) and "resources" not in doc:
            return sum(len(g.get("requests") or []) for g in doc["items"])
        return sum(1 for r in doc.get("resources") or []
                   if isinstance(r, dict) and r.get("_type") == "request")
    raise AssertionError(kind)


def _walk(value: Any, parent_key: str = "") -> Iterator[tuple[str, Any, Any]]:
    """(key of the enclosing object, the object, its parent key) for every object."""
    if isinstance(value, dict):
        yield parent_key, value, None
        for key, sub in value.items():
            yield from _walk(sub, str(key))
    elif isinstance(value, list):
        for sub in value:
            yield from _walk(sub, parent_key)


def _from_url(url: str) -> Iterator[str]:
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return
    if password:
        yield password
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name.lower() in _CREDENTIAL_NAMES:
            yield value


def _value_forms(name: str, value: str) -> Iterator[str]:
    low = name.lower()
    if low in ("authorization", "proxy-authorization"):
        yield value.partition(" ")[2] or value
    elif low == "cookie":
        for piece in value.split(";"):
            yield piece.partition("=")[2]
    else:
        yield value


def credentials_in(kind: str, text: str) -> set[str]:
    """Credential values written in the source (long enough to be told apart from
    ordinary words, and not ``{{variables}}``)."""
    found: set[str] = set()
    plain: list[str] = []
    if kind == "http":
        for line in text.splitlines():
            name, sep, value = line.partition(":")
            if sep and name.strip().lower() in _CREDENTIAL_NAMES:
                found.update(_value_forms(name.strip(), value.strip()))
            head = line.split(" ")
            for word in head[:2]:
                if "://" in word:
                    found.update(_from_url(word))
    else:
        try:
            doc = load_any(text)
        except (ValueError, yaml.YAMLError):
            return set()
        log = doc.get("log") if isinstance(doc, dict) else None
        if kind == "har" and isinstance(log, dict):  # what was sent, not what came back
            doc = [e.get("request") for e in log.get("entries") or [] if isinstance(e, dict)]
            plain.extend(str((r or {}).get("postData", {}).get("text", "")) for r in doc
                         if isinstance(r, dict) and isinstance(r.get("postData"), dict))
        for key, obj, _ in _walk(doc):
            name = obj.get("key", obj.get("name"))
            if isinstance(name, str) and name.lower() not in _CREDENTIAL_NAMES and isinstance(
                    obj.get("value"), str) and key != "cookies":
                plain.append(obj["value"])  # sent in the open under an ordinary name
            name = obj.get("key", obj.get("name"))
            value = obj.get("value")
            if isinstance(name, str) and isinstance(value, str):
                if name.lower() in _CREDENTIAL_NAMES or (key == "cookies"):
                    found.update(_value_forms(name, value))
                if key in ("basic", "bearer", "digest", "oauth2", "apikey", "awsv4",
                           "oauth1", "hawk") and name.lower() in _AUTH_SECRETS:
                    found.add(value)
            if key in ("auth", "authentication", "basic", "bearer", "oauth2", "digest") and (
                    "key" not in obj):
                for sub_key, sub in obj.items():
                    if isinstance(sub, str) and sub_key.lower() in _AUTH_SECRETS:
                        found.add(sub)
            for sub in obj.values():
                if isinstance(sub, str) and "://" in sub:
                    found.update(_from_url(sub))
    # A value the source itself sends in the plain part of a URL (an analytics cookie
    # echoed in a query, a session id in a cookieless path) is part of that request.
    plain_urls = " ".join(_plain_url(u) for u in re.findall(r"https?://[^\s\"'<>]+", text))
    plain_urls += " ".join(plain)
    return {v.strip() for v in found
            if len(v.strip()) >= 8 and "{{" not in v and "{%" not in v
            and v.strip() not in plain_urls}


def _plain_url(url: str) -> str:
    try:
        parts = urlsplit(url)
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                 if k.lower() not in _CREDENTIAL_NAMES]
    except ValueError:
        return ""
    return (parts.hostname or "") + parts.path + " ".join(f"{k}={v}" for k, v in query)
