"""Types shared by the registry's models."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import BaseModel, BeforeValidator, Field, HttpUrl, TypeAdapter, ValidationError
from pydantic_core import PydanticCustomError

from fip_core.fields import MultiLineText, SingleLineText, single_line
from fip_core.outbound.policy import OUTBOUND_FAILURES

_HTTP_URL = TypeAdapter(HttpUrl)


class ApiType(StrEnum):
    """The API an imputation service speaks."""

    MICHIGAN = "michigan"  # Cloudgene API v2: Michigan, TOPMed, H3Africa imputation servers
    GA4GH_WES = "ga4gh_wes"  # GA4GH Workflow Execution Service


class GenomeBuild(StrEnum):
    """Reference genome builds the imputation servers know."""

    HG19 = "hg19"
    HG38 = "hg38"


class HealthStatus(StrEnum):
    """What the last check of a service found."""

    HEALTHY = "healthy"
    UNHEALTHY = "unhealthy"
    UNKNOWN = "unknown"


PROBE_ERRORS = (
    *OUTBOUND_FAILURES,
    "not JSON",
    "not a Cloudgene answer",
    "not a WES answer",
    "in maintenance",
    "check failed",
)
# plain words (a unit test holds them to it), so that the pattern needs no escapes, which not every
# JSON Schema dialect reads alike
ProbeError = Annotated[
    str,
    Field(
        max_length=32,
        pattern="^(" + "|".join(PROBE_ERRORS) + "|HTTP [1-5][0-9][0-9])$",
        description="Why the service is unhealthy, in a few fixed words: "
        + ", ".join(f"'{kind}'" for kind in PROBE_ERRORS)
        + ", or 'HTTP <status>' for an answer that is not a success. 'blocked address' means the host is or "
        "resolves to an address that is not globally routable (loopback, private, link-local...), which the "
        "platform never calls; 'not HTTPS' that plain http:// is refused.",
        examples=["timed out", "HTTP 503"],
    ),
]


def _web_url(value: Any) -> str:
    if isinstance(value, str):
        single_line(value)  # the URL parser would drop tabs and newlines and accept what the document refuses
    try:
        return str(_HTTP_URL.validate_python(value))
    except ValidationError as error:
        raise PydanticCustomError(
            "url_parsing", "{reason}; give a full http:// or https:// URL", {"reason": error.errors()[0]["msg"]}
        ) from None


def _base_url(value: Any) -> str:
    url = _web_url(value)
    parts = urlsplit(url)
    if parts.username or parts.password:
        raise PydanticCustomError(
            "url_credentials", "must not contain credentials; per-user tokens are stored separately"
        )
    if parts.query or parts.fragment:
        raise PydanticCustomError("url_base", "must be a base URL without query string or fragment")
    return url.rstrip("/")


BaseUrl = Annotated[
    str,
    BeforeValidator(_base_url),
    Field(
        max_length=2048,
        json_schema_extra={"format": "uri"},
        description="Root URL of the service, e.g. https://impute.afrigen-d.org or https://wes.example.org/ga4gh/wes/v1",
    ),
]
WebUrl = Annotated[str, BeforeValidator(_web_url), Field(max_length=2048, json_schema_extra={"format": "uri"})]
Slug = Annotated[
    str,
    Field(
        min_length=2,
        max_length=63,
        pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$",
        description="Lower-case letters, digits and single hyphens, e.g. 'h3africa-imputation'.",
    ),
]
Text = Annotated[MultiLineText, Field(max_length=4000)]
Name = Annotated[SingleLineText, Field(min_length=1, max_length=200)]


def check_changes(model: BaseModel, not_null: tuple[str, ...]) -> None:
    """A partial update names at least one field, and none of these as null."""
    if not model.model_fields_set:
        raise ValueError("give at least one field to change")
    for required in not_null:
        if required in model.model_fields_set and getattr(model, required) is None:
            raise ValueError(f"{required} cannot be null")


def check_unique(values: list[Any] | None, what: str) -> None:
    """Each value listed once."""
    if values is not None and len(set(values)) != len(values):
        raise ValueError(f"list each {what} once")
