"""HTTP API (API Gateway v2) resolvers with validation and problem-JSON errors everywhere."""

from __future__ import annotations

from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any, cast

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError as RouteNotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from fip_core.access import Principal, check_access, principal_from_event
from fip_core.database import DatabaseUnavailableError
from fip_core.declaration import DomainDeclaration
from fip_core.observability import Observability
from fip_core.problems import (
    PROBLEM_CONTENT_TYPE,
    DomainError,
    FieldProblem,
    Problem,
    UnauthenticatedError,
    field_problems,
)
from fip_core.tasks import LambdaHandler


def problem_response(problem: Problem, correlation_id: str | None = None) -> Response[Any]:
    """A problem-JSON response carrying the problem's own status code."""
    problem.correlation_id = correlation_id
    return Response(
        status_code=problem.status,
        content_type=PROBLEM_CONTENT_TYPE,
        body=problem.model_dump_json(exclude_none=True),
    )


def problem_responses(*statuses: int) -> dict[int, OpenAPIResponse]:
    """The OpenAPI `responses` of a route that may answer these statuses, and 422, with a problem body."""
    return {
        status: OpenAPIResponse(
            description=HTTPStatus(status).phrase, content={PROBLEM_CONTENT_TYPE: {"model": Problem}}
        )
        for status in (*statuses, 422)
    }


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


def create_resolver(obs: Observability) -> APIGatewayHttpResolver:
    """A resolver that validates requests from type hints and answers every error as problem JSON."""
    app = APIGatewayHttpResolver(enable_validation=True)
    logger = obs.logger

    @app.exception_handler(DomainError)
    def domain_error(error: DomainError) -> Response[Any]:
        logger.info("request refused", extra={"status": int(error.status), "detail": error.detail})
        return problem_response(error.to_problem(), logger.get_correlation_id())

    @app.exception_handler(DatabaseUnavailableError)
    def database_unavailable(error: DatabaseUnavailableError) -> Response[Any]:
        # a paused cluster resuming, a connection refused or timed out: the client should come back soon
        logger.warning("database unavailable", extra={"cause": repr(error.__cause__)})
        response = problem_response(error.to_problem(), logger.get_correlation_id())
        response.headers["Retry-After"] = str(error.retry_after_seconds)
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


def current_principal(app: APIGatewayHttpResolver) -> Principal:
    """The signed-in caller of the request being handled."""
    principal = principal_from_event(app.current_event.raw_event)
    if principal is None:
        raise UnauthenticatedError("sign in and send the token as 'Authorization: Bearer <token>'")
    return principal


def source_ip(app: APIGatewayHttpResolver) -> str | None:
    """The caller's IP address as API Gateway saw it."""
    return str(app.current_event.request_context.http.source_ip or "") or None


def api_handler(app: APIGatewayHttpResolver, obs: Observability, declaration: DomainDeclaration) -> LambdaHandler:
    """The Lambda entry point of an HTTP API function, with Powertools in the house order.

    Before a route runs, the caller is checked against the route's declared access rule; routes
    not declared (API Gateway's `$default`) reach the resolver, which has nothing to serve them.
    """

    @obs.logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True)
    @obs.metrics.log_metrics(capture_cold_start_metric=obs.cold_start_metric)
    @obs.tracer.capture_lambda_handler
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        refused = _non_json_body(event) or _refused_access(declaration, event)
        if refused is not None:
            problem = problem_response(refused, obs.logger.get_correlation_id())
            return {
                "statusCode": problem.status_code,
                "headers": {"Content-Type": PROBLEM_CONTENT_TYPE},
                "body": problem.body,
            }
        return app.resolve(event, context)

    return cast(LambdaHandler, handler)


def _refused_access(declaration: DomainDeclaration, event: dict[str, Any]) -> Problem | None:
    access = declaration.access(str(event.get("routeKey", "")))
    if access is None:
        return None
    try:
        check_access(access, principal_from_event(event), event.get("pathParameters") or {}, datetime.now(UTC))
    except DomainError as refusal:
        return refusal.to_problem()
    return None


def _non_json_body(event: dict[str, Any]) -> Problem | None:
    # the resolver would parse form and multipart bodies too; this API speaks JSON only
    headers = {key.lower(): value for key, value in (event.get("headers") or {}).items()}
    media_type = (headers.get("content-type") or "").split(";")[0].strip().lower()
    if not event.get("body") or not media_type or media_type == "application/json" or media_type.endswith("+json"):
        return None
    return Problem(
        title="Unsupported media type",
        status=int(HTTPStatus.UNSUPPORTED_MEDIA_TYPE),
        detail=f"the body was sent as '{media_type}'; send JSON with 'Content-Type: application/json'",
    )
