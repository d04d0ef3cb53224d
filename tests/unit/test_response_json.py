"""The API's answers are the JSON Powertools wrote before they were written in one pass
(fip_core.http.JsonInOnePass): same text, byte for byte, for the kinds of values the models hold."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from aws_lambda_powertools.event_handler.middlewares.openapi_validation import OpenAPIResponseValidationMiddleware
from aws_lambda_powertools.event_handler.openapi.compat import ModelField
from aws_lambda_powertools.shared.json_encoder import Encoder
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from fip_core.http import JsonInOnePass


class Colour(StrEnum):
    RED = "red"


class Inner(BaseModel):
    at: datetime
    ratio: float | None


class Answer(BaseModel):
    id: UUID
    name: str
    colour: Colour
    items: list[Inner]
    note: str | None = None


VALUE = Answer(
    id=UUID("4d7efc35-77da-458b-b919-d12c52484e3b"),
    name='Université "Cheikh Anta Diop" ✓\n',
    colour=Colour.RED,
    items=[
        Inner(at=datetime(2026, 12, 1, 16, 59, 46, 123456, tzinfo=UTC), ratio=-33.92),
        Inner(at=datetime(2026, 1, 1, tzinfo=UTC), ratio=None),
    ],
)


def _field(annotation: Any) -> ModelField:
    return ModelField(field_info=FieldInfo(annotation=annotation), name="response", mode="serialization")


def _before(field: ModelField, value: object) -> str:
    dumped = OpenAPIResponseValidationMiddleware()._serialize_response_with_validation(  # noqa: SLF001
        field=field, response_content=value
    )
    return json.dumps(dumped, separators=(",", ":"), cls=Encoder)  # what Powertools' ResponseBuilder does


def test_a_model_is_written_as_before():
    field = _field(Answer)
    after = JsonInOnePass()._serialize_response_with_validation(field=field, response_content=VALUE)  # noqa: SLF001
    assert after == _before(field, VALUE)


def test_a_list_of_models_is_written_as_before():
    field = _field(list[Answer])
    after = JsonInOnePass()._serialize_response_with_validation(field=field, response_content=[VALUE, VALUE])  # noqa: SLF001
    assert after == _before(field, [VALUE, VALUE])
