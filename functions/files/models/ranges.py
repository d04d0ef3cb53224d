"""What the internal `validate-range` function is asked: one byte range of a stored object."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from files.validation import Header, Limits

Offset = Annotated[StrictInt, Field(ge=0)]


class RangeLimits(BaseModel):
    """The validator's limits, as the splitting function has them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_samples: Annotated[StrictInt, Field(ge=1)]
    max_samples: Annotated[StrictInt, Field(ge=1)]
    max_line_bytes: Annotated[StrictInt, Field(ge=1)]

    def limits(self) -> Limits:
        """As the validator takes them."""
        return Limits(**self.model_dump())


class RangeRequest(BaseModel):
    """Validate the blocks that begin in [start, end) of the object at `key` (`end` None: to its end)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(min_length=1, max_length=1024, pattern=r"^users/[^/]+/[^/]+/[^/]+$")
    size: Offset
    start: Offset
    end: Offset | None
    samples: list[str] = Field(max_length=1_000_000, description="The samples of the file's #CHROM line.")
    limits: RangeLimits

    def header(self) -> Header | None:
        """The header the range's records are checked against; the first range reads it itself."""
        return Header(tuple(self.samples)) if self.start else None
