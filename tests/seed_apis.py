"""Loopback stand-ins of the two REST APIs in the seed documents (../shared/seeds/).

Written from the documents, not from the public services, and only as far as the
tests need them; both record exactly what arrived (``Arrival``: method, raw path, raw
query, headers in order, body bytes) so tests compare bytes, not interpretations.

**The ops integration-actions API** (``OpsApi``), under ``/jsm/ops/api/{cloudId}``,
Basic auth with ``email:api_token``::

    GET    /v1/integrations/{integrationId}/actions?offset=&size=   list (size 3 by default)
    POST   /v1/integrations/{integrationId}/actions                  create (body kept as sent)
    GET    /v1/integrations/{integrationId}/actions/{id}             one action
    PATCH  /v1/integrations/{integrationId}/actions/{id}             update
    DELETE /v1/integrations/{integrationId}/actions/{id}             delete (204)
    PATCH  /v1/integrations/{integrationId}/actions/{id}/order       {"successorId": …}

The list answers ``{"links": {"next": "/v1/integrations/…/actions?offset=3&size=3"},
"values": [...]}``: the next link is relative to the API base, exactly as the
document's example shows, and absent on the last page.

**The SDK connections API** (``SdkApi``), ``Authorization: Token <api token>``::

    GET/POST   /sdk/apps/{app}/connections
    GET/PATCH/DELETE /sdk/apps/connections/{name}
    GET/PUT    /sdk/apps/connections/{name}/common          (PUT: a JSON object)
    GET/PUT    /sdk/apps/connections/{name}/{section}       (PUT: a JSON object or array)
    POST       /sdk/apps/connections/{name}/recreate         -> {}
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

__all__ = ["CLOUD_ID", "CREATE_ACTION_BODY", "INTEGRATION_ID", "Arrival", "OpsApi",
           "SdkApi"]

CLOUD_ID = "0f3c-cloud"
INTEGRATION_ID = "12fa0a15-4b2f-470c-91ac-2a8cb06a4cc2"  # the document's example id
PAGE_SIZE = 3

# The create-action body of the document's curl example, as written there (one line).
CREATE_ACTION_BODY = (
    '{ "type": "create", "name": "Create Alert2", "domain": "alert", "direction": '
    '"incoming", "groupType": "", "extraField": "", "filter": { "conditionsEmpty": true, '
    '"conditionMatchType": "match-all", "conditions": [] }, "typeSpecificProperties": {}, '
    '"fieldMappings": { "note": "", "description": "{{message}}", "source": "Email", '
    '"message": "{{subject}}", "priority": "{{priority}}", "tags": [], "alias": "", '
    '"details": { "From": "{{from_address}}" }, "user": "", "actions": [], "entity": "" }, '
    '"actionMapping": { "type": "<string>", "parameter": {} }, "enabled": true }'
)
_REQUIRED = ("type", "name", "domain", "direction", "filter")
SDK_SECTIONS = ("api", "parameters", "scopes", "scope", "install", "installSpec")


@dataclass
class Arrival:
    method: str
    path: str  # raw, percent-encoding kept
    query: str  # raw
    headers: list[tuple[str, str]]  # lower-case names, in order
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k == name.lower()), None)


@dataclass
class _Recorder:
    """ASGI wrapper: records each request whole, then replays its body to the app."""

    app: Any
    arrivals: list[Arrival] = field(default_factory=list)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        self.arrivals.append(Arrival(
            scope["method"], scope.get("raw_path", b"").decode("latin-1"),
            scope.get("query_string", b"").decode("latin-1"),
            [(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in scope["headers"]],
            body))
        sent = False

        async def replay() -> dict[str, Any]:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


class _StandIn:
    """An ASGI app recording what arrived; subclasses give routes and fresh state."""

    def __init__(self) -> None:
        self.recorder = _Recorder(self._starlette())
        self.reset()

    @property
    def arrivals(self) -> list[Arrival]:
        return self.recorder.arrivals

    def reset(self) -> None:
        self.recorder.arrivals.clear()
        self._fresh_state()

    def _fresh_state(self) -> None:
        raise NotImplementedError

    def _starlette(self) -> Starlette:
        raise NotImplementedError

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        await self.recorder(scope, receive, send)


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"message": message}, status_code=status)


async def _json_body(request: Request) -> Any:
    try:
        return json.loads(await request.body())
    except ValueError:
        return None


class OpsApi(_StandIn):
    """State and ASGI app of the ops integration-actions stand-in."""

    def __init__(self, email: str = "email@example.com", api_token: str = "ops-t0ken",
                 actions: int = 7) -> None:
        self.email, self.api_token, self.initial = email, api_token, actions
        super().__init__()

    def _fresh_state(self) -> None:
        self.actions: list[dict[str, Any]] = [
            {"id": f"16872657682890000{n:02d}", "name": f"postToUrl {n}", "type": "postToUrl",
             "direction": "outgoing", "domain": "alert", "actionMappingType": "create",
             "groupType": "forwarding"} for n in range(1, self.initial + 1)]
        self.raw_bodies: dict[str, bytes] = {}  # action id -> the create body as sent
        self._next_id = 1704982046651000029

    @staticmethod
    def base_path(cloud_id: str = CLOUD_ID) -> str:
        return f"/jsm/ops/api/{cloud_id}"

    # -- helpers --------------------------------------------------------------------------

    def _denied(self, request: Request) -> JSONResponse | None:
        if request.path_params["cloudId"] != CLOUD_ID:
            return _error(404, "Unknown cloud id")
        expected = base64.b64encode(f"{self.email}:{self.api_token}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {expected}":
            return _error(401, "Client must be authenticated to access this resource.")
        if request.path_params["integrationId"] != INTEGRATION_ID:
            return _error(404, "Integration not found")
        return None

    def _find(self, action_id: str) -> dict[str, Any] | None:
        return next((a for a in self.actions if a["id"] == action_id), None)

    # -- routes ---------------------------------------------------------------------------

    def _starlette(self) -> Starlette:
        base = "/jsm/ops/api/{cloudId}/v1/integrations/{integrationId}/actions"
        return Starlette(routes=[
            Route(base, self._list, methods=["GET"]),
            Route(base, self._create, methods=["POST"]),
            Route(base + "/{id}", self._get, methods=["GET"]),
            Route(base + "/{id}", self._update, methods=["PATCH"]),
            Route(base + "/{id}", self._delete, methods=["DELETE"]),
            Route(base + "/{id}/order", self._reorder, methods=["PATCH"]),
        ])

    async def _list(self, request: Request) -> Response:
        if (denied := self._denied(request)) is not None:
            return denied
        try:
            offset = int(request.query_params.get("offset", 0))
            size = int(request.query_params.get("size", PAGE_SIZE))
        except ValueError:
            return _error(400, "offset and size must be integers")
        page = [{k: a[k] for k in ("id", "name", "type", "direction", "domain",
                                   "actionMappingType", "groupType") if k in a}
                for a in self.actions[offset:offset + size]]
        doc: dict[str, Any] = {"values": page}
        if offset + size < len(self.actions):
            doc["links"] = {"next": f"/v1/integrations/{INTEGRATION_ID}/actions"
                                    f"?offset={offset + size}&size={size}"}
        return JSONResponse(doc)

    async def _create(self, request: Request) -> Response:
        if (denied := self._denied(request)) is not None:
            return denied
        raw = await request.body()
        doc = await _json_body(request)
        if not isinstance(doc, dict):
            return _error(400, "The request body must be a JSON object.")
        missing = [k for k in _REQUIRED if k not in doc]
        if missing:
            return _error(422, f"Missing required fields: {', '.join(missing)}")
        self._next_id += 1
        action = {"id": str(self._next_id), **doc}
        self.actions.append(action)
        self.raw_bodies[action["id"]] = raw
        return JSONResponse(action)

    async def _target(self, request: Request) -> tuple[dict[str, Any], Any, Response | None]:
        """The action the path names and the JSON body, or the answer refusing them."""
        if (denied := self._denied(request)) is not None:
            return {}, None, denied
        action = self._find(request.path_params["id"])
        if action is None:
            return {}, None, _error(404, "Action not found")
        return action, await _json_body(request), None

    async def _get(self, request: Request) -> Response:
        action, _, refused = await self._target(request)
        return refused or JSONResponse(action)

    async def _update(self, request: Request) -> Response:
        action, doc, refused = await self._target(request)
        if refused is not None:
            return refused
        if not isinstance(doc, dict):
            return _error(400, "The request body must be a JSON object.")
        action.update({k: v for k, v in doc.items() if k != "id"})
        return JSONResponse(action)

    async def _delete(self, request: Request) -> Response:
        action, _, refused = await self._target(request)
        if refused is not None:
            return refused
        self.actions.remove(action)
        return Response(status_code=204)

    async def _reorder(self, request: Request) -> Response:
        action, doc, refused = await self._target(request)
        if refused is not None:
            return refused
        successor = doc.get("successorId") if isinstance(doc, dict) else None
        self.actions.remove(action)
        index = next((i for i, a in enumerate(self.actions) if a["id"] == successor),
                     len(self.actions))
        self.actions.insert(index, action)
        return Response(status_code=200)


class SdkApi(_StandIn):
    """State and ASGI app of the SDK connections-management stand-in."""

    def __init__(self, api_token: str = "sdk-t0ken") -> None:
        self.api_token = api_token
        super().__init__()

    def _fresh_state(self) -> None:
        self.connections: dict[str, dict[str, Any]] = {}
        self.sections: dict[tuple[str, str], Any] = {}
        self.recreated: list[str] = []

    def _denied(self, request: Request) -> JSONResponse | None:
        if request.headers.get("authorization") != f"Token {self.api_token}":
            return _error(401, "Invalid API token.")
        return None

    def _connection(self, request: Request) -> dict[str, Any] | None:
        return self.connections.get(request.path_params["name"])

    def _starlette(self) -> Starlette:
        one = "/sdk/apps/connections/{name}"
        return Starlette(routes=[
            Route("/sdk/apps/{app}/connections", self._list, methods=["GET"]),
            Route("/sdk/apps/{app}/connections", self._create, methods=["POST"]),
            Route(one, self._get, methods=["GET"]),
            Route(one, self._update, methods=["PATCH"]),
            Route(one, self._delete, methods=["DELETE"]),
            Route(one + "/recreate", self._recreate, methods=["POST"]),
            Route(one + "/common", self._section, methods=["GET", "PUT"]),
            Route(one + "/{section}", self._section, methods=["GET", "PUT"]),
        ])

    async def _list(self, request: Request) -> Response:
        if (denied := self._denied(request)) is not None:
            return denied
        app = request.path_params["app"]
        return JSONResponse([c for c in self.connections.values() if c["app"] == app])

    async def _create(self, request: Request) -> Response:
        if (denied := self._denied(request)) is not None:
            return denied
        doc = await _json_body(request)
        if not isinstance(doc, dict):
            return _error(400, "The request body must be a JSON object.")
        app = request.path_params["app"]
        name = f"{app}-{len(self.connections) + 1}"
        self.connections[name] = {"name": name, "app": app, "type": doc.get("type"),
                                  "label": doc.get("label", ""), "connectedSystemName": None}
        return JSONResponse(self.connections[name])

    async def _get(self, request: Request) -> Response:
        if (denied := self._denied(request)) is not None:
            return denied
        conn = self._connection(request)
        return JSONResponse(conn) if conn else _error(404, "Connection not found")

    async def _update(self, request: Request) -> Response:
        if (denied := self._denied(request)) is not None:
            return denied
        conn = self._connection(request)
        doc = await _json_body(request)
        if conn is None:
            return _error(404, "Connection not found")
        if not isinstance(doc, dict):
            return _error(400, "The request body must be a JSON object.")
        conn.update({k: doc[k] for k in ("label", "connectedSystemName") if k in doc})
        return JSONResponse(conn)

    async def _delete(self, request: Request) -> Response:
        if (denied := self._denied(request)) is not None:
            return denied
        if self.connections.pop(request.path_params["name"], None) is None:
            return _error(404, "Connection not found")
        return JSONResponse({})

    async def _recreate(self, request: Request) -> Response:
        if (denied := self._denied(request)) is not None:
            return denied
        if self._connection(request) is None:
            return _error(404, "Connection not found")
        self.recreated.append(request.path_params["name"])
        return JSONResponse({})

    async def _section(self, request: Request) -> Response:
        if (denied := self._denied(request)) is not None:
            return denied
        name = request.path_params["name"]
        section = request.path_params.get("section", "common")
        if self._connection(request) is None:
            return _error(404, "Connection not found")
        if section != "common" and section not in SDK_SECTIONS:
            return _error(404, f"Unknown section '{section}'; sections are "
                               f"{', '.join(SDK_SECTIONS)}.")
        if request.method == "GET":
            return JSONResponse(self.sections.get((name, section), {}))
        doc = await _json_body(request)
        allowed = (dict,) if section == "common" else (dict, list)
        if not isinstance(doc, allowed) or (isinstance(doc, list)
                                            and not all(isinstance(x, dict) for x in doc)):
            kind = "a JSON object" if section == "common" else "a JSON object or array"
            return _error(400, f"The body of '{section}' must be {kind}.")
        self.sections[(name, section)] = doc
        return JSONResponse(doc)
