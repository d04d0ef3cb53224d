"""GA4GH service-info 1.0.0 and Service Registry 1.0.0 shapes (camelCase on the wire)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer
from pydantic.alias_generators import to_camel


class _Ga4ghModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, serialize_by_alias=True)

    @model_serializer(mode="wrap")
    def _without_nulls(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # the spec types optional fields as strings: absent is valid, null is not
        return {key: value for key, value in handler(self).items() if value is not None}


class ServiceType(_Ga4ghModel):
    """`group`, `artifact` and `version` of the API a service implements."""

    group: str
    artifact: str
    version: str


class Organization(_Ga4ghModel):
    """Who runs a service."""

    name: str
    url: str


class Service(_Ga4ghModel):
    """A GA4GH service, as `/service-info` describes it."""

    id: str
    name: str
    type: ServiceType
    description: str | None = None
    organization: Organization
    contact_url: str | None = None
    documentation_url: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    environment: str | None = None
    version: str


class ExternalService(Service):
    """A service in the registry, with the base URL its API is relative to."""

    url: str = Field(description="Base URL: `{url}/service-info` answers for GA4GH services.")
