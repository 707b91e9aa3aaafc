"""Code snippets for one request: curl, HTTPie, Python, JavaScript, Node, Go, Relaydesk.

    text = render_snippet("python-httpx", prepared, auth=conn.auth,
                          connection_path="jira/cloud")

Secrets (passwords, tokens, API keys the auth put into the request) appear as
environment-variable references by default — ``${JIRA_CLOUD_TOKEN}`` in a shell,
``os.environ["JIRA_CLOUD_TOKEN"]`` in Python, ``process.env…`` in JavaScript,
``os.Getenv`` in Go — and as their real values only with ``include_secrets=True``.
``snippet_environment`` lists the variables a snippet expects. The ``relaydesk``
snippet needs no secret at all: ``relaydesk.connect`` reads them from the keyring.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from ...errors import RelaydeskError, ValidationError
from ...model import AuthSettings
from ...prepare import PreparedRequest
from ...snippets import SNIPPET_KINDS, SNIPPET_LABELS
from .golang import render_go
from .javascript import render_fetch, render_node
from .python import render_httpx, render_relaydesk, render_requests
from .shell import render_curl, render_httpie
from .spec import SnippetSpec, build_spec, env_prefix

if TYPE_CHECKING:
    from ...managed import ManagedApi
    from ...model import Connection, Request
    from ...secrets import SecretStore

__all__ = [
    "SNIPPET_KINDS",
    "SNIPPET_LABELS",
    "env_prefix",
    "render_snippet",
    "snippet_environment",
    "snippet_for",
]


_RENDERERS: dict[str, Callable[[SnippetSpec], str]] = {
    "curl": render_curl,
    "httpie": render_httpie,
    "python-httpx": render_httpx,
    "python-requests": render_requests,
    "javascript-fetch": render_fetch,
    "node": render_node,
    "go": render_go,
}


def render_snippet(
    kind: str,
    prepared: PreparedRequest,
    *,
    auth: AuthSettings | None = None,
    connection_path: str = "",
    include_secrets: bool = False,
    base_url: str = "",
    client_headers: Sequence[tuple[str, str]] = (),
    file_paths: Sequence[str] = (),
) -> str:
    """Code in language ``kind`` that sends ``prepared``.

    ``auth`` (the settings in force) tells which secret is which, so variables get
    names such as ``JIRA_CLOUD_PASSWORD``; ``connection_path`` prefixes them (default:
    ``prepared.owner_path``). For ``relaydesk``, ``base_url`` (rendered) and
    ``client_headers`` (the connection's own headers) are left to the client.
    """
    if kind not in SNIPPET_LABELS:
        raise ValidationError(
            f"Unknown snippet kind '{kind}'; choose one of {', '.join(SNIPPET_KINDS)}.")
    if kind == "relaydesk":
        spec = build_spec(prepared, auth=auth, connection_path=connection_path,
                          file_paths=file_paths)
        return render_relaydesk(spec, base_url=base_url, client_headers=client_headers)
    spec = build_spec(prepared, auth=auth, connection_path=connection_path,
                      include_secrets=include_secrets, file_paths=file_paths)
    text = _RENDERERS[kind](spec)
    return text if text.endswith("\n") else text + "\n"


def snippet_environment(prepared: PreparedRequest, *, auth: AuthSettings | None = None,
                        connection_path: str = "") -> dict[str, str]:
    """The environment variables a default (reference-mode) snippet reads, with values."""
    return dict(build_spec(prepared, auth=auth, connection_path=connection_path).env)


class _Markers:
    """A stand-in keyring whose secrets are recognisable markers."""

    MARK = "rdsecret0marker"

    def __init__(self, absent: frozenset[str] = frozenset()) -> None:
        self.absent = absent  # optional secrets not saved: no reference to them

    def get(self, owner: str, field: str) -> str | None:
        return None if field in self.absent else self.MARK + field


# Secrets an auth kind can do without (a session token only comes with temporary keys).
_OPTIONAL_SECRETS = ("session_token",)


def _absent_optional(secrets: SecretStore | None, owner: str) -> frozenset[str]:
    from ...errors import RelaydeskError

    absent = set()
    for name in _OPTIONAL_SECRETS:
        try:
            if secrets is None or not secrets.has(owner, name):
                absent.add(name)
        except RelaydeskError:  # no keyring: nothing to refer to
            absent.add(name)
    return frozenset(absent)


def snippet_for(
    kind: str,
    request: Request,
    connection: Connection | None,
    secrets: SecretStore | None,
    variables: Mapping[str, str],
    *,
    include_secrets: bool = False,
    oauth_token: str | None = None,
    api: ManagedApi | None = None,
) -> str:
    """Prepare ``request`` and render it: what the CLI and the app call.

    ``api`` (the connection's managed API): a ``relaydesk`` snippet for a request that
    matches one of its operations is the managed call."""
    from ...auth import auth_owner
    from ...prepare import prepare
    from ...templating import render

    settings, owner = auth_owner(request, connection)
    if not include_secrets:
        # References need no secret values: unique markers stand in for the secrets, and
        # the snippet names an environment variable wherever one appears.
        absent = _absent_optional(secrets, owner) if settings.kind == "aws_sigv4" \
            else frozenset()
        secrets, oauth_token = _Markers(absent), _Markers.MARK + "access_token"  # type: ignore[assignment]
    prepared = prepare(request, connection, secrets, variables, oauth_token=oauth_token)
    base_url = ""
    client: list[tuple[str, str]] = []
    if connection is not None:
        base_url = render(connection.base_url, variables, where="the base URL")
        client = [(render(h.name, variables), render(h.value, variables))
                  for h in connection.headers if h.enabled and h.name]
    # the same parts prepare() reads, named as the request names them
    paths = [render(p.file, variables, where="the body file") for p in request.body.multipart
             if request.body.kind == "multipart" and p.enabled and p.name and p.file]
    client_path = connection.path if connection else ""
    if (kind == "relaydesk" and request.auth is not None and request.path
            and (connection is None or request.auth != connection.auth)):
        # The request's own auth: connect() to the request, which carries that auth.
        client_path = request.path
    if kind == "relaydesk" and api is not None and connection is not None \
            and client_path == connection.path:
        from ...managed_request import operation_for_request
        from .managed import render_managed

        try:
            op = operation_for_request(api, request, connection.base_url)
        except RelaydeskError:  # an unreadable description: the plain call still works
            op = None
        managed = None if op is None else render_managed(
            op, build_spec(prepared, auth=settings, connection_path=client_path,
                           file_paths=paths), base_url=base_url, client_headers=client)
        if managed is not None:
            return managed
    return render_snippet(kind, prepared, auth=settings,
                          connection_path=client_path,
                          include_secrets=include_secrets, base_url=base_url,
                          client_headers=client, file_paths=paths)
