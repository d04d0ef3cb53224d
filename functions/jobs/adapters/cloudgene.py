"""Cloudgene API v2: the Michigan, TOPMed and H3Africa imputation servers.

Shapes and answers as genepi/cloudgene3 (b396bfd) sends them: `JobController` (submit, status, cancel
as a GET), `JobService` (401 for no user, 403 `Access denied.` for another's job, 404 `Job <id> not
found.`, 400 `Only <n> jobs per user can be executed simultaneously.`, 404 `Application '<app>' not
found.`), `blockInMaintenanceMode` (503 `This functionality is currently under maintenance.` on every
job call), `JobResponse`/`StepResponse`/`MessageResponse`/`ParameterOutputResponse`/`DownloadResponse`
(a job's state, steps with `logMessages`, `outputParams[].files[]` with `name`, `hash`, `size` as
text such as "12 MB", `count` of downloads left), `AbstractJob` (states -1 to 10), `DownloadController`
and `DownloadService` (`/share/results/{hash}/{name}`, anonymous; 404 `download not found.`, 400
`number of max downloads exceeded.`, or a redirect to the workspace's public link). The form's fields
are imputationserver2's (genepi/imputationserver2 cloudgene.yaml): `files`, `refpanel`, `build`,
`phasing`, `population`, `r2Filter`, `mode` (`imputation`/`qc_only`), `password`, and `job-name`.

Cloudgene 3 sends no progress; Cloudgene 2's `progress` is read where a server still sends one.
"""

from __future__ import annotations

import re
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from pydantic import SecretStr

from fip_core.outbound.client import OutboundClient
from jobs.adapters.base import (
    BadTokenError,
    Download,
    ExternalState,
    ExternalStatus,
    LogMessage,
    MessageLevel,
    OutputFile,
    ProtocolError,
    ServiceCondition,
    Step,
    Submission,
    UnknownJobError,
    WaitingForServiceError,
)
from jobs.adapters.http import (
    JsonReply,
    Refusals,
    call_json,
    count,
    dicts_in,
    message_of,
    multipart_form,
    output_chunks,
    refusal,
)

DEFAULT_APP = "imputationserver2"
SUBMIT_TIMEOUT_SECONDS = 600.0  # the server copies every uploaded file into its workspace before it answers

# AbstractJob's states; DEAD is a job the server stopped (at a restart) that its admin may restart
STATES: dict[int, tuple[str, ExternalState]] = {
    -1: ("DEAD", ExternalState.WAITING_FOR_SERVICE),
    1: ("WAITING", ExternalState.QUEUED),
    2: ("RUNNING", ExternalState.RUNNING),
    3: ("EXPORTING", ExternalState.RUNNING),
    4: ("SUCCESS", ExternalState.COMPLETED),
    5: ("FAILED", ExternalState.FAILED),
    6: ("CANCELED", ExternalState.CANCELLED),
    # archived after its retention: whatever it produced is gone, so a job still followed has lost it
    7: ("RETIRED", ExternalState.FAILED),
    8: ("SUCCESS_NOTIFIED", ExternalState.COMPLETED),
    9: ("FAIL_NOTIFIED", ExternalState.FAILED),
    # deleted on the server (by its owner in the web UI): it will not run any more
    10: ("DELETED", ExternalState.CANCELLED),
}
_WHY: dict[int, str] = {
    -1: "the service stopped this job (at a restart); it waits for the service to restart it",
    7: "the service retired this job and deleted its results",
    10: "the job was deleted on the service",
}
_LEVELS = {0: MessageLevel.INFO, 1: MessageLevel.ERROR, 2: MessageLevel.WARNING, 3: MessageLevel.RUNNING}
_JOB_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_RUNNING_CAP = re.compile(r"jobs per user can be executed simultaneously")
_MAINTENANCE_KEYS = ("maintenace", "maintenance")  # cloudgene3's ServerService spells it `maintenace`
# cloudgene3's JsonHttpStatusException: 401 no user, 403 another's job, 404 no such job (or app), 503 maintenance
REFUSALS = Refusals(bad_token=frozenset({401}), unknown=frozenset({403, 404}), waiting=frozenset({503}))


class CloudgeneAdapter:
    """One Cloudgene server, reached at `base_url` (without `/api/v2`), running jobs with `app`."""

    def __init__(self, client: OutboundClient, base_url: str, *, app: str = DEFAULT_APP) -> None:
        self._client = client
        self.base_url = base_url.rstrip("/")
        self.app = app

    async def probe(self) -> ServiceCondition:
        """Accepting unless the server says it is in maintenance; its queue's size as its load."""
        reply = await call_json(self._client, "GET", f"{self.base_url}/api/v2/server")
        info = reply.document
        if reply.status != 200 or not isinstance(info, dict):
            raise refusal(reply, "server info request", REFUSALS)
        flags = [info[key] for key in _MAINTENANCE_KEYS if isinstance(info.get(key), bool)]
        if not flags:
            raise ProtocolError("the server info is not a Cloudgene answer")
        counters = await call_json(self._client, "GET", f"{self.base_url}/api/v2/server/counters")
        queue = counters.document.get("queue") if isinstance(counters.document, dict) else None
        size = queue.get("size") if isinstance(queue, dict) else None
        queue_size = size if count(size) else None
        if any(flags):
            message = info.get("maintenaceMessage") or info.get("maintenanceMessage")
            return ServiceCondition(False, _text(message) or "in maintenance", queue_size)
        return ServiceCondition(True, None, queue_size)

    async def submit(self, submission: Submission, token: SecretStr | None) -> str:
        """Upload the files with the job's parameters; the job's id on the server. The per-user cap on
        running jobs and maintenance raise WaitingForServiceError, a refused token BadTokenError."""
        fields = [
            ("job-name", submission.name),
            ("refpanel", submission.panel),
            ("build", submission.build),
            ("phasing", submission.phasing),
            ("mode", submission.mode.value),
        ]
        if submission.population is not None:
            fields.append(("population", submission.population))
        if submission.r2_filter is not None:
            fields.append(("r2Filter", format(submission.r2_filter, "g")))
        if submission.password is not None:
            fields.append(("password", submission.password.get_secret_value()))
        content_type, body = multipart_form(self._client, fields, [("files", file) for file in submission.files])
        reply = await call_json(
            self._client,
            "POST",
            f"{self.base_url}/api/v2/jobs/submit/{self.app}",
            headers={**_auth(token), "Content-Type": content_type},
            body=body,
            timeout_seconds=SUBMIT_TIMEOUT_SECONDS,
        )
        document = reply.document
        if reply.status == 200 and isinstance(document, dict) and document.get("success") is True:
            job_id = document.get("id")
            if isinstance(job_id, str) and _JOB_ID.fullmatch(job_id):
                return job_id
            raise ProtocolError("the server accepted the job without a usable id")
        if reply.status == 400 and _RUNNING_CAP.search(message_of(reply)):
            raise WaitingForServiceError(
                "the service runs as many of this user's jobs as it allows", service_message=message_of(reply)
            )
        raise refusal(reply, "submission", REFUSALS)

    async def status(self, external_id: str, token: SecretStr | None) -> ExternalStatus:
        """The job as the server reports it; in maintenance, waiting for the service."""
        reply = await call_json(self._client, "GET", self._job_url(external_id, "/status"), headers=_auth(token))
        if reply.status == 503:
            return ExternalStatus(
                external_id,
                ExternalState.WAITING_FOR_SERVICE,
                "maintenance",
                error=message_of(reply) or "the service is in maintenance",
            )
        return job_status(external_id, _job(reply))

    async def cancel(self, external_id: str, token: SecretStr | None) -> ExternalStatus:
        """Cancel the job on the server (a GET, as cloudgene3 has it); the job as it answers."""
        reply = await call_json(self._client, "GET", self._job_url(external_id, "/cancel"), headers=_auth(token))
        return job_status(external_id, _job(reply))

    async def list_outputs(self, external_id: str, token: SecretStr | None) -> list[OutputFile]:
        """Every downloadable file of the job's output parameters, with its share link."""
        document = _job(await call_json(self._client, "GET", self._job_url(external_id, ""), headers=_auth(token)))
        outputs = []
        for parameter in dicts_in(document.get("outputParams")):
            group = _text(parameter.get("name")) or _text(parameter.get("id"))
            for item in dicts_in(parameter.get("files")):
                name, file_hash = _text(item.get("name")), _text(item.get("hash"))
                if not name or not file_hash or not _JOB_ID.fullmatch(file_hash) or not _plain_path(name):
                    continue
                left = item.get("count")  # -1 for unlimited (logs), so not a `count`
                outputs.append(
                    OutputFile(
                        name=name,
                        url=f"{self.base_url}/share/results/{file_hash}/{quote(name, safe='/')}",
                        size_text=_text(item.get("size")),
                        group=group,
                        downloads_left=left if isinstance(left, int) and not isinstance(left, bool) else None,
                    )
                )
        return outputs

    def fetch_output(self, output: OutputFile, token: SecretStr | None) -> AbstractAsyncContextManager[Download]:
        """The file's bytes from its share link (anonymous: the link's hash is the key). Each fetch counts
        against the file's download limit; past it the server refuses."""
        return output_chunks(self._client, output, {}, REFUSALS)

    def _job_url(self, external_id: str, suffix: str) -> str:
        if not _JOB_ID.fullmatch(external_id):
            raise UnknownJobError(f"{external_id!r} is not a Cloudgene job id")
        return f"{self.base_url}/api/v2/jobs/{external_id}{suffix}"


def job_status(external_id: str, document: dict[str, Any]) -> ExternalStatus:
    """A JobResponse in the platform's words: the state mapped, the steps with their messages, the error
    messages of a failed job (a QC failure's among them) as its error."""
    code = document.get("state")
    if not isinstance(code, int) or code not in STATES:
        raise ProtocolError(f"the job's state {code!r} is not one Cloudgene has")
    name, state = STATES[code]
    steps = tuple(_step(step) for step in dicts_in(document.get("steps")))
    position = document.get("positionInQueue")
    return ExternalStatus(
        external_id=external_id,
        state=state,
        service_state=f"{code} {name}",
        progress=_progress(document.get("progress"), state),
        position_in_queue=position if state is ExternalState.QUEUED and count(position) else None,
        steps=steps,
        error=_error(code, state, steps),
    )


def _step(step: dict[str, Any]) -> Step:
    messages = []
    for item in dicts_in(step.get("logMessages")):
        text = _text(item.get("message"))
        if text is None:
            continue
        kind, moment = item.get("type"), item.get("time")
        level = _LEVELS.get(kind, MessageLevel.INFO) if isinstance(kind, int) else MessageLevel.INFO
        time = datetime.fromtimestamp(moment / 1000, UTC) if isinstance(moment, int) and count(moment) else None
        messages.append(LogMessage(text, level, time))
    return Step(_text(step.get("name")) or "", tuple(messages))


def _error(code: int, state: ExternalState, steps: tuple[Step, ...]) -> str | None:
    if state is not ExternalState.FAILED:
        return _WHY.get(code)
    errors = [message.text for step in steps for message in step.messages if message.level is MessageLevel.ERROR]
    if errors:
        return "\n".join(errors)
    last = [message.text for step in steps for message in step.messages][-1:]
    return _WHY.get(code) or (last[0] if last else "the service reports the job failed and says no more")


def _progress(progress: Any, state: ExternalState) -> int | None:
    if state is ExternalState.COMPLETED:
        return 100
    if state is ExternalState.QUEUED:
        return 0
    if state is ExternalState.RUNNING and count(progress) and progress <= 100:
        return int(progress)
    return None


def _job(reply: JsonReply) -> dict[str, Any]:
    if reply.status == 200 and isinstance(reply.document, dict):
        return reply.document
    raise refusal(reply, "job request", REFUSALS)


def _auth(token: SecretStr | None) -> dict[str, str]:
    if token is None:
        raise BadTokenError("a Cloudgene server needs the user's API token")
    return {"X-Auth-Token": token.get_secret_value()}


def _plain_path(name: str) -> bool:
    """A file's name in its output folder (`chr_20.zip`, `local/chr_20.zip`), nothing that climbs out of it."""
    parts = name.split("/")
    return name.isprintable() and all(part not in ("", ".", "..") for part in parts) and len(name) <= 1024


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
