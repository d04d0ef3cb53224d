"""HTTP API (API Gateway v2) resolvers with validation and problem-JSON errors everywhere."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from http import HTTPStatus
from types import UnionType
from typing import TYPE_CHECKING, Annotated, Any, Union, cast, get_args, get_origin
from uuid import UUID

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.api_gateway import BaseRouter, ResponseBuilder, Route, Router
from aws_lambda_powertools.event_handler.exceptions import NotFoundError as RouteNotFoundError
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.event_handler.middlewares.openapi_validation import OpenAPIResponseValidationMiddleware
from aws_lambda_powertools.event_handler.openapi.compat import ModelField
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.event_handler.openapi.types import (
    OpenAPIResponse,
    OpenAPIResponseContentModel,
    OpenAPIResponseContentSchema,
)
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2
from pydantic import BaseModel
from pydantic_core import PydanticCustomError

from fip_core.access import Access, Principal, check_access, principal_from_event, unavailable_retry_after
from fip_core.declaration import DomainDeclaration
from fip_core.fields import (
    INTEGER,
    MOMENT_MESSAGE,
    NUMBER,
    RFC3339,
    SINGLE_LINE_PATTERN,
    UUID_FORM,
    UUID_MESSAGE,
    single_line,
)
from fip_core.observability import LambdaHandler, Observability
from fip_core.problems import (
    PROBLEM_CONTENT_TYPE,
    DomainError,
    FieldProblem,
    Problem,
    UnauthenticatedError,
    UnavailableError,
    field_problems,
)

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler.openapi.models import OpenAPI, Schema
    from aws_lambda_powertools.utilities.typing import LambdaContext

PRINCIPAL_CONTEXT_KEY = "principal"  # the caller the access check read, kept for the route in the resolver's context


def problem_response(problem: Problem, correlation_id: str | None = None) -> Response[Any]:
    """A problem-JSON response carrying the problem's own status code."""
    problem.correlation_id = correlation_id
    return Response(
        status_code=problem.status,
        content_type=PROBLEM_CONTENT_TYPE,
        body=problem.model_dump_json(exclude_none=True),
    )


def problem_responses(*statuses: int) -> dict[int, OpenAPIResponse]:
    """The OpenAPI `responses` of a route that may answer these statuses, and 422 (invalid input) and
    503 (the database resuming or busy, with `Retry-After`), with a problem body."""
    return {
        status: OpenAPIResponse(
            description=HTTPStatus(status).phrase, content={PROBLEM_CONTENT_TYPE: {"model": Problem}}
        )
        for status in sorted({*statuses, 422, 503})
    }


def answers(status: int, model: Any, *problems: int) -> dict[int, OpenAPIResponse]:
    """The OpenAPI `responses` of a route: its success, with the model of its body (None for none),
    and the problems it may answer. Powertools documents no success once `responses` is given."""
    # no content at all for no body (a 204): Powertools would otherwise document the return annotation
    content: dict[str, OpenAPIResponseContentSchema | OpenAPIResponseContentModel] = (
        {} if model is None else {"application/json": {"model": model}}
    )
    success = OpenAPIResponse(description=HTTPStatus(status).phrase, content=content)
    return {status: success, **problem_responses(*problems)}


def json_response(
    model: BaseModel, status: HTTPStatus = HTTPStatus.OK, headers: dict[str, str] | None = None
) -> Response[Any]:
    """A JSON response from an output model, with an explicit status (201 and the like).

    The model itself is the body so that the resolver validates and serializes it like any other.
    """
    return Response(status_code=int(status), content_type="application/json", body=model, headers=headers)


def no_content() -> Response[Any]:
    """204, for a successful delete."""
    return Response(status_code=int(HTTPStatus.NO_CONTENT), body=None)


class JsonInOnePass(OpenAPIResponseValidationMiddleware):
    """Powertools' response validation, with the validated answer written as JSON text by pydantic in one
    pass: Powertools dumps it to Python values and `json.dumps` then walks them again, together a tenth of
    a warm GET /services?limit=100 (bench/api_warm.py). The text is the same JSON, ASCII-escaped as
    before; a refused answer takes Powertools' own path."""

    def _serialize_response_with_validation(self, *, field: ModelField, response_content: Any, **options: Any) -> Any:
        value, errors = field.validate(value=response_content, loc=("response",))
        if errors or options.get("include") or options.get("exclude"):
            return super()._serialize_response_with_validation(
                field=field, response_content=response_content, **options
            )
        if value is None:
            return None  # no content (a 204), as Powertools answers it: not the JSON text `null`
        # the adapter Powertools' own `ModelField.serialize` dumps with, so the answer is the same
        adapter = field._type_adapter  # noqa: SLF001
        return adapter.dump_json(value, by_alias=True, ensure_ascii=True).decode()


class RouteKeyResolver(APIGatewayHttpResolver):
    """A resolver that runs the route function registered for the route key API Gateway matched, with the
    path parameters API Gateway extracted, and never matches the method and path a second time.

    Powertools' own resolution upper-cases the method and matches the path by regular expression, so a
    request API Gateway sent to one route (or to `$default`: `post`, a percent-encoded path) could run
    another; here the gateway's decision is the only one.
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        if self._enable_validation:
            self._response_validation_middleware = JsonInOnePass()

    def _resolve(self) -> ResponseBuilder[Any]:
        event = self.current_event
        route = self._routes_by_key().get(str(event.raw_event.get("routeKey", "")))
        if route is None:
            return self._handle_not_found(method=event.http_method, path=event.path)
        self.append_context(_route=route, _path=route.openapi_path)  # type: ignore[no-untyped-call]
        return self._call_route(route, dict(event.path_parameters or {}))

    def _routes_by_key(self) -> dict[str, Route]:
        # made once per set of routes (a container's routes are registered as their modules load), not
        # per request; `<name>` in the resolver's syntax is `{name}` in API Gateway's (Route.openapi_path)
        routes = self._static_routes + self._dynamic_routes
        by_key: dict[str, Route] | None = getattr(self, "_by_key", None)
        if by_key is None or len(by_key) != len(routes):
            by_key = self._by_key = {f"{route.method} {route.openapi_path}": route for route in routes}
        return by_key

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> OpenAPI:
        """The OpenAPI document, saying of text parameters what `strict_parameters` enforces."""
        from aws_lambda_powertools.event_handler.openapi.models import Parameter, Schema  # noqa: PLC0415 - docs only

        document: OpenAPI = super().get_openapi_schema(*args, **kwargs)
        for item in (document.paths or {}).values():
            for operation in (item.get, item.put, item.post, item.delete, item.patch):
                for parameter in (operation.parameters if operation is not None else None) or []:
                    if isinstance(parameter, Parameter) and isinstance(parameter.schema_, Schema):
                        _document_parameter(parameter.schema_)
        return document


def strict_json(text: str) -> Any:
    """A request body parsed as RFC 8259 JSON: no NaN or Infinity, no string holding an unpaired
    surrogate (which no database or UTF-8 encoder takes), nothing nested past what Python can walk.

    Every refusal is a `JSONDecodeError`, which the resolver answers as a 422 naming the body.
    """
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", text, 0) from None
    except _NonStandardConstantError as error:
        raise json.JSONDecodeError(f"{error.args[0]} is not JSON", text, 0) from None
    if _holds_unpaired_surrogate(value):
        raise json.JSONDecodeError("a string holds an unpaired surrogate (\\ud800-\\udfff); send UTF-8 text", text, 0)
    return value


class _NonStandardConstantError(ValueError):
    pass


def _refuse_constant(name: str) -> Any:
    raise _NonStandardConstantError(name)


def _holds_unpaired_surrogate(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode()
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _document_parameter(schema: Schema) -> None:
    options = [option for option in schema.anyOf or [schema] if isinstance(option, type(schema))]
    for option in options:
        if option.type == "string" and not (option.format or option.enum or option.pattern):
            option.pattern = SINGLE_LINE_PATTERN
        if option.type == "integer" and not option.format:
            option.format = "int64"  # what a database column or an offset takes


def strict_parameters(app: APIGatewayHttpResolver, next_middleware: NextMiddleware) -> Response[Any]:
    """Refuse query and path values that are not what the OpenAPI document says, before the route runs.

    The resolver validates them in pydantic's lax mode, which takes `0.5` as a moment, `yes` as true,
    `1.0` as an integer and a UUID without hyphens; its document says integer (64 bits, which is what
    SQLite and PostgreSQL take as an offset), boolean, RFC 3339 date-time and UUID. Text values may
    hold no control characters or unpaired surrogates (PostgreSQL refuses NUL, and the document says
    so with a pattern).
    """
    route: Route = app.context["_route"]
    event = app.current_event
    given = [
        ("query", route.dependant.query_params, event.query_string_parameters or {}),
        ("path", route.dependant.path_params, event.path_parameters or {}),
    ]
    errors = [
        {"type": kind, "loc": (location, field.alias), "msg": message, "input": None}
        for location, fields, values in given
        for field in fields
        if field.alias in values
        for kind, message in [_parameter_problem(field.field_info.annotation, str(values[field.alias]))]
        if kind
    ]
    if errors:
        raise RequestValidationError(errors)
    return next_middleware(app)


# the exact form of each type's values as the OpenAPI document gives them
_FORMS: dict[Any, tuple[re.Pattern[str], str, str]] = {
    bool: (re.compile(r"^(true|false)$"), "bool_parsing", "must be true or false"),
    int: (INTEGER, "int_parsing", "must be a whole number written in digits"),
    float: (NUMBER, "float_parsing", "must be a number such as 1.5"),
    datetime: (RFC3339, "datetime_format", MOMENT_MESSAGE),
    UUID: (UUID_FORM, "uuid_parsing", UUID_MESSAGE),
}


def _parameter_problem(annotation: Any, value: str) -> tuple[str, str]:
    """The error type and message for a raw value of a parameter of this type, or empty strings."""
    kind = _value_type(annotation)
    form = _FORMS.get(kind)
    if form is not None:
        pattern, error, message = form
        if not pattern.fullmatch(value):
            return error, message
        if kind is int and not -(2**63) <= int(value) < 2**63:
            return "int_too_large", "must fit in 64 bits (at most 9223372036854775807)"
        return "", ""
    try:
        single_line(value)
    except PydanticCustomError as error:
        return error.type, error.message()
    return "", ""


def _value_type(annotation: Any) -> Any:
    # `Annotated[int, ...] | None` is an int
    if get_origin(annotation) is Annotated:
        return _value_type(get_args(annotation)[0])
    if get_origin(annotation) in (Union, UnionType):
        options = [option for option in get_args(annotation) if option is not type(None)]
        return _value_type(options[0]) if len(options) == 1 else None
    return annotation


def create_resolver(obs: Observability) -> APIGatewayHttpResolver:
    """A resolver that validates requests from type hints and answers every error as problem JSON."""
    app = RouteKeyResolver(enable_validation=True, json_body_deserializer=strict_json)
    app.use([strict_parameters])
    logger = obs.logger

    @app.exception_handler(DomainError)
    def domain_error(error: DomainError) -> Response[Any]:
        retry_after = error.retry_after_seconds if isinstance(error, UnavailableError) else None
        if retry_after is None:
            logger.info("request refused", extra={"status": int(error.status), "detail": error.detail})
        else:
            # a paused cluster resuming, a connection refused or timed out: the client should come back soon
            logger.warning("database unavailable", extra={"cause": repr(error.__cause__)})
        response = problem_response(error.to_problem(), logger.get_correlation_id())
        if retry_after is not None:
            response.headers["Retry-After"] = str(retry_after)
        return response

    @app.exception_handler(RequestValidationError)
    def invalid_request(error: RequestValidationError) -> Response[Any]:
        problems = _validation_problems(error.errors())
        logger.info("invalid request", extra={"errors": [p.model_dump() for p in problems]})
        return problem_response(
            Problem(
                title="Invalid request",
                status=int(HTTPStatus.UNPROCESSABLE_ENTITY),
                detail="; ".join(f"{p.location}: {p.message}" for p in problems),
                errors=problems,
            ),
            logger.get_correlation_id(),
        )

    @app.exception_handler(RequestUnsupportedContentType)
    def unsupported_content_type(_error: RequestUnsupportedContentType) -> Response[Any]:
        return problem_response(
            Problem(
                title="Unsupported media type",
                status=int(HTTPStatus.UNSUPPORTED_MEDIA_TYPE),
                detail="send the body as JSON with 'Content-Type: application/json'",
            ),
            logger.get_correlation_id(),
        )

    @app.not_found
    def route_not_found(_error: RouteNotFoundError) -> Response[Any]:
        request = app.current_event
        return problem_response(
            Problem(
                title="Not found",
                status=int(HTTPStatus.NOT_FOUND),
                detail=f"no route {request.http_method} {request.path}; the API is described at /openapi.json",
            ),
            logger.get_correlation_id(),
        )

    @app.exception_handler(Exception)
    def unexpected(error: Exception) -> Response[Any]:
        logger.exception("unhandled error")
        return problem_response(
            Problem(
                title="Internal error",
                status=int(HTTPStatus.INTERNAL_SERVER_ERROR),
                detail="the request failed on our side and was not applied; quote the correlation id",
            ),
            logger.get_correlation_id(),
        )

    return app


def _validation_problems(errors: Any) -> list[FieldProblem]:
    problems = field_problems(list(errors))
    for problem, error in zip(problems, errors, strict=True):
        if error["type"] == "json_invalid":
            problem.location = "body"
            problem.message = f"the body is not valid JSON ({error.get('ctx', {}).get('error', 'parse error')})"
    return problems


def current_principal(app: BaseRouter) -> Principal:
    """The signed-in caller of the request being handled, as the access check before the route read it."""
    principal: Principal | None = app.context.get(PRINCIPAL_CONTEXT_KEY)
    if principal is None:
        principal = principal_from_event(app.current_event.raw_event)
    if principal is None:
        raise UnauthenticatedError("sign in and send the token as 'Authorization: Bearer <token>'")
    return principal


def source_ip(app: BaseRouter) -> str | None:
    """The caller's IP address as API Gateway saw it."""
    event = cast(APIGatewayProxyEventV2, app.current_event)
    return str(event.request_context.http.source_ip or "") or None


def route_group() -> Router:
    """The router of one module of a domain's routes, which its API function includes when a route of
    the module is first asked for (fip_core.api_function)."""
    return Router()  # type: ignore[no-untyped-call]  # Powertools leaves its constructor unannotated


def api_handler(
    app: APIGatewayHttpResolver,
    obs: Observability,
    declaration: DomainDeclaration,
    load_route: Callable[[str], None] = lambda _route_key: None,
) -> LambdaHandler:
    """The Lambda entry point of an HTTP API function, with Powertools in the house order.

    A route key the domain does not declare (API Gateway's `$default` among them) answers 404 and
    reaches no route. Before a declared route runs, the caller is checked against its access rule and
    the body must be UTF-8 JSON; then `load_route` makes sure the route's code is loaded, and the route
    run is the one registered for that route key. Responses are not recorded in traces
    (fip_core.observability): they carry tokens (sign-in, new API tokens).
    """

    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        route_key = str(event.get("routeKey", ""))
        principal = principal_from_event(event)
        headers = {"Content-Type": PROBLEM_CONTENT_TYPE}
        retry_after = unavailable_retry_after(event)
        if retry_after is not None:
            # the authorizer could not reach the users database: a rare path, so its module loads here
            from fip_core.database import DatabaseUnavailableError  # noqa: PLC0415

            refused: Problem | None = DatabaseUnavailableError(retry_after).to_problem()
            headers["Retry-After"] = str(retry_after)
        else:
            refused = _refusal(declaration.access(route_key), principal, event)
        if refused is not None:
            problem = problem_response(refused, obs.logger.get_correlation_id())
            return {"statusCode": problem.status_code, "headers": headers, "body": problem.body}
        load_route(route_key)
        app.append_context(**{PRINCIPAL_CONTEXT_KEY: principal})  # type: ignore[no-untyped-call]
        return app.resolve(event, context)

    return obs.entry_point(handler, correlation_paths.API_GATEWAY_HTTP)


def _refusal(access: Access | None, principal: Principal | None, event: dict[str, Any]) -> Problem | None:
    """Why the request is answered before any route runs: an undeclared route key, a caller the route's
    rule refuses (checked before the body, so that an anonymous caller learns nothing from it), or a body
    that cannot be read."""
    if access is None:
        http = (event.get("requestContext") or {}).get("http") or {}
        return Problem(
            title="Not found",
            status=int(HTTPStatus.NOT_FOUND),
            detail=f"no route {http.get('method', '')} {event.get('rawPath', '')}; "
            "the API is described at /openapi.json",
        )
    try:
        check_access(access, principal, event.get("pathParameters") or {}, datetime.now(UTC))
    except DomainError as refusal:
        return refusal.to_problem()
    return _unreadable_body(event)


def _unreadable_body(event: dict[str, Any]) -> Problem | None:
    """A problem for a body this API cannot read: not JSON by its media type, not base64 where the event
    says it is, not UTF-8, or text no JSON parser should be trusted with (unpaired surrogates)."""
    body = event.get("body")
    if not body:
        return None
    # the resolver would parse form and multipart bodies too; this API speaks JSON only
    headers = {str(key).lower(): value for key, value in (event.get("headers") or {}).items()}
    media_type = str(headers.get("content-type") or "").split(";")[0].strip().lower()
    if media_type and media_type != "application/json" and not media_type.endswith("+json"):
        return Problem(
            title="Unsupported media type",
            status=int(HTTPStatus.UNSUPPORTED_MEDIA_TYPE),
            detail=f"the body was sent as '{media_type}'; send JSON with 'Content-Type: application/json'",
        )
    try:
        raw = base64.b64decode(str(body), validate=True) if event.get("isBase64Encoded") else str(body).encode()
        raw.decode()
    except binascii.Error:
        return _bad_body("the body is marked as base64 but is not base64")
    except (UnicodeEncodeError, UnicodeDecodeError) as error:
        # str.encode fails on unpaired surrogates, bytes.decode on bytes that are not UTF-8
        return _bad_body(f"the body is not UTF-8 text (at position {error.start}); send JSON in UTF-8")
    return None


def _bad_body(detail: str) -> Problem:
    return Problem(
        title="Bad request",
        status=int(HTTPStatus.BAD_REQUEST),
        detail=detail,
        errors=[FieldProblem(location="body", message=detail, type="body_encoding")],
    )
