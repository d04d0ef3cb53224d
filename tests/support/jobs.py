"""Jobs as the tests need them: stored directly through the domain's lifecycle, in any status."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from fip_core.declaration import InternalCall
from infra.domains import DOMAINS
from jobs.dal.unit_of_work import STORE
from jobs.declaration import CREDENTIALS, DISCOVER, INPUTS, RESULTS, SUBMISSION
from jobs.domain import JobRecord
from jobs.logic import lifecycle
from local_platform.events import lambda_context
from local_platform.lambdas import import_handler

START = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def new_job(user_id: str = "alice", key: str | None = None, **changes: Any) -> JobRecord:
    """A pending job of `user_id`, not stored; `changes` set any of its fields."""
    job = JobRecord.pending(
        START,
        id=str(uuid4()),
        user_id=user_id,
        name="chr20 run",
        idempotency_key=key or str(uuid4()),
        request_digest="0" * 64,
        service_id=str(uuid4()),
        service_name="Michigan",
        api_type="michigan",
        panel="apps@1000g-phase-3-v5",
        build="hg19",
        phasing="eagle",
        population="eur",
        r2_filter=None,
        mode="imputation",
        file_ids=[str(uuid4())],
    )
    return replace(job, **changes)


def store(job: JobRecord) -> JobRecord:
    """Store a new job with its first history entry and event (queued in the outbox, not relayed)."""
    with STORE.transaction(relay=False) as repo:
        return lifecycle.create(repo, job)


class InProcessDomains:
    """The jobs domain's declared calls, each run in process by the target's own handler with the same
    JSON it would receive through Lambda's Invoke API (`local_platform/invoke.py` does the same over HTTP)."""

    def _invoke(self, call: InternalCall, payload: dict[str, Any]) -> dict[str, Any]:
        target = next(d for d in DOMAINS if d.name == call.domain).function(call.target)
        answer = import_handler(target.handler)(json.loads(json.dumps(payload)), lambda_context(call.target))
        return dict(json.loads(json.dumps(answer)))

    def service(self, service_id: str) -> dict[str, Any]:
        """The registry's submission details of a service."""
        return self._invoke(SUBMISSION, {"service_id": service_id})

    def inputs(
        self, user_id: str, file_ids: list[str], *, links: bool, recipient: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """The files domain's answer about a user's files (recording the service the links are for)."""
        call: dict[str, Any] = {"user_id": user_id, "file_ids": file_ids, "links": links}
        return self._invoke(INPUTS, call | ({"recipient": recipient} if recipient else {}))

    def discover(self, panel: str, build: str) -> dict[str, Any]:
        """The registry's ranking of the services offering the panel on the build."""
        return self._invoke(DISCOVER, {"panel": panel, "build": build})

    def credential(self, user_id: str, service_id: str) -> dict[str, Any]:
        """The users domain's token of a user for a service."""
        return self._invoke(CREDENTIALS, {"user_id": user_id, "service_id": service_id})

    def results(self, call: dict[str, Any]) -> dict[str, Any]:
        """The files domain's answer to registering or completing a result file."""
        return self._invoke(RESULTS, call)


class CloudgeneDomains:
    """The registry's and users domain's answers as a poll of active jobs asks them, in process: every
    service a Cloudgene server at `base_url_of(service_id)` that needs the owner's token, and every owner's
    token `token`. No job is pending or completes, so its files are never asked about."""

    def __init__(self, base_url_of: Callable[[str], str], token: str) -> None:
        self.base_url_of = base_url_of
        self.token = token

    def service(self, service_id: str) -> dict[str, Any]:
        """A Cloudgene service needing the owner's token."""
        return {"id": service_id, "api_type": "michigan", "base_url": self.base_url_of(service_id),
                "requires_user_token": True}  # fmt: skip

    def credential(self, user_id: str, service_id: str) -> dict[str, Any]:
        """The owner's token."""
        return {"token": self.token}

    def inputs(
        self, user_id: str, file_ids: list[str], *, links: bool, recipient: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """Never asked: no job is pending."""
        raise AssertionError("no job is pending here")

    def discover(self, panel: str, build: str) -> dict[str, Any]:
        """Never asked: no job is routed."""
        raise AssertionError("no job is routed here")

    def results(self, call: dict[str, Any]) -> dict[str, Any]:
        """Never asked: no job completes."""
        raise AssertionError("no job completes here")


class Clock:
    """A clock a test moves on: the jobs domain's polls are due a minute apart."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Move on by a `timedelta`'s worth."""
        self.now += timedelta(**delta)


def with_world(monkeypatch: Any, clock: Clock) -> None:
    """Every jobs handler's adapters as in the cloud but for the other domains (their handlers run in
    process, `InProcessDomains`) and the clock (the test's)."""
    from jobs.handlers import wiring

    real = wiring.jobs_adapters

    def adapters() -> Any:
        return replace(real(), domains=InProcessDomains(), clock=clock)

    monkeypatch.setattr("jobs.handlers.wiring.jobs_adapters", adapters)
    monkeypatch.setattr("jobs.handlers.routes.jobs.jobs_adapters", adapters)


def job_events(job_id: str | None = None) -> list[dict[str, Any]]:
    """The JobStatusChanged events in the jobs outbox (of one job, if named), as EventBridge delivers
    them, by revision."""
    from sqlalchemy import select

    from jobs.dal.tables import EVENTS
    from local_platform.events import eventbridge_event

    with STORE.reading() as repo:
        details = list(repo.session.execute(select(EVENTS.outbox.c.detail)).scalars())
    found = [d for d in details if d["metadata"]["name"] == "JobStatusChanged"]
    found = [d for d in found if job_id is None or d["data"]["job_id"] == job_id]
    found.sort(key=lambda d: d["data"]["revision"])
    return [eventbridge_event("JobStatusChanged", detail, "fip.jobs") for detail in found]


def run_function(name: str, event: dict[str, Any]) -> Any:
    """Invoke one of the jobs domain's functions in process, as Lambda would."""
    from jobs.declaration import DECLARATION

    return import_handler(DECLARATION.function(name).handler)(event, lambda_context(f"jobs-{name}"))


def poll() -> dict[str, Any]:
    """One run of the scheduled poll."""
    from local_platform.events import scheduled_event

    return dict(run_function("poll", scheduled_event("jobs-poll")))


def submit_pending(job_id: str) -> dict[str, Any]:
    """The submit function, given the job's latest `pending` event (an `auto` job failing over has one
    per service it is sent to)."""
    pending = [e for e in job_events(job_id) if e["detail"]["data"]["status"] == "pending"]
    return dict(run_function("submit", pending[-1]))
