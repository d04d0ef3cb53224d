"""What the jobs domain sends the internal `results` function."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from files.models.files import Completion, FileCreate

UserId = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.@:-]+$")]


class RegisterResult(BaseModel):
    """A job's result file, to be uploaded into the owner's store."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["register"]
    user_id: UserId = Field(description="Whose job it is: the file is theirs.")
    job_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    file: FileCreate


class CompleteResult(BaseModel):
    """Every part of a result's upload, as uploaded."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["complete"]
    user_id: UserId
    file_id: str = Field(pattern=r"^[0-9a-f-]{36}$")
    completion: Completion


class ResultCall(BaseModel):
    """One call of the `results` function."""

    call: Annotated[RegisterResult | CompleteResult, Field(discriminator="action")]
