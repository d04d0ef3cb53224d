"""Typed domain errors and their problem-JSON bodies (RFC 9457).

Handlers raise these; one place (`fip_core.http`) turns them into responses, so no status code is
ever guessed from a message.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from pydantic import BaseModel, Field

PROBLEM_CONTENT_TYPE = "application/problem+json"


class FieldProblem(BaseModel):
    """One thing wrong with one part of a request."""

    location: str = Field(description="Where: 'body.base_url', 'query.limit', 'path.service_id'.")
    message: str = Field(description="What is wrong and what is expected instead.")
    type: str = Field(description="Machine-readable kind of error, e.g. 'missing', 'url_parsing'.")


class Problem(BaseModel):
    """An error answer: `status`, `title` and `detail` as the GA4GH Error schema also requires."""

    type: str = Field(default="about:blank", description="URI identifying the kind of problem.")
    title: str = Field(description="Short summary of the kind of problem.")
    status: int = Field(description="The HTTP status code of this answer.")
    detail: str | None = Field(default=None, description="What went wrong this time and how to fix it.")
    errors: list[FieldProblem] | None = Field(default=None, description="Field-level problems, for 422.")
    correlation_id: str | None = Field(default=None, description="Quote this when asking for help.")


class DomainError(Exception):
    """An error a caller can act on; subclasses fix its HTTP status and title."""

    status: HTTPStatus = HTTPStatus.BAD_REQUEST
    title: str = "Bad request"

    def __init__(self, detail: str, *, errors: list[FieldProblem] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors

    def to_problem(self) -> Problem:
        """The problem body that describes this error."""
        return Problem(title=self.title, status=int(self.status), detail=self.detail, errors=self.errors)


class UnauthenticatedError(DomainError):
    """No valid credentials came with the request."""

    status = HTTPStatus.UNAUTHORIZED
    title = "Unauthorized"


class ForbiddenError(DomainError):
    """The caller is known but may not do this."""

    status = HTTPStatus.FORBIDDEN
    title = "Forbidden"


class NotFoundError(DomainError):
    """The resource does not exist (or the caller may not know that it does)."""

    status = HTTPStatus.NOT_FOUND
    title = "Not found"


class ConflictError(DomainError):
    """The request clashes with what is stored, e.g. a duplicate unique name."""

    status = HTTPStatus.CONFLICT
    title = "Conflict"


class UnprocessableError(DomainError):
    """The request is well-formed but breaks a rule of the domain."""

    status = HTTPStatus.UNPROCESSABLE_ENTITY
    title = "Invalid request"


class TooManyRequestsError(DomainError):
    """The caller tried too often; waiting helps."""

    status = HTTPStatus.TOO_MANY_REQUESTS
    title = "Too many requests"


class UnavailableError(DomainError):
    """A service this request depends on did not answer; trying again later helps."""

    status = HTTPStatus.SERVICE_UNAVAILABLE
    title = "Service unavailable"
    retry_after_seconds: int | None = None  # when set, answered as `Retry-After`


def field_problems(errors: list[dict[str, Any]]) -> list[FieldProblem]:
    """Field problems from pydantic's error list, without echoing the input back."""
    problems = []
    for error in errors:
        location = ".".join(str(part) for part in error.get("loc", ()))
        message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
        problems.append(FieldProblem(location=location or "body", message=message, type=error["type"]))
    return problems
