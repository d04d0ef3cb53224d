"""Submits a job accepted by `POST /jobs` to its service, outside the API request: invoked by the jobs
domain's own `JobStatusChanged` as it enters `pending` (a rule on the bus; the event is written in the
job's own transaction, so no accepted job misses it). Other statuses are ignored. A job whose service
cannot take it now, or whose event was lost, is submitted by the poll when it is due again; a claim on
the job keeps the two from submitting it twice."""

from __future__ import annotations

from typing import Any

from fip_core.observability import observability
from fip_core.tasks import task_handler
from jobs import DOMAIN

obs = observability(DOMAIN)


def submit(event: dict[str, Any]) -> dict[str, Any]:
    """Submit the job the event is about, if it is a job entering `pending`."""
    from pydantic import ValidationError

    from fip_core.events import event_source
    from fip_core.outbound.loop import run
    from fip_core.platform_events import JobStatusChanged
    from jobs.handlers.wiring import jobs_adapters
    from jobs.logic.submission import Timings, submit_job
    from jobs.settings import jobs_settings

    detail = event.get("detail")
    if event.get("source") != event_source(DOMAIN) or not isinstance(detail, dict):
        return {"outcome": "ignored", "reason": "not an event of the jobs domain"}
    try:
        changed = JobStatusChanged.model_validate(detail.get("data"))
    except ValidationError:
        obs.logger.warning("unreadable JobStatusChanged ignored")
        return {"outcome": "ignored", "reason": "not a readable JobStatusChanged"}
    if changed.status != "pending":
        return {"outcome": "ignored", "reason": f"a {changed.status} job is not submitted"}
    outcome = run(submit_job(jobs_adapters(), changed.job_id, Timings.of(jobs_settings())))
    obs.logger.info("job submission", extra={"job_id": changed.job_id, "outcome": outcome.value})
    return {"outcome": outcome.value, "job_id": changed.job_id}


handler = task_handler(obs, submit)
