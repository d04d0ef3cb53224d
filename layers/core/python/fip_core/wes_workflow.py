"""The workflow a GA4GH WES service runs for an imputation job, as the registry records it and the jobs
domain sends it (`POST /runs`, WES 1.0/1.1: `workflow_url`, `workflow_type`, `workflow_type_version`,
`workflow_params`, `workflow_engine`/`_version` (1.1), `workflow_engine_parameters`, `tags`,
`workflow_attachment`).

`params_template` is the run's `workflow_params` document, with the job's values placed by name: a
string that is exactly `{{name}}` becomes that value (a CWL `File` for `{{file}}`, a list for
`{{files}}` and `{{file_urls}}`, a number for `{{r2_filter}}`, null when the job gives none). That is
all the template does: no expressions, no text built around a placeholder, nothing evaluated. The
registry (on every write) and the jobs domain (on every read) hold a workflow to this model.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from fip_core.fields import SingleLineText

# one input file as a CWL File (`{"class": "File", "location": <url>, "basename": <name>}`) or its URL;
# a workflow naming one of these takes exactly one file a run
ONE_FILE = frozenset({"file", "file_url"})
# every input file, as CWL Files or as URLs
ALL_FILES = frozenset({"files", "file_urls"})
VALUES = frozenset({"name", "panel", "build", "phasing", "population", "r2_filter", "mode"})
PLACEHOLDERS = ONE_FILE | ALL_FILES | VALUES
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
_TEMPLATE_BYTES = 16_384  # a parameters document is a few lines; a bigger one is a mistake
_TEMPLATE_DEPTH = 8
_ATTACHMENT_BYTES = 262_144  # in all: the workflow documents travel with every run
_NAME = r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,254}$"  # a plain file name, as sapporo stores it in the run's folder
_WORD = r"^[A-Za-z0-9][A-Za-z0-9._+-]*$"

Word = Annotated[str, Field(min_length=1, max_length=64, pattern=_WORD)]


class WesWorkflow(BaseModel):
    """Which workflow a WES service runs for an imputation job, and how the run's parameters are filled."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    workflow_url: Annotated[SingleLineText, Field(min_length=1, max_length=2048)] = Field(
        description="The workflow's URL as the WES node reads it (`https://...`), or the name of one of "
        "`attachments` (sent with the run; the node resolves it in the run's folder).",
        examples=["imputation.cwl", "https://example.org/workflows/impute.cwl"],
    )
    workflow_type: Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Z][A-Za-z0-9_-]*$")] = Field(
        description="The workflow language as the node's service-info names it.", examples=["CWL", "WDL", "NFL"]
    )
    workflow_type_version: Word = Field(examples=["v1.2", "1.0", "DSL2"])
    workflow_engine: Word | None = Field(
        default=None,
        description="The engine to run it (WES 1.1; sapporo requires it, e.g. `cwltool`).",
        examples=["cwltool"],
    )
    workflow_engine_version: Word | None = None
    workflow_engine_parameters: dict[Annotated[str, Field(max_length=128)], Annotated[str, Field(max_length=1024)]] = (
        Field(default_factory=dict, max_length=50, description="Sent as the run's `workflow_engine_parameters`.")
    )
    tags: dict[Annotated[str, Field(max_length=128)], Annotated[str, Field(max_length=1024)]] = Field(
        default_factory=dict, max_length=50, description="Sent as the run's `tags`, with the job's name."
    )
    params_template: dict[str, Any] = Field(
        description="The run's `workflow_params`, with the job's values in strings that are exactly one of "
        + ", ".join(f"`{{{{{name}}}}}`" for name in sorted(PLACEHOLDERS))
        + ". `{{file}}`/`{{file_url}}` place the only input (a CWL File / its presigned HTTPS URL: the "
        "workflow then takes one file a run), `{{files}}`/`{{file_urls}}` every input as a list. The inputs "
        "must be placed somewhere.",
        examples=[{"vcf": "{{file}}", "panel": "{{panel}}", "build": "{{build}}", "r2": "{{r2_filter}}"}],
    )
    attachments: dict[Annotated[str, Field(pattern=_NAME)], str] = Field(
        default_factory=dict,
        max_length=20,
        description="Files sent with every run as `workflow_attachment` (name: text), e.g. the workflow "
        "document that `workflow_url` names.",
    )

    @model_validator(mode="after")
    def _sound(self) -> WesWorkflow:
        placed = _placeholders(self.params_template, 1)
        if not placed & (ONE_FILE | ALL_FILES):
            raise PydanticCustomError(
                "wes_template_inputs",
                "params_template must place the input files: put {{file}}, {{file_url}}, {{files}} or "
                "{{file_urls}} where the workflow takes them",
            )
        if len(json.dumps(self.params_template)) > _TEMPLATE_BYTES:
            raise PydanticCustomError("wes_template_size", f"params_template is larger than {_TEMPLATE_BYTES} bytes")
        if sum(len(text.encode()) for text in self.attachments.values()) > _ATTACHMENT_BYTES:
            raise PydanticCustomError("wes_attachments_size", f"attachments exceed {_ATTACHMENT_BYTES} bytes in all")
        if "://" not in self.workflow_url and self.workflow_url not in self.attachments:
            raise PydanticCustomError(
                "wes_workflow_url",
                "workflow_url is neither a URL (https://...) nor the name of one of attachments: attach the "
                "workflow under that name, or give its URL",
            )
        if "://" in self.workflow_url and not self.workflow_url.startswith(("https://", "http://")):
            raise PydanticCustomError("wes_workflow_url", "workflow_url must be an https:// (or http://) URL")
        return self

    @property
    def takes_one_file(self) -> bool:
        """Whether the parameters name a single input (`{{file}}`, `{{file_url}}`): a run takes one file."""
        return bool(_placeholders(self.params_template, 1) & ONE_FILE)


def placeholder(value: Any) -> str | None:
    """The name of the placeholder a template value is (`"{{panel}}"` is `panel`), or None."""
    if isinstance(value, str):
        whole = _PLACEHOLDER.fullmatch(value)
        if whole:
            return whole.group(1)
    return None


def _placeholders(template: Any, depth: int) -> set[str]:
    """The placeholders a template uses; refuses what is not a plain value or a whole, known placeholder."""
    if depth > _TEMPLATE_DEPTH:
        raise PydanticCustomError("wes_template_depth", f"params_template nests deeper than {_TEMPLATE_DEPTH} levels")
    if isinstance(template, dict):
        return set().union(*(_placeholders(item, depth + 1) for item in template.values()))
    if isinstance(template, list):
        return set().union(*(_placeholders(item, depth + 1) for item in template))
    if isinstance(template, str) and "{{" in template:
        name = placeholder(template)
        if name is None:
            raise PydanticCustomError(
                "wes_template_text",
                "'{text}': a placeholder is a whole string such as \"{{panel}}\"; text around it is not filled",
                {"text": template[:80]},
            )
        if name not in PLACEHOLDERS:
            raise PydanticCustomError(
                "wes_template_placeholder",
                "unknown placeholder {{{name}}}; known: {known}",
                {"name": name, "known": ", ".join(sorted(PLACEHOLDERS))},
            )
        return {name}
    return set()
