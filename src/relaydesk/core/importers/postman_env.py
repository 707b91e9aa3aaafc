"""Postman environments: variables become a Relaydesk environment; values marked
secret (or named like one) go to the keyring and stay empty in the file."""

from __future__ import annotations

from typing import Any

from ..model import Environment
from .common import as_list, as_str, is_secret_name
from .plan import ImportPlan, Namer, PlannedSecret

__all__ = ["plan_postman_environment"]


def plan_postman_environment(doc: dict[str, Any], source: str) -> ImportPlan:
    plan = ImportPlan(kind="postman", source=source)
    name = Namer().child("", doc.get("name"), "Postman environment")
    variables: dict[str, str] = {}
    secret_names: list[str] = []
    for entry in as_list(doc.get("values"), source, "\"values\""):
        if not isinstance(entry, dict) or entry.get("enabled") is False:
            continue
        key = as_str(entry.get("key"), source, "a variable name")
        value = as_str(entry.get("value"), source, f"the variable '{key}'")
        if key and (entry.get("type") == "secret" or is_secret_name(key)) and value:
            plan.secrets.append(PlannedSecret(f"environments/{name}", key, value))
            plan.notes.append(f"The environment variable '{key}' is a secret: it was stored in "
                              "the system keyring and left empty in the environment file.")
            value = ""
            secret_names.append(key)
        if key:
            variables[key] = value
    plan.environments.append(Environment(name=name, variables=variables, secrets=secret_names))
    return plan
