"""GA4GH Workflow Execution Service 1.0/1.1 (specs/wes-1.0.0.swagger.yaml, wes-1.1.0.openapi.yaml).

`POST /runs` as multipart/form-data with `workflow_url`, `workflow_type`, `workflow_type_version`,
`workflow_params` (JSON carrying the inputs' presigned HTTPS URLs, never a file), `tags`,
`workflow_engine_parameters`, `workflow_engine`/`_version` (1.1) and the workflow's attachments;
`GET /runs/{id}/status`, `GET /runs/{id}` (the run log), `POST /runs/{id}/cancel`. Which workflow a
service runs, and how its parameters are filled from a submission, is the service's `WesWorkflow`
(`fip_core.wes_workflow`), which the registry records and its `submission` function answers.

sapporo-service's quirks, tolerated (sapporo 2.4.0, sapporo/schemas.py, routers.py, factory.py):
- it requires `workflow_engine` in the form (routers.run_workflow), where the spec has it optional:
  a `WesWorkflow` names its engine, and it is sent whenever named;
- `RunLog.outputs` is a list of `{file_name, file_url}` (schemas.RunLog, "changed from a free-form
  object"), where the spec's is an object (for CWL, the output object with `File`s): both are read;
- `run_log.stdout`/`stderr` hold the logs' text (factory.create_log), where the spec has URLs: text is
  read as the service's words, a URL is left alone;
- extra states DELETED and DELETING (schemas.State): a run deleted on the node is cancelled;
- no `/ga4gh/wes/v1` prefix unless `--url-prefix` is set: the adapter takes the API's root as the
  registry found it (`WesDetails.api_url`), with or without the prefix;
- `/runs/{id}/tasks` answers 400: task logs are read only from the run log's `task_logs`.
From docs/external-apis.md: an input URL that answers 404 is not caught by cwltool (the error page
becomes the input), so every input URL is checked to answer before a run is submitted.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from typing import Any
from urllib.parse import urlsplit

from pydantic import SecretStr

from fip_core.outbound.client import OutboundClient
from fip_core.outbound.policy import OutboundError
from fip_core.wes_workflow import WesWorkflow, placeholder
from jobs.adapters.base import (
    ByteSource,
    Download,
    ExternalState,
    ExternalStatus,
    InputFile,
    LogMessage,
    MessageLevel,
    OutputFile,
    ProtocolError,
    ServiceCondition,
    ServiceRefusedError,
    Step,
    Submission,
    UnknownJobError,
)
from jobs.adapters.http import (
    JsonReply,
    Refusals,
    call_json,
    count,
    dicts_in,
    multipart_form,
    output_chunks,
    refusal,
)

STATES: dict[str, ExternalState] = {
    "UNKNOWN": ExternalState.WAITING_FOR_SERVICE,  # the spec's safe default: says nothing, implies nothing
    "QUEUED": ExternalState.QUEUED,
    "INITIALIZING": ExternalState.QUEUED,
    "RUNNING": ExternalState.RUNNING,
    "PAUSED": ExternalState.WAITING_FOR_SERVICE,
    "COMPLETE": ExternalState.COMPLETED,
    "EXECUTOR_ERROR": ExternalState.FAILED,
    "SYSTEM_ERROR": ExternalState.FAILED,
    "CANCELED": ExternalState.CANCELLED,
    "CANCELING": ExternalState.RUNNING,  # still stopping: not finished until CANCELED
    "PREEMPTED": ExternalState.WAITING_FOR_SERVICE,  # 1.1: the system took the capacity back; may resume
    "DELETED": ExternalState.CANCELLED,  # sapporo
    "DELETING": ExternalState.CANCELLED,  # sapporo
}
_RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_STDERR_LINES = 20  # the last lines of a failed run's stderr kept as its error
_LISTED = 1000  # the most outputs kept from one answer
# ErrorResponse statuses (WES 1.1): 401 and 403 an unauthorised caller, 404 an unknown run
REFUSALS = Refusals(bad_token=frozenset({401, 403}), unknown=frozenset({404}))


def run_request(
    workflow: WesWorkflow, submission: Submission
) -> tuple[list[tuple[str, str]], list[tuple[str, InputFile]]]:
    """The form fields and attached files of the `POST /runs` (RunRequest, multipart/form-data) that runs
    the workflow on this submission: the spec's fields, the engine whenever the workflow names one
    (sapporo requires it), the job's name among the tags, the workflow's documents as
    `workflow_attachment`."""
    fields = [
        ("workflow_url", workflow.workflow_url),
        ("workflow_type", workflow.workflow_type),
        ("workflow_type_version", workflow.workflow_type_version),
        ("workflow_params", json.dumps(fill_params(workflow.params_template, submission))),
    ]
    if workflow.workflow_engine:
        fields.append(("workflow_engine", workflow.workflow_engine))
    if workflow.workflow_engine_version:
        fields.append(("workflow_engine_version", workflow.workflow_engine_version))
    if workflow.workflow_engine_parameters:
        fields.append(("workflow_engine_parameters", json.dumps(workflow.workflow_engine_parameters)))
    fields.append(("tags", json.dumps({**workflow.tags, "job_name": submission.name})))
    attachments = [
        ("workflow_attachment", InputFile(name, len(data), source=_bytes_source(data)))
        for name, data in ((name, text.encode()) for name, text in workflow.attachments.items())
    ]
    return fields, attachments


def fill_params(template: Any, submission: Submission) -> Any:
    """The template with every placeholder (a string that is exactly `{{name}}`) replaced by the job's value."""
    return _filled(template, _values(submission))


def _filled(template: Any, values: dict[str, Any]) -> Any:
    if isinstance(template, dict):
        return {key: _filled(item, values) for key, item in template.items()}
    if isinstance(template, list):
        return [_filled(item, values) for item in template]
    name = placeholder(template)
    return template if name is None else values[name]


def _values(submission: Submission) -> dict[str, Any]:
    files = [{"class": "File", "location": file.url, "basename": file.name} for file in submission.files]
    return {
        "files": files,
        "file": files[0] if len(files) == 1 else None,
        "file_url": submission.files[0].url if len(files) == 1 else None,
        "file_urls": [file.url for file in submission.files],
        "name": submission.name,
        "panel": submission.panel,
        "build": submission.build,
        "phasing": submission.phasing,
        "population": submission.population,
        "r2_filter": submission.r2_filter,
        "mode": submission.mode.value,
    }


class WesAdapter:
    """One WES service at `api_url` (its API's root: `{base}/ga4gh/wes/v1`, or the bare base where the node
    serves no prefix, as sapporo does), running `workflow` for every job."""

    def __init__(self, client: OutboundClient, api_url: str, workflow: WesWorkflow) -> None:
        self._client = client
        self.api_url = api_url.rstrip("/")
        self.workflow = workflow

    async def probe(self) -> ServiceCondition:
        """Accepting when service-info answers as WES; the runs it has queued as its load."""
        reply = await call_json(self._client, "GET", f"{self.api_url}/service-info")
        info = reply.document
        if reply.status != 200 or not isinstance(info, dict):
            raise refusal(reply, "service-info request", REFUSALS)
        if not isinstance(info.get("supported_wes_versions"), list):
            raise ProtocolError("service-info is not a WES answer")
        counts = info.get("system_state_counts")
        queued = [counts.get(state) for state in ("QUEUED", "INITIALIZING")] if isinstance(counts, dict) else []
        numbers = [number for number in queued if count(number)]
        return ServiceCondition(True, None, sum(numbers) if numbers else None)

    async def submit(self, submission: Submission, token: SecretStr | None) -> str:
        """Start a run of the service's workflow on the inputs' URLs; its run id."""
        if self.workflow.takes_one_file and len(submission.files) != 1:
            raise ServiceRefusedError(f"this service's workflow takes one file a run, not {len(submission.files)}")
        for file in submission.files:
            await self._check_input(file)
        fields, attachments = run_request(self.workflow, submission)
        content_type, body = multipart_form(self._client, fields, attachments)
        reply = await call_json(
            self._client,
            "POST",
            f"{self.api_url}/runs",
            headers={**_auth(token), "Content-Type": content_type},
            body=body,
        )
        run_id = reply.document.get("run_id") if isinstance(reply.document, dict) else None
        if reply.status == 200 and isinstance(run_id, str) and _RUN_ID.fullmatch(run_id):
            return run_id
        if reply.status == 200:
            raise ProtocolError("the service accepted the run without a usable run_id")
        raise refusal(reply, "run request", REFUSALS)

    async def status(self, external_id: str, token: SecretStr | None) -> ExternalStatus:
        """The run's state; for a failed run, its run log's words as well."""
        reply = await call_json(self._client, "GET", self._run_url(external_id, "/status"), headers=_auth(token))
        state = _state(_document(reply, "status request"))
        if STATES[state] is ExternalState.FAILED:
            return run_status(external_id, await self.run_log(external_id, token))
        return _status(external_id, state)

    async def cancel(self, external_id: str, token: SecretStr | None) -> ExternalStatus:
        """Ask the service to cancel the run (POST, as the spec has it); its status right after."""
        reply = await call_json(self._client, "POST", self._run_url(external_id, "/cancel"), headers=_auth(token))
        _document(reply, "cancel request")
        return await self.status(external_id, token)

    async def list_outputs(self, external_id: str, token: SecretStr | None) -> list[OutputFile]:
        """The files the run log lists as its outputs, in the spec's form or sapporo's."""
        return outputs_of(await self.run_log(external_id, token))

    def fetch_output(self, output: OutputFile, token: SecretStr | None) -> AbstractAsyncContextManager[Download]:
        """The file's bytes as they arrive; the token goes only to the service's own origin."""
        headers = _auth(token) if _origin(output.url) == _origin(self.api_url) else {}
        return output_chunks(self._client, output, headers, REFUSALS)

    async def run_log(self, external_id: str, token: SecretStr | None) -> dict[str, Any]:
        """The run's RunLog as the service sends it (its request, state, logs and outputs)."""
        reply = await call_json(self._client, "GET", self._run_url(external_id, ""), headers=_auth(token))
        return _document(reply, "run log request")

    async def _check_input(self, file: InputFile) -> None:
        if file.url is None:
            raise ServiceRefusedError(f"a WES node fetches its inputs itself: {file.name} needs a presigned URL")
        try:
            async with self._client.stream("GET", file.url, headers={"Range": "bytes=0-0"}) as answer:
                if answer.status not in (200, 206):
                    raise ServiceRefusedError(f"the input file {file.name} does not answer at its URL")
        except OutboundError as error:
            raise ServiceRefusedError(f"the input file {file.name} could not be reached ({error.kind})") from error

    def _run_url(self, external_id: str, suffix: str) -> str:
        if not _RUN_ID.fullmatch(external_id):
            raise UnknownJobError(f"{external_id!r} is not a WES run id")
        return f"{self.api_url}/runs/{external_id}{suffix}"


def run_status(external_id: str, run_log: dict[str, Any]) -> ExternalStatus:
    """A RunLog in the platform's words: its state, a step for the run and one per task log, and for a
    failed run the exit code and the last lines of stderr as its error."""
    state = _state(run_log)
    found = run_log.get("run_log")
    log: dict[str, Any] = found if isinstance(found, dict) else {}
    steps = [_step("workflow run", log, STATES[state])]
    steps += [
        _step(str(task.get("name") or "task"), task, STATES[state]) for task in dicts_in(run_log.get("task_logs"))
    ]
    error = None
    if STATES[state] is ExternalState.FAILED:
        stderr = _log_text(log.get("stderr"))
        tail = [line for line in (stderr or "").splitlines() if line.strip()][-_STDERR_LINES:]
        code = log.get("exit_code")
        error = "\n".join([f"{state}, exit code {code}" if isinstance(code, int) else state, *tail])
    return _status(external_id, state, steps=tuple(steps), error=error)


def outputs_of(run_log: dict[str, Any]) -> list[OutputFile]:
    """Output files from `outputs`: sapporo's list of `{file_name, file_url}` or the spec's object (a CWL
    output object: its `File`s, alone or in lists)."""
    outputs = run_log.get("outputs")
    found = []
    if isinstance(outputs, list):
        for item in dicts_in(outputs):
            name, url = item.get("file_name"), item.get("file_url")
            if isinstance(name, str) and isinstance(url, str) and _web_url(url):
                found.append(OutputFile(name=name, url=url))
    elif isinstance(outputs, dict):
        for key, value in list(outputs.items())[:_LISTED]:
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict) and item.get("class") == "File" and _web_url(item.get("location")):
                    url = str(item["location"])
                    name = item.get("basename") if isinstance(item.get("basename"), str) else url.rsplit("/", 1)[-1]
                    size = item.get("size")
                    found.append(
                        OutputFile(name=str(name), url=url, size_bytes=size if count(size) else None, group=key)
                    )
    return found


def _status(external_id: str, state: str, *, steps: tuple[Step, ...] = (), error: str | None = None) -> ExternalStatus:
    ours = STATES[state]
    progress = 100 if ours is ExternalState.COMPLETED else 0 if ours is ExternalState.QUEUED else None
    return ExternalStatus(external_id, ours, state, progress=progress, steps=steps, error=error)


def _step(name: str, log: dict[str, Any], state: ExternalState) -> Step:
    messages = []
    code = log.get("exit_code")
    if isinstance(code, int) and not isinstance(code, bool):
        messages.append(LogMessage(f"exit code {code}", MessageLevel.INFO if code == 0 else MessageLevel.ERROR))
    stderr = _log_text(log.get("stderr"))
    if stderr:
        level = MessageLevel.ERROR if state is ExternalState.FAILED else MessageLevel.INFO
        messages.append(LogMessage(stderr[-4000:], level))
    return Step(name, tuple(messages))


def _log_text(value: Any) -> str | None:
    """A log's text (sapporo sends it), not a URL to it (the spec's form)."""
    return value if isinstance(value, str) and not _web_url(value) else None


def _state(document: dict[str, Any]) -> str:
    state = document.get("state")
    if not isinstance(state, str) or state not in STATES:
        raise ProtocolError(f"the run's state {state!r} is not one WES has")
    return state


def _document(reply: JsonReply, what: str) -> dict[str, Any]:
    if reply.status == 200 and isinstance(reply.document, dict):
        return reply.document
    raise refusal(reply, what, REFUSALS)


def _auth(token: SecretStr | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token.get_secret_value()}"} if token is not None else {}


def _bytes_source(data: bytes) -> ByteSource:
    async def source() -> AsyncIterator[bytes]:
        yield data

    return source


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def _web_url(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(("https://", "http://")) and len(value) <= 4096
