"""The types of what crosses the API, shared by every domain's models, and the exact forms the OpenAPI
document gives values: what `fip_core.http` holds query and path values to as well.

Text refuses control characters and unpaired surrogates (no database or UTF-8 encoder takes the
latter, and neither belongs in a name shown to every user). Pydantic's lax mode would take `0.5` as
a moment, `yes` as true and a UUID without its hyphens; `Moment` and `Uuid` take only what the
document says, and body numbers and booleans use pydantic's strict types (`StrictInt`...), since
JSON already types them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import AfterValidator, BeforeValidator, Field, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

# RFC 3339 `date-time` (OpenAPI `format: date-time`): a full date and time with a zone
RFC3339 = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$"
)
UUID_FORM = re.compile(r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$")
INTEGER = re.compile(r"^-?[0-9]+$")
NUMBER = re.compile(r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$")
MOMENT_MESSAGE = "must be an RFC 3339 date and time with a zone, e.g. 2026-01-31T12:00:00Z"
UUID_MESSAGE = "must be a UUID such as 123e4567-e89b-12d3-a456-426614174000"
# what the OpenAPI document says of text, as JSON Schema (ECMA-262) patterns
SINGLE_LINE_PATTERN = r"^[^\u0000-\u001f\u007f-\u009f]*$"
MULTI_LINE_PATTERN = r"^[^\u0000-\u0008\u000b-\u001f\u007f-\u009f]*$"


# every character of the categories Cc (controls) and Cs (surrogates): a text without one is accepted
# by one search in C, and only the rest is walked character by character to say what and where
_CONTROL_OR_SURROGATE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _text_check(allowed: frozenset[str]) -> Callable[[str], str]:
    def check(value: str) -> str:
        if _CONTROL_OR_SURROGATE.search(value) is None:
            return value
        for position, character in enumerate(value):
            category = unicodedata.category(character)
            if category == "Cs":
                raise PydanticCustomError(
                    "text_surrogate",
                    "must be Unicode text: position {position} holds an unpaired surrogate",
                    {"position": position},
                )
            if category == "Cc" and character not in allowed:
                raise PydanticCustomError(
                    "text_control_character",
                    "must not contain control characters (U+{code} at position {position})",
                    {"code": f"{ord(character):04X}", "position": position},
                )
        return value

    return check


single_line = _text_check(frozenset())
"""Refuses control characters and unpaired surrogates; for fields with a pattern of their own."""
multi_line = _text_check(frozenset("\n\t"))
"""The same, but newline and tab are allowed."""

SingleLineText = Annotated[str, AfterValidator(single_line), Field(json_schema_extra={"pattern": SINGLE_LINE_PATTERN})]
"""A name, a title, an identifier: no control characters at all."""
MultiLineText = Annotated[str, AfterValidator(multi_line), Field(json_schema_extra={"pattern": MULTI_LINE_PATTERN})]
"""A description: newlines and tabs allowed, no other control character."""


def _moment(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise PydanticCustomError("timezone_aware", "must have a time zone")
        return value
    if not isinstance(value, str) or not RFC3339.fullmatch(value):
        raise PydanticCustomError("datetime_format", MOMENT_MESSAGE)
    return value


def _uuid(value: Any) -> Any:
    if not isinstance(value, UUID) and not (isinstance(value, str) and UUID_FORM.fullmatch(value)):
        raise PydanticCustomError("uuid_parsing", UUID_MESSAGE)
    return value


Moment = Annotated[datetime, BeforeValidator(_moment)]
"""An RFC 3339 date-time with a zone (OpenAPI `format: date-time`)."""
Uuid = Annotated[UUID, BeforeValidator(_uuid)]
"""A UUID in its hyphenated form (OpenAPI `format: uuid`)."""


@dataclass(frozen=True)
class Matching:
    """`Annotated` metadata for a string field of a set form: the value must match `pattern` (a JSON Schema
    pattern, which the OpenAPI document shows), and one that does not is told `hint`, which a person can act
    on (pydantic's own message quotes the regular expression). None passes, for optional fields."""

    pattern: str
    hint: str

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        compiled = re.compile(self.pattern)

        def check(value: str | None) -> str | None:
            if value is not None and compiled.search(value) is None:
                raise PydanticCustomError("string_pattern_mismatch", self.hint)
            return value

        return core_schema.no_info_after_validator_function(check, handler(source))

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        return {**handler(schema), "pattern": self.pattern}
