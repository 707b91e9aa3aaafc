"""Helpers the format importers share: typed getters that fail with one clear
message, URL splitting, and the secret-variable rules."""

from __future__ import annotations

import re
from typing import Any

from ..urls import is_absolute
from .plan import fail

__all__ = [
    "SECRET_VARIABLE_NAMES",
    "as_dict",
    "as_list",
    "as_str",
    "is_secret_name",
    "relative_to",
    "text_of",
    "whole_variable",
]

SECRET_VARIABLE_NAMES = frozenset({
    "password", "passwd", "secret", "client_secret", "clientsecret", "token", "access_token",
    "accesstoken", "api_key", "apikey", "x-api-key", "bearer", "bearer_token",
    "bearertoken", "auth_token", "authtoken", "refresh_token", "private_token",
})
_VAR = re.compile(r"^\{\{\s*([^{}\s]+)\s*\}\}$")


def is_secret_name(name: str) -> bool:
    return name.strip().lower().replace(" ", "_") in SECRET_VARIABLE_NAMES


def whole_variable(text: str) -> str | None:
    """``{{name}}`` → ``name`` when the text is one variable and nothing else."""
    match = _VAR.match(text.strip())
    return match.group(1) if match else None


def as_dict(value: Any, source: str, what: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise fail(source, f"{what} must be an object, not {type(value).__name__}")
    return value


def as_list(value: Any, source: str, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise fail(source, f"{what} must be a list, not {type(value).__name__}")
    return value


def as_str(value: Any, source: str = "", what: str = "a value") -> str:
    """Scalars become text (YAML and JSON give numbers and booleans too)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise fail(source, f"{what} must be text, not {type(value).__name__}")


def text_of(value: Any) -> str:
    """A description that may be text or ``{"content": …}``; anything else is dropped."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("content"), str):
        return str(value["content"])
    return ""


def relative_to(url: str, base_url: str) -> str:
    """``url`` made relative to ``base_url`` when it lies under it."""
    base = base_url.rstrip("/")
    if not base or (not is_absolute(url) and not url.startswith("{{")):
        return url
    if url == base:
        return ""
    if url.startswith((base + "/", base + "?")):
        return url[len(base):]
    return url
