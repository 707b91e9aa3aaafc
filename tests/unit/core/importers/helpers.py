"""Small readers of an import plan shared by the importer tests."""

from __future__ import annotations

from relaydesk.core.importers import ImportPlan

__all__ = ["notes_of", "secrets_of"]


def notes_of(plan: ImportPlan) -> str:
    return "\n".join(plan.notes)


def secrets_of(plan: ImportPlan) -> dict[str, str]:
    """field -> value of the secrets the plan sends to the keyring."""
    return {s.field: s.value for s in plan.secrets}
