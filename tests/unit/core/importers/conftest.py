"""Helpers for the importer tests: plan a snippet as the CLI does, write it, read it back."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from relaydesk.core.importers import ImportPlan, apply_plan
from relaydesk.core.secrets import SecretStore
from relaydesk.core.workspace import Workspace

Written = Callable[[ImportPlan], str]


@pytest.fixture
def written(workspace: Workspace, secret_store: SecretStore) -> Written:
    """Apply a plan to a fresh workspace; every written file's text, joined."""

    def write(plan: ImportPlan) -> str:
        apply_plan(workspace, secret_store, plan)
        return "\n".join(p.read_text(encoding="utf-8") for p in workspace.iter_files())

    return write
