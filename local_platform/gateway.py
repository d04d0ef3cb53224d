"""The local stand-in for the API Gateway HTTP API: routes a request to its domain's API function as a
payload 2.0 event and turns the function's answer back into an HTTP response.

`Gateway` holds the logic and touches no socket; `GatewayServer` puts it behind a threading HTTP
server on loopback.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

from fip_core.catch_all import catch_all_answer
from fip_core.problems import PROBLEM_CONTENT_TYPE, Problem
from local_platform.authorizer import GatewayAuthorizer
from local_platform.docs import DOCS_PATH, OPENAPI_PATH, STATIC_PREFIX, SwaggerUi
from local_platform.events import http_api_event
from local_platform.mailbox import EMAILS_PAGE_PATH, EMAILS_PATH, emails_page
from local_platform.routing import RouteMatch, RouteTable
from local_platform.web_console import WebConsole

MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit
HOP_BY_HOP = frozenset({"connection", "content-length", "keep-alive", "transfer-encoding", "upgrade"})
_TEXT_TYPES = ("text/", "application/json", "application/problem+json", "application/xml", "application/javascript")
_TEXT_SUFFIXES = ("+json", "+xml", "x-www-form-urlencoded")
_NO_CONTENT = frozenset({204, 304})  # statuses that carry no content

log = logging.getLogger(__name__)

Invoke = Callable[[RouteMatch, dict[str, Any]], Any]


class MalformedResultError(ValueError):
    """A function answered something API Gateway could not turn into a response."""


@dataclass
class GatewayResponse:
    """An HTTP response: status, headers in order (a name may repeat) and the body."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """The first value of a header, by case-insensitive name."""
        return next((value for key, value in self.headers if key.lower() == name.lower()), None)


def problem_response(
    status: int, title: str, detail: str, headers: list[tuple[str, str]] | None = None
) -> GatewayResponse:
    """A problem-JSON answer of the gateway itself."""
    body = Problem(title=title, status=status, detail=detail).model_dump_json(exclude_none=True).encode()
    return GatewayResponse(status, [("Content-Type", PROBLEM_CONTENT_TYPE), *(headers or [])], body)


def json_response(document: Any) -> GatewayResponse:
    """A 200 answer with a JSON body."""
    return GatewayResponse(200, [("Content-Type", "application/json")], json.dumps(document).encode())


# API Gateway's own answer to a request it cannot parse; its exact body is not documented
BAD_REQUEST = GatewayResponse(400, [("Content-Type", "application/json")], b'{"message":"Bad Request"}')


def too_large_response(length: int) -> GatewayResponse:
    """413 for a request body over API Gateway's limit."""
    return problem_response(
        int(HTTPStatus.REQUEST_ENTITY_TOO_LARGE),
        "Payload too large",
        f"the request body has {length} bytes; the API accepts at most {MAX_BODY_BYTES}",
    )


def lambda_result_response(result: Any) -> GatewayResponse:
    """The HTTP response API Gateway makes of a function's payload 2.0 answer.

    A dict with `statusCode` is taken field by field; anything else is sent as a 200 JSON body.
    """
    if not isinstance(result, dict) or "statusCode" not in result:
        return json_response(result)
    try:
        status = int(result["statusCode"])
    except (TypeError, ValueError):
        raise MalformedResultError(f"statusCode {result['statusCode']!r} is not a number") from None
    if not 100 <= status <= 599:
        raise MalformedResultError(f"statusCode {status} is not an HTTP status")
    headers: list[tuple[str, str]] = [(str(k), str(v)) for k, v in (result.get("headers") or {}).items()]
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers.extend((str(name), str(value)) for value in values)
    headers.extend(("Set-Cookie", str(cookie)) for cookie in result.get("cookies") or [])
    headers = [(name, value) for name, value in headers if name.lower() not in HOP_BY_HOP]
    return GatewayResponse(status, headers, _result_body(result))


def _result_body(result: dict[str, Any]) -> bytes:
    body = result.get("body")
    if body is None:
        return b""
    if not isinstance(body, str):
        raise MalformedResultError(f"body is a {type(body).__name__}, not a string")
    if result.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True)
        except binascii.Error as error:
            raise MalformedResultError(f"isBase64Encoded is set but the body is not base64: {error}") from None
    return body.encode()


def is_text(content_type: str | None) -> bool:
    """Whether API Gateway passes a body of this type as text rather than base64."""
    media = (content_type or "").split(";")[0].strip().lower()
    return media.startswith(_TEXT_TYPES) or media.endswith(_TEXT_SUFFIXES)


def event_body(body: bytes, content_type: str | None) -> str | bytes | None:
    """The request body as the event carries it: text for textual types, else base64 (bytes here)."""
    if not body:
        return None
    if is_text(content_type):
        try:
            return body.decode()
        except UnicodeDecodeError:
            return body
    return body


def joined_headers(headers: list[tuple[str, str]]) -> dict[str, str]:
    """Request headers as API Gateway passes them: lower-case names, repeated ones joined by commas."""
    joined: dict[str, str] = {}
    for name, value in headers:
        key = name.lower()
        joined[key] = f"{joined[key]},{value}" if key in joined else value
    return joined


class Gateway:
    """Answers one request: the platform's own pages, or a declared route's function."""

    def __init__(
        self,
        routes: RouteTable,
        invoke: Invoke,
        openapi: Callable[[], dict[str, Any]],
        docs: SwaggerUi,
        authorizer: GatewayAuthorizer | None = None,
        mailbox: Callable[[], list[dict[str, Any]] | None] = lambda: None,
        web: WebConsole | None = None,
    ) -> None:
        self.routes = routes
        self.web = web  # the web console at `/`, as CloudFront serves it in the cloud
        self.mailbox = mailbox  # the email the emulator's SES accepted (local_platform.mailbox)
        self.invoke = invoke
        self.openapi = openapi
        self.docs = docs
        self.authorizer = authorizer

    def handle(self, method: str, target: str, headers: list[tuple[str, str]], body: bytes) -> GatewayResponse:
        """The response to a request; `target` is the request line's target, path and query string."""
        raw_path, query = _split_target(target)
        path = gateway_path(raw_path) if raw_path is not None else None
        if path is None:
            return BAD_REQUEST
        own = self._own_page(method, path)
        if own is not None:
            return own
        match = self.routes.match(method, path)
        if match is None:
            # API Gateway sends whatever no route takes to `$default`, whose function answers this
            return lambda_result_response(catch_all_answer(self.routes.catalogue, method, path))
        request_headers = joined_headers(headers)
        event = http_api_event(
            method,
            path,
            route_key=match.route.route_key,
            path_parameters=match.path_parameters,
            query=query,
            body=event_body(body, request_headers.get("content-type")),
            headers=request_headers,
        )
        if self.authorizer is not None:
            refusal = self.authorizer.apply(match, event)
            if refusal is not None:
                return GatewayResponse(refusal.status, [("Content-Type", "application/json")], refusal.body)
        function = f"{match.domain.name}-{match.domain.api_function}"
        try:
            return lambda_result_response(self.invoke(match, event))
        except Exception as error:
            # API Gateway answers a function error without details; the traceback goes to the console
            log.exception("! %s %s: the %s function failed", method, path, function)
            return problem_response(
                int(HTTPStatus.BAD_GATEWAY),
                "Internal Server Error",
                f"the {function} function failed ({type(error).__name__}); the traceback is in the platform's output",
            )

    def _own_page(self, method: str, path: str) -> GatewayResponse | None:
        try:
            return self._platform_page(method, path)
        except Exception as error:
            # a page of the local platform itself (the mailbox reads the emulator): a problem, never a dropped line
            log.exception("! %s %s: the local platform's page failed", method, path)
            return problem_response(
                int(HTTPStatus.INTERNAL_SERVER_ERROR),
                "Internal Server Error",
                f"the local platform could not answer {path} ({type(error).__name__}); the traceback is in its output",
            )

    def _platform_page(self, method: str, path: str) -> GatewayResponse | None:
        console = self.web if self.web is not None and self.web.serves(path) else None
        own = (OPENAPI_PATH, DOCS_PATH, f"{DOCS_PATH}/", EMAILS_PATH, EMAILS_PAGE_PATH)
        if console is None and path not in own and not path.startswith(STATIC_PREFIX):
            return None
        if method != "GET":
            return problem_response(
                int(HTTPStatus.METHOD_NOT_ALLOWED),
                "Method not allowed",
                f"{path} does not answer {method}; it answers GET",
                [("Allow", "GET")],
            )
        if console is not None:
            return self._console(path, console)
        if path == OPENAPI_PATH:
            return json_response(self.openapi())
        if path in (EMAILS_PATH, EMAILS_PAGE_PATH):
            return self._emails(path)
        return self._docs(path)

    def _console(self, path: str, web: WebConsole) -> GatewayResponse:
        found = web.file(path)
        if found is not None:
            return GatewayResponse(200, list(found.headers), found.body)
        if not web.built:
            detail = f"the web console is not built ({web.dist} has no index.html): run `make web`, or `make run`"
        else:
            detail = f"the web console has no file {path}"
        return problem_response(int(HTTPStatus.NOT_FOUND), "Not found", detail)

    def _docs(self, path: str) -> GatewayResponse:
        if path.startswith(STATIC_PREFIX):
            asset = self.docs.asset(path.removeprefix(STATIC_PREFIX))
            if asset is None:
                return problem_response(int(HTTPStatus.NOT_FOUND), "Not found", f"Swagger UI has no file {path}")
            return GatewayResponse(200, [("Content-Type", asset.content_type)], asset.body)
        return GatewayResponse(200, [("Content-Type", "text/html; charset=utf-8")], self.docs.page)

    def _emails(self, path: str) -> GatewayResponse:
        emails = self.mailbox()
        if emails is None:
            return problem_response(
                int(HTTPStatus.NOT_IMPLEMENTED),
                "Not implemented",
                "the email sent is read from the platform's moto; with LocalStack, LocalStack shows it at /_aws/ses",
            )
        if path == EMAILS_PATH:
            return json_response(emails)
        return GatewayResponse(200, [("Content-Type", "text/html; charset=utf-8")], emails_page(emails).encode())


def _split_target(target: str) -> tuple[str | None, str]:
    """The raw path and query string of a request target; no path for a target that is not a path or
    an absolute URL (`*`, `host:port`)."""
    if target.startswith("/"):
        path, _, query = target.partition("?")
        return path, query
    parts = urlsplit(target)
    if parts.scheme in ("http", "https") and parts.netloc:
        return parts.path or "/", parts.query
    return None, ""


def gateway_path(raw_path: str) -> str | None:
    """The path as an HTTP API routes it and hands it to the function, or None where it answers 400.

    Mirrors captures of a live HTTP API (a `$default` route, payload 2.0, published with hotsock/voker's
    ingress probe): the path arrives percent-decoded twice (`%252F` becomes `/`), a `?` produced by the
    first decoding ends the path (`%3F` is cut off there, `%253F` stays as `?`), and a `%` that does not
    start an escape after the first decoding is refused with 400 (`%25do`). Whether API Gateway matches
    routes on this decoded path or on the path as sent is not documented; it is assumed here that it
    matches on the decoded one. Dot segments (`/a/../b`) are kept as ordinary segments: nothing says that
    HTTP APIs resolve them, and kept they can only fill a `{parameter}`, which the route validates.
    """
    once = _strict_unquote(raw_path)
    if once is None:
        return None
    return _strict_unquote(once.partition("?")[0])


def _strict_unquote(text: str) -> str | None:
    if re.search(r"%(?![0-9A-Fa-f]{2})", text):
        return None
    try:
        return unquote(text, errors="strict")
    except UnicodeDecodeError:
        return None


class _BodyTooLargeError(Exception):
    def __init__(self, length: int) -> None:
        super().__init__(length)
        self.length = length


class _GatewayRequestHandler(BaseHTTPRequestHandler):
    """Reads a request off the socket, hands it to the `Gateway` and writes its answer back."""

    server: _GatewayHttpServer
    protocol_version = "HTTP/1.1"

    def __getattr__(self, name: str) -> Any:
        # http.server looks up `do_<METHOD>` and answers an unknown one with its own 501 HTML page; API
        # Gateway takes any method token (TRACE, CONNECT, `post`) and routes it like any other
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def _serve(self) -> None:
        started = time.perf_counter()
        try:
            body = self._read_body()
        except _BodyTooLargeError as error:
            self.close_connection = True  # the rest of the body is never read
            response = too_large_response(error.length)
        except ValueError as error:
            self.close_connection = True
            response = problem_response(int(HTTPStatus.BAD_REQUEST), "Bad request", str(error))
        else:
            response = self.server.gateway.handle(self.command, self.path, list(self.headers.items()), body)
        self._write(response)
        elapsed_ms = (time.perf_counter() - started) * 1000
        if self.server.access_log:
            log.info("%s %s -> %s (%.0f ms)", self.command, self.path, response.status, elapsed_ms)

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked()
        declared = self.headers.get("Content-Length")
        if not declared:
            return b""
        try:
            length = int(declared)
        except ValueError:
            raise ValueError(f"Content-Length {declared!r} is not a number") from None
        if length < 0:
            raise ValueError("Content-Length is negative")
        if length > MAX_BODY_BYTES:
            raise _BodyTooLargeError(length)
        return self.rfile.read(length)

    def _read_chunked(self) -> bytes:
        body = bytearray()
        while True:
            size_line = self.rfile.readline(1024).split(b";")[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError:
                raise ValueError("malformed chunked body") from None
            if size == 0:
                while self.rfile.readline(1024).strip():  # trailers
                    pass
                return bytes(body)
            if len(body) + size > MAX_BODY_BYTES:
                raise _BodyTooLargeError(len(body) + size)
            body += self.rfile.read(size)
            self.rfile.readline(1024)  # the CRLF after each chunk

    def _write(self, response: GatewayResponse) -> None:
        try:
            self.send_response(response.status)
            for name, value in response.headers:
                self.send_header(name, value)
            # RFC 9110 15.3.5 and 15.4.5: a 204 or 304 has no content, nor a length for it; bytes written
            # after one would be read as the start of the next answer on the connection
            if response.status in _NO_CONTENT:
                content = b""
            else:
                content = response.body
                self.send_header("Content-Length", str(len(content)))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD" and content:
                self.wfile.write(content)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client went away; nothing to tell it

    def log_message(self, format: str, *args: Any) -> None:
        """Silenced: `_serve` writes one shorter line per request."""


class _GatewayHttpServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], gateway: Gateway, access_log: bool) -> None:
        super().__init__(address, _GatewayRequestHandler)
        self.gateway = gateway
        self.access_log = access_log


class GatewayServer:
    """The gateway on a loopback port, served from a background thread."""

    def __init__(self, gateway: Gateway, port: int, access_log: bool = True) -> None:
        self._server = _GatewayHttpServer(("127.0.0.1", port), gateway, access_log)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port bound (the one chosen when 0 was asked for)."""
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """The base URL of the API."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start answering requests."""
        self._thread = threading.Thread(target=self._server.serve_forever, name="gateway", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop answering and release the port."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=10)
        self._server.server_close()
