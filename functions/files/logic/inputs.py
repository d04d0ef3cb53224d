"""Files handed to an imputation service: for the jobs domain, each requested file's owner check, its
status and summary, and a short-lived link the service (or the adapter) fetches it through. Only a
valid file of the user's gets a link, and each link given is recorded with the file's actions, and with
the service it is for (the file's `sent_to`, for ethics reports)."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from files.domain import FileRecord, Recipient
from files.logic.ports import FilesAdapters
from files.models.inputs import InputsAnswer, InputSummary, RecipientRequest, SubmissionInput
from files.settings import FilesSettings

SUBMISSION_ACTION = "submit"


def submission_inputs(
    adapters: FilesAdapters,
    settings: FilesSettings,
    user_id: str,
    file_ids: list[UUID],
    *,
    links: bool = True,
    recipient: RecipientRequest | None = None,
) -> InputsAnswer:
    """Each requested file as a submission needs it, with a link to each valid one unless `links` is
    False (a check before the job is accepted); another user's file is answered as not found. Each file
    linked for a `recipient` records that service and job (`sent_to`)."""
    with adapters.reading() as repo:
        records = {str(file_id): repo.files.get(str(file_id)) for file_id in file_ids}
    now = adapters.clock()
    seconds = settings.submission_url_minutes * 60
    answered: list[SubmissionInput] = []
    linked: list[str] = []
    for file_id in file_ids:
        record = records[str(file_id)]
        if record is None or record.user_id != user_id:
            answered.append(SubmissionInput(id=file_id, found=False))
            continue
        linkable = links and record.status == "valid"
        url = adapters.store.download_url(record.key, record.filename, seconds) if linkable else None
        if url is not None:
            linked.append(record.id)
        answered.append(
            SubmissionInput(
                id=file_id,
                found=True,
                status=record.status,
                filename=record.filename,
                size_bytes=record.size_bytes,
                build=record.build,
                summary=_summary(record),
                allowed_countries=record.allowed_countries,
                allowed_services=record.allowed_services,
                url=url,
                url_expires_at=now + timedelta(seconds=seconds) if url else None,
            )
        )
    if linked:
        with adapters.transaction() as repo:
            for linked_id in linked:
                repo.files.record_action(linked_id, user_id, SUBMISSION_ACTION, now, "a link for an imputation service")
                if recipient is not None:
                    sent = {"service_id": str(recipient.service_id), "job_id": str(recipient.job_id)}
                    repo.files.record_recipient(
                        Recipient(linked_id, service_name=recipient.service_name, at=now, **sent)
                    )
    return InputsAnswer(files=answered)


def _summary(record: FileRecord) -> InputSummary | None:
    if not record.summary:
        return None
    return InputSummary.model_validate(
        {key: record.summary.get(key) for key in ("samples", "chromosome", "build_detected")}
    )
