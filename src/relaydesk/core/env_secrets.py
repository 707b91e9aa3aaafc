"""Secret variables of environments: named in the file, valued in the keyring.

An environment lists the names of its secret variables in ``Environment.secrets``;
their values are keyring entries of the owner ``environments/<name>`` (keyed by the
environment's id, so a rename writes nothing to the keyring). A same-named entry in
``variables`` is only a placeholder (imports leave one) and is never sent.

At send time ``with_secret_values`` adds the stored values to the variables, and
returns them so the prepared request redacts them from history like any secret. A
secret variable with no stored value is left out: a request using it shows the
placeholder as unresolved, one that does not use it is unaffected.
"""

from __future__ import annotations

from dataclasses import replace

from .model import Environment
from .secrets import ENVIRONMENT_OWNER, SecretStore

__all__ = ["environment_owner", "with_secret_values"]


def environment_owner(name: str) -> str:
    """The keyring owner path of an environment's secret variables."""
    return f"{ENVIRONMENT_OWNER}{name}"


def with_secret_values(environment: Environment | None, store: SecretStore | None
                       ) -> tuple[Environment | None, frozenset[str]]:
    """``environment`` with its secret variables' stored values, and those values."""
    if environment is None or not environment.secrets or store is None:
        return environment, frozenset()
    owner = environment_owner(environment.name)
    values: dict[str, str] = {}
    for name in environment.secrets:
        value = store.get(owner, name)  # a missing keyring raises its own clear error
        if value is not None:
            values[name] = value
    variables = {k: v for k, v in environment.variables.items()
                 if k not in environment.secrets}
    return replace(environment, variables={**variables, **values}), frozenset(values.values())
