"""Lambda's Invoke API on loopback, for the internal functions the domains declare calls to: a
handler calls `boto3.client("lambda").invoke(...)` (`fip_core.calls`) exactly as in the cloud, and
`AWS_ENDPOINT_URL_LAMBDA` brings the call here, to the in-process function runtime (moto's Lambda
would need Docker to run the code).

It answers as Lambda does (API version 2015-03-31): `RequestResponse` with the function's JSON
answer, or `X-Amz-Function-Error: Unhandled` and the error document when it raised; `Event`
(202, run in the background) and `DryRun` (204); `ResourceNotFoundException` (404) for a function
no domain declares; `AccessDeniedException` (403) for a declared function that no call targets.

What it cannot enforce that IAM does: who is calling. Every function here runs in one process with
the same credentials, so any handler could invoke any call target; in the cloud only the roles of
the declared callers may (`infra/stack.py`), and `fip_core.declaration.cross_domain_problems` keeps
the two sides of each call in agreement.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

from fip_core.declaration import DomainDeclaration
from local_platform.config import REGION
from local_platform.events import ACCOUNT

log = logging.getLogger(__name__)

API_PATH = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/invocations$")
# a name, `arn:aws:lambda:<region>:<account>:function:<name>` or `<account>:function:<name>`, maybe with `:<qualifier>`
FUNCTION_ARN = re.compile(
    r"^(?:arn:aws:lambda:[a-z0-9-]+:)?(?:\d{12}:)?(?:function:)?(?P<name>[A-Za-z0-9_-]+)(?::[\w$-]+)?$"
)
MAX_PAYLOAD_BYTES = 6 * 1024 * 1024  # Lambda's limit for a synchronous invocation's request

Invoke = Callable[[str, str, Any], Any]


@dataclass(frozen=True)
class InvokeAnswer:
    """What the API answers: status, headers and body."""

    status: int
    headers: dict[str, str]
    body: bytes


def call_targets(domains: tuple[DomainDeclaration, ...]) -> dict[str, tuple[str, str]]:
    """The functions some declared call targets, by their local name (`users-credentials`)."""
    return {f"{call.domain}-{call.target}": (call.domain, call.target) for domain in domains for call in domain.calls}


class LambdaInvokeApi:
    """Answers Invoke requests by running the declared call targets; touches no socket."""

    def __init__(self, domains: tuple[DomainDeclaration, ...], invoke: Invoke) -> None:
        self._functions = {f"{d.name}-{f.name}" for d in domains for f in d.functions}
        self._targets = call_targets(domains)
        self._invoke = invoke

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> InvokeAnswer:
        """The answer to one request."""
        target = self._target(method, path)
        if isinstance(target, InvokeAnswer):
            return target
        payload = _payload(body)
        if isinstance(payload, InvokeAnswer):
            return payload
        domain, function = target
        match headers.get("x-amz-invocation-type", "RequestResponse"):
            case "RequestResponse":
                return self._run(domain, function, payload)
            case "Event":
                threading.Thread(target=self._run, args=(domain, function, payload), daemon=True).start()
                return InvokeAnswer(HTTPStatus.ACCEPTED, {}, b"")
            case "DryRun":
                return InvokeAnswer(HTTPStatus.NO_CONTENT, {}, b"")
            case other:
                return _error(HTTPStatus.BAD_REQUEST, "InvalidParameterValueException", f"InvocationType {other!r}")

    def _target(self, method: str, path: str) -> tuple[str, str] | InvokeAnswer:
        """The declared call target a request names, or the error answer."""
        found = API_PATH.match(path)
        if method != "POST" or found is None:
            return _error(HTTPStatus.NOT_FOUND, "UnknownOperationException", f"{method} {path} is not an operation")
        arn = FUNCTION_ARN.match(unquote(found["name"]))
        name = arn["name"] if arn else unquote(found["name"])
        if name not in self._functions:
            return _error(HTTPStatus.NOT_FOUND, "ResourceNotFoundException", f"Function not found: {_arn(name)}")
        if name not in self._targets:
            return _error(
                HTTPStatus.FORBIDDEN,
                "AccessDeniedException",
                f"not authorized to perform: lambda:InvokeFunction on resource: {_arn(name)} "
                "(no domain declares a call to it)",
            )
        return self._targets[name]

    def _run(self, domain: str, function: str, payload: Any) -> InvokeAnswer:
        headers = {"Content-Type": "application/json", "X-Amz-Executed-Version": "$LATEST"}
        try:
            result = self._invoke(domain, function, payload)
        except Exception as error:
            log.exception("! %s-%s failed when invoked", domain, function)
            document = {
                "errorMessage": str(error),
                "errorType": type(error).__name__,
                "stackTrace": traceback.format_tb(error.__traceback__),
            }
            return InvokeAnswer(
                HTTPStatus.OK, headers | {"X-Amz-Function-Error": "Unhandled"}, json.dumps(document).encode()
            )
        return InvokeAnswer(HTTPStatus.OK, headers, json.dumps(result).encode())


def _payload(body: bytes) -> Any:
    """The event a request carries (`{}` for none), or the error answer."""
    if len(body) > MAX_PAYLOAD_BYTES:
        return _error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "RequestTooLargeException", "Request must be smaller")
    try:
        return json.loads(body) if body else {}
    except ValueError:
        return _error(HTTPStatus.BAD_REQUEST, "InvalidRequestContentException", "Could not parse request body")


def _arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"


def _error(status: HTTPStatus, code: str, message: str) -> InvokeAnswer:
    # as Lambda's REST-JSON errors: the code in a header and in the body, which botocore reads
    body = json.dumps({"Type": "User", "Message": message, "__type": code}).encode()
    return InvokeAnswer(int(status), {"Content-Type": "application/json", "x-amzn-ErrorType": code}, body)


class LambdaInvokeServer:
    """`LambdaInvokeApi` behind a threading HTTP server on a loopback port."""

    def __init__(self, api: LambdaInvokeApi) -> None:
        handler = type("InvokeRequestHandler", (_RequestHandler,), {"api": api})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="lambda-invoke", daemon=True)

    def start(self) -> None:
        """Serve in a thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and free the port."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


class _RequestHandler(BaseHTTPRequestHandler):
    api: LambdaInvokeApi
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self._answer()

    def do_GET(self) -> None:
        self._answer()

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {key.lower(): value for key, value in self.headers.items()}
        answer = self.api.answer(self.command, self.path.split("?", 1)[0], headers, body)
        self.send_response(answer.status)
        for key, value in answer.headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        self.wfile.write(answer.body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the platform logs invocations that fail."""
