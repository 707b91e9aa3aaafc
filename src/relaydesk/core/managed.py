"""The managed API: a connection's operations as ``client.<Group>.<operation>(**params)``.

    jira = relaydesk.connect("jira/cloud")
    issue = jira.Issue.getIssue(issueIdOrKey="ISSUE-1")       # parsed JSON
    issue.response.status_code                                 # the httpx.Response
    for action in jira.IntegrationActions.listIntegrationActions.paginate(integrationId=i):
        ...

Nothing is generated: the groups come from the stored index on first use, and one
operation's parameters and schemas when it is first called (``api_index``). A call is
checked before anything is sent (unknown or missing parameters, values the schema
refuses: ``InvalidValuesError`` naming each field, with ``status`` 0); the request
then goes through the client, so the connection's base URL, headers, credentials,
TLS and proxy apply. A 4xx/5xx answer raises the error ``status_error`` picks
(missing scopes, invalid values with the server's field messages…).
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote

from .errors import InvalidValuesError
from .schema_check import check_value

if TYPE_CHECKING:
    import httpx

    from .api_index import OperationIndex, OperationRef
    from .model import Connection
    from .workspace import Workspace

__all__ = [
    "AnswerDict",
    "AnswerList",
    "AsyncBoundOperation",
    "BoundOperation",
    "Group",
    "ManagedApi",
    "Operation",
    "PreparedCall",
    "answer_of",
    "managed_api_for",
    "wire_type",
]

BODY_KEYWORDS = ("body", "json", "data", "files", "content")
CONTENT_TYPE = "content_type"  # picks one of the media types an operation's body takes


class AnswerDict(dict[str, Any]):
    """A JSON object answer; ``response`` is the ``httpx.Response`` it came in."""

    response: httpx.Response


class AnswerList(list[Any]):
    """A JSON array answer; ``response`` is the ``httpx.Response`` it came in."""

    response: httpx.Response


def answer_of(response: httpx.Response) -> Any:
    """The parsed answer (JSON → Python, text → str, else bytes; no body → None), or
    the product's error for a 4xx/5xx."""
    from .messages import status_error

    if response.status_code >= 400:
        raise status_error(response.status_code, response.headers, response.content,
                           str(response.request.url))
    if not response.content:
        return None
    ctype = response.headers.get("content-type", "").lower()
    if "json" in ctype or not ctype:
        try:
            value = response.json()
        except ValueError:
            value = response.text if "json" in ctype else response.content
    elif ctype.startswith("text/") or "xml" in ctype:
        value = response.text
    else:
        value = response.content
    if isinstance(value, dict):
        value = AnswerDict(value)
    elif isinstance(value, list):
        value = AnswerList(value)
    else:
        return value
    value.response = response
    return value


@dataclass
class PreparedCall:
    """An operation's call as httpx arguments (already checked)."""

    method: str
    url: str
    params: list[tuple[str, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)  # json= / data= / files= / content=

    def kwargs(self) -> dict[str, Any]:
        return {"params": self.params, "headers": self.headers, **self.body}


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _query_pairs(name: str, value: Any, style: str, explode: bool) -> list[tuple[str, str]]:
    if isinstance(value, list | tuple):
        if style == "csv" or not explode:  # ids=1,2 rather than ids=1&ids=2
            return [(name, ",".join(map(_scalar, value)))]
        return [(name, _scalar(v)) for v in value]
    if isinstance(value, dict):
        if style == "deepObject":
            return [(f"{name}[{k}]", _scalar(v)) for k, v in value.items()]
        return [(str(k), _scalar(v)) for k, v in value.items()]
    return [(name, _scalar(value))]


def _media_kind(ctype: str) -> str:
    ctype = ctype.lower()
    if "json" in ctype:
        return "json"
    if ctype.startswith("application/x-www-form-urlencoded"):
        return "data"
    if ctype.startswith("multipart/"):
        return "files"
    return "content"


def wire_type(ctype: str) -> str:
    """The media type a body goes as: a wildcard (Swagger's ``consumes: ["*/*"]``, as
    Kubernetes writes it) names no format, and the body is described by a JSON schema."""
    return "application/json" if "*" in ctype else ctype


def _is_file(value: Any) -> bool:
    return isinstance(value, bytes | bytearray | tuple) or hasattr(value, "read")


class Operation:
    """One operation of a description; its details are read on first use."""

    def __init__(self, api: ManagedApi, ref: OperationRef) -> None:
        self.api = api
        self.ref = ref

    @functools.cached_property
    def spec(self) -> dict[str, Any]:
        return self.api.index.details(self.ref)

    @property
    def title(self) -> str:
        return f"{self.ref.group}.{self.ref.name}"

    def doc(self) -> str:
        """Summary, method and path, description and the documentation link."""
        spec = self.spec
        lines = [spec.get("summary") or self.title, "",
                 f"{spec['method']} {spec['path']}"]
        if spec.get("description") and spec.get("description") != spec.get("summary"):
            lines += ["", spec["description"]]
        docs = spec.get("docs") or self.api.docs_url
        if docs:
            lines += ["", f"Documentation: {docs}"]
        return "\n".join(lines)

    def prepare(self, kwargs: Mapping[str, Any]) -> PreparedCall:
        """The call as httpx arguments, or ``InvalidValuesError`` naming each field."""
        spec, resolve = self.spec, self.api.index.resolve
        params: list[dict[str, Any]] = spec.get("params", [])
        by_name = {p["name"]: p for p in params}
        problems: list[str] = []
        body_spec = spec.get("body")
        body_words = [k for k in BODY_KEYWORDS if k not in by_name]
        choice = kwargs.get(CONTENT_TYPE) if CONTENT_TYPE not in by_name else None
        for name in kwargs:
            if name not in by_name and name not in body_words and not (
                    name == CONTENT_TYPE and body_spec and CONTENT_TYPE not in by_name):
                known = ", ".join(by_name) or "no parameters"
                problems.append(f"{name}: not a parameter of {self.title} (it takes: {known}"
                                + (", body" if body_spec else "") + ")")
        path, _, fixed = str(spec["path"]).partition("?")
        # A query written into the path itself (``/responses/{id}?beta=true``) would be
        # replaced by httpx's ``params``: it travels with them instead.
        call = PreparedCall(spec["method"], path, parse_qsl(fixed, keep_blank_values=True))
        cookies: list[str] = []
        for p in params:
            name, where = p["name"], p["in"]
            value = kwargs.get(name)
            if value is None:
                if p.get("required"):
                    problems.append(f"{name}: required ({where} parameter)")
                continue
            problems += check_value(value, p.get("schema"), resolve, name)
            if where == "path":
                text = ",".join(map(_scalar, value)) if isinstance(value, list | tuple) \
                    else _scalar(value)
                call.url = call.url.replace("{" + name + "}", quote(text, safe=""))
            elif where == "query":
                call.params += _query_pairs(name, value, p.get("style", ""),
                                            p.get("explode", True))
            elif where == "header":
                call.headers[name] = _scalar(value)
            elif where == "cookie":
                cookies.append(f"{name}={_scalar(value)}")
        if cookies:
            call.headers["Cookie"] = "; ".join(cookies)
        problems += self._body(kwargs, body_words, body_spec, call, choice)
        if problems:
            raise InvalidValuesError(
                f"Invalid values: {self.title} was not sent: " + "; ".join(problems) + ".",
                0, problems)
        return call

    def _body(self, kwargs: Mapping[str, Any], words: list[str],
              body_spec: dict[str, Any] | None, call: PreparedCall, choice: Any = None
              ) -> list[str]:
        given = {k: kwargs[k] for k in words if kwargs.get(k) is not None}
        if not given:
            return ["body: required"] if body_spec and body_spec.get("required") else []
        if body_spec is None:
            return [f"{', '.join(given)}: {self.title} takes no request body"]
        media: list[list[Any]] = [[wire_type(str(m[0])), m[1]] for m in (
            body_spec.get("media") or [["application/json", None]])]
        if choice is not None:
            media = [m for m in media if m[0].lower() == str(choice).lower()] or media
            if str(choice).lower() != media[0][0].lower():
                return [f"{CONTENT_TYPE}: {choice!r} is not one of "
                        + ", ".join(wire_type(str(m[0])) for m in body_spec["media"])]
        if "body" in given:
            ctype, schema = next((m for m in media if "json" in m[0].lower()), media[0])
            kind = _media_kind(ctype)
            value = given.pop("body")
            if kind == "files" and isinstance(value, dict):
                files = {k: v for k, v in value.items() if _is_file(v)}
                given.setdefault("files", files)
                given.setdefault("data", {k: v for k, v in value.items() if k not in files})
            else:
                given.setdefault(kind, value)
        else:
            wanted = "json" if "json" in given else ("files" if "files" in given else "data")
            ctype, schema = next((m for m in media if _media_kind(m[0]) == wanted), media[0])
        kind = _media_kind(ctype)
        if isinstance(given.get("content"), dict | list | int | float):  # httpx would raise
            return [f"body: {ctype} is sent as it is: give str or bytes"]
        if (kind == "json" and "json" in given and ctype.lower() != "application/json") or (
                kind == "content" and "content" in given):
            call.headers.setdefault("Content-Type", ctype)  # a vendor JSON type, raw bytes
        call.body = given
        checked = given.get("json") if "json" in given else (
            {**given.get("data", {}), **given.get("files", {})}
            if isinstance(given.get("data", {}), dict) and isinstance(
                given.get("files", {}), dict) and ("data" in given or "files" in given)
            else None)
        if checked is None or schema is None:
            return []
        return check_value(checked, schema, self.api.index.resolve, "body")


class ManagedApi:
    """The operations of one connection's description, loaded on first use."""

    def __init__(self, loader: Callable[[], OperationIndex | None], docs_url: str = ""
                 ) -> None:
        self._loader = loader
        self._index: OperationIndex | None = None
        self._ops: dict[tuple[str, str], Operation] = {}
        self._docs_url = docs_url

    @property
    def index(self) -> OperationIndex:
        if self._index is None:
            index = self._loader()
            if index is None:
                from .errors import NotFoundError

                raise NotFoundError("The connection's API description is gone.")
            self._index = index
        return self._index

    @property
    def docs_url(self) -> str:
        return self.index.docs_url or self._docs_url

    def groups(self) -> list[str]:
        return self.index.groups()

    def names(self, group: str) -> list[str]:
        return self.index.names(group)

    def operation(self, group: str, name: str) -> Operation | None:
        key = (group, name)
        if key not in self._ops:
            ref = self.index.find(group, name)
            if ref is None:
                return None
            self._ops[key] = Operation(self, ref)
        return self._ops[key]

    def operations(self) -> Iterator[Operation]:
        for ref in self.index.operations():
            found = self.operation(ref.group, ref.name)
            if found is not None:
                yield found


def _missing(what: str, name: str, known: list[str]) -> AttributeError:
    import difflib

    close = difflib.get_close_matches(name, known, n=3)
    hint = f" (did you mean {', '.join(close)})" if close else ""
    return AttributeError(f"No {what} '{name}'{hint}")


class Group:
    """``client.<Group>``: its operations as attributes, bound to the client."""

    def __init__(self, client: Any, api: ManagedApi, name: str) -> None:
        self._client, self._api, self._name = client, api, name

    def __getattr__(self, name: str) -> BoundOperation | AsyncBoundOperation:
        if name.startswith("__"):
            raise AttributeError(name)
        op = self._api.operation(self._name, name)
        if op is None:
            raise _missing(f"{self._name} operation", name, self._api.names(self._name))
        return bind(self._client, op)

    def __dir__(self) -> list[str]:
        return self._api.names(self._name)

    def __repr__(self) -> str:
        return f"<operations {self._name}: {', '.join(self._api.names(self._name)[:8])}…>"


def group_of(client: Any, api: ManagedApi | None, name: str) -> Group:
    """``client.<name>`` for a managed client's ``__getattr__``."""
    if api is None or name.startswith("__"):
        raise AttributeError(name)
    if name not in api.groups():
        raise _missing("attribute or operation group", name, api.groups())
    return Group(client, api, name)


class _Bound:
    def __init__(self, client: Any, op: Operation) -> None:
        self._client, self.operation = client, op

    @property
    def __doc__(self) -> str:  # type: ignore[override]
        return self.operation.doc()

    def __repr__(self) -> str:
        spec = self.operation.spec
        return f"<operation {self.operation.title}: {spec['method']} {spec['path']}>"

    def _request(self, kwargs: Mapping[str, Any]) -> tuple[str, str, dict[str, Any]]:
        call = self.operation.prepare(kwargs)
        return call.method, call.url, call.kwargs()


def _paginate_args(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {k: kwargs.pop(k) for k in ("max_pages", "items_path", "settings") if k in kwargs}


class BoundOperation(_Bound):
    # An operation of a sync client: call it, or .raw()/.paginate(). (No docstring:
    # ``__doc__`` is the operation's own, for help() and editors.)

    def raw(self, **kwargs: Any) -> httpx.Response:
        """The ``httpx.Response`` as it came (checked before sending, never raising on
        a 4xx/5xx)."""
        method, url, args = self._request(kwargs)
        response: httpx.Response = self._client.request(method, url, **args)
        return response

    def __call__(self, **kwargs: Any) -> Any:
        return answer_of(self.raw(**kwargs))

    def paginate(self, **kwargs: Any) -> Iterator[Any]:
        """The items of every page (``max_pages``, ``items_path`` as ``client.paginate``)."""
        extra = _paginate_args(kwargs)
        method, url, args = self._request(kwargs)
        result: Iterator[Any] = self._client.paginate(url, method=method, **args, **extra)
        return result


class AsyncBoundOperation(_Bound):
    # An operation of an async client: await it, or .raw()/.paginate().

    async def raw(self, **kwargs: Any) -> httpx.Response:
        method, url, args = self._request(kwargs)
        response: httpx.Response = await self._client.request(method, url, **args)
        return response

    async def __call__(self, **kwargs: Any) -> Any:
        return answer_of(await self.raw(**kwargs))

    def paginate(self, **kwargs: Any) -> AsyncIterator[Any]:
        extra = _paginate_args(kwargs)
        method, url, args = self._request(kwargs)
        result: AsyncIterator[Any] = self._client.paginate(url, method=method, **args,
                                                           **extra)
        return result


def bind(client: Any, op: Operation) -> BoundOperation | AsyncBoundOperation:
    import httpx

    if isinstance(client, httpx.AsyncClient):
        return AsyncBoundOperation(client, op)
    return BoundOperation(client, op)


def managed_api_for(ws: Workspace, conn: Connection) -> ManagedApi | None:
    """The managed API of a connection with a description; None without one (one
    ``stat``: the description is only read when an operation is first used)."""
    from .api_description import DESCRIPTION_FILE, open_index

    conn_dir: Path = ws.file_of(conn.path).parent
    if not (conn_dir / DESCRIPTION_FILE).is_file():
        return None
    root = ws.root
    return ManagedApi(lambda: open_index(root, conn, conn_dir), conn.docs_url)
