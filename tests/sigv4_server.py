"""A loopback API that accepts only AWS Signature V4 requests, checked with botocore.

botocore is the AWS SDK's own signer: for each request the handler rebuilds the
canonical request from what arrived (method, path, query, the headers named in
``SignedHeaders``, the body), recomputes the signature with botocore's ``SigV4Auth``
for the credential scope and ``x-amz-date`` the request carries, and answers 200 with
what it verified, or 403 ``SignatureDoesNotMatch`` (as API Gateway does) with the
canonical request it expected. Independent of the client's signer (httpx-auth).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from werkzeug.wrappers import Request, Response

from tests.servers import start_wsgi

__all__ = ["SigV4Server", "start_sigv4_server"]

_AUTH = re.compile(r"^AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<date>\d{8})/"
                   r"(?P<region>[^/]+)/(?P<service>[^/]+)/aws4_request, "
                   r"SignedHeaders=(?P<signed>[^,]+), Signature=(?P<sig>[0-9a-f]{64})$")


@dataclass
class SigV4Server:
    base_url: str
    keys: dict[str, str]  # access key id → secret access key
    stop: Callable[[], None]


def _verify(req: Request, body: bytes, keys: dict[str, str]) -> tuple[int, dict[str, Any]]:
    match = _AUTH.match(req.headers.get("Authorization", ""))
    if match is None:
        return 403, {"message": "Missing or malformed AWS4-HMAC-SHA256 Authorization"}
    secret = keys.get(match["key"])
    if secret is None:
        return 403, {"message": "The security token included in the request is invalid."}
    signed = match["signed"].split(";")
    headers = {name: req.headers.get(name, "") for name in signed}
    # As AWS does: the path as it arrived, the query decoded into its parameters,
    # which botocore encodes into the canonical form itself.
    raw_path = (req.environ.get("RAW_URI") or req.path).split("?", 1)[0]
    params = parse_qsl(req.query_string.decode("latin-1"), keep_blank_values=True)
    aws = AWSRequest(method=req.method, url=f"http://{req.host}{raw_path}", data=body,
                     headers=headers, params=params)
    aws.context["timestamp"] = req.headers.get("X-Amz-Date", "")
    creds = Credentials(match["key"], secret, req.headers.get("X-Amz-Security-Token"))
    signer = SigV4Auth(creds, match["service"], match["region"])
    canonical = signer.canonical_request(aws)
    expected = signer.signature(signer.string_to_sign(aws, canonical), aws)
    if expected != match["sig"]:
        return 403, {"message": "SignatureDoesNotMatch", "canonical_request": canonical}
    return 200, {"verified": True, "access_key_id": match["key"], "region": match["region"],
                 "service": match["service"], "signed_headers": signed,
                 "session_token": "x-amz-security-token" in signed}


def start_sigv4_server(keys: dict[str, str]) -> SigV4Server:
    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        req = Request(environ)
        status, payload = _verify(req, req.get_data(), keys)
        resp = Response(json.dumps(payload), status=status, mimetype="application/json")
        return resp(environ, start_response)

    running = start_wsgi(app)
    return SigV4Server(running.base_url, keys, running.stop)
