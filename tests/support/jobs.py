"""Jobs as the tests need them: stored directly through the domain's lifecycle, in any status."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from fip_core.declaration import InternalCall
from infra.domains import DOMAINS
from jobs.dal.unit_of_work import STORE
from jobs.declaration import CREDENTIALS, INPUTS, SUBMISSION
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

    def inputs(self, user_id: str, file_ids: list[str], *, links: bool) -> dict[str, Any]:
        """The files domain's answer about a user's files."""
        return self._invoke(INPUTS, {"user_id": user_id, "file_ids": file_ids, "links": links})

    def credential(self, user_id: str, service_id: str) -> dict[str, Any]:
        """The users domain's token of a user for a service."""
        return self._invoke(CREDENTIALS, {"user_id": user_id, "service_id": service_id})
